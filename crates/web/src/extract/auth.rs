//! [`Authenticated`]: the principal behind a request's bearer token.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use bluelamp_app::{AppError, Principal};

use crate::AppState;
use crate::error::{ApiError, ApiErrorKind};

/// The authenticated caller of an API endpoint, from `Authorization: Bearer <token>`.
///
/// A missing header, another scheme, or a token the application does not accept is answered
/// with 401 `unauthenticated` and `WWW-Authenticate: Bearer` before the handler runs.
#[derive(Clone, Debug)]
pub struct Authenticated(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token =
            bearer_token(parts).ok_or_else(|| ApiError::new(ApiErrorKind::MissingBearerToken))?;
        match state.app.authenticate(token).await {
            Ok(principal) => Ok(Authenticated(principal)),
            Err(AppError::Unauthenticated) => Err(ApiError::new(ApiErrorKind::InvalidBearerToken)),
            Err(other) => Err(ApiError::from(other)),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    fn token_of(value: Option<&'static str>) -> Option<String> {
        let mut builder = Request::builder();
        if let Some(value) = value {
            builder = builder.header(header::AUTHORIZATION, value);
        }
        let (parts, ()) = builder.body(()).unwrap().into_parts();
        bearer_token(&parts).map(str::to_owned)
    }

    #[test]
    fn reads_bearer_tokens_only() {
        assert_eq!(token_of(Some("Bearer abc")).as_deref(), Some("abc"));
        assert_eq!(token_of(Some("bearer  abc ")).as_deref(), Some("abc"));
        assert_eq!(token_of(Some("Basic abc")), None);
        assert_eq!(token_of(Some("Bearer ")), None);
        assert_eq!(token_of(Some("Bearer")), None);
        assert_eq!(token_of(None), None);
    }
}
