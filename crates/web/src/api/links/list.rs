//! `GET /api/v1/records/{id}/links`.

use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::api::schema::LinkList;
use crate::error::ApiError;
use crate::extract::{Authenticated, RecordIdInPath, RequiredPurpose};

/// List the links of a record.
///
/// Business rule: every link with the record at either end, for a stated purpose (400
/// `purpose_required` without one). The links of a record are as sensitive as the record,
/// so the same policy decides; the consultation is audited naming the record and every
/// linked record. An unknown record is 404 `not_found`.
///
/// Who may call it: staff whom the policy allows to read the record's links (officers of
/// its force; not administrators).
#[utoipa::path(
    get,
    path = "/api/v1/records/{id}/links",
    tag = "links",
    params(
        ("id" = String, Path, format = Uuid, description = "The record's id"),
        ("purpose" = Option<String>, Query, description = "Why the links are consulted (or send the X-Purpose header)"),
        ("X-Purpose" = Option<String>, Header, description = "Why the links are consulted"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record's links", body = LinkList),
        (status = 400, description = "No purpose was stated", body = crate::ErrorBody),
        (status = 401, description = "No valid bearer token", body = crate::ErrorBody),
        (status = 403, description = "The caller may not read this record", body = crate::ErrorBody),
        (status = 404, description = "No record has this id", body = crate::ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor_id(), record_id = %id, returned))]
pub async fn list_links_of_record(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    RecordIdInPath(id): RecordIdInPath,
    RequiredPurpose(purpose): RequiredPurpose,
) -> Result<Json<LinkList>, ApiError> {
    let links = state.app.links_of(&caller, id, &purpose).await?;
    tracing::Span::current().record("returned", links.len());
    Ok(Json(LinkList { links }))
}
