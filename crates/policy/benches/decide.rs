//! Decision latency of the shipped policy set.
#![expect(missing_docs, reason = "criterion_group! generates an undocumented fn")]

use std::hint::black_box;

use bluelamp_policy::{
    AccessRequest, Action, Classification, PolicyEngine, RecordKind, Resource, Role, StaffId,
    Subject,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn decide(c: &mut Criterion) {
    let Ok(engine) = PolicyEngine::embedded() else {
        eprintln!("shipped policies do not load");
        return;
    };
    let officer = Subject::staff(
        StaffId::new(),
        Role::Officer,
        "kent",
        Classification::Secret,
    );
    let own = Resource::record(
        RecordKind::Person,
        "0190a000-0000-7000-8000-000000000001",
        "kent",
        Classification::Official,
        false,
    );
    let other = Resource::record(
        RecordKind::Person,
        "0190a000-0000-7000-8000-000000000002",
        "essex",
        Classification::Official,
        false,
    );
    let citizen = Subject::citizen("citizen-1");
    let collection = Resource::record_collection("kent");

    let mut group = c.benchmark_group("authorize");
    group.bench_function("allow: officer reads own-force record", |b| {
        b.iter(|| {
            engine.authorize(black_box(&AccessRequest {
                subject: &officer,
                action: Action::ReadRecord,
                resource: &own,
                purpose: Some("investigation"),
            }))
        });
    });
    group.bench_function("deny by forbid: officer reads other-force record", |b| {
        b.iter(|| {
            engine.authorize(black_box(&AccessRequest {
                subject: &officer,
                action: Action::ReadRecord,
                resource: &other,
                purpose: Some("investigation"),
            }))
        });
    });
    group.bench_function("deny by default: citizen lists records", |b| {
        b.iter(|| {
            engine.authorize(black_box(&AccessRequest {
                subject: &citizen,
                action: Action::ListRecords,
                resource: &collection,
                purpose: Some("curiosity"),
            }))
        });
    });
    group.finish();

    c.bench_function("build: embedded engine", |b| b.iter(PolicyEngine::embedded));
}

criterion_group!(benches, decide);
criterion_main!(benches);
