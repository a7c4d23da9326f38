//! API throughput: the real server in this process on 127.0.0.1:0, concurrent HTTP clients
//! creating person records for a fixed time.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bluelamp_app::{NewStaff, Principal, reveal_token};
use bluelamp_policy::Role;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::{bench_config, float, rate};
use crate::node;
use crate::progress;
use crate::serve::{self, say};

/// Upper bound on requests per client, whatever the duration.
const MAX_REQUESTS_PER_CLIENT: u64 = 10_000_000;

/// Per-request timeout.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What one client saw.
#[derive(Default)]
struct ClientRun {
    /// Latency of every acknowledged (201) write.
    latencies: Vec<Duration>,
    /// Requests that failed or got another status.
    errors: u64,
}

/// Runs `clients` concurrent writers for `duration` and reports writes/s and latency
/// percentiles.
pub async fn run(
    clients: usize,
    duration: Duration,
    database_url: Option<&str>,
) -> anyhow::Result<()> {
    anyhow::ensure!(clients > 0, "--clients must be at least 1");
    let data_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let mut config = bench_config(data_dir.path(), database_url)?;
    config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let built = node::build(&config).await?;
    let backend = built.app.backend_name();
    let system = Principal::system("bench", &config.force);
    let writer = built
        .app
        .create_staff(
            &system,
            NewStaff {
                username: format!("bench-{}", uuid::Uuid::now_v7().simple()),
                display_name: "Benchmark Writer".to_owned(),
                role: Role::Officer,
                force: config.force.clone(),
            },
        )
        .await
        .context("cannot create the benchmark account")?;
    let token = reveal_token(&writer).to_owned();
    let server = serve::start(
        &config,
        built.app.clone(),
        serve::install_prometheus(),
        CancellationToken::new(),
    )
    .await?;
    let url = format!("http://{}/api/v1/records", server.addr);
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .pool_max_idle_per_host(clients)
        .build()
        .context("cannot build the HTTP client")?;

    let bar = progress::bar(duration.as_secs(), "api writes");
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients);
    for client_number in 0..clients {
        let client = client.clone();
        let url = url.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            write_until(client_number, &client, &url, &token, deadline).await
        }));
    }
    let ticker = {
        let bar = bar.clone();
        tokio::spawn(async move {
            while Instant::now() < deadline {
                bar.set_position(started.elapsed().as_secs());
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };
    let mut latencies = Vec::new();
    let mut errors = 0_u64;
    for task in tasks {
        let outcome = task.await.context("a client task failed")?;
        latencies.extend(outcome.latencies);
        errors += outcome.errors;
    }
    let elapsed = started.elapsed();
    ticker.abort();
    bar.finish_and_clear();
    server.finish().await?;

    latencies.sort_unstable();
    let writes = u64::try_from(latencies.len()).unwrap_or(u64::MAX);
    say(&format!(
        "api: backend {backend}, {clients} clients, {:.1} s: {writes} records created ({errors} errors), \
         {:.0} writes/s, latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        elapsed.as_secs_f64(),
        rate(writes, elapsed),
        millis(percentile(&latencies, 50)),
        millis(percentile(&latencies, 95)),
        millis(percentile(&latencies, 99)),
        millis(latencies.last().copied().unwrap_or_default()),
    ))
}

/// One client: POSTs person records until the deadline.
async fn write_until(
    client_number: usize,
    client: &reqwest::Client,
    url: &str,
    token: &str,
    deadline: Instant,
) -> ClientRun {
    let mut run = ClientRun::default();
    for request in 0..MAX_REQUESTS_PER_CLIENT {
        if Instant::now() >= deadline {
            break;
        }
        let body = json!({
            "marking": { "classification": "OFFICIAL" },
            "lawful_basis": "dpa2018-part3-law-enforcement",
            "retention_group": "3",
            "record": {
                "kind": "person",
                "name": { "forenames": ["Bench"], "surname": format!("Writer-{client_number}-{request}") },
                "date_of_birth": "1990-05-17",
            },
        });
        let sent = Instant::now();
        let response = client.post(url).bearer_auth(token).json(&body).send().await;
        match response {
            Ok(response) if response.status() == reqwest::StatusCode::CREATED => {
                // Read the body: the write is acknowledged when the client has the record.
                if response.bytes().await.is_ok() {
                    run.latencies.push(sent.elapsed());
                } else {
                    run.errors += 1;
                }
            }
            Ok(response) => {
                run.errors += 1;
                if run.errors == 1 {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    tracing::warn!(%status, body = %text, "benchmark write refused");
                }
            }
            Err(error) => {
                run.errors += 1;
                if run.errors == 1 {
                    tracing::warn!(%error, "benchmark write failed");
                }
            }
        }
    }
    run
}

/// The `p`th percentile (nearest rank) of sorted latencies; zero when there are none.
pub(super) fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted.get(rank - 1).copied().unwrap_or_default()
}

/// A duration in milliseconds.
pub(super) fn millis(duration: Duration) -> f64 {
    let micros = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
    float(micros) / 1_000.0
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{millis, percentile};

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 50), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 99), Duration::from_millis(99));
        assert_eq!(percentile(&sorted[..1], 99), Duration::from_millis(1));
        assert_eq!(percentile(&[], 99), Duration::ZERO);
        assert_eq!(millis(Duration::from_micros(1_500)), 1.5);
    }
}
