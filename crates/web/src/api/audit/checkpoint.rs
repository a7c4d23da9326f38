//! `GET /api/v1/audit/checkpoint`.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::{ApiError, ApiErrorKind};

/// Get the latest signed checkpoint of the audit log.
///
/// Business rule: the checkpoint is answered in its signed-note text form (origin, size,
/// Merkle root, time, a blank line, then the Ed25519 signature line). Anyone who keeps it can
/// later check that the log only grew, so the log cannot be rewritten unnoticed. 404
/// `not_found` until the first checkpoint is written.
///
/// Who may call it: anyone; a checkpoint commits to the log without revealing any entry or
/// personal data.
#[utoipa::path(
    get,
    path = "/api/v1/audit/checkpoint",
    tag = "audit",
    responses(
        (status = 200, description = "The latest signed checkpoint", content_type = "text/plain", body = String,
         example = "bluelamp/leicestershire\n42\nq6o3o2Yi0wU5CCW0n7rZPRWbMJMQqNqQXyEc5Jn0Rks=\n2026-11-27T10:00:00.123456Z\n\n\u{2014} bluelamp 0f1e2d3c4b5a6978 c2lnbmF0dXJl\n"),
        (status = 404, description = "No checkpoint has been written yet", body = crate::ErrorBody),
        (status = 503, description = "The database does not answer", body = crate::ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn latest_checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let Some(checkpoint) = state.app.latest_checkpoint().await? else {
        return Err(ApiError::new(ApiErrorKind::NoCheckpointYet));
    };
    let mut response = checkpoint.to_text().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(response)
}
