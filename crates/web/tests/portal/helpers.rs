//! The portal test server and a citizen's browser-like client.
//!
//! [`PortalApp::spawn`] starts the real router on `127.0.0.1:0` around a real [`App`] on a
//! fresh SQLite store, with a controllable clock ([`TestClock`]), an in-memory blob store and
//! an [`SmtpSink`] receiving the e-mail. [`Citizen`] keeps cookies like a browser, reads the
//! CSRF token from each page it gets, and fills in forms.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::Context as _;
use bluelamp_app::{App, AppParts, Clock, NewStaff, Principal, reveal_token};
use bluelamp_audit::CheckpointSigner;
use bluelamp_domain::refdata::ReferenceData;
use bluelamp_evidence::BlobStore;
use bluelamp_mail::SmtpSink;
use bluelamp_policy::{PolicyEngine, Role};
use bluelamp_store_sqlite::testing::{TestStoreDir, fresh_store};
use bluelamp_web::PortalConfig;
use chrono::{DateTime, Utc};
use futures::TryStreamExt as _;
use metrics_exporter_prometheus::PrometheusHandle;
use object_store::ObjectStore as _;
use reqwest::header::HeaderMap;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The force this test deployment serves.
pub const FORCE: &str = "leicestershire";

/// The process-wide metrics recorder (a process has one).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            bluelamp_web::telemetry::install_prometheus_recorder()
                .expect("the recorder installs once")
        })
        .clone()
}

/// A clock that runs with real time, shifted by an offset the test moves.
#[derive(Default)]
pub struct TestClock {
    offset: Mutex<chrono::Duration>,
}

impl TestClock {
    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut offset = self.offset.lock().unwrap();
        *offset += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap()
    }
}

/// A running server with its application, clock, blob store and mail sink.
pub struct PortalApp {
    /// The application behind the server.
    pub app: App,
    /// The application's clock.
    pub clock: Arc<TestClock>,
    /// Where evidence is kept.
    pub blobs: BlobStore,
    /// Receives the e-mail the application sends.
    pub sink: SmtpSink,
    /// The store behind the application (to read the audit log).
    pub store: Arc<dyn bluelamp_store::Store>,
    base_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    _server: JoinHandle<std::io::Result<()>>,
    _store_dir: TestStoreDir,
}

/// Options of a test server.
pub struct Options {
    /// The largest evidence file.
    pub max_upload_bytes: u64,
    /// Form posts per client per minute.
    pub rate_limit_per_minute: u32,
    /// Session idle time.
    pub session_idle: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_upload_bytes: 5 * 1024 * 1024,
            rate_limit_per_minute: 10_000,
            session_idle: Duration::from_secs(30 * 60),
        }
    }
}

impl PortalApp {
    /// A server with the default test options.
    pub async fn spawn() -> PortalApp {
        Self::spawn_with(Options::default()).await
    }

    /// A server with `options`.
    pub async fn spawn_with(options: Options) -> PortalApp {
        Self::try_spawn(options)
            .await
            .expect("the test server starts")
    }

    async fn try_spawn(options: Options) -> anyhow::Result<PortalApp> {
        let (store, store_dir) = fresh_store().await?;
        let sink = SmtpSink::start(SocketAddr::from(([127, 0, 0, 1], 0)), None).await?;
        let mailer = bluelamp_mail::Mailer::new(&sink.settings())?;
        let clock = Arc::new(TestClock::default());
        let store: Arc<dyn bluelamp_store::Store> = Arc::new(store);
        let blobs = BlobStore::in_memory();
        let app = App::new(AppParts {
            store: store.clone(),
            policy: Arc::new(PolicyEngine::embedded().context("policies")?),
            refdata: Arc::new(ReferenceData::embedded().context("reference data")?),
            signer: Arc::new(CheckpointSigner::generate()),
            clock: clock.clone(),
            log_origin: format!("bluelamp/{FORCE}"),
            force: FORCE.to_owned(),
            mailer,
            reports: bluelamp_app::ReportSettings::default(),
            identity: bluelamp_app::IdentitySettings::embedded()?,
            blobs: blobs.clone(),
        });
        let config = PortalConfig {
            blobs: blobs.clone(),
            max_upload_bytes: options.max_upload_bytes,
            quick_exit_url: "https://www.bbc.co.uk/weather".to_owned(),
            session_idle: options.session_idle,
            secure_cookies: false,
            force_name: "Leicestershire Police".to_owned(),
            rate_limit_per_minute: options.rate_limit_per_minute,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address: SocketAddr = listener.local_addr()?;
        let router = bluelamp_web::router_with_portal(app.clone(), metrics_handle(), config);
        let (shutdown, shutdown_signal) = oneshot::channel::<()>();
        let server = tokio::spawn(bluelamp_web::serve(listener, router, async move {
            let _ = shutdown_signal.await;
        }));
        Ok(PortalApp {
            app,
            clock,
            blobs,
            sink,
            store,
            base_url: format!("http://{address}"),
            shutdown: Some(shutdown),
            _server: server,
            _store_dir: store_dir,
        })
    }

    /// A new citizen with an empty cookie jar.
    pub fn citizen(&self) -> Citizen {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        Citizen {
            http: reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar,
            base_url: self.base_url.clone(),
            token: None,
        }
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every entry of the audit log, oldest first.
    pub async fn audit(&self) -> Vec<bluelamp_audit::Entry> {
        self.store
            .audit_rows(0, 1_000_000)
            .await
            .unwrap()
            .iter()
            .map(|row| bluelamp_audit::Entry::from_leaf_bytes(&row.leaf).unwrap())
            .collect()
    }

    /// How many blobs the store holds.
    pub async fn blob_count(&self) -> usize {
        let listed: Vec<_> = self
            .blobs
            .object_store()
            .list(None)
            .try_collect()
            .await
            .unwrap();
        listed.len()
    }

    /// An officer of this force.
    pub async fn officer(&self) -> Principal {
        let created = self
            .app
            .create_staff(
                &Principal::system("tests", FORCE),
                NewStaff {
                    username: "pc.patel".to_owned(),
                    display_name: "PC 2741 Patel".to_owned(),
                    role: Role::Officer,
                    force: FORCE.to_owned(),
                },
            )
            .await
            .unwrap();
        self.app.authenticate(reveal_token(&created)).await.unwrap()
    }

    /// How many event records (one per report) an officer can list.
    pub async fn event_count(&self, officer: &Principal) -> usize {
        let page = self
            .app
            .list_records(
                officer,
                bluelamp_app::ListQuery {
                    kind: Some(bluelamp_domain::ids::RecordKind::Event),
                    after: None,
                    limit: 500,
                },
                &bluelamp_domain::values::Purpose::parse("checking the portal's reports").unwrap(),
            )
            .await
            .unwrap();
        page.records.len()
    }

    /// The one-time code in the newest e-mail to `address`.
    pub async fn code_sent_to(&self, address: &str) -> String {
        let mail = self
            .sink
            .wait_for(address, Duration::from_secs(10))
            .await
            .expect("an e-mail arrives");
        code_in(&mail.text)
    }
}

/// The six digits after "is " in a code e-mail.
fn code_in(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .iter()
        .find(|word| word.len() == 6 && word.chars().all(|c| c.is_ascii_digit()))
        .map(|word| (*word).to_owned())
        .unwrap_or_else(|| panic!("no code in {text}"))
}

impl Drop for PortalApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// A page as received.
#[derive(Debug)]
pub struct Page {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub text: String,
}

impl Page {
    /// The `Location` of a redirect.
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_else(|| panic!("no location ({}): {}", self.status, self.text))
    }

    /// The `<title>`.
    pub fn title(&self) -> String {
        between(&self.text, "<title>", "</title>").unwrap_or_default()
    }

    /// Whether the page shows `text` (HTML-escaped as the templates escape it).
    pub fn shows(&self, text: &str) -> bool {
        self.text.contains(&escape(text))
    }

    /// Asserts the page shows `text`.
    #[track_caller]
    pub fn assert_shows(&self, text: &str) {
        assert!(
            self.shows(text),
            "page does not show {text:?}:\n{}",
            self.text
        );
    }

    /// The reference on a confirmation page.
    pub fn reference(&self) -> String {
        between(&self.text, "<strong>", "</strong>")
            .filter(|_| self.text.contains("govuk-panel__body"))
            .unwrap_or_else(|| panic!("no reference on {}", self.text))
    }
}

/// HTML escaping as askama does it.
pub fn escape(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(text[from..to].trim().to_owned())
}

/// A file to upload.
pub struct Upload {
    /// The name it is sent with.
    pub name: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The content type the browser claims.
    pub content_type: &'static str,
}

/// A small JPEG (only its signature matters to the sniffer).
pub fn jpeg(name: &'static str) -> Upload {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    bytes.extend(std::iter::repeat_n(0x55, 2000));
    bytes.extend([0xFF, 0xD9]);
    Upload {
        name,
        bytes,
        content_type: "image/jpeg",
    }
}

/// A small MP4.
pub fn mp4(name: &'static str) -> Upload {
    let mut bytes = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom".to_vec();
    bytes.extend(b"\x00\x00\x00\x08free");
    bytes.extend(std::iter::repeat_n(0x11, 4000));
    Upload {
        name,
        bytes,
        content_type: "video/mp4",
    }
}

/// A PDF.
pub fn pdf(name: &'static str) -> Upload {
    Upload {
        name,
        bytes: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n%%EOF\n".to_vec(),
        content_type: "application/pdf",
    }
}

/// A Windows program.
pub fn exe(name: &'static str) -> Upload {
    let mut bytes = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
    bytes.extend(std::iter::repeat_n(0x00, 500));
    bytes.extend(b"This program cannot be run in DOS mode.");
    Upload {
        name,
        bytes,
        content_type: "application/octet-stream",
    }
}

/// A citizen with a browser: cookies, no automatic redirects, the last CSRF token seen.
pub struct Citizen {
    http: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    base_url: String,
    token: Option<String>,
}

impl Citizen {
    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base_url)
        }
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        if let Some(token) = between(&text, "name=\"csrf_token\" value=\"", "\"") {
            self.token = Some(token);
        }
        Page {
            status,
            headers,
            text,
        }
    }

    /// The CSRF token of the last page with a form.
    pub fn token(&self) -> String {
        self.token.clone().expect("a page with a form was seen")
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Page {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        self.read(response).await
    }

    /// `GET path`, following redirects.
    pub async fn get_following(&mut self, path: &str) -> Page {
        let mut page = self.get(path).await;
        let mut hops = 0;
        while page.status == 303 && hops < 10 {
            let to = page.location().to_owned();
            page = self.get(&to).await;
            hops += 1;
        }
        page
    }

    /// `POST path` with `fields` and the CSRF token (unless `fields` has one).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut pairs: Vec<(String, String)> = fields
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        if !fields.iter().any(|(name, _)| *name == "csrf_token") {
            pairs.insert(0, ("csrf_token".to_owned(), self.token()));
        }
        let response = self
            .http
            .post(self.url(path))
            .form(&pairs)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// `POST path`, then follow the redirect (asserting there is one).
    #[track_caller]
    pub fn submit<'a>(
        &'a mut self,
        path: &'a str,
        fields: &'a [(&'a str, &'a str)],
    ) -> impl std::future::Future<Output = Page> + 'a {
        let caller = std::panic::Location::caller();
        async move {
            let page = self.post(path, fields).await;
            assert_eq!(page.status, 303, "{path} from {caller}: {}", page.text);
            let to = page.location().to_owned();
            self.get_following(&to).await
        }
    }

    /// The `Cookie` header this citizen sends to `base_url`.
    pub fn cookie_header(&self, base_url: &str) -> String {
        use reqwest::cookie::CookieStore as _;
        self.jar
            .cookies(&base_url.parse().unwrap())
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    /// `POST path` as `multipart/form-data`: the CSRF token, empty honeypot and `fields`
    /// first, then `files` as `file` parts.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: Vec<Upload>,
    ) -> Page {
        let token = self.token();
        self.post_multipart_guarded(path, &token, "", fields, files)
            .await
    }

    /// Like [`Citizen::post_multipart`] with the given CSRF token and honeypot value.
    pub async fn post_multipart_guarded(
        &mut self,
        path: &str,
        token: &str,
        honeypot: &str,
        fields: &[(&str, &str)],
        files: Vec<Upload>,
    ) -> Page {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf_token", token.to_owned())
            .text("website", honeypot.to_owned());
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        for file in files {
            let part = reqwest::multipart::Part::bytes(file.bytes)
                .file_name(file.name)
                .mime_str(file.content_type)
                .unwrap();
            form = form.part("file", part);
        }
        let response = self
            .http
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// A raw `POST` with the given headers and form pairs, without adding anything.
    pub async fn post_raw(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
        pairs: &[(&str, &str)],
    ) -> Page {
        let mut request = self.http.post(self.url(path)).form(pairs);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        self.read(response).await
    }
}
