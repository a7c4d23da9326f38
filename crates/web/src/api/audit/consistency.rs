//! `GET /api/v1/audit/consistency?from=N&to=M`.

use axum::Json;
use axum::extract::State;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bluelamp_app::AppError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiQuery;

/// The query parameters of the consistency proof.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyParams {
    /// The smaller log size (a checkpoint's size you hold), at least 1.
    #[param(required = true, value_type = u64, minimum = 1)]
    from: Option<String>,
    /// The larger log size (a newer checkpoint's size), at most the log's size.
    #[param(required = true, value_type = u64)]
    to: Option<String>,
}

/// The proof that the log of size `to` extends the log of size `from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsistencyProofBody {
    /// The smaller size.
    #[schema(example = 3)]
    pub from: u64,
    /// The larger size.
    #[schema(example = 7)]
    pub to: u64,
    /// The proof's SHA-256 hashes in order (RFC 6962 §2.1.2), each in standard base64;
    /// empty when the sizes are equal.
    #[schema(example = json!(["q6o3o2Yi0wU5CCW0n7rZPRWbMJMQqNqQXyEc5Jn0Rks="]))]
    pub proof: Vec<String>,
}

/// Get a consistency proof between two sizes of the audit log.
///
/// Business rule: the answer proves that the log of size `to` is the log of size `from` with
/// entries appended, nothing changed or removed (RFC 6962 consistency proof). Verify it
/// against the roots of two signed checkpoints (`GET /api/v1/audit/checkpoint`) of those
/// sizes; a witness that keeps the last checkpoint it accepted uses it to accept the next.
/// `from` must be at least 1 and at most `to`, and `to` at most the log's size; a missing or
/// bad parameter is 400 `invalid_parameter` naming it.
///
/// Who may call it: anyone; the proof holds hashes only, no entry and no personal data.
#[utoipa::path(
    get,
    path = "/api/v1/audit/consistency",
    tag = "audit",
    params(ConsistencyParams),
    responses(
        (status = 200, description = "The consistency proof", body = ConsistencyProofBody),
        (status = 400, description = "A missing or bad parameter", body = crate::ErrorBody),
        (status = 503, description = "The database does not answer", body = crate::ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn consistency_proof(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ConsistencyParams>,
) -> Result<Json<ConsistencyProofBody>, ApiError> {
    let from = size_parameter("from", params.from.as_deref())?;
    let to = size_parameter("to", params.to.as_deref())?;
    let proof = state
        .app
        .audit_consistency_proof(from, to)
        .await
        .map_err(|error| match error {
            AppError::Invalid { field, message, .. } => ApiError::invalid_parameter(field, message),
            other => ApiError::from(other),
        })?;
    Ok(Json(ConsistencyProofBody {
        from: proof.from,
        to: proof.to,
        proof: proof
            .proof
            .iter()
            .map(|hash| STANDARD.encode(hash))
            .collect(),
    }))
}

/// A required size parameter: a whole number.
fn size_parameter(name: &str, text: Option<&str>) -> Result<u64, ApiError> {
    let Some(text) = text.map(str::trim).filter(|text| !text.is_empty()) else {
        return Err(ApiError::invalid_parameter(
            name,
            format!("{name} is required: a log size, as a whole number"),
        ));
    };
    text.parse::<u64>().map_err(|_| {
        ApiError::invalid_parameter(
            name,
            format!("{name} {text:?} is not a log size: expected a whole number"),
        )
    })
}
