//! `GET /api/v1/records`.

use axum::Json;
use axum::extract::State;
use bluelamp_app::ListQuery;
use bluelamp_app::records::MAX_PAGE;
use bluelamp_domain::ids::{RecordId, RecordKind};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::api::schema::RecordPage;
use crate::error::ApiError;
use crate::extract::{ApiQuery, Authenticated, RequiredPurpose};

/// Records in a page when `limit` is not given.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// The query parameters of the record list (the purpose is read separately).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListRecordsParams {
    /// Only records of this kind: `person`, `object`, `location` or `event`.
    kind: Option<String>,
    /// Only records created after the record with this id (the previous page's `next_after`).
    #[param(format = Uuid)]
    after: Option<String>,
    /// At most this many records (1 to 500; default 50).
    limit: Option<String>,
    /// Why the records are consulted (or send the X-Purpose header).
    #[expect(
        dead_code,
        reason = "declared for the OpenAPI document; read by the RequiredPurpose extractor"
    )]
    purpose: Option<String>,
}

/// List records.
///
/// Business rule: records come in creation order, a page at a time (`limit`, default 50, at
/// most 500; pass the page's `next_after` as `after` for the next), optionally of one `kind`,
/// for a stated purpose (400 `purpose_required` without one). Only records the caller may
/// read are returned, and the consultation is audited naming each of them. A bad parameter
/// is 400 `invalid_parameter` naming it.
///
/// Who may call it: staff whose role the policy allows to list records (officers; not
/// administrators).
#[utoipa::path(
    get,
    path = "/api/v1/records",
    tag = "records",
    params(
        ListRecordsParams,
        ("X-Purpose" = Option<String>, Header, description = "Why the records are consulted"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of records", body = RecordPage),
        (status = 400, description = "No purpose, or a bad parameter", body = crate::ErrorBody),
        (status = 401, description = "No valid bearer token", body = crate::ErrorBody),
        (status = 403, description = "The caller may not list records", body = crate::ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor_id(), returned))]
pub async fn list_records(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    RequiredPurpose(purpose): RequiredPurpose,
    ApiQuery(params): ApiQuery<ListRecordsParams>,
) -> Result<Json<RecordPage>, ApiError> {
    let query = list_query(&params)?;
    let page = state.app.list_records(&caller, query, &purpose).await?;
    tracing::Span::current().record("returned", page.records.len());
    Ok(Json(RecordPage {
        records: page.records,
        next_after: page.next_after,
    }))
}

/// Parses each parameter, naming the one at fault.
fn list_query(params: &ListRecordsParams) -> Result<ListQuery, ApiError> {
    let kind = match non_empty(params.kind.as_deref()) {
        None => None,
        Some(text) => Some(text.parse::<RecordKind>().map_err(|_| {
            ApiError::invalid_parameter(
                "kind",
                format!("unknown record kind {text:?}: expected person, object, location or event"),
            )
        })?),
    };
    let after = match non_empty(params.after.as_deref()) {
        None => None,
        Some(text) => Some(text.parse::<RecordId>().map_err(|_| {
            ApiError::invalid_parameter("after", format!("{text:?} is not a record id"))
        })?),
    };
    let limit = match non_empty(params.limit.as_deref()) {
        None => DEFAULT_PAGE_SIZE,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=MAX_PAGE).contains(limit))
            .ok_or_else(|| {
                ApiError::invalid_parameter(
                    "limit",
                    format!("limit {text:?} is not a whole number from 1 to {MAX_PAGE}"),
                )
            })?,
    };
    Ok(ListQuery { kind, after, limit })
}

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}
