//! Crash test: SIGKILL the server while clients write continuously, restart it, and check that
//! every acknowledged write is still there and that the audit log verifies — on SQLite and on
//! PostgreSQL.
//!
//! PostgreSQL comes from `BLUELAMP_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); a fresh database is made for the test. When no
//! server answers the test FAILS: it never skips.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use serde_json::json;
use tokio::sync::Mutex;

use support::{NodeDir, Server, audit_verify, create_user, describe};

/// Concurrent writers.
const WRITERS: usize = 8;
/// How long the writers write before the kill.
const WRITE_FOR: Duration = Duration::from_millis(1_500);
/// Upper bound on requests per writer (the loops are bounded in count as well as time).
const MAX_REQUESTS_PER_WRITER: usize = 20_000;
/// Upper bound on how long a writer keeps going if the kill never stops it.
const WRITER_DEADLINE: Duration = Duration::from_secs(60);
/// Per-request timeout.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_keeps_every_acknowledged_write_across_sigkill() -> anyhow::Result<()> {
    let data_dir = tempfile::tempdir()?;
    let node = NodeDir {
        data_dir: data_dir.path().to_path_buf(),
        database_url: None,
    };
    crash_and_check(&node).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_every_acknowledged_write_across_sigkill() -> anyhow::Result<()> {
    let (store, database) = bluelamp_store_postgres::testing::fresh_database()
        .await
        .context(
            "PostgreSQL is required for this test and did not answer: set \
             BLUELAMP_TEST_DATABASE_URL or start a server (the test never skips)",
        )?;
    store.close().await;
    let data_dir = tempfile::tempdir()?;
    let node = NodeDir {
        data_dir: data_dir.path().to_path_buf(),
        database_url: Some(support::database_url(
            &bluelamp_store_postgres::testing::server_url(),
            database.name(),
        )),
    };
    let outcome = crash_and_check(&node).await;
    drop(database);
    outcome
}

/// The whole scenario on one node.
async fn crash_and_check(node: &NodeDir) -> anyhow::Result<()> {
    let token = create_user(node, "crash.writer", "officer")?;
    let server = Server::start(node, &[])?;
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()?;

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let client = client.clone();
        let url = format!("{}/api/v1/records", server.base_url);
        let token = token.clone();
        let acknowledged = Arc::clone(&acknowledged);
        let stop = Arc::clone(&stop);
        writers.push(tokio::spawn(async move {
            write_until_stopped(writer, &client, &url, &token, &acknowledged, &stop).await
        }));
    }
    tokio::time::sleep(WRITE_FOR).await;
    server.kill_hard()?;
    stop.store(true, Ordering::SeqCst);
    let mut failed_requests = 0_usize;
    for writer in writers {
        failed_requests += writer.await??;
    }
    let acknowledged = acknowledged.lock().await.clone();
    ensure!(
        acknowledged.len() >= WRITERS,
        "too few writes were acknowledged before the kill: {}",
        acknowledged.len()
    );
    eprintln!(
        "{} writes acknowledged before SIGKILL, {failed_requests} requests cut off",
        acknowledged.len()
    );

    let restarted = Server::start(node, &[])?;
    let missing = missing_records(&client, &restarted.base_url, &token, &acknowledged).await?;
    ensure!(
        missing.is_empty(),
        "{} of {} acknowledged records are missing after the crash, e.g. {:?}",
        missing.len(),
        acknowledged.len(),
        missing.first()
    );
    restarted.stop()?;

    let verified = audit_verify(node, &[])?;
    ensure!(
        verified.status.success(),
        "audit verify failed after the crash: {}",
        describe(&verified)
    );
    let stdout = String::from_utf8_lossy(&verified.stdout);
    ensure!(
        stdout.contains("audit log intact"),
        "{}",
        describe(&verified)
    );
    Ok(())
}

/// POSTs person records until `stop` (or the bounds), recording every 201's id. Returns the
/// number of requests that got no acknowledgement (cut off by the kill).
async fn write_until_stopped(
    writer: usize,
    client: &reqwest::Client,
    url: &str,
    token: &str,
    acknowledged: &Mutex<Vec<String>>,
    stop: &AtomicBool,
) -> anyhow::Result<usize> {
    let started = Instant::now();
    let mut unacknowledged = 0_usize;
    for request in 0..MAX_REQUESTS_PER_WRITER {
        if stop.load(Ordering::SeqCst) || started.elapsed() > WRITER_DEADLINE {
            break;
        }
        let body = json!({
            "marking": { "classification": "OFFICIAL" },
            "lawful_basis": "dpa2018-part3-law-enforcement",
            "retention_group": "3",
            "record": {
                "kind": "person",
                "name": { "forenames": ["Writer"], "surname": format!("Crash-{writer}-{request}") },
            },
        });
        let response = client.post(url).bearer_auth(token).json(&body).send().await;
        match response {
            Ok(response) if response.status() == reqwest::StatusCode::CREATED => {
                let created: serde_json::Value = match response.json().await {
                    Ok(created) => created,
                    // The body was cut off by the kill: not acknowledged.
                    Err(_) => {
                        unacknowledged += 1;
                        continue;
                    }
                };
                let id = created
                    .get("id")
                    .and_then(serde_json::Value::as_str)
                    .context("a 201 without an id")?
                    .to_owned();
                acknowledged.lock().await.push(id);
            }
            Ok(response) => {
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                anyhow::bail!("writer {writer}: unexpected {status}: {text}");
            }
            Err(_) => {
                unacknowledged += 1;
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                // The server is gone but the test has not noticed yet: wait a little.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    Ok(unacknowledged)
}

/// The acknowledged ids that the restarted server cannot return.
async fn missing_records(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    ids: &[String],
) -> anyhow::Result<Vec<String>> {
    let mut missing = Vec::new();
    for chunk in ids.chunks(64) {
        let checks = chunk.iter().map(|id| async move {
            let response = client
                .get(format!("{base_url}/api/v1/records/{id}"))
                .bearer_auth(token)
                .header("x-purpose", "crash test: acknowledged writes survive")
                .send()
                .await
                .with_context(|| format!("cannot read {id}"))?;
            let status = response.status();
            if status == reqwest::StatusCode::OK {
                let record: serde_json::Value = response.json().await?;
                ensure!(
                    record.get("id").and_then(serde_json::Value::as_str) == Some(id.as_str()),
                    "record {id} came back as {record}"
                );
                return Ok(None);
            }
            ensure!(
                status == reqwest::StatusCode::NOT_FOUND,
                "reading {id}: unexpected {status}"
            );
            Ok(Some(id.clone()))
        });
        for outcome in futures::future::join_all(checks).await {
            if let Some(id) = outcome? {
                missing.push(id);
            }
        }
    }
    Ok(missing)
}
