//! MoPI disposal: a person linked to many records, disposed of through the gate (record, search
//! keys and every link erased, tombstone and erasure entry written, in one transaction).

use std::time::{Duration, Instant};

use anyhow::Context as _;
use bluelamp_app::{App, NewLink, NewRecord, NewStaff, Principal};
use bluelamp_domain::link::LinkRole;
use bluelamp_domain::record::RecordBody;
use bluelamp_policy::Role;
use serde_json::json;

use super::api::{millis, percentile};
use super::bench_config;
use crate::node;
use crate::progress;
use crate::serve::say;

/// A new record of `body`, group 3, as staff would enter it.
fn new_record(body: serde_json::Value) -> anyhow::Result<NewRecord> {
    let body: RecordBody = serde_json::from_value(body).context("benchmark record")?;
    Ok(NewRecord {
        marking: serde_json::from_value(
            json!({ "classification": "OFFICIAL", "sensitive": false, "caveats": [] }),
        )?,
        lawful_basis: "dpa2018-part3-law-enforcement".parse()?,
        retention_group: "3".parse()?,
        clear_period_start: None,
        channel: bluelamp_domain::provenance::Channel::StaffEntry,
        body,
    })
}

/// Creates a person linked (as victim) to `linked` events; returns the person's id.
async fn person_with_events(
    app: &App,
    who: &Principal,
    round: usize,
    linked: usize,
) -> anyhow::Result<bluelamp_domain::ids::RecordId> {
    let person = app
        .create_record(
            who,
            new_record(json!({
                "kind": "person",
                "name": { "forenames": ["Robin"], "surname": format!("Benchmark{round}") },
                "date_of_birth": "1980-01-01",
            }))?,
        )
        .await?;
    for n in 0..linked {
        let event = app
            .create_record(
                who,
                new_record(json!({
                    "kind": "event",
                    "type": "crime_report",
                    "summary": format!("Benchmark event {round}/{n}"),
                    "occurred_from": "2026-01-01T10:00:00Z",
                    "crime_category": "bicycle-theft",
                }))?,
            )
            .await?;
        app.link_records(
            who,
            NewLink {
                from: person.id,
                to: event.id,
                role: LinkRole::Victim,
                valid_from: None,
                valid_to: None,
            },
        )
        .await?;
    }
    Ok(person.id)
}

/// Disposes of `rounds` persons, each linked to `linked` events, one at a time.
pub async fn dispose(
    rounds: usize,
    linked: usize,
    database_url: Option<&str>,
) -> anyhow::Result<()> {
    anyhow::ensure!(rounds > 0, "--rounds must be at least 1");
    let data_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let config = bench_config(data_dir.path(), database_url)?;
    let built = node::build(&config).await?;
    let app = &built.app;
    let system = node::cli_principal(&config, "bench");
    let officer = app
        .create_staff(
            &system,
            NewStaff {
                username: "bench.officer".to_owned(),
                display_name: "Bench Officer".to_owned(),
                role: Role::Officer,
                force: config.force.clone(),
            },
        )
        .await?;
    let officer = app
        .authenticate(bluelamp_app::reveal_token(&officer))
        .await?;
    let manager = app
        .create_staff(
            &system,
            NewStaff {
                username: "bench.manager".to_owned(),
                display_name: "Bench Manager".to_owned(),
                role: Role::InformationManager,
                force: config.force.clone(),
            },
        )
        .await?;
    let manager = app
        .authenticate(bluelamp_app::reveal_token(&manager))
        .await?;
    let bar = progress::bar(u64::try_from(rounds).unwrap_or(u64::MAX), "disposals");
    let mut latencies: Vec<Duration> = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let person = person_with_events(app, &officer, round, linked).await?;
        let started = Instant::now();
        let tombstone = app
            .dispose_record(&manager, person, "Benchmark: no NRAC concern")
            .await?;
        latencies.push(started.elapsed());
        anyhow::ensure!(
            usize::try_from(tombstone.links_removed).ok() == Some(linked),
            "removed {} links, expected {linked}",
            tombstone.links_removed
        );
        bar.inc(1);
    }
    bar.finish_and_clear();
    latencies.sort_unstable();
    say(&format!(
        "dispose of a person with {linked} linked records, {} ({rounds} rounds): p50 {:.1} ms, max {:.1} ms",
        app.backend_name(),
        millis(percentile(&latencies, 50)),
        millis(latencies.last().copied().unwrap_or_default()),
    ))?;
    Ok(())
}
