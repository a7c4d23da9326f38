//! `bluelamp serve`: the HTTP server, periodic signed checkpoints and a graceful shutdown that
//! writes a final checkpoint.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use bluelamp_app::App;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::{demo, node};

/// How often the Prometheus histograms are compacted.
const METRICS_UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Runs the server until SIGINT or SIGTERM.
pub async fn run(config: Config, seed_demo: bool) -> anyhow::Result<()> {
    tracing::info!(config = ?config, "starting bluelamp");
    let node = node::build(&config).await?;
    let key_id = bluelamp_audit::key_id(&node.app.verifying_key());
    say(&format!(
        "checkpoint signing key {key_id} ({})",
        config.signing_key_path().display()
    ))?;
    if let Some(sink) = &node.mail_sink {
        say(&format!(
            "e-mail to the public is kept in {} (local SMTP sink on {})",
            sink.outbox()
                .map_or_else(|| "memory".to_owned(), |dir| dir.display().to_string()),
            sink.local_addr()
        ))?;
    }
    if seed_demo {
        demo::seed(&node.app, &config).await?;
    }
    let prometheus = install_prometheus();
    let shutdown = CancellationToken::new();
    // Handlers go in before the address is printed: whoever reads it may signal at once.
    let signals = ShutdownSignals::install()?;
    let server = start(&config, node.app, prometheus, shutdown.clone()).await?;
    say(&format!("listening on http://{}", server.addr))?;

    tokio::select! {
        () = signals.wait() => {}
        () = shutdown.cancelled() => tracing::error!("the HTTP server stopped by itself"),
    }
    tracing::info!("shutting down");
    server.finish().await
}

/// A server running inside this process.
pub struct RunningServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Cancelling stops the server and the checkpointer.
    shutdown: CancellationToken,
    /// The HTTP server task.
    server: JoinHandle<std::io::Result<()>>,
    /// The checkpoint writer (writes a final checkpoint when stopped).
    checkpointer: JoinHandle<()>,
    /// Compacts the metrics histograms.
    upkeep: JoinHandle<()>,
    /// Watches `policy_dir` for changes, when set.
    policy_watcher: Option<JoinHandle<()>>,
}

/// How often the server looks for records due for MoPI review.
const REVIEW_JOB_EVERY: Duration = Duration::from_secs(6 * 60 * 60);

/// Binds `config.listen` and serves the router until `shutdown` is cancelled.
pub async fn start(
    config: &Config,
    app: App,
    prometheus: PrometheusHandle,
    shutdown: CancellationToken,
) -> anyhow::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let checkpointer = app.spawn_checkpointer(
        Duration::from_secs(config.checkpoint_interval_secs),
        shutdown.clone(),
    );
    let upkeep = spawn_metrics_upkeep(prometheus.clone(), shutdown.clone());
    let policy_watcher = config
        .policy_dir
        .clone()
        .map(|dir| spawn_policy_watcher(app.clone(), config.clone(), dir, shutdown.clone()));
    // The MoPI review job: finds the records due for review (information managers act on
    // them at /staff/reviews); it stops with the server.
    drop(app.spawn_review_job(REVIEW_JOB_EVERY, shutdown.clone()));
    let portal = portal_config(config, &app)?;
    let router = bluelamp_web::router_with_portal(app, prometheus, portal);
    let served = bluelamp_web::serve(listener, router, shutdown.clone().cancelled_owned());
    let stop_everything = shutdown.clone();
    let server = tokio::spawn(async move {
        let outcome = served.await;
        // Should the server stop on its own (an accept error), the rest stops with it.
        stop_everything.cancel();
        outcome
    });
    tracing::info!(%addr, "listening");
    Ok(RunningServer {
        addr,
        shutdown,
        server,
        checkpointer,
        upkeep,
        policy_watcher,
    })
}

/// The citizen portal's settings from the configuration: evidence kept in `evidence_dir`, the
/// force's name from the reference data.
fn portal_config(config: &Config, app: &App) -> anyhow::Result<bluelamp_web::portal::PortalConfig> {
    // The evidence store the node opened: disposal erases from the store uploads go to.
    let blobs = app.blobs().clone();
    let today = chrono::Utc::now().date_naive();
    let force_name = app
        .refdata()
        .forces
        .get(&config.force, today)
        .map_or_else(|| config.force.clone(), |force| force.label.clone());
    Ok(bluelamp_web::portal::PortalConfig {
        blobs,
        max_upload_bytes: config.max_upload_bytes,
        quick_exit_url: config.quick_exit_url.clone(),
        session_idle: Duration::from_secs(config.session_idle_minutes.saturating_mul(60)),
        secure_cookies: config.secure_cookies(),
        force_name,
        rate_limit_per_minute: config.portal_rate_limit_per_minute,
    })
}

impl RunningServer {
    /// Stops the server gracefully and waits for the final checkpoint.
    pub async fn finish(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        let served = self.server.await.context("the server task failed")?;
        self.checkpointer
            .await
            .context("the checkpoint task failed")?;
        self.upkeep.await.context("the metrics task failed")?;
        if let Some(watcher) = self.policy_watcher {
            watcher.await.context("the policy watcher failed")?;
        }
        served.context("the HTTP server failed")?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Installs the global Prometheus recorder and returns its handle. When a recorder is already
/// installed (a second server in one process), the handle of a fresh, uninstalled one is
/// returned: its metrics stay empty.
pub fn install_prometheus() -> PrometheusHandle {
    match bluelamp_web::telemetry::install_prometheus_recorder() {
        Ok(handle) => handle,
        Err(error) => {
            tracing::warn!(%error, "metrics recorder already installed");
            PrometheusBuilder::new().build_recorder().handle()
        }
    }
}

/// Checks `dir` every `policy_check_secs` until `shutdown`: a valid change is put in force
/// (audited), an invalid directory is logged once per distinct error and the policy in force
/// stays.
fn spawn_policy_watcher(
    app: App,
    config: Config,
    dir: std::path::PathBuf,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(config.policy_check_secs));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_error = None;
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticker.tick() => {}
            }
            match crate::node::check_policy_dir(&app, &config, &dir).await {
                Ok(_) => last_error = None,
                Err(error) => {
                    let message = format!("{error:#}");
                    if last_error.as_ref() != Some(&message) {
                        tracing::error!(error = %message, "the policy directory is invalid; the policy in force stays");
                        last_error = Some(message);
                    }
                }
            }
        }
    })
}

/// Compacts histograms now and then, as the exporter asks of its users.
fn spawn_metrics_upkeep(handle: PrometheusHandle, shutdown: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(METRICS_UPKEEP_EVERY);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticker.tick() => handle.run_upkeep(),
            }
        }
    })
}

/// SIGINT (Ctrl-C) and SIGTERM handlers, installed before they are awaited.
struct ShutdownSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl ShutdownSignals {
    /// Installs the handlers (from now on, the signals no longer end the process).
    fn install() -> anyhow::Result<Self> {
        Ok(Self {
            interrupt: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
            terminate: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
        })
    }

    /// Waits for either signal.
    async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => tracing::info!(signal = "SIGINT", "shutdown requested"),
            _ = self.terminate.recv() => tracing::info!(signal = "SIGTERM", "shutdown requested"),
        }
    }
}

/// Prints one line on stdout at once (other programs and tests read these lines).
pub fn say(line: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}").context("cannot write to stdout")?;
    stdout.flush().context("cannot write to stdout")
}
