//! Audit log benchmarks: batched appends, and verification of a large log.

use std::time::Instant;

use anyhow::Context as _;
use bluelamp_audit::{LogKind, NewEntry, Outcome};
use bluelamp_store::Store;
use chrono::Utc;

use super::{bench_config, rate};
use crate::node;
use crate::progress;
use crate::serve::say;

/// Entries per transaction while building the log for the verification benchmark.
const BUILD_BATCH: u32 = 10_000;

/// Checkpoints signed while building the log for the verification benchmark.
const CHECKPOINTS: u64 = 4;

/// Appends `entries` audit entries in transactions of `batch` and reports appends per second.
pub async fn append(entries: u64, batch: u32, database_url: Option<&str>) -> anyhow::Result<()> {
    anyhow::ensure!(batch > 0, "--batch must be at least 1");
    let data_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let config = bench_config(data_dir.path(), database_url)?;
    let store = node::open_store(&config.database()?).await?;
    let bar = progress::bar(entries, "appending");
    let started = Instant::now();
    let appended = append_batches(&*store, entries, batch, &bar).await?;
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    say(&format!(
        "audit-append: backend {}, {appended} entries in batches of {batch} in {:.2} s: {:.0} appends/s",
        store.backend_name(),
        elapsed.as_secs_f64(),
        rate(appended, elapsed)
    ))
}

/// Builds a log of `entries` entries (with a few signed checkpoints), then times
/// [`bluelamp_app::verify_audit_log`] over it.
pub async fn verify(entries: u64, database_url: Option<&str>) -> anyhow::Result<()> {
    let data_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let config = bench_config(data_dir.path(), database_url)?;
    let built = node::build(&config).await?;
    let store = built.store;
    let app = built.app;

    let bar = progress::bar(entries, "building log");
    let build_started = Instant::now();
    let chunk = entries.div_ceil(CHECKPOINTS).max(1);
    let mut written = 0_u64;
    let mut checkpoints = 0_u64;
    while written < entries {
        let this_chunk = chunk.min(entries - written);
        written += append_batches(&*store, this_chunk, BUILD_BATCH, &bar).await?;
        if app
            .write_checkpoint()
            .await
            .context("cannot sign a checkpoint")?
            .is_some()
        {
            checkpoints += 1;
        }
    }
    bar.finish_and_clear();
    let build_elapsed = build_started.elapsed();
    say(&format!(
        "audit-verify: built {written} entries and {checkpoints} checkpoints on {} in {:.1} s",
        store.backend_name(),
        build_elapsed.as_secs_f64()
    ))?;

    let key = app.verifying_key();
    let bar = progress::bar(written, "verifying");
    let mut on_progress = |read: u64, _total: u64| bar.set_position(read);
    let started = Instant::now();
    let report = bluelamp_app::verify_audit_log(&*store, &key, &mut on_progress)
        .await
        .context("the freshly built log did not verify")?;
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    say(&format!(
        "audit-verify: {} entries, {} checkpoints checked, root {} verified in {:.2} s ({:.0} entries/s)",
        report.entries,
        report.checkpoints_checked,
        hex::encode(report.root),
        elapsed.as_secs_f64(),
        rate(report.entries, elapsed)
    ))
}

/// Appends `count` entries in transactions of `batch`; returns how many were appended.
async fn append_batches(
    store: &dyn Store,
    count: u64,
    batch: u32,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<u64> {
    let mut appended = 0_u64;
    while appended < count {
        let size = u64::from(batch).min(count - appended);
        let entries = synthetic_entries(size);
        let mut tx = store.begin().await.context("cannot begin a transaction")?;
        tx.append_audit(&entries)
            .await
            .context("cannot append audit entries")?;
        tx.commit().await.context("cannot commit audit entries")?;
        appended += size;
        bar.inc(size);
    }
    Ok(appended)
}

/// `count` entries shaped like the gate's (one record id each, no personal content).
fn synthetic_entries(count: u64) -> Vec<NewEntry> {
    let at = Utc::now();
    (0..count)
        .map(|_| NewEntry {
            at,
            actor: "system:bench".to_owned(),
            kind: LogKind::Collection,
            action: "record.create".to_owned(),
            purpose: None,
            records: vec![uuid::Uuid::now_v7()],
            recipients: Vec::new(),
            digest: None,
            outcome: Outcome::Allowed,
        })
        .collect()
}
