//! Benchmarks: hashing and appending a million leaves, and verifying a
//! 100,000-entry log with signed checkpoints.

use std::hint::black_box;
use std::time::Duration;

use bluelamp_audit::{
    Checkpoint, CheckpointSigner, Entry, Frontier, Hash, LogKind, LogVerifier, NewEntry, Outcome,
    SignedCheckpoint, leaf_hash,
};
use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput};
use uuid::Uuid;

const LEAVES: u64 = 1_000_000;
const LOG_ENTRIES: u64 = 100_000;
const CHECKPOINT_EVERY: u64 = 10_000;

fn frontier_push(c: &mut Criterion) {
    let mut group = c.benchmark_group("merkle");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(LEAVES));
    group.bench_function("leaf_hash + Frontier::push, 1M leaves", |b| {
        b.iter(|| {
            let mut frontier = Frontier::new();
            for i in 0..LEAVES {
                frontier.push(leaf_hash(&i.to_le_bytes()));
            }
            black_box(frontier.root())
        });
    });
    group.finish();
}

fn entry(seq: u64, at: DateTime<Utc>) -> Entry {
    Entry {
        seq,
        entry: NewEntry {
            at,
            actor: format!("staff:{:032x}", u128::from(seq % 97)),
            kind: LogKind::Consultation,
            action: "record.read".into(),
            purpose: Some("investigation 2026/123".into()),
            records: vec![Uuid::from_u128(u128::from(seq))],
            recipients: vec![],
            digest: None,
            outcome: Outcome::Allowed,
        },
    }
}

/// A log of stored rows and the checkpoints signed over it.
type SignedLog = (Vec<(u64, Vec<u8>, Hash)>, Vec<SignedCheckpoint>);

fn build_log(signer: &CheckpointSigner) -> SignedLog {
    let at = Utc::now();
    let mut frontier = Frontier::new();
    let mut rows = Vec::new();
    let mut checkpoints = Vec::new();
    for seq in 0..LOG_ENTRIES {
        let bytes = entry(seq, at).leaf_bytes();
        let hash = leaf_hash(&bytes);
        frontier.push(hash);
        rows.push((seq, bytes, hash));
        if frontier.size().is_multiple_of(CHECKPOINT_EVERY) {
            checkpoints.push(signer.sign(Checkpoint {
                origin: "bench/audit".into(),
                size: frontier.size(),
                root: frontier.root(),
                time: at,
            }));
        }
    }
    (rows, checkpoints)
}

fn verifier(c: &mut Criterion) {
    let signer = CheckpointSigner::generate();
    let (rows, checkpoints) = build_log(&signer);
    let key = signer.verifying_key();
    let mut group = c.benchmark_group("verifier");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(LOG_ENTRIES));
    group.bench_function("LogVerifier, 100k entries, 10 checkpoints", |b| {
        b.iter(|| {
            let mut verifier = LogVerifier::new(key).with_checkpoints(checkpoints.clone());
            for (seq, bytes, hash) in &rows {
                if verifier.push(*seq, bytes, hash).is_err() {
                    break;
                }
            }
            black_box(verifier.finish().is_ok())
        });
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    frontier_push(&mut criterion);
    verifier(&mut criterion);
    criterion.final_summary();
}
