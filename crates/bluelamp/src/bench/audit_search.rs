//! `bluelamp bench audit-search`: searching a large audit log as an information manager does
//! on `/staff/audit`.
//!
//! Builds a log of N entries shaped like a force's after two years ([`super::audit_shape`]),
//! appended in batches through the store's own append path (`AuditAppender::append_audit`,
//! which writes the search index in the same transaction, as in production). Then times a
//! seeded mix of searches through [`bluelamp_app::App::search_audit`] — authorised, run,
//! checked against each entry's stored hash, audited as a consultation and committed — by
//! record, actor, kind in a time window, action, purpose text, actor in a window, record and
//! kind, and a first and a deep page (by cursor), and reports p50/p95/max of each. Last, it
//! signs a checkpoint and times inclusion proofs (`App::audit_inclusion_proof`) and
//! consistency proofs (`App::audit_consistency_proof`) on the whole log.
//!
//! On PostgreSQL the audit tables are vacuumed and analysed after the build (what autovacuum
//! does in time). A scratch database that already holds an earlier run's log (at least
//! `--entries` entries) is searched again without appending.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use bluelamp_app::{App, AuditQuery, NewStaff, Principal, reveal_token};
use bluelamp_audit::LogKind;
use bluelamp_domain::ids::RecordId;
use bluelamp_domain::values::Purpose;
use bluelamp_policy::Role;
use bluelamp_store::Store;
use bluelamp_store_postgres::PgStore;
use chrono::Duration as TimeDelta;
use rand::seq::SliceRandom as _;
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

use super::api::{millis, percentile};
use super::audit_shape::{ACTIONS, SPAN_DAYS, Shape, reference, reference_pool};
use super::{bench_config, rate};
use crate::config::DatabaseTarget;
use crate::node;
use crate::progress;
use crate::serve::say;

/// Entries per transaction while building the log.
const BUILD_BATCH: u64 = 10_000;

/// Entries per page, as on `/staff/audit`.
const PAGE: u32 = 50;

/// Proofs of each kind timed on the built log.
const PROOFS: usize = 5;

/// The kinds of search in the mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SearchKind {
    Record,
    Actor,
    KindInWindow,
    Action,
    PurposeText,
    ActorInWindow,
    RecordAndKind,
    FirstPage,
    DeepPage,
}

impl SearchKind {
    const ALL: [Self; 9] = [
        Self::Record,
        Self::Actor,
        Self::KindInWindow,
        Self::Action,
        Self::PurposeText,
        Self::ActorInWindow,
        Self::RecordAndKind,
        Self::FirstPage,
        Self::DeepPage,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Record => "record",
            Self::Actor => "actor",
            Self::KindInWindow => "kind + 7 or 30 days",
            Self::Action => "action",
            Self::PurposeText => "purpose text",
            Self::ActorInWindow => "actor + 30 days",
            Self::RecordAndKind => "record + kind",
            Self::FirstPage => "first page (action)",
            Self::DeepPage => "deep page (action, cursor)",
        }
    }
}

/// One search of the mix.
struct Search {
    kind: SearchKind,
    query: AuditQuery,
    before: Option<u64>,
}

/// A kind drawn from `choices` by weight.
fn weighted_kind(rng: &mut ChaCha8Rng, choices: &[(LogKind, u32)]) -> LogKind {
    let total: u32 = choices.iter().map(|(_, weight)| *weight).sum();
    let mut pick = rng.gen_range(0..total.max(1));
    for (kind, weight) in choices {
        if pick < *weight {
            return *kind;
        }
        pick -= weight;
    }
    LogKind::Consultation
}

/// Text someone looks for in purposes: mostly a reference (rare), sometimes a word of free
/// text or of a common purpose.
fn purpose_text(rng: &mut ChaCha8Rng) -> String {
    let code = match rng.gen_range(0..100) {
        0..=39 => "investigating-crime",
        40..=59 => "investigating-report",
        60..=74 => "intelligence-development",
        75..=89 => {
            let words = ["falcon", "welfare", "MAPPA", "Clare's Law", "firearms"];
            return words
                .get(rng.gen_range(0..words.len()))
                .map_or_else(String::new, |word| (*word).to_owned());
        }
        _ => {
            let words = ["safeguarding", "supervision", "investigating"];
            return words
                .get(rng.gen_range(0..words.len()))
                .map_or_else(String::new, |word| (*word).to_owned());
        }
    };
    reference(code, rng.gen_range(0..reference_pool(code)))
}

/// The seeded mix: `count` searches, the kinds in equal shares, shuffled.
fn searches(shape: &Shape, entries: u64, count: usize, rng: &mut ChaCha8Rng) -> Vec<Search> {
    let start = shape.start();
    let mut out = Vec::with_capacity(count);
    for index in 0..count {
        let Some(kind) = SearchKind::ALL.get(index % SearchKind::ALL.len()).copied() else {
            continue;
        };
        let window = |rng: &mut ChaCha8Rng, days: i64| {
            let from = start + TimeDelta::days(rng.gen_range(0..SPAN_DAYS - days));
            (Some(from), Some(from + TimeDelta::days(days)))
        };
        let mut query = AuditQuery::default();
        let mut before = None;
        match kind {
            SearchKind::Record => {
                query.record = Some(RecordId::from_uuid(shape.record(rng)));
            }
            SearchKind::Actor => query.actor = Some(shape.staff_actor(rng)),
            SearchKind::KindInWindow => {
                query.kind = Some(weighted_kind(
                    rng,
                    &[
                        (LogKind::Consultation, 50),
                        (LogKind::Collection, 20),
                        (LogKind::Alteration, 15),
                        (LogKind::Disclosure, 10),
                        (LogKind::Erasure, 5),
                    ],
                ));
                let days = if rng.gen_bool(0.5) { 7 } else { 30 };
                (query.from, query.to) = window(rng, days);
            }
            SearchKind::Action => {
                query.action = ACTIONS
                    .get(rng.gen_range(0..ACTIONS.len()))
                    .map(|(_, action, _, _)| (*action).to_owned());
            }
            SearchKind::PurposeText => query.purpose = Some(purpose_text(rng)),
            SearchKind::ActorInWindow => {
                query.actor = Some(shape.staff_actor(rng));
                (query.from, query.to) = window(rng, 30);
            }
            SearchKind::RecordAndKind => {
                query.record = Some(RecordId::from_uuid(shape.record(rng)));
                query.kind = Some(weighted_kind(
                    rng,
                    &[
                        (LogKind::Consultation, 40),
                        (LogKind::Alteration, 30),
                        (LogKind::Disclosure, 20),
                        (LogKind::Erasure, 10),
                    ],
                ));
            }
            SearchKind::FirstPage => query.action = Some("record.read".to_owned()),
            SearchKind::DeepPage => {
                query.action = Some("record.read".to_owned());
                before = Some(rng.gen_range(0..entries.max(1)));
            }
        }
        out.push(Search {
            kind,
            query,
            before,
        });
    }
    out.shuffle(rng);
    out
}

/// Appends the log: `entries` entries in transactions of [`BUILD_BATCH`].
async fn build_log(
    store: &dyn Store,
    shape: &Shape,
    entries: u64,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    let bar = progress::bar(entries, "building log");
    let mut written = 0_u64;
    while written < entries {
        let size = BUILD_BATCH.min(entries - written);
        let batch = (written..written + size)
            .map(|index| shape.entry(index, rng))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut tx = store.begin().await.context("cannot begin a transaction")?;
        tx.append_audit(&batch)
            .await
            .context("cannot append audit entries")?;
        tx.commit().await.context("cannot commit audit entries")?;
        written += size;
        bar.inc(size);
    }
    bar.finish_and_clear();
    Ok(())
}

/// An information manager of the force, authenticated.
async fn information_manager(app: &App, force: &str) -> anyhow::Result<Principal> {
    let system = Principal::system("bench", force);
    let created = app
        .create_staff(
            &system,
            NewStaff {
                username: format!("bench-im-{}", uuid::Uuid::now_v7().simple()),
                display_name: "Benchmark Information Manager".to_owned(),
                role: Role::InformationManager,
                force: force.to_owned(),
            },
        )
        .await
        .context("cannot create the benchmark account")?;
    app.authenticate(reveal_token(&created))
        .await
        .context("cannot authenticate the benchmark account")
}

/// One line of figures: p50, p95 and max of `times`.
fn figures_line(label: &str, times: &mut [Duration], extra: &str) -> String {
    times.sort_unstable();
    format!(
        "audit-search: {label:<28} x{:<4} p50 {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms{extra}",
        times.len(),
        millis(percentile(times, 50)),
        millis(percentile(times, 95)),
        millis(times.last().copied().unwrap_or_default()),
    )
}

/// Runs the benchmark.
pub async fn run(
    entries: u64,
    query_count: usize,
    seed: u64,
    database_url: Option<&str>,
) -> anyhow::Result<()> {
    anyhow::ensure!(entries >= 1_000, "--entries must be at least 1000");
    let data_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let config = bench_config(data_dir.path(), database_url)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let shape = Shape::new(entries, &mut rng)?;

    // The log comes first, on the bare store: starting the node writes an entry stamped now,
    // which the log's two years must not follow.
    let store = node::open_store(&config.database()?).await?;
    let backend = store.backend_name();
    let existing = store.audit_size().await?;
    if existing >= entries {
        // A scratch database holding the log of an earlier run with these --entries and
        // --seed: search it again.
        say(&format!(
            "audit-search: backend {backend}, reusing the {existing} entries already in the log"
        ))?;
    } else {
        anyhow::ensure!(
            existing < 10,
            "the database holds {existing} audit entries: use an empty scratch database, or \
             one holding an earlier run's log of at least --entries"
        );
        let started = Instant::now();
        build_log(&*store, &shape, entries, &mut rng).await?;
        let elapsed = started.elapsed();
        say(&format!(
            "audit-search: backend {backend}, built {entries} entries through append_audit in \
             batches of {BUILD_BATCH} in {:.1} s ({:.0} appends/s)",
            elapsed.as_secs_f64(),
            rate(entries, elapsed)
        ))?;
    }
    drop(store);
    if let DatabaseTarget::Postgres(url) = config.database()? {
        use secrecy::ExposeSecret as _;
        let pg = PgStore::connect(url.expose_secret()).await?;
        let started = Instant::now();
        pg.vacuum_analyze_audit_log().await?;
        say(&format!(
            "audit-search: VACUUM ANALYZE (what autovacuum does after a bulk load) {:.1} s",
            started.elapsed().as_secs_f64()
        ))?;
    }

    let built = node::build(&config).await?;
    let app = built.app;
    let manager = information_manager(&app, &config.force).await?;
    let purpose = Purpose::parse("supervision and quality review")?;
    // The mix has its own generator, so a reused log is searched the same way.
    let mut mix_rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(1));
    let mix = searches(&shape, entries, query_count, &mut mix_rng);
    // Warm the caches a little, as a node in use would be.
    for search in mix.iter().take(10) {
        app.search_audit(&manager, &search.query, &purpose, search.before, PAGE)
            .await?;
    }
    let bar = progress::bar(u64::try_from(mix.len())?, "searching");
    let mut times: Vec<(SearchKind, Duration, usize)> = Vec::with_capacity(mix.len());
    for search in &mix {
        let started = Instant::now();
        let page = app
            .search_audit(&manager, &search.query, &purpose, search.before, PAGE)
            .await
            .with_context(|| format!("search {:?}", search.query))?;
        times.push((search.kind, started.elapsed(), page.entries.len()));
        bar.inc(1);
    }
    bar.finish_and_clear();
    say(&format!(
        "audit-search: {} searches through App::search_audit (page of {PAGE}, each authorised, \
         audited and committed), seed {seed}",
        times.len()
    ))?;
    for kind in SearchKind::ALL.into_iter().map(Some).chain([None]) {
        let chosen: Vec<&(SearchKind, Duration, usize)> = times
            .iter()
            .filter(|(k, _, _)| kind.is_none_or(|kind| *k == kind))
            .collect();
        let full = chosen
            .iter()
            .filter(|(_, _, found)| u32::try_from(*found).ok() == Some(PAGE))
            .count();
        let mut durations: Vec<Duration> = chosen.iter().map(|(_, d, _)| *d).collect();
        say(&figures_line(
            kind.map_or("all", SearchKind::label),
            &mut durations,
            &format!("  (full pages {full}/{})", chosen.len()),
        ))?;
    }

    proofs(&app, &manager, entries, &mut mix_rng).await
}

/// Signs a checkpoint over the whole log, then times inclusion and consistency proofs.
async fn proofs(
    app: &App,
    manager: &Principal,
    entries: u64,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let checkpoint = app
        .write_checkpoint()
        .await
        .context("cannot sign a checkpoint")?
        .context("no checkpoint was signed")?;
    say(&format!(
        "audit-search: checkpoint over {} entries signed in {:.1} s",
        checkpoint.checkpoint.size,
        started.elapsed().as_secs_f64()
    ))?;
    let mut inclusion = Vec::with_capacity(PROOFS);
    for _ in 0..PROOFS {
        let seq = rng.gen_range(0..entries);
        let started = Instant::now();
        let proof = app.audit_inclusion_proof(manager, seq).await?;
        inclusion.push(started.elapsed());
        anyhow::ensure!(proof.is_some(), "no inclusion proof for entry {seq}");
    }
    say(&figures_line(
        "inclusion proof",
        &mut inclusion,
        &format!("  (log of {} entries)", checkpoint.checkpoint.size),
    ))?;
    let mut consistency = Vec::with_capacity(PROOFS);
    for _ in 0..PROOFS {
        let from = rng.gen_range(1..entries);
        let started = Instant::now();
        app.audit_consistency_proof(from, checkpoint.checkpoint.size)
            .await?;
        consistency.push(started.elapsed());
    }
    say(&figures_line("consistency proof", &mut consistency, ""))?;
    Ok(())
}
