//! `bluelamp retention review-due`: runs the MoPI review job once and lists the records due
//! for review (ids, groups and dates, no personal content). Information managers decide on
//! them in the staff workspace at `/staff/reviews`.

use crate::config::Config;
use crate::node;
use crate::serve::say;

/// Lists the records due for review today, the longest overdue first.
pub async fn review_due(config: &Config) -> anyhow::Result<()> {
    let node = node::build(config).await?;
    let due = node.app.queue_due_reviews(node.app.now()).await?;
    for review in &due {
        say(&format!(
            "{}\t{}\tgroup {}\tdue {}",
            review.id,
            review.kind.as_str(),
            review.group,
            review.next_review
        ))?;
    }
    say(&format!("{} records due for review", due.len()))?;
    Ok(())
}
