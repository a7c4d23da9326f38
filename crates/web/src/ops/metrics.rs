//! `GET /metrics`.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Get the Prometheus metrics.
///
/// Business rule: the text exposition of every metric the process records (request counts
/// and latencies per route template, and whatever the application records). Metrics carry
/// route templates and counts, never ids or personal data.
///
/// Who may call it: anyone who can reach the server; deployments restrict it at the network
/// edge.
#[tracing::instrument(skip_all)]
pub async fn metrics(State(state): State<AppState>) -> Response {
    state.metrics.run_upkeep();
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
