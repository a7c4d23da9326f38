//! The `bluelamp` command: the server, the audit verifier, administration and benchmarks.
//!
//! # Brief overview
//!
//! * [`config`]: one typed [`config::Config`], layered defaults → TOML file → `BLUELAMP_*`
//!   environment → flags, validated after loading.
//! * [`node`]: builds a [`bluelamp_app::App`] from a configuration (store, reference data,
//!   policies, signing key). Every command that touches data goes through it, so every change
//!   passes the gate and lands in the audit log.
//! * [`serve`]: `bluelamp serve` — the HTTP server with periodic signed checkpoints and a final
//!   one on SIGINT/SIGTERM; [`demo`] seeds a demonstration force for `--demo`.
//! * [`verify`]: `bluelamp audit verify` — recomputes the Merkle tree and checks every
//!   checkpoint; exit status 1 names the first bad entry.
//! * [`admin`]: `bluelamp admin create-user`.
//! * [`retention`]: `bluelamp retention review-due` — the MoPI review job, run once.
//! * [`bench`](mod@bench): `bluelamp bench ...` — the figures in docs/benchmarks.md.
//!
//! Errors are `anyhow` here and only here; the libraries use typed errors.

#![forbid(unsafe_code)]

mod admin;
mod bench;
mod config;
mod demo;
mod logging;
mod node;
mod progress;
mod retention;
mod serve;
mod verify;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};

/// Bluelamp: an open-source policing platform (POLE records, a gate, a provable audit log).
#[derive(Debug, Parser)]
#[command(name = "bluelamp", version, about)]
struct Cli {
    /// Configuration file (TOML). Default: ./bluelamp.toml when it exists.
    #[arg(long, global = true, value_name = "FILE", env = "BLUELAMP_CONFIG")]
    config: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (JSON API, /healthz, /metrics).
    Serve(ServeArgs),
    /// Work with the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Administration: staff accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// MoPI retention: records due for review.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Measure performance (figures for docs/benchmarks.md).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

/// `bluelamp retention ...`.
#[derive(Debug, Subcommand)]
enum RetentionCommand {
    /// List the records due for MoPI review today (ids, groups and dates).
    ReviewDue(StoreArgs),
}

/// Where the data lives; shared by the commands that open the store.
#[derive(Debug, Args, Clone, Default)]
struct StoreArgs {
    /// Data directory (embedded SQLite database, signing key).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL (postgres://... for PostgreSQL); default SQLite in the data directory.
    #[arg(long = "database", value_name = "URL")]
    database_url: Option<String>,
}

/// `bluelamp serve`.
#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Seed a demonstration force (once) and create demo staff accounts.
    #[arg(long)]
    demo: bool,
}

/// `bluelamp audit ...`.
#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the audit log's Merkle tree and check every signed checkpoint.
    Verify(VerifyArgs),
}

/// `bluelamp audit verify`.
#[derive(Debug, Args)]
struct VerifyArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Public key (PEM) that signed the checkpoints. Default: derived from the data
    /// directory's signing key.
    #[arg(long, value_name = "PUBLIC_KEY_PEM")]
    key: Option<PathBuf>,
}

/// `bluelamp admin ...`.
#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a staff account and print its API token (shown once).
    CreateUser(admin::CreateUserArgs),
}

impl StoreArgs {
    /// The command-line overrides these flags carry.
    fn overrides(&self, config_file: Option<PathBuf>) -> Overrides {
        Overrides {
            config_file,
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            listen: None,
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command.
async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => {
            let mut overrides = args.store.overrides(cli.config);
            overrides.listen = args.listen;
            let config = Config::load(&overrides)?;
            logging::init(config.log_format, "info");
            serve::run(config, args.demo).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify(args)) => {
            let config = Config::load(&args.store.overrides(cli.config))?;
            logging::init(config.log_format, "warn");
            verify::run(&config, args.key.as_deref()).await
        }
        Command::Admin(AdminCommand::CreateUser(args)) => {
            let config = Config::load(&args.store.overrides(cli.config.clone()))?;
            logging::init(config.log_format, "warn");
            admin::create_user(&config, &args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Retention(RetentionCommand::ReviewDue(store)) => {
            let config = Config::load(&store.overrides(cli.config))?;
            logging::init(config.log_format, "warn");
            retention::review_due(&config).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(command) => {
            logging::init(config::LogFormat::Pretty, "warn");
            bench::run(command).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
