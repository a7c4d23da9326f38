//! `POST /api/v1/links`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use bluelamp_app::NewLink;
use bluelamp_domain::link::Link;

use crate::AppState;
use crate::api::schema::{CreateLinkRequest, LinkSchema};
use crate::error::ApiError;
use crate::extract::{ApiJson, Authenticated};

/// Link two records.
///
/// Business rule: joins two existing records with a role (victim, witness, suspect, owner,
/// occurred at, …) that fits their kinds, optionally bounded in time; audited as an s.62
/// collection naming both records. A record that does not exist, or a role that does not
/// fit, is 422 naming `from`, `to` or `role`; a bad value is 422 `invalid_field` naming it.
/// Nothing is stored when the link is refused.
///
/// Who may call it: staff whose role the policy allows to create links (officers; not
/// administrators).
#[utoipa::path(
    post,
    path = "/api/v1/links",
    tag = "links",
    request_body = CreateLinkRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The link was created", body = LinkSchema),
        (status = 400, description = "The body is not JSON", body = crate::ErrorBody),
        (status = 401, description = "No valid bearer token", body = crate::ErrorBody),
        (status = 403, description = "The caller may not create links", body = crate::ErrorBody),
        (status = 413, description = "The body is over 1 MiB", body = crate::ErrorBody),
        (status = 415, description = "The body is not declared as JSON", body = crate::ErrorBody),
        (status = 422, description = "A field has a bad value, a record does not exist or the role does not fit; `field` names it", body = crate::ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor_id(), from = %request.from, to = %request.to))]
pub async fn create_link(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    ApiJson(request): ApiJson<CreateLinkRequest>,
) -> Result<(StatusCode, Json<Link>), ApiError> {
    let input = NewLink {
        from: request.from,
        to: request.to,
        role: request.role,
        valid_from: request.valid_from,
        valid_to: request.valid_to,
    };
    let link = state.app.link_records(&caller, input).await?;
    Ok((StatusCode::CREATED, Json(link)))
}
