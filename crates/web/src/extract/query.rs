//! [`ApiQuery`] and [`RecordIdInPath`]: query parameters and path segments.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use bluelamp_app::AppError;
use bluelamp_domain::ids::RecordId;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Query parameters of type `T`. A query string that does not fit `T` (a repeated or
/// malformed parameter) is 400 `invalid_parameter`. Keep `T`'s fields as optional strings and
/// parse them in the handler, so each bad value can be named.
#[derive(Clone, Copy, Debug, Default)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(value)| ApiQuery(value))
            .map_err(|rejection| ApiError::invalid_parameter("query", rejection.body_text()))
    }
}

/// The record id in the `{id}` segment of the path. A segment that is not a record id names
/// no record, so it is answered like an unknown id: 404 `not_found`.
#[derive(Clone, Copy, Debug)]
pub struct RecordIdInPath(pub RecordId);

impl<S: Send + Sync> FromRequestParts<S> for RecordIdInPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(segment) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::invalid_parameter("id", rejection.body_text()))?;
        segment
            .parse::<RecordId>()
            .map(RecordIdInPath)
            .map_err(|_| {
                ApiError::from(AppError::NotFound {
                    what: "record",
                    id: segment,
                })
            })
    }
}
