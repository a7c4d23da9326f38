//! Audit append throughput on SQLite: transactions of 1,000 entries (the batch size of a bulk
//! import), and of 1 entry (an interactive write), on a file in a temporary directory with the
//! production settings (WAL, `synchronous = NORMAL`).
//!
//! Run with `cargo bench -p bluelamp-store-sqlite --bench audit_append`; criterion reports
//! elements per second, i.e. appended entries per second.

#![expect(
    clippy::expect_used,
    reason = "a benchmark has no caller to report a setup failure to"
)]
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use std::hint::black_box;

use bluelamp_audit::{LogKind, NewEntry, Outcome};
use bluelamp_store::Store as _;
use bluelamp_store_sqlite::testing::fresh_store;
use chrono::Utc;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// A typical consultation entry.
fn entry(index: usize) -> NewEntry {
    NewEntry {
        at: bluelamp_audit::truncate_to_micros(Utc::now()),
        actor: "staff:0190a1b2-0000-7000-8000-000000000001".to_owned(),
        kind: LogKind::Consultation,
        action: "record.read".to_owned(),
        purpose: Some(format!("investigation 24/{index:06}")),
        records: vec![uuid::Uuid::now_v7()],
        recipients: Vec::new(),
        digest: None,
        outcome: Outcome::Allowed,
    }
}

/// Benchmarks one transaction appending `batch` entries.
fn audit_append(criterion: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let (store, _guard) = runtime.block_on(fresh_store()).expect("fresh store");

    let mut group = criterion.benchmark_group("sqlite_audit_append");
    for batch in [1_usize, 1_000] {
        let entries: Vec<NewEntry> = (0..batch).map(entry).collect();
        group.throughput(Throughput::Elements(
            u64::try_from(batch).expect("batch fits u64"),
        ));
        group.bench_with_input(
            BenchmarkId::new("per_tx", batch),
            &entries,
            |bencher, entries| {
                bencher.iter(|| {
                    runtime.block_on(async {
                        let mut tx = store.begin().await.expect("begin");
                        let seqs = tx.append_audit(entries).await.expect("append");
                        tx.commit().await.expect("commit");
                        black_box(seqs)
                    })
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, audit_append);
criterion_main!(benches);
