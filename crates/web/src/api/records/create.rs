//! `POST /api/v1/records`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bluelamp_app::NewRecord;
use bluelamp_domain::provenance::Channel;

use crate::AppState;
use crate::api::schema::{CreateRecordRequest, RecordSchema};
use crate::error::ApiError;
use crate::extract::{ApiJson, Authenticated};

/// Create a record.
///
/// Business rule: records a new person, object, location or event with its marking, lawful
/// basis and MoPI retention group. The server sets the id, the provenance (channel `api`,
/// who, when) and the next review date; the creation is audited as an s.62 collection. Every
/// value is parsed before anything is stored, so a bad value (422 `invalid_field`, naming the
/// field by its full path, e.g. `record.address.postcode`) stores nothing; a code missing
/// from the reference data is 422 with the application's own code.
///
/// Who may call it: staff whose role the policy allows to create records (officers, not
/// administrators).
#[utoipa::path(
    post,
    path = "/api/v1/records",
    tag = "records",
    request_body = CreateRecordRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The record was created", body = RecordSchema,
         headers(("Location" = String, description = "The URL of the new record"))),
        (status = 400, description = "The body is not JSON", body = crate::ErrorBody),
        (status = 401, description = "No valid bearer token", body = crate::ErrorBody),
        (status = 403, description = "The caller may not create records", body = crate::ErrorBody),
        (status = 413, description = "The body is over 1 MiB", body = crate::ErrorBody),
        (status = 415, description = "The body is not declared as JSON", body = crate::ErrorBody),
        (status = 422, description = "A field has a bad value; `field` names it", body = crate::ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor_id(), record_id))]
pub async fn create_record(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    ApiJson(request): ApiJson<CreateRecordRequest>,
) -> Result<Response, ApiError> {
    let body = super::body::parse_record_body(request.record)?;
    let input = NewRecord {
        marking: request.marking,
        lawful_basis: request.lawful_basis,
        retention_group: request.retention_group,
        clear_period_start: request.clear_period_start,
        channel: Channel::Api,
        body,
    };
    let record = state.app.create_record(&caller, input).await?;
    tracing::Span::current().record("record_id", tracing::field::display(&record.id));
    let location = super::record_path(&record.id);
    let mut response = (StatusCode::CREATED, Json(record)).into_response();
    if let Ok(value) = HeaderValue::try_from(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}
