//! `bluelamp bench ...`: the measurements behind docs/benchmarks.md. Each run prints the
//! figures as plain lines on stdout; progress bars go to stderr.

mod api;
mod audit;
mod audit_search;
mod audit_shape;
mod memory;
mod pole;
mod portal;
mod reports;
mod retention;

use std::time::Duration;

use clap::Subcommand;

use crate::config::{Config, database_target_from_url};

/// What to measure.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Audit appends per second, batched in transactions (temporary SQLite store by default).
    AuditAppend {
        /// Entries to append in total.
        #[arg(long, default_value_t = 200_000)]
        entries: u64,
        /// Entries per transaction.
        #[arg(long, default_value_t = 1_000)]
        batch: u32,
        /// Use this (scratch!) database instead of a temporary SQLite file; entries are appended
        /// to its real audit log.
        #[arg(long = "database", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Time to verify a log of N entries with a few signed checkpoints.
    AuditVerify {
        /// Entries in the log.
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
        /// Use this (scratch!) database instead of a temporary SQLite file.
        #[arg(long = "database", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Audit-log searches on a large log shaped like a force's after two years (built through
    /// the real append path, index included), by record, actor, kind in a window, action,
    /// purpose text, combinations and a deep page, through `App::search_audit` (p50/p95/max);
    /// then inclusion and consistency proofs on it.
    AuditSearch {
        /// Entries in the log.
        #[arg(long, default_value_t = 10_000_000)]
        entries: u64,
        /// Searches in the mix (the kinds in equal shares).
        #[arg(long, default_value_t = 450)]
        queries: usize,
        /// Seed of the log and the search mix.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Use this (scratch!) database instead of a temporary SQLite file; one holding an
        /// earlier run's log of at least --entries entries is searched again, not appended to.
        #[arg(long = "database", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Record creation through the real HTTP API by concurrent clients.
    Api {
        /// Concurrent clients.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Seconds to run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Use this (scratch!) database instead of a temporary SQLite file.
        #[arg(long = "database", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Online report submissions without HTTP: each streams a 5 MB photo into the evidence
    /// store and submits a full crime report through the gate.
    ReportSubmit {
        /// Concurrent submitters.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Seconds to run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Use this (scratch!) database instead of a temporary SQLite file.
        #[arg(long = "database", value_name = "URL")]
        database_url: Option<String>,
        /// First measure the disk's own ceiling: the same number of writers writing and
        /// fsyncing 5 MB files for the same time, with no Bluelamp code.
        #[arg(long)]
        disk_baseline: bool,
    },
    /// Whole crime-report journeys through the public portal over HTTP by concurrent citizens:
    /// every question page, a 5 MB photo upload and "Submit report".
    PortalSubmit {
        /// Concurrent citizens.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Seconds to run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Use this (scratch!) database instead of a temporary SQLite file.
        #[arg(long = "database", value_name = "URL")]
        database_url: Option<String>,
    },
    /// How long the server takes to answer each public portal page, one request at a time.
    PortalRender {
        /// Requests per page.
        #[arg(long, default_value_t = 500)]
        iterations: usize,
    },
    /// Resident memory of a `bluelamp serve` child process while it receives one large
    /// evidence upload through the portal.
    UploadMemory {
        /// Size of the upload in bytes (default 2 GB).
        #[arg(long, default_value_t = 2_000_000_000)]
        bytes: u64,
    },
    /// One-box search over a synthetic force: N persons, 2N events, N/10 vehicles and N/10
    /// locations loaded in bulk; a seeded mix of queries through `App::search_records`
    /// (p50/p95/p99) against a naive baseline (`LIKE` on SQLite, `pg_trgm` on PostgreSQL),
    /// and opening a found person's page.
    PoleSearch {
        /// Persons in the force.
        #[arg(long, default_value_t = 1_000_000)]
        persons: u64,
        /// Queries in the mix.
        #[arg(long, default_value_t = 500)]
        queries: usize,
        /// Run the baseline on one round of the five query kinds in every this many queries
        /// (0: never); a full scan per query is slow.
        #[arg(long, default_value_t = 50)]
        baseline_every: usize,
        /// Seed of the generator and the query mix.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Use this (scratch!) database instead of a temporary SQLite file.
        #[arg(long = "database", value_name = "URL")]
        database_url: Option<String>,
    },
    /// MoPI disposal: persons each linked to N events, disposed of one at a time through the
    /// gate (record, search keys and links erased, tombstone and erasure entry written).
    RetentionDispose {
        /// Persons to dispose of.
        #[arg(long, default_value_t = 20)]
        rounds: usize,
        /// Events linked to each person.
        #[arg(long, default_value_t = 100)]
        linked: usize,
        /// Use this (scratch!) database instead of a temporary SQLite file.
        #[arg(long = "database", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Resident memory of an idle `bluelamp serve` child process.
    IdleMemory {
        /// Seconds to let the server settle before reading its memory.
        #[arg(long, default_value_t = 3)]
        settle_secs: u64,
        /// Seed the demo force first (memory after seeding).
        #[arg(long)]
        demo: bool,
    },
}

/// Runs one benchmark.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::AuditAppend {
            entries,
            batch,
            database_url,
        } => audit::append(entries, batch, database_url.as_deref()).await,
        BenchCommand::AuditVerify {
            entries,
            database_url,
        } => audit::verify(entries, database_url.as_deref()).await,
        BenchCommand::AuditSearch {
            entries,
            queries,
            seed,
            database_url,
        } => audit_search::run(entries, queries, seed, database_url.as_deref()).await,
        BenchCommand::Api {
            clients,
            seconds,
            database_url,
        } => {
            api::run(
                clients,
                Duration::from_secs(seconds),
                database_url.as_deref(),
            )
            .await
        }
        BenchCommand::ReportSubmit {
            clients,
            seconds,
            database_url,
            disk_baseline,
        } => {
            reports::run(
                clients,
                Duration::from_secs(seconds),
                database_url.as_deref(),
                disk_baseline,
            )
            .await
        }
        BenchCommand::PortalSubmit {
            clients,
            seconds,
            database_url,
        } => {
            portal::submit(
                clients,
                Duration::from_secs(seconds),
                database_url.as_deref(),
            )
            .await
        }
        BenchCommand::PortalRender { iterations } => portal::render(iterations).await,
        BenchCommand::UploadMemory { bytes } => portal::upload_memory(bytes).await,
        BenchCommand::PoleSearch {
            persons,
            queries,
            baseline_every,
            seed,
            database_url,
        } => {
            pole::run(
                persons,
                queries,
                baseline_every,
                seed,
                database_url.as_deref(),
            )
            .await
        }
        BenchCommand::RetentionDispose {
            rounds,
            linked,
            database_url,
        } => retention::dispose(rounds, linked, database_url.as_deref()).await,
        BenchCommand::IdleMemory { settle_secs, demo } => {
            memory::run(Duration::from_secs(settle_secs), demo).await
        }
    }
}

/// A configuration for a benchmark: defaults in a temporary data directory, optionally on
/// another database.
fn bench_config(data_dir: &std::path::Path, database_url: Option<&str>) -> anyhow::Result<Config> {
    let mut config = Config::defaults_in(data_dir);
    config.checkpoint_interval_secs = 3_600;
    if let Some(url) = database_url {
        // Checked here so that a wrong URL fails before any work.
        database_target_from_url(url)?;
        config.database_url = Some(secrecy::SecretString::from(url.to_owned()));
    }
    config.validate()?;
    Ok(config)
}

/// `count` as a float for figures (exact below 2^53; benchmark counts are far below).
fn float(count: u64) -> f64 {
    let high = u32::try_from(count >> 32).unwrap_or(u32::MAX);
    let low = u32::try_from(count & 0xFFFF_FFFF).unwrap_or(u32::MAX);
    f64::from(high) * 4_294_967_296.0 + f64::from(low)
}

/// `count` per second over `elapsed`.
fn rate(count: u64, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        float(count) / seconds
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{float, rate};

    #[test]
    fn figures_are_exact_for_benchmark_counts() {
        assert_eq!(float(0), 0.0);
        assert_eq!(float(1_000_000), 1_000_000.0);
        assert_eq!(float(u64::from(u32::MAX) + 1), 4_294_967_296.0);
        assert_eq!(rate(500, Duration::from_millis(250)), 2_000.0);
        assert_eq!(rate(5, Duration::ZERO), 0.0);
    }
}
