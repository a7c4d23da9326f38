//! Online report submissions without HTTP: concurrent submitters each stream a 5 MB photo into
//! the evidence blob store (SHA-256 on the fly, content sniffed, fsynced) and then submit a full
//! crime report through the gate in one transaction. A submission counts when both are durable.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bluelamp_app::{App, EvidenceReceipt, NewReport};
use bluelamp_domain::location::{Address, Location};
use bluelamp_domain::person::{ContactDetails, Person};
use bluelamp_domain::report::ReportKind;
use bluelamp_domain::values::{EmailAddress, FreeText, PersonName, Postcode};
use bluelamp_evidence::{BlobStore, UploadLimits};
use bytes::Bytes;
use serde_json::json;

use super::api::{millis, percentile};
use super::{bench_config, rate};
use crate::node;
use crate::progress;
use crate::serve::say;

/// Size of the photo each report carries.
const PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// Chunk size of the simulated upload stream (what a multipart body yields).
const CHUNK_BYTES: usize = 64 * 1024;

/// A full crime report as the portal builds it.
fn report(key: String, evidence: EvidenceReceipt) -> anyhow::Result<NewReport> {
    let mut reporter = Person::named(PersonName::new(vec!["Alex".to_owned()], "Morgan")?);
    reporter.contact = ContactDetails {
        email: Some(EmailAddress::parse("alex.morgan@example.com")?),
        phone: None,
        address: None,
    };
    let mut suspect = Person::named(PersonName::new(vec!["Unknown".to_owned()], "Unknown")?);
    suspect.description = Some(FreeText::parse("Tall, grey hoodie, red bicycle")?);
    let address = Address::new(
        vec!["1 High Street".to_owned()],
        Some("Leicester".to_owned()),
        Some(Postcode::parse("LE1 6ZG")?),
    )?;
    Ok(NewReport {
        kind: ReportKind::Crime,
        idempotency_key: key,
        report_type: Some("theft-bicycle".to_owned()),
        summary: FreeText::parse("My bicycle was taken from the rack outside the library.")?,
        occurred_from: chrono::Utc::now() - chrono::Duration::hours(2),
        occurred_to: None,
        place: Some(Location::new(Some(address), None, None)?),
        reporter: Some(reporter),
        reporter_is_victim: true,
        victim: None,
        witnesses: vec![Person::named(PersonName::new(
            vec!["Jo".to_owned()],
            "Bloggs",
        )?)],
        suspects: vec![suspect],
        vehicles: Vec::new(),
        property: Vec::new(),
        evidence: vec![evidence],
        details: json!({ "support": ["victim-support"], "contact_preference": "email" }),
    })
}

/// One submission: the photo streamed into the blob store, then the report.
async fn submit_one(
    app: &App,
    blobs: &BlobStore,
    photo: &Bytes,
    key: String,
) -> anyhow::Result<()> {
    let chunks: Vec<Result<Bytes, std::io::Error>> = photo
        .chunks(CHUNK_BYTES)
        .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
        .collect();
    let received = blobs
        .receive(
            "bike.jpg",
            futures::stream::iter(chunks),
            &UploadLimits::default(),
        )
        .await
        .context("the photo was refused")?;
    let evidence = EvidenceReceipt {
        blob_key: received.key.to_string(),
        file_name: received.declared_name.clone(),
        media_type: received.media_type.mime().to_owned(),
        size_bytes: received.size,
        sha256: received.sha256_hex(),
        metadata: BTreeMap::new(),
    };
    app.submit_report(report(key, evidence)?).await?;
    Ok(())
}

/// The disk's own ceiling: `clients` writers each write the photo to a new file and fsync it
/// (file and directory), as fast as they can for `duration`, with no Bluelamp code involved.
/// Returns the files written and their latencies.
async fn disk_ceiling(
    dir: &std::path::Path,
    clients: usize,
    duration: Duration,
    photo: &Bytes,
) -> anyhow::Result<(u64, Vec<Duration>)> {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let dir = dir.to_owned();
        let photo = photo.clone();
        tasks.push(tokio::task::spawn_blocking(
            move || -> anyhow::Result<Vec<Duration>> {
                use std::io::Write as _;
                let mut latencies = Vec::new();
                let mut n = 0_u64;
                while Instant::now() < deadline {
                    n += 1;
                    let sent = Instant::now();
                    let path = dir.join(format!("ceiling-{client}-{n}.jpg"));
                    let mut file = std::fs::File::create(&path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    for chunk in photo.chunks(CHUNK_BYTES) {
                        file.write_all(chunk).context("cannot write")?;
                    }
                    file.sync_all().context("cannot fsync")?;
                    std::fs::File::open(&dir)
                        .and_then(|directory| directory.sync_all())
                        .context("cannot fsync the directory")?;
                    latencies.push(sent.elapsed());
                    std::fs::remove_file(&path).context("cannot remove a ceiling file")?;
                }
                Ok(latencies)
            },
        ));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.context("a writer failed")??);
    }
    latencies.sort_unstable();
    Ok((
        u64::try_from(latencies.len()).unwrap_or(u64::MAX),
        latencies,
    ))
}

/// Runs `clients` concurrent submitters for `duration`.
pub async fn run(
    clients: usize,
    duration: Duration,
    database_url: Option<&str>,
    disk_baseline: bool,
) -> anyhow::Result<()> {
    anyhow::ensure!(clients > 0, "--clients must be at least 1");
    let data_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let config = bench_config(data_dir.path(), database_url)?;
    let built = node::build(&config).await?;
    let backend = built.app.backend_name();
    let blobs = BlobStore::local(&data_dir.path().join("evidence"))
        .context("cannot open the evidence store")?;
    let photo = super::portal::photo(PHOTO_BYTES);
    if disk_baseline {
        let dir = data_dir.path().join("ceiling");
        std::fs::create_dir_all(&dir).context("cannot create the ceiling directory")?;
        let started = Instant::now();
        let (files, latencies) = disk_ceiling(&dir, clients, duration, &photo).await?;
        let elapsed = started.elapsed();
        say(&format!(
            "disk ceiling: {clients} writers, {:.1} s: {files} files of 5 MB written and fsynced with no \
             Bluelamp code, {:.0} files/s ({:.0} MB/s), latency p50 {:.1} ms, p99 {:.1} ms",
            elapsed.as_secs_f64(),
            rate(files, elapsed),
            rate(files, elapsed) * 5.0 * 1.048_576,
            millis(percentile(&latencies, 50)),
            millis(percentile(&latencies, 99)),
        ))?;
    }
    let bar = progress::bar(duration.as_secs(), "report submissions");
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let app = built.app.clone();
        let blobs = blobs.clone();
        let photo = photo.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0_u64;
            let mut n = 0_u64;
            while Instant::now() < deadline {
                n += 1;
                let sent = Instant::now();
                match submit_one(&app, &blobs, &photo, format!("bench-{client:04}-{n:012}")).await {
                    Ok(()) => latencies.push(sent.elapsed()),
                    Err(error) => {
                        errors += 1;
                        if errors == 1 {
                            tracing::warn!(%error, "benchmark submission failed");
                        }
                    }
                }
            }
            (latencies, errors)
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
        let (mine, failed) = task.await.context("a submitter task failed")?;
        latencies.extend(mine);
        errors += failed;
    }
    let elapsed = started.elapsed();
    ticker.abort();
    bar.finish_and_clear();
    latencies.sort_unstable();
    let done = u64::try_from(latencies.len()).unwrap_or(u64::MAX);
    say(&format!(
        "report-submit: backend {backend}, {clients} submitters, {:.1} s: {done} crime reports with a 5 MB photo \
         ({errors} errors), {:.0} submissions/s, latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        elapsed.as_secs_f64(),
        rate(done, elapsed),
        millis(percentile(&latencies, 50)),
        millis(percentile(&latencies, 95)),
        millis(percentile(&latencies, 99)),
        millis(latencies.last().copied().unwrap_or_default()),
    ))
}
