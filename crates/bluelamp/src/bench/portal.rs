//! The public portal over HTTP, as a citizen's browser uses it:
//!
//! * `portal-submit`: concurrent citizens each complete the whole crime journey (every question
//!   page, a 5 MB photo upload, "Submit report") against the real server in this process;
//! * `portal-render`: how long the server takes to answer each portal page, one request at a
//!   time on loopback, so that the figure is the server's work plus one local round trip;
//! * `upload-memory`: a `bluelamp serve` child receives one large upload (2 GB by default)
//!   while its resident memory is sampled.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use bytes::Bytes;
use chrono::Datelike as _;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use super::api::{millis, percentile};
use super::{bench_config, float, rate};
use crate::node;
use crate::progress;
use crate::serve::{self, say};

/// Size of the photo each benchmark report carries.
const PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// Chunk size of a generated upload stream.
const CHUNK_BYTES: usize = 1024 * 1024;

/// How long a child server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Per-request timeout of the journey benchmarks.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The steps of the crime journey in order, each with the fields a citizen gives. The evidence
/// step is handled apart (it is a multipart upload).
fn crime_steps(email: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    vec![
        ("type", vec![("report_type", "theft-bicycle".to_owned())]),
        (
            "when",
            vec![
                ("when-day", yesterday.day().to_string()),
                ("when-month", yesterday.month().to_string()),
                ("when-year", yesterday.year().to_string()),
                ("when_time", "21:30".to_owned()),
            ],
        ),
        (
            "where",
            vec![
                ("address_line_1", "1 High Street".to_owned()),
                ("address_town", "Leicester".to_owned()),
                ("address_postcode", "LE1 6ZG".to_owned()),
                ("where_description", "Bike shed behind the flats".to_owned()),
            ],
        ),
        (
            "what",
            vec![(
                "summary",
                "My bike was taken from the shed. The lock was cut.".to_owned(),
            )],
        ),
        (
            "suspect",
            vec![
                ("suspect_known", "no".to_owned()),
                ("suspect_description", "Tall, grey hoodie".to_owned()),
            ],
        ),
        (
            "property",
            vec![
                ("property_description", "Black mountain bike".to_owned()),
                ("serial_number", "WTU 123456".to_owned()),
            ],
        ),
        ("evidence", Vec::new()),
        ("victim", vec![("victim", "me".to_owned())]),
        (
            "witness",
            vec![
                ("witness_known", "yes".to_owned()),
                ("witness_name", "Sam Jones".to_owned()),
                ("witness_contact", "07700 900982".to_owned()),
            ],
        ),
        (
            "you",
            vec![
                ("full_name", "Jane Ann Smith".to_owned()),
                ("dob-day", "1".to_owned()),
                ("dob-month", "4".to_owned()),
                ("dob-year", "1990".to_owned()),
                ("email", email.to_owned()),
                ("phone", String::new()),
            ],
        ),
        ("support", vec![("support", "victim-support".to_owned())]),
        ("contact", vec![("contact_preference", "email".to_owned())]),
        ("victims-code", Vec::new()),
    ]
}

/// The first bytes of an MP4 file (what the content sniffer looks for).
const MP4_HEAD: &[u8] = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free";

/// A JPEG of `size` bytes: a real JPEG header followed by varied filler.
pub(super) fn photo(size: usize) -> Bytes {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    bytes.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let mut state = 0x9E37_79B9_u32;
    while bytes.len() < size {
        // xorshift: bytes that do not compress, like a real photo's.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(size);
    Bytes::from(bytes)
}

/// A citizen's browser: cookies, no automatic redirects, the CSRF token of the last form.
struct Citizen {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// A page as received, and how long the server took to answer.
struct Answer {
    status: u16,
    location: Option<String>,
    text: String,
    took: Duration,
}

impl Citizen {
    fn new(base: &str, timeout: Option<Duration>) -> anyhow::Result<Citizen> {
        let mut builder = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        Ok(Citizen {
            http: builder.build().context("cannot build the HTTP client")?,
            base: base.to_owned(),
            token: None,
        })
    }

    async fn read(&mut self, sent: Instant, response: reqwest::Response) -> anyhow::Result<Answer> {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.context("cannot read a page")?;
        let took = sent.elapsed();
        if let Some(token) = between(&text, "name=\"csrf_token\" value=\"", "\"") {
            self.token = Some(token.to_owned());
        }
        Ok(Answer {
            status,
            location,
            text,
            took,
        })
    }

    /// `GET path`, which must answer 200 (or 303 when `redirect_ok`).
    async fn get(&mut self, path: &str) -> anyhow::Result<Answer> {
        let sent = Instant::now();
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        let answer = self.read(sent, response).await?;
        ensure!(
            answer.status == 200,
            "GET {path} answered {}: {}",
            answer.status,
            snippet(&answer.text)
        );
        Ok(answer)
    }

    /// `GET path` following redirects to the page at the end.
    async fn get_following(&mut self, path: &str) -> anyhow::Result<Answer> {
        let mut path = path.to_owned();
        for _ in 0..5 {
            let sent = Instant::now();
            let response = self
                .http
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .with_context(|| format!("GET {path}"))?;
            let answer = self.read(sent, response).await?;
            match (answer.status, answer.location) {
                (303 | 302, Some(location)) => path = location,
                (200, location) => {
                    return Ok(Answer { location, ..answer });
                }
                (status, _) => bail!("GET {path} answered {status}: {}", snippet(&answer.text)),
            }
        }
        bail!("too many redirects from {path}")
    }

    fn token(&self) -> anyhow::Result<String> {
        self.token
            .clone()
            .context("no form with a CSRF token was seen")
    }

    /// `POST path` with `fields`; must redirect (303) to `expected` (when given). Returns
    /// where it redirected.
    async fn post(
        &mut self,
        path: &str,
        fields: &[(&str, String)],
    ) -> anyhow::Result<(String, Duration)> {
        let mut pairs = vec![("csrf_token", self.token()?), ("website", String::new())];
        pairs.extend(fields.iter().map(|(name, value)| (*name, value.clone())));
        let sent = Instant::now();
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .form(&pairs)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        self.redirected(path, sent, response).await
    }

    /// `POST path` as `multipart/form-data` with `action` and an optional file.
    async fn post_file(
        &mut self,
        path: &str,
        action: &str,
        file: Option<reqwest::multipart::Part>,
    ) -> anyhow::Result<(String, Duration)> {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf_token", self.token()?)
            .text("website", String::new())
            .text("action", action.to_owned());
        if let Some(part) = file {
            form = form.part("file", part);
        }
        let sent = Instant::now();
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        self.redirected(path, sent, response).await
    }

    async fn redirected(
        &mut self,
        path: &str,
        sent: Instant,
        response: reqwest::Response,
    ) -> anyhow::Result<(String, Duration)> {
        let answer = self.read(sent, response).await?;
        match (answer.status, answer.location) {
            (303, Some(location)) => Ok((location, answer.took)),
            (status, _) => bail!(
                "POST {path} answered {status} instead of a redirect: {}",
                snippet(&answer.text)
            ),
        }
    }
}

/// The text between `start` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let rest = text.get(from..)?;
    let to = rest.find(end)?;
    rest.get(..to)
}

/// The start of a page, for error messages.
fn snippet(text: &str) -> String {
    let title = between(text, "<title>", "</title>").unwrap_or("");
    let summary = between(text, "govuk-error-summary__list\">", "</ul>").unwrap_or("");
    format!(
        "{} {}",
        title.trim(),
        summary.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// `n` as a `u64` (lossless on every platform Bluelamp runs on).
fn len64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// An upload part holding `bytes`.
fn photo_part(bytes: Bytes) -> anyhow::Result<reqwest::multipart::Part> {
    let length = len64(bytes.len());
    reqwest::multipart::Part::stream_with_length(reqwest::Body::from(bytes), length)
        .file_name("bike.jpg")
        .mime_str("image/jpeg")
        .context("cannot build the upload part")
}

/// Timings of one completed crime report.
struct Journey {
    /// Every page fetched on the way, by step.
    pages: Vec<(&'static str, Duration)>,
    /// The photo upload request.
    upload: Duration,
    /// The "Submit report" request (the report made durable).
    submit: Duration,
    /// The whole journey.
    total: Duration,
    /// The reference on the confirmation page.
    reference: String,
}

/// One citizen completes the crime journey with a photo and submits it.
async fn crime_journey(
    citizen: &mut Citizen,
    photo: &Bytes,
    email: &str,
) -> anyhow::Result<Journey> {
    let started = Instant::now();
    let mut pages = Vec::new();
    let first = citizen.get_following("/report/crime").await?;
    pages.push(("type", first.took));
    let mut upload = Duration::ZERO;
    for (step, fields) in crime_steps(email) {
        let path = format!("/report/crime/{step}");
        let next = if step == "evidence" {
            let (back, took) = citizen
                .post_file(&path, "upload", Some(photo_part(photo.clone())?))
                .await?;
            ensure!(
                back == path,
                "the upload went to {back}, not back to {path}"
            );
            upload = took;
            citizen.get(&path).await?;
            citizen.post_file(&path, "continue", None).await?.0
        } else {
            citizen.post(&path, &fields).await?.0
        };
        let page = citizen.get(&next).await?;
        pages.push((page_name(&next), page.took));
    }
    let (done, submit) = citizen.post("/report/crime/submit", &[]).await?;
    let confirmation = citizen.get(&done).await?;
    pages.push(("done", confirmation.took));
    let reference = between(&confirmation.text, "<strong>", "</strong>")
        .filter(|_| confirmation.text.contains("govuk-panel__body"))
        .context("no reference on the confirmation page")?
        .trim()
        .to_owned();
    Ok(Journey {
        pages,
        upload,
        submit,
        total: started.elapsed(),
        reference,
    })
}

/// The last segment of a portal path, as a page name.
fn page_name(path: &str) -> &'static str {
    const NAMES: [&str; 16] = [
        "type",
        "when",
        "where",
        "what",
        "suspect",
        "property",
        "evidence",
        "victim",
        "witness",
        "you",
        "support",
        "contact",
        "victims-code",
        "check",
        "done",
        "other",
    ];
    let last = path.rsplit('/').next().unwrap_or(path);
    let last = last.split('?').next().unwrap_or(last);
    NAMES
        .iter()
        .copied()
        .find(|name| *name == last)
        .unwrap_or("other")
}

/// A configuration for the in-process portal benchmarks: loopback on any port, no rate limit
/// worth the name (every client shares 127.0.0.1).
fn portal_bench_config(
    data_dir: &std::path::Path,
    database_url: Option<&str>,
) -> anyhow::Result<crate::config::Config> {
    let mut config = bench_config(data_dir, database_url)?;
    config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    config.portal_rate_limit_per_minute = u32::MAX;
    config.mail = crate::config::MailMode::Sink;
    Ok(config)
}

/// `portal-submit`: `clients` citizens complete crime reports for `duration`.
pub async fn submit(
    clients: usize,
    duration: Duration,
    database_url: Option<&str>,
) -> anyhow::Result<()> {
    ensure!(clients > 0, "--clients must be at least 1");
    let data_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let config = portal_bench_config(data_dir.path(), database_url)?;
    let built = node::build(&config).await?;
    let backend = built.app.backend_name();
    let server = serve::start(
        &config,
        built.app.clone(),
        serve::install_prometheus(),
        CancellationToken::new(),
    )
    .await?;
    let base = format!("http://{}", server.addr);
    let photo = photo(PHOTO_BYTES);

    let bar = progress::bar(duration.as_secs(), "portal crime reports");
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let base = base.clone();
        let photo = photo.clone();
        tasks.push(tokio::spawn(async move {
            let mut journeys = Vec::new();
            let mut errors = 0_u64;
            let mut n = 0_u64;
            while Instant::now() < deadline {
                n += 1;
                let email = format!("citizen{client}.{n}@example.org");
                let outcome = async {
                    let mut citizen = Citizen::new(&base, Some(REQUEST_TIMEOUT))?;
                    crime_journey(&mut citizen, &photo, &email).await
                }
                .await;
                match outcome {
                    Ok(journey) => journeys.push(journey),
                    Err(error) => {
                        errors += 1;
                        if errors == 1 {
                            tracing::warn!(
                                error = format!("{error:#}"),
                                "a benchmark journey failed"
                            );
                        }
                    }
                }
            }
            (journeys, errors)
        }));
    }
    let ticker = spawn_ticker(bar.clone(), started, deadline);
    let mut journeys = Vec::new();
    let mut errors = 0_u64;
    for task in tasks {
        let (mine, failed) = task.await.context("a citizen task failed")?;
        journeys.extend(mine);
        errors += failed;
    }
    let elapsed = started.elapsed();
    ticker.abort();
    bar.finish_and_clear();
    server.finish().await?;

    let distinct: std::collections::BTreeSet<&str> = journeys
        .iter()
        .map(|journey| journey.reference.as_str())
        .collect();
    ensure!(
        distinct.len() == journeys.len(),
        "two journeys were given the same reference"
    );
    let done = u64::try_from(journeys.len()).unwrap_or(u64::MAX);
    let mut durable: Vec<Duration> = journeys
        .iter()
        .map(|journey| journey.upload + journey.submit)
        .collect();
    let mut submits: Vec<Duration> = journeys.iter().map(|journey| journey.submit).collect();
    let mut totals: Vec<Duration> = journeys.iter().map(|journey| journey.total).collect();
    let mut pages: Vec<Duration> = journeys
        .iter()
        .flat_map(|journey| journey.pages.iter().map(|(_, took)| *took))
        .collect();
    durable.sort_unstable();
    submits.sort_unstable();
    totals.sort_unstable();
    pages.sort_unstable();
    let megabytes = float(done) * float(len64(PHOTO_BYTES)) / 1_000_000.0;
    say(&format!(
        "portal-submit: backend {backend}, {clients} citizens over HTTP, {:.1} s: {done} complete crime journeys \
         (14 pages, a 5 MB photo, submit; {errors} errors), {:.1} reports/s, evidence {:.0} MB/s; \
         photo upload + submit p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms; submit alone p99 {:.1} ms; \
         page under load p95 {:.1} ms; whole journey p50 {:.0} ms, p99 {:.0} ms",
        elapsed.as_secs_f64(),
        rate(done, elapsed),
        megabytes / elapsed.as_secs_f64().max(f64::EPSILON),
        millis(percentile(&durable, 50)),
        millis(percentile(&durable, 95)),
        millis(percentile(&durable, 99)),
        millis(percentile(&submits, 99)),
        millis(percentile(&pages, 95)),
        millis(percentile(&totals, 50)),
        millis(percentile(&totals, 99)),
    ))
}

fn spawn_ticker(
    bar: indicatif::ProgressBar,
    started: Instant,
    deadline: Instant,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while Instant::now() < deadline {
            bar.set_position(started.elapsed().as_secs());
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    })
}

/// `portal-render`: every portal page fetched `iterations` times, one request at a time.
pub async fn render(iterations: usize) -> anyhow::Result<()> {
    ensure!(iterations > 0, "--iterations must be at least 1");
    let data_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let config = portal_bench_config(data_dir.path(), None)?;
    let built = node::build(&config).await?;
    let server = serve::start(
        &config,
        built.app.clone(),
        serve::install_prometheus(),
        CancellationToken::new(),
    )
    .await?;
    let base = format!("http://{}", server.addr);
    // A draft with every answer given, so that each question page and "Check your answers"
    // render filled in; then a submitted report for the confirmation page.
    let mut citizen = Citizen::new(&base, Some(REQUEST_TIMEOUT))?;
    let small = photo(64 * 1024);
    let mut submitted = Citizen::new(&base, Some(REQUEST_TIMEOUT))?;
    crime_journey(&mut submitted, &small, "render@example.org").await?;
    fill_crime_draft(&mut citizen, small).await?;

    let mut timings: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    let static_pages = ["/", "/privacy", "/accessibility", "/cookies", "/track"];
    let draft_pages: Vec<String> = crime_steps("x@example.org")
        .iter()
        .map(|(step, _)| format!("/report/crime/{step}"))
        .chain(["/report/crime/check".to_owned()])
        .collect();
    let bar = progress::bar(
        u64::try_from(iterations).unwrap_or(u64::MAX),
        "page renders",
    );
    for _ in 0..iterations {
        for path in static_pages {
            let answer = citizen.get(path).await?;
            timings
                .entry(path.to_owned())
                .or_default()
                .push(answer.took);
        }
        for path in &draft_pages {
            let answer = citizen.get(path).await?;
            timings.entry(path.clone()).or_default().push(answer.took);
        }
        let answer = submitted.get("/report/crime/done").await?;
        timings
            .entry("/report/crime/done".to_owned())
            .or_default()
            .push(answer.took);
        bar.inc(1);
    }
    bar.finish_and_clear();
    server.finish().await?;

    let mut all: Vec<Duration> = timings.values().flatten().copied().collect();
    all.sort_unstable();
    let mut worst = (String::new(), Duration::ZERO);
    for (path, took) in &mut timings {
        took.sort_unstable();
        let p95 = percentile(took, 95);
        say(&format!(
            "portal-render: {path}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
            millis(percentile(took, 50)),
            millis(p95),
            millis(percentile(took, 99)),
        ))?;
        if p95 > worst.1 {
            worst = (path.clone(), p95);
        }
    }
    say(&format!(
        "portal-render: {} pages x {iterations} requests, one at a time over loopback: all pages p50 {:.2} ms, \
         p95 {:.2} ms, p99 {:.2} ms; slowest page {} p95 {:.2} ms",
        timings.len(),
        millis(percentile(&all, 50)),
        millis(percentile(&all, 95)),
        millis(percentile(&all, 99)),
        worst.0,
        millis(worst.1),
    ))
}

/// Every step of the crime journey answered, stopping at "Check your answers".
async fn fill_crime_draft(citizen: &mut Citizen, photo: Bytes) -> anyhow::Result<()> {
    citizen.get_following("/report/crime").await?;
    for (step, fields) in crime_steps("draft@example.org") {
        let path = format!("/report/crime/{step}");
        let next = if step == "evidence" {
            citizen
                .post_file(&path, "upload", Some(photo_part(photo.clone())?))
                .await?;
            citizen.get(&path).await?;
            citizen.post_file(&path, "continue", None).await?.0
        } else {
            citizen.post(&path, &fields).await?.0
        };
        citizen.get(&next).await?;
    }
    Ok(())
}

/// `upload-memory`: a child `bluelamp serve` receives one upload of `bytes` bytes on the
/// crime journey's evidence page; its resident memory is sampled throughout.
pub async fn upload_memory(bytes: u64) -> anyhow::Result<()> {
    ensure!(
        bytes > len64(MP4_HEAD.len()),
        "--bytes must be more than {}",
        MP4_HEAD.len()
    );
    let data_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let exe = std::env::current_exe().context("cannot find the bluelamp executable")?;
    let mut child = Command::new(exe)
        .arg("serve")
        .arg("--data-dir")
        .arg(data_dir.path())
        .arg("--listen")
        .arg("127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start bluelamp serve")?;
    let pid = child.id().context("the server exited at once")?;
    let stdout = child.stdout.take().context("no stdout from the server")?;
    let mut lines = BufReader::new(stdout).lines();
    let address = tokio::time::timeout(START_TIMEOUT, async {
        while let Some(line) = lines.next_line().await? {
            if let Some(address) = line.strip_prefix("listening on ") {
                return Ok(address.to_owned());
            }
        }
        bail!("the server exited before listening")
    })
    .await
    .context("the server did not start listening in time")??;
    let drain = tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

    let base = if address.starts_with("http") {
        address.clone()
    } else {
        format!("http://{address}")
    };
    let mut citizen = Citizen::new(&base, None)?;
    citizen.get_following("/report/crime").await?;
    for (step, fields) in crime_steps("memory@example.org") {
        if step == "evidence" {
            break;
        }
        let next = citizen
            .post(&format!("/report/crime/{step}"), &fields)
            .await?
            .0;
        citizen.get(&next).await?;
    }
    // Let the server settle, then take the idle figure.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_kib = status_kib(pid, "VmRSS:")?;

    let sampling = CancellationToken::new();
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut peak = 0_u64;
            while !sampling.is_cancelled() {
                if let Ok(rss) = status_kib(pid, "VmRSS:") {
                    peak = peak.max(rss);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            peak
        })
    };
    let bar = progress::bytes_bar(bytes, "uploading");
    let part = reqwest::multipart::Part::stream_with_length(
        reqwest::Body::wrap_stream(upload_stream(bytes, bar.clone())),
        bytes,
    )
    .file_name("dashcam.mp4")
    .mime_str("video/mp4")
    .context("cannot build the upload part")?;
    let started = Instant::now();
    let outcome = citizen
        .post_file("/report/crime/evidence", "upload", Some(part))
        .await;
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    sampling.cancel();
    let peak_sampled = sampler.await.context("the sampler failed")?;
    let hwm_kib = status_kib(pid, "VmHWM:")?;
    outcome.context("the upload was refused")?;
    let listed = citizen.get("/report/crime/evidence").await?;
    ensure!(
        listed.text.contains("dashcam.mp4"),
        "the evidence page does not list the upload"
    );
    child.kill().await.context("cannot stop the server")?;
    drain.abort();

    let peak_kib = peak_sampled.max(idle_kib);
    say(&format!(
        "upload-memory: a {:.2} GB upload streamed to `bluelamp serve` in {:.1} s ({:.0} MB/s, hashed and stored): \
         VmRSS idle {:.1} MiB, peak {:.1} MiB (sampled every 5 ms), {:.1} MiB above idle; VmHWM {:.1} MiB",
        float(bytes) / 1e9,
        elapsed.as_secs_f64(),
        float(bytes) / 1e6 / elapsed.as_secs_f64().max(f64::EPSILON),
        mib(idle_kib),
        mib(peak_kib),
        mib(peak_kib.saturating_sub(idle_kib)),
        mib(hwm_kib),
    ))
}

/// A stream of `total` bytes: an MP4 header, then 1 MiB chunks of filler.
fn upload_stream(
    total: u64,
    bar: indicatif::ProgressBar,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let filler = photo(CHUNK_BYTES);
    let head = Bytes::from_static(MP4_HEAD);
    futures::stream::unfold(0_u64, move |sent| {
        let filler = filler.clone();
        let head = head.clone();
        let bar = bar.clone();
        async move {
            if sent >= total {
                return None;
            }
            let left = total - sent;
            let chunk = if sent == 0 {
                head
            } else {
                let take = usize::try_from(left.min(len64(CHUNK_BYTES))).unwrap_or(CHUNK_BYTES);
                filler.slice(..take)
            };
            let length = len64(chunk.len());
            bar.inc(length);
            Some((Ok(chunk), sent + length))
        }
    })
}

/// A `kB` figure of `/proc/PID/status`.
fn status_kib(pid: u32, key: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .context("cannot read the server's /proc status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
        .with_context(|| format!("no {key} line in /proc status"))
}

/// kB as MiB.
fn mib(kib: u64) -> f64 {
    float(kib) / 1024.0
}

#[cfg(test)]
mod tests {
    use futures::StreamExt as _;

    use super::{MP4_HEAD, between, page_name, photo, upload_stream};

    #[test]
    fn finds_tokens_and_page_names() {
        let page = "<input name=\"csrf_token\" value=\"abc123\">";
        assert_eq!(
            between(page, "name=\"csrf_token\" value=\"", "\""),
            Some("abc123")
        );
        assert_eq!(between(page, "nothing", "\""), None);
        assert_eq!(page_name("/report/crime/victims-code"), "victims-code");
        assert_eq!(page_name("/report/crime/when?return=check"), "when");
        assert_eq!(page_name("/elsewhere"), "other");
    }

    #[test]
    fn generated_files_have_the_size_asked_for() {
        let jpeg = photo(5 * 1024 * 1024 + 3);
        assert_eq!(jpeg.len(), 5 * 1024 * 1024 + 3);
        assert_eq!(jpeg.get(..3), Some(&[0xFF, 0xD8, 0xFF][..]));
    }

    #[tokio::test]
    async fn the_upload_stream_sends_exactly_the_bytes_asked_for() {
        let total = 3 * 1024 * 1024 + 17;
        let chunks: Vec<_> = upload_stream(total, indicatif::ProgressBar::hidden())
            .collect()
            .await;
        let mut sent = 0_u64;
        for (index, chunk) in chunks.into_iter().enumerate() {
            let chunk = chunk.expect("no error");
            if index == 0 {
                assert_eq!(&chunk[..], MP4_HEAD);
            }
            sent += u64::try_from(chunk.len()).unwrap();
        }
        assert_eq!(sent, total);
    }
}
