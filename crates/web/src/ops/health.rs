//! `GET /healthz`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;

/// The body of `/healthz`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct Health {
    /// `ok` when the server and its database answer, `unavailable` otherwise.
    #[schema(example = "ok")]
    pub status: String,
}

/// Check the server's health.
///
/// Business rule: 200 `{"status":"ok"}` when the application and its database answer, 503
/// `{"status":"unavailable"}` otherwise (the cause is logged, not shown).
///
/// Who may call it: anyone (load balancers and orchestrators); it reveals nothing but the
/// status.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "The server and its database answer", body = Health),
        (status = 503, description = "The database does not answer", body = Health),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.app.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: "ok".to_owned(),
            }),
        ),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable".to_owned(),
                }),
            )
        }
    }
}
