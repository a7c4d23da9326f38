//! The test server and its typed clients.
//!
//! [`TestApp::spawn`] starts the real router on `127.0.0.1:0` around a real [`App`] on a
//! fresh SQLite store, with the embedded policies and reference data and a new signing key,
//! and creates one staff account per actor. Each actor has a client holding its token:
//! [`TestApp::officer`], [`TestApp::admin`], [`TestApp::other_force_officer`],
//! [`TestApp::anonymous`].

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use anyhow::Context as _;
use bluelamp_app::{App, AppParts, NewStaff, Principal, SystemClock, reveal_token};
use bluelamp_audit::CheckpointSigner;
use bluelamp_domain::refdata::ReferenceData;
use bluelamp_policy::{PolicyEngine, Role};
use bluelamp_store_sqlite::SqliteStore;
use bluelamp_store_sqlite::testing::{TestStoreDir, fresh_store};
use metrics_exporter_prometheus::PrometheusHandle;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The force this test deployment serves.
pub const FORCE: &str = "leicestershire";
/// Another force: its officers may not read this force's records.
pub const OTHER_FORCE: &str = "nottinghamshire";
/// A purpose that parses.
pub const PURPOSE: &str = "investigating crime 24/1234";

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

/// A running server with its application and the tokens of its actors.
pub struct TestApp {
    /// The application behind the server (for what has no endpoint, e.g. writing a
    /// checkpoint).
    pub app: App,
    /// The store, to simulate an outage.
    pub store: Arc<SqliteStore>,
    base_url: String,
    officer_token: String,
    admin_token: String,
    other_force_token: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    _store_dir: TestStoreDir,
    _sink: bluelamp_mail::SmtpSink,
}

impl TestApp {
    /// Starts a server on a fresh store.
    pub async fn spawn() -> TestApp {
        Self::try_spawn().await.expect("the test server starts")
    }

    async fn try_spawn() -> anyhow::Result<TestApp> {
        let (store, store_dir) = fresh_store().await?;
        let store = Arc::new(store);
        let sink =
            bluelamp_mail::SmtpSink::start(SocketAddr::from(([127, 0, 0, 1], 0)), None).await?;
        let mailer = bluelamp_mail::Mailer::new(&sink.settings())?;
        let app = App::new(AppParts {
            store: store.clone(),
            policy: Arc::new(PolicyEngine::embedded().context("policies")?),
            refdata: Arc::new(ReferenceData::embedded().context("reference data")?),
            signer: Arc::new(CheckpointSigner::generate()),
            clock: Arc::new(SystemClock),
            log_origin: format!("bluelamp/{FORCE}"),
            force: FORCE.to_owned(),
            mailer,
            reports: bluelamp_app::ReportSettings::default(),
            identity: bluelamp_app::IdentitySettings::embedded()?,
            blobs: bluelamp_evidence::BlobStore::in_memory(),
        });
        let officer_token = create_staff(&app, "pc.jones", Role::Officer, FORCE).await?;
        let admin_token = create_staff(&app, "admin.lee", Role::Administrator, FORCE).await?;
        let other_force_token = create_staff(&app, "pc.nott", Role::Officer, OTHER_FORCE).await?;

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address: SocketAddr = listener.local_addr()?;
        let router = bluelamp_web::router(app.clone(), metrics_handle());
        let (shutdown, shutdown_signal) = oneshot::channel::<()>();
        let server = tokio::spawn(bluelamp_web::serve(listener, router, async move {
            let _ = shutdown_signal.await;
        }));
        Ok(TestApp {
            app,
            store,
            base_url: format!("http://{address}"),
            officer_token,
            admin_token,
            other_force_token,
            shutdown: Some(shutdown),
            server: Some(server),
            _store_dir: store_dir,
            _sink: sink,
        })
    }

    /// The server's base URL, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// An officer of this force.
    pub fn officer(&self) -> ActorClient {
        self.client(Some(&self.officer_token))
    }

    /// An administrator of this force (manages accounts; may not read records).
    pub fn admin(&self) -> ActorClient {
        self.client(Some(&self.admin_token))
    }

    /// An officer of another force.
    pub fn other_force_officer(&self) -> ActorClient {
        self.client(Some(&self.other_force_token))
    }

    /// A caller with no token.
    pub fn anonymous(&self) -> ActorClient {
        self.client(None)
    }

    /// A caller with a token that no account has.
    pub fn impostor(&self) -> ActorClient {
        self.client(Some("blp_not-a-real-token"))
    }

    fn client(&self, token: Option<&str>) -> ActorClient {
        ActorClient {
            http: reqwest::Client::new(),
            base_url: self.base_url.clone(),
            token: token.map(str::to_owned),
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server ends cleanly");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

async fn create_staff(
    app: &App,
    username: &str,
    role: Role,
    force: &str,
) -> anyhow::Result<String> {
    let created = app
        .create_staff(
            &Principal::system("tests", FORCE),
            NewStaff {
                username: username.to_owned(),
                display_name: format!("Test {username}"),
                role,
                force: force.to_owned(),
            },
        )
        .await
        .with_context(|| format!("creating {username}"))?;
    Ok(reveal_token(&created).to_owned())
}

/// An HTTP client acting as one actor.
pub struct ActorClient {
    http: reqwest::Client,
    base_url: String,
    token: Option<String>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body text.
    pub text: String,
}

impl TestResponse {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {}", self.text))
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts an error response: status, code and field.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(self.status, status, "status of {}", self.text);
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "code of {body}");
        assert_eq!(body["error"]["field"], json!(field), "field of {body}");
        let message = body["error"]["message"].as_str().expect("a message");
        assert!(!message.is_empty(), "an empty message");
        let mut first_word = message.split(' ').next().unwrap_or_default().chars();
        let capitalised = first_word.next().is_some_and(char::is_uppercase)
            && first_word.next().is_some_and(char::is_lowercase);
        assert!(
            !capitalised,
            "messages start lowercase (or with an acronym): {message}"
        );
    }

    /// The `id` of a JSON body.
    pub fn id(&self) -> String {
        self.json()["id"].as_str().expect("an id").to_owned()
    }
}

impl ActorClient {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    async fn send(builder: reqwest::RequestBuilder) -> TestResponse {
        let response = builder.send().await.expect("the request is answered");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("the body is read");
        TestResponse {
            status,
            headers,
            text,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        Self::send(self.request(reqwest::Method::GET, path)).await
    }

    /// `GET path` stating `purpose` in the `X-Purpose` header.
    pub async fn get_for(&self, path: &str, purpose: &str) -> TestResponse {
        Self::send(
            self.request(reqwest::Method::GET, path)
                .header("x-purpose", purpose),
        )
        .await
    }

    /// A request with any method, content type and body.
    pub async fn send_raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> TestResponse {
        let mut builder = self.request(method, path).body(body);
        if let Some(content_type) = content_type {
            builder = builder.header(
                reqwest::header::CONTENT_TYPE,
                HeaderValue::from_str(content_type).expect("a header value"),
            );
        }
        Self::send(builder).await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        Self::send(self.request(reqwest::Method::POST, path).json(body)).await
    }

    /// `POST /api/v1/records`.
    pub async fn create_record(&self, request: &Value) -> TestResponse {
        self.post_json("/api/v1/records", request).await
    }

    /// Creates a record and returns its id, asserting success.
    pub async fn create_record_ok(&self, record: Value) -> String {
        let response = self.create_record(&create_request(record)).await;
        assert_eq!(response.status, 201, "{}", response.text);
        response.id()
    }

    /// `GET /api/v1/records/{id}` for [`PURPOSE`].
    pub async fn read_record(&self, id: &str) -> TestResponse {
        self.get_for(&format!("/api/v1/records/{id}"), PURPOSE)
            .await
    }

    /// `GET /api/v1/records?{query}` for [`PURPOSE`].
    pub async fn list_records(&self, query: &str) -> TestResponse {
        self.get_for(&format!("/api/v1/records?{query}"), PURPOSE)
            .await
    }

    /// How many records the caller can list (up to 500).
    pub async fn count_records(&self) -> usize {
        let response = self.list_records("limit=500").await;
        assert_eq!(response.status, 200, "{}", response.text);
        response.json()["records"].as_array().expect("a list").len()
    }

    /// `POST /api/v1/links`.
    pub async fn create_link(&self, request: &Value) -> TestResponse {
        self.post_json("/api/v1/links", request).await
    }

    /// `GET /api/v1/records/{id}/links` for [`PURPOSE`].
    pub async fn links_of(&self, id: &str) -> TestResponse {
        self.get_for(&format!("/api/v1/records/{id}/links"), PURPOSE)
            .await
    }
}

// ---------------------------------------------------------------------------------------
// Fixtures

/// A create request holding `record`, marked OFFICIAL-SENSITIVE, group 3.
pub fn create_request(record: Value) -> Value {
    json!({
        "marking": { "classification": "OFFICIAL", "sensitive": true, "caveats": ["PERSONAL"] },
        "lawful_basis": "dpa2018-part3-law-enforcement",
        "retention_group": "3",
        "record": record,
    })
}

/// A person with an NHS number and a PNC ID.
pub fn person() -> Value {
    json!({
        "kind": "person",
        "name": { "forenames": ["Jane", "Ann"], "surname": "Smith" },
        "date_of_birth": "1990-04-01",
        "identifiers": [
            { "type": "nhs", "value": "943 476 5919" },
            { "type": "pnc", "value": "2001/0012345H" }
        ]
    })
}

/// A vehicle.
pub fn vehicle() -> Value {
    json!({ "kind": "object", "type": "vehicle", "vrm": "ab12cde", "make": "Ford", "colour": "Red" })
}

/// An item of property.
pub fn property() -> Value {
    json!({
        "kind": "object",
        "type": "property",
        "description": "Black mountain bike",
        "serial_numbers": ["WTU 123456"]
    })
}

/// An address with a point.
pub fn location() -> Value {
    json!({
        "kind": "location",
        "address": { "lines": ["1 High Street"], "town": "Leicester", "postcode": "le16ab" },
        "point": { "lat": 52.6369, "lon": -1.1398 }
    })
}

/// A burglary.
pub fn event() -> Value {
    json!({
        "kind": "event",
        "type": "crime_report",
        "summary": "Shed broken into, bicycle taken",
        "occurred_from": "2026-11-20T22:00:00Z",
        "occurred_to": "2026-11-21T06:30:00Z",
        "crime_category": "burglary"
    })
}
