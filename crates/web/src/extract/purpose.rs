//! [`RequiredPurpose`]: why personal data is being consulted.

use axum::extract::{FromRequestParts, Query};
use axum::http::HeaderName;
use axum::http::request::Parts;
use bluelamp_app::AppError;
use bluelamp_domain::values::Purpose;
use serde::Deserialize;

use crate::error::ApiError;

/// The header that states the purpose of a consultation.
pub const PURPOSE_HEADER: HeaderName = HeaderName::from_static("x-purpose");

/// The stated purpose of a request that consults personal data: the `X-Purpose` header, or
/// else the `purpose` query parameter.
///
/// Every consultation of personal data is recorded with its purpose, so a request without
/// one is refused with 400 `purpose_required` (field `purpose`) before the application is
/// called; a purpose that does not parse is 400 `invalid_parameter`.
#[derive(Clone, Debug)]
pub struct RequiredPurpose(pub Purpose);

#[derive(Deserialize)]
struct PurposeQuery {
    purpose: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for RequiredPurpose {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let stated = stated_purpose(parts)?;
        let Some(text) = stated.filter(|text| !text.trim().is_empty()) else {
            return Err(ApiError::from(AppError::PurposeRequired));
        };
        Purpose::parse(&text)
            .map(RequiredPurpose)
            .map_err(|error| ApiError::invalid_parameter("purpose", error.to_string()))
    }
}

fn stated_purpose(parts: &Parts) -> Result<Option<String>, ApiError> {
    if let Some(value) = parts.headers.get(PURPOSE_HEADER) {
        let text = value.to_str().map_err(|_| {
            ApiError::invalid_parameter("purpose", "the x-purpose header must be visible ascii")
        })?;
        return Ok(Some(text.to_owned()));
    }
    let Query(query) = Query::<PurposeQuery>::try_from_uri(&parts.uri)
        .map_err(|rejection| ApiError::invalid_parameter("purpose", rejection.body_text()))?;
    Ok(query.purpose)
}
