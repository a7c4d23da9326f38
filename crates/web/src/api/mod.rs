//! The JSON API under `/api/v1`.
//!
//! Every endpoint but the checkpoint and the OpenAPI document needs a bearer token; every
//! endpoint that consults personal data needs a purpose. Errors are [`ApiError`]s, including
//! for unknown routes and methods under `/api`.

pub mod audit;
pub mod links;
mod openapi;
pub mod records;
pub mod reports;
pub mod schema;

use axum::Router;
use axum::extract::OriginalUri;
use axum::http::{HeaderValue, Method, header};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::error::{ApiError, ApiErrorKind};

pub use openapi::openapi;

/// The path prefix of version 1 of the API, as clients see it.
pub const API_V1: &str = "/api/v1";

/// The API's routes, to be nested under `/api`.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/records",
            post(records::create::create_record).get(records::list::list_records),
        )
        .route("/v1/records/{id}", get(records::read::read_record))
        .route(
            "/v1/records/{id}/links",
            get(links::list::list_links_of_record),
        )
        .route("/v1/links", post(links::create::create_link))
        .route(
            "/v1/reports/{reference}/updates",
            post(reports::update::update_report),
        )
        .route(
            "/v1/audit/checkpoint",
            get(audit::checkpoint::latest_checkpoint),
        )
        .route(
            "/v1/audit/consistency",
            get(audit::consistency::consistency_proof),
        )
        .route("/v1/openapi.json", get(openapi::openapi_document))
        .fallback(api_route_not_found)
        .method_not_allowed_fallback(api_method_not_allowed)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// A path under `/api` that no endpoint serves: 404 `not_found`.
#[tracing::instrument(skip_all)]
async fn api_route_not_found(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::new(ApiErrorKind::RouteNotFound {
        path: uri.path().to_owned(),
    })
}

/// A method an endpoint does not serve: 405 `method_not_allowed`.
#[tracing::instrument(skip_all)]
async fn api_method_not_allowed(method: Method) -> ApiError {
    ApiError::new(ApiErrorKind::MethodNotAllowed {
        method: method.to_string(),
    })
}
