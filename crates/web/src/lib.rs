//! Bluelamp's HTTP layer.
//!
//! # Brief overview
//!
//! This crate is the only one that knows HTTP. [`router_with_portal`] builds the whole axum
//! [`Router`] around a [`bluelamp_app::App`] and a [`PortalConfig`] ([`router`] uses the
//! defaults with evidence in memory); [`serve`] runs it until a shutdown signal, draining
//! requests in flight. Handlers never reach the store: each parses its request at the edge
//! into domain types, calls exactly one `App` use case, and maps the result.
//!
//! * [`portal`] — the citizen portal at `/`: server-rendered askama pages with
//!   govuk-frontend styles to report a crime, anti-social behaviour, a driving offence with
//!   footage or information, and to follow a report (the contract is `docs/portal.md`).
//! * [`staff`] — the staff workspace at `/staff`: sign-in with a second factor, the triage
//!   queue, reports with their assessment, recording decision, messages and outcome, and the
//!   administration of accounts and teams.
//! * [`api`] — the JSON API under `/api/v1` (records, links, the audit checkpoint and the
//!   OpenAPI document [`openapi()`]). One file per endpoint action; each handler's doc comment
//!   states its business rule and who may call it.
//! * [`extract`] — extractors that reject bad requests before a handler runs:
//!   [`extract::Authenticated`] (bearer token → principal), [`extract::RequiredPurpose`]
//!   (why personal data is consulted), [`extract::ApiJson`] (JSON body → domain types, naming
//!   the field at fault).
//! * [`error`] — [`ApiError`], the one error type, and the one place where errors become
//!   HTTP responses with a stable code, a message and the field at fault.
//! * [`middleware`] — request ids and tracing spans, security headers and per-route request
//!   metrics; [`telemetry`] installs the Prometheus recorder that `/metrics` renders.
//! * `ops` and `site` — `/healthz`, `/metrics`, and the portal's static files under
//!   `/assets/`.
//!
//! A rejected request never reaches the application, so it stores nothing.

#![forbid(unsafe_code)]

pub mod api;
pub mod error;
pub mod extract;
pub mod middleware;
mod ops;
pub mod portal;
mod site;
pub mod staff;
pub mod telemetry;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use bluelamp_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use api::openapi;
pub use error::{ApiError, ApiErrorKind, ErrorBody, ErrorDetail};
pub use portal::{Portal, PortalConfig};

/// The largest request body the JSON API accepts: 1 MiB.
pub const API_BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// What every handler can reach: the application, the metrics handle and the portal.
#[derive(Clone)]
pub struct AppState {
    /// The application layer; handlers call its use cases and nothing else.
    pub app: App,
    /// Renders the process's metrics for `/metrics`.
    pub metrics: PrometheusHandle,
    /// The citizen portal's configuration, sessions and rate limiter.
    pub portal: Arc<Portal>,
    /// The staff workspace's configuration and enrolments in progress.
    pub staff: Arc<staff::Staff>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("AppState").finish_non_exhaustive()
    }
}

/// Builds the whole HTTP interface of a Bluelamp server around `app`, with the portal's
/// defaults ([`PortalConfig::default_in_memory`]: evidence kept in memory).
///
/// See [`router_with_portal`].
pub fn router(app: App, metrics: PrometheusHandle) -> Router {
    router_with_portal(app, metrics, PortalConfig::default_in_memory())
}

/// Builds the whole HTTP interface of a Bluelamp server around `app`.
///
/// Routes: the citizen portal at `/` (see [`portal`]), `/assets/{file}`, `/healthz`,
/// `/metrics`, and the JSON API under `/api/v1` (see [`openapi()`]). Every response carries
/// the security headers of [`middleware::security_headers`] and an `x-request-id`; every
/// request is traced and counted. `metrics` is the handle of the recorder the process
/// installed (see [`telemetry::install_prometheus_recorder`]). When called inside a tokio
/// runtime, starts the portal's session sweeper ([`Portal::spawn_sweeper`]).
pub fn router_with_portal(app: App, metrics: PrometheusHandle, portal: PortalConfig) -> Router {
    let staff = Arc::new(staff::Staff::new(staff::StaffConfig {
        secure_cookies: portal.secure_cookies,
        force_name: portal.force_name.clone(),
    }));
    let portal = Arc::new(Portal::new(portal));
    Portal::spawn_sweeper(&portal);
    let state = AppState {
        app,
        metrics,
        portal,
        staff,
    };
    let mut security_header_layers = Vec::new();
    for (name, value) in middleware::security_headers() {
        security_header_layers.push(SetResponseHeaderLayer::overriding(name, value));
    }
    let routes = Router::new()
        .merge(portal::routes(&state))
        .merge(staff::routes(&state))
        .route("/assets/{file}", get(site::assets::asset))
        .route("/healthz", get(ops::health::healthz))
        .route("/metrics", get(ops::metrics::metrics))
        .nest(
            "/api",
            api::router().layer(DefaultBodyLimit::max(API_BODY_LIMIT_BYTES)),
        )
        .fallback(site_not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(
            middleware::record_request_metrics,
        ));
    let with_security_headers = security_header_layers
        .into_iter()
        .fold(routes, |routes, layer| routes.layer(layer));
    with_security_headers.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(
                middleware::REQUEST_ID_HEADER,
                MakeRequestUuid,
            ))
            .layer(TraceLayer::new_for_http().make_span_with(middleware::request_span))
            .layer(PropagateRequestIdLayer::new(middleware::REQUEST_ID_HEADER)),
    )
}

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting
/// connections and waits for requests in flight to finish. Handlers see each connection's
/// peer address (the portal limits form posts per client address).
///
/// # Errors
/// An I/O error of the listener.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "serving http");
    }
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Any path outside the API that no route matches: the portal's "Page not found".
#[tracing::instrument(skip_all)]
async fn site_not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    portal::pages::not_found(&state.portal)
}
