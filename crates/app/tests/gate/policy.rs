//! Changing the policy in force (ABAC-06): audited with its diff and fingerprint, in effect
//! for the very next decision, and a no-op when nothing changed.

use anyhow::{Context as _, ensure};
use bluelamp_app::{AppError, Principal};
use bluelamp_audit::{LogKind, Outcome};
use bluelamp_domain::ids::RecordKind;
use bluelamp_domain::values::Purpose;
use bluelamp_policy::{EMBEDDED_POLICIES, EMBEDDED_SCHEMA, PolicyEngine, Role};

use crate::harness::{FORCE, Harness, new_record};

pub async fn policy_changes_are_audited_and_take_effect_at_once(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let purpose = Purpose::parse("enquiry into BL-42")?;
    let record = h
        .app
        .create_record(&officer, new_record(RecordKind::Event)?)
        .await?;
    h.app.read_record(&officer, record.id, &purpose).await?;

    let watcher = Principal::system("policy-watcher", FORCE);
    let embedded = PolicyEngine::embedded()?;
    ensure!(h.app.policy_fingerprint() == embedded.fingerprint());
    // The same policy again changes nothing and writes nothing.
    let before = h.audit().await?.len();
    let same = h.app.adopt_policy(&watcher, embedded, "tests").await?;
    ensure!(same.is_none(), "{same:?}");
    ensure!(h.audit().await?.len() == before, "a no-op was audited");

    // Without records.cedar, officers consult nothing.
    let without_records: Vec<(&str, &str)> = EMBEDDED_POLICIES
        .iter()
        .copied()
        .filter(|(name, _)| *name != "records.cedar")
        .collect();
    let text: String = without_records
        .iter()
        .map(|(_, source)| *source)
        .collect::<Vec<_>>()
        .join("\n");
    let narrower = PolicyEngine::from_sources(EMBEDDED_SCHEMA, &text)?;
    let fingerprint = narrower.fingerprint().to_owned();
    let change = h
        .app
        .adopt_policy(&watcher, narrower, "/etc/bluelamp/policies")
        .await?
        .context("a change")?;
    ensure!(change.fingerprint == fingerprint);
    ensure!(
        change
            .diff
            .removed
            .iter()
            .any(|id| id == "records.operational.consult"),
        "{:?}",
        change.diff
    );
    ensure!(h.app.policy_fingerprint() == fingerprint);
    let audit = h.audit().await?;
    let entry = audit.last().context("an entry")?;
    ensure!(entry.seq == change.audit_seq);
    ensure!(entry.entry.kind == LogKind::Alteration && entry.entry.action == "policy.change");
    ensure!(entry.entry.actor == watcher.actor_id());
    ensure!(entry.entry.digest.as_deref() == Some(fingerprint.as_str()));
    let text = entry.entry.purpose.as_deref().unwrap_or_default();
    ensure!(
        text.starts_with("policy change from /etc/bluelamp/policies: removed ")
            && text.contains("records.operational.consult"),
        "{text}"
    );
    ensure!(entry.entry.outcome == Outcome::Allowed);

    // In effect at once.
    let refused = h.app.read_record(&officer, record.id, &purpose).await;
    ensure!(
        matches!(refused, Err(AppError::Forbidden { .. })),
        "{refused:?}"
    );
    // And back.
    let back = h
        .app
        .adopt_policy(&watcher, PolicyEngine::embedded()?, "tests")
        .await?
        .context("a change back")?;
    ensure!(
        back.diff
            .added
            .iter()
            .any(|id| id == "records.operational.consult")
    );
    h.app.read_record(&officer, record.id, &purpose).await?;
    Ok(())
}
