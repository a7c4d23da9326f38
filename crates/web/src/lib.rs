//! Bluelamp's HTTP layer.
//!
//! # Brief overview
//!
//! This crate is the only one that knows HTTP. [`router`] builds the whole axum [`Router`]
//! around a [`bluelamp_app::App`]; [`serve`] runs it until a shutdown signal, draining
//! requests in flight. Handlers never reach the store: each parses its request at the edge
//! into domain types, calls exactly one `App` use case, and maps the result.
//!
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
//! * `ops` and `site` — `/healthz`, `/metrics`, and the landing page at `/`.
//!
//! A rejected request never reaches the application, so it stores nothing.

#![forbid(unsafe_code)]

pub mod api;
pub mod error;
pub mod extract;
pub mod middleware;
mod ops;
mod site;
pub mod telemetry;

use std::future::Future;

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

/// The largest request body the JSON API accepts: 1 MiB.
pub const API_BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// What every handler can reach: the application and the metrics handle.
#[derive(Clone)]
pub struct AppState {
    /// The application layer; handlers call its use cases and nothing else.
    pub app: App,
    /// Renders the process's metrics for `/metrics`.
    pub metrics: PrometheusHandle,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("AppState").finish_non_exhaustive()
    }
}

/// Builds the whole HTTP interface of a Bluelamp server around `app`.
///
/// Routes: `/` (landing page), `/assets/bluelamp.css`, `/healthz`, `/metrics`, and the JSON
/// API under `/api/v1` (see [`openapi()`]). Every response carries the security headers of
/// [`middleware::security_headers`] and an `x-request-id`; every request is traced and
/// counted. `metrics` is the handle of the recorder the process installed (see
/// [`telemetry::install_prometheus_recorder`]).
pub fn router(app: App, metrics: PrometheusHandle) -> Router {
    let state = AppState { app, metrics };
    let mut security_header_layers = Vec::new();
    for (name, value) in middleware::security_headers() {
        security_header_layers.push(SetResponseHeaderLayer::overriding(name, value));
    }
    let routes = Router::new()
        .route("/", get(site::landing::landing_page))
        .route("/assets/bluelamp.css", get(site::landing::stylesheet))
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
/// connections and waits for requests in flight to finish.
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
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Any path outside the API that no route matches: a plain 404 page.
#[tracing::instrument(skip_all)]
async fn site_not_found() -> (axum::http::StatusCode, axum::response::Html<&'static str>) {
    (
        axum::http::StatusCode::NOT_FOUND,
        axum::response::Html(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page not found \
             - Bluelamp</title></head><body><main><h1>Page not found</h1><p><a href=\"/\">Go to \
             the Bluelamp home page</a></p></main></body></html>",
        ),
    )
}
