//! Concurrent appenders.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context as _, ensure};
use bluelamp_audit::NewEntry;
use bluelamp_domain::ids::RecordKind;

use super::{check_audit_log, commit, fixtures};
use crate::Store;

/// Transactions per task in the concurrency case.
const TRANSACTIONS_PER_TASK: usize = 50;
/// Concurrent tasks in the concurrency case.
const CONCURRENT_TASKS: usize = 8;

/// 8 tasks × 50 transactions, each appending 1–3 entries (some also writing a record), get
/// sequence numbers that are exactly `0..N`: no gaps, no duplicates, consecutive within a
/// transaction, increasing within a task, and every stored leaf embeds its own seq.
pub async fn concurrent_appenders_get_gapless_sequence_numbers(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let mut tasks = Vec::with_capacity(CONCURRENT_TASKS);
    for task in 0..CONCURRENT_TASKS {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut appended: Vec<(u64, NewEntry)> = Vec::new();
            for transaction in 0..TRANSACTIONS_PER_TASK {
                let count = 1 + (task + transaction) % 3;
                let entries =
                    fixtures::audit_entries(&format!("task{task}.tx{transaction}"), count);
                let mut tx = store.begin().await?;
                if transaction % 10 == 0 {
                    tx.insert_record(&fixtures::record(RecordKind::Event)?)
                        .await?;
                }
                let seqs = tx.append_audit(&entries).await?;
                commit(tx, "concurrent append").await?;
                ensure!(
                    seqs.len() == count,
                    "{count} entries got {} seqs",
                    seqs.len()
                );
                ensure!(
                    seqs.windows(2)
                        .all(|pair| matches!(pair, [a, b] if b.checked_sub(*a) == Some(1))),
                    "seqs within one transaction are not consecutive: {seqs:?}"
                );
                if let (Some((previous, _)), Some(first)) = (appended.last(), seqs.first()) {
                    ensure!(first > previous, "task {task}: seqs went backwards");
                }
                appended.extend(seqs.into_iter().zip(entries));
            }
            anyhow::Ok(appended)
        }));
    }

    let mut by_seq: BTreeMap<u64, NewEntry> = BTreeMap::new();
    for task in futures::future::join_all(tasks).await {
        for (seq, entry) in task.context("task panicked")?? {
            ensure!(
                by_seq.insert(seq, entry).is_none(),
                "seq {seq} was assigned twice"
            );
        }
    }
    let total = by_seq.len();
    let expected_seqs: Vec<u64> = (0..u64::try_from(total)?).collect();
    let assigned: Vec<u64> = by_seq.keys().copied().collect();
    ensure!(
        assigned == expected_seqs,
        "assigned seqs are not exactly 0..{total}"
    );
    let expected: Vec<NewEntry> = by_seq.into_values().collect();
    check_audit_log(&store, &expected).await
}
