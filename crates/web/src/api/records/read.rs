//! `GET /api/v1/records/{id}`.

use axum::Json;
use axum::extract::State;
use bluelamp_domain::record::Record;

use crate::AppState;
use crate::api::schema::RecordSchema;
use crate::error::ApiError;
use crate::extract::{Authenticated, RecordIdInPath, RequiredPurpose};

/// Read a record.
///
/// Business rule: personal data is consulted only for a stated purpose (`X-Purpose` header
/// or `purpose` query parameter); without one the request is 400 `purpose_required`. The
/// consultation is audited with its purpose, and so is a refusal. An unknown id is 404
/// `not_found`.
///
/// Who may call it: staff whose role, force and clearance the policy allows to read this
/// record (officers of the record's force; not administrators, not other forces).
#[utoipa::path(
    get,
    path = "/api/v1/records/{id}",
    tag = "records",
    params(
        ("id" = String, Path, format = Uuid, description = "The record's id"),
        ("purpose" = Option<String>, Query, description = "Why the record is consulted (or send the X-Purpose header)"),
        ("X-Purpose" = Option<String>, Header, description = "Why the record is consulted"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record", body = RecordSchema),
        (status = 400, description = "No purpose was stated", body = crate::ErrorBody),
        (status = 401, description = "No valid bearer token", body = crate::ErrorBody),
        (status = 403, description = "The caller may not read this record", body = crate::ErrorBody),
        (status = 404, description = "No record has this id", body = crate::ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor_id(), record_id = %id))]
pub async fn read_record(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    RecordIdInPath(id): RecordIdInPath,
    RequiredPurpose(purpose): RequiredPurpose,
) -> Result<Json<Record>, ApiError> {
    let record = state.app.read_record(&caller, id, &purpose).await?;
    Ok(Json(record))
}
