//! The one error type of the HTTP layer, and the one place where errors become responses.
//!
//! Every handler and extractor returns [`ApiError`]. Its [`IntoResponse`] impl is the only code
//! in the crate that chooses an error status, and every error body has the same shape:
//!
//! ```json
//! { "error": { "code": "invalid_field", "message": "…", "field": "record.address.postcode" } }
//! ```
//!
//! Codes are stable snake_case strings that clients may match on; messages are lowercase and
//! specific; `field` names the part of the request at fault, or is `null`. Server errors (5xx)
//! never reveal their cause: it is logged with the request's span instead.

use std::panic::Location;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bluelamp_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// An error answered to an HTTP client: either a refusal of the application layer
/// ([`AppError`]) or a problem with the request itself. Create one with `?` from an
/// [`AppError`] or with the constructors below; the source location is kept for the logs.
#[derive(Debug)]
pub struct ApiError {
    kind: ApiErrorKind,
    location: &'static Location<'static>,
}

/// What went wrong. The variants are the error contract of the API; each has a stable code
/// (see [`ApiError::code`]).
#[derive(Debug, thiserror::Error)]
pub enum ApiErrorKind {
    /// The application layer refused or failed; its own code is used.
    #[error(transparent)]
    App(AppError),
    /// No `Authorization: Bearer …` header was sent (code `unauthenticated`, 401).
    #[error("missing bearer token: send an authorization header of the form `bearer <token>`")]
    MissingBearerToken,
    /// The bearer token is unknown or its account is disabled (code `unauthenticated`, 401).
    #[error("the bearer token is not valid")]
    InvalidBearerToken,
    /// The body is not syntactically valid JSON (code `malformed_json`, 400).
    #[error("malformed json: {message}")]
    MalformedJson {
        /// What the parser said, without the position suffix.
        message: String,
    },
    /// A field of the JSON body has a bad value (code `invalid_field`, 422).
    #[error("{message}")]
    InvalidField {
        /// Dotted path of the field at fault, e.g. `record.address.postcode`; `None` when the
        /// body as a whole has the wrong shape.
        field: Option<String>,
        /// What is wrong with it.
        message: String,
    },
    /// A query parameter, header or path segment has a bad value (code `invalid_parameter`,
    /// 400).
    #[error("{message}")]
    InvalidParameter {
        /// The parameter at fault, e.g. `limit`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The body is not declared as JSON (code `unsupported_media_type`, 415).
    #[error("the request body must be json: send `content-type: application/json`")]
    UnsupportedMediaType,
    /// The body is larger than the API accepts (code `payload_too_large`, 413).
    #[error("the request body is larger than the limit of {limit_bytes} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit_bytes: usize,
    },
    /// The body could not be read from the connection (code `bad_request`, 400).
    #[error("the request body could not be read")]
    UnreadableBody,
    /// The audit log has no signed checkpoint yet (code `not_found`, 404).
    #[error("no checkpoint of the audit log has been written yet")]
    NoCheckpointYet,
    /// No route matches the path (code `not_found`, 404).
    #[error("no such endpoint: {path}")]
    RouteNotFound {
        /// The path asked for.
        path: String,
    },
    /// The route exists but not for this method (code `method_not_allowed`, 405).
    #[error("method {method} is not allowed on this endpoint")]
    MethodNotAllowed {
        /// The method used.
        method: String,
    },
}

/// The JSON body of every error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// One error: a stable code, a specific message and the field at fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `invalid_field`, `purpose_required`, `forbidden`.
    #[schema(example = "invalid_field")]
    pub code: String,
    /// Lowercase, specific, human-readable message.
    #[schema(example = "invalid postcode")]
    pub message: String,
    /// Dotted path of the field or parameter at fault, e.g. `record.address.postcode`, or
    /// `null` when the error concerns no single field.
    #[schema(example = "record.address.postcode")]
    pub field: Option<String>,
}

impl ApiError {
    /// An error of this kind raised here.
    #[track_caller]
    pub fn new(kind: ApiErrorKind) -> ApiError {
        ApiError {
            kind,
            location: Location::caller(),
        }
    }

    /// A bad field in the JSON body (422 `invalid_field`).
    #[track_caller]
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::new(ApiErrorKind::InvalidField {
            field: Some(field.into()),
            message: message.into(),
        })
    }

    /// A bad query parameter, header or path segment (400 `invalid_parameter`).
    #[track_caller]
    pub fn invalid_parameter(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::new(ApiErrorKind::InvalidParameter {
            field: field.into(),
            message: message.into(),
        })
    }

    /// What went wrong.
    pub fn kind(&self) -> &ApiErrorKind {
        &self.kind
    }

    /// Where in this crate the error was raised (for the logs).
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match &self.kind {
            ApiErrorKind::App(app_error) => match app_error {
                AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
                AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
                AppError::PurposeRequired => StatusCode::BAD_REQUEST,
                AppError::NotFound { .. } => StatusCode::NOT_FOUND,
                AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Conflict { .. } => StatusCode::CONFLICT,
                AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiErrorKind::MissingBearerToken | ApiErrorKind::InvalidBearerToken => {
                StatusCode::UNAUTHORIZED
            }
            ApiErrorKind::MalformedJson { .. }
            | ApiErrorKind::InvalidParameter { .. }
            | ApiErrorKind::UnreadableBody => StatusCode::BAD_REQUEST,
            ApiErrorKind::InvalidField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiErrorKind::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiErrorKind::RouteNotFound { .. } | ApiErrorKind::NoCheckpointYet => {
                StatusCode::NOT_FOUND
            }
            ApiErrorKind::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    /// The stable, snake_case code clients match on.
    pub fn code(&self) -> &'static str {
        match &self.kind {
            ApiErrorKind::App(app_error) => app_error.code(),
            ApiErrorKind::MissingBearerToken | ApiErrorKind::InvalidBearerToken => {
                "unauthenticated"
            }
            ApiErrorKind::MalformedJson { .. } => "malformed_json",
            ApiErrorKind::InvalidField { .. } => "invalid_field",
            ApiErrorKind::InvalidParameter { .. } => "invalid_parameter",
            ApiErrorKind::UnsupportedMediaType => "unsupported_media_type",
            ApiErrorKind::PayloadTooLarge { .. } => "payload_too_large",
            ApiErrorKind::UnreadableBody => "bad_request",
            ApiErrorKind::RouteNotFound { .. } | ApiErrorKind::NoCheckpointYet => "not_found",
            ApiErrorKind::MethodNotAllowed { .. } => "method_not_allowed",
        }
    }

    /// The field or parameter at fault, when one is.
    pub fn field(&self) -> Option<&str> {
        match &self.kind {
            ApiErrorKind::App(app_error) => app_error.field(),
            ApiErrorKind::InvalidField { field, .. } => field.as_deref(),
            ApiErrorKind::InvalidParameter { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The message shown to the client. Server errors get a fixed message: their cause is
    /// for the logs only.
    pub fn public_message(&self) -> String {
        match &self.kind {
            ApiErrorKind::App(AppError::Internal(_)) => "internal error".to_owned(),
            ApiErrorKind::App(AppError::Unavailable(_)) => {
                "the service is temporarily unavailable; try again later".to_owned()
            }
            ApiErrorKind::App(AppError::Invalid { message, .. }) => message.clone(),
            other => other.to_string(),
        }
    }

    /// The JSON body for this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.public_message(),
                field: self.field().map(str::to_owned),
            },
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.kind.fmt(formatter)
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

impl From<AppError> for ApiError {
    #[track_caller]
    fn from(error: AppError) -> Self {
        ApiError::new(ApiErrorKind::App(error))
    }
}

impl From<ApiErrorKind> for ApiError {
    #[track_caller]
    fn from(kind: ApiErrorKind) -> Self {
        ApiError::new(kind)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        let location = self.location;
        if status.is_server_error() {
            tracing::error!(
                code,
                status = status.as_u16(),
                error = %self.kind,
                at = %location,
                "request failed"
            );
        } else {
            tracing::info!(
                code,
                status = status.as_u16(),
                field = self.field(),
                at = %location,
                "request rejected"
            );
        }
        let mut response = (status, axum::Json(self.body())).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(error: AppError) -> ApiError {
        ApiError::from(error)
    }

    /// The error contract: every variant's status, code and field.
    #[test]
    fn each_error_has_its_status_code_and_field() {
        let cases: Vec<(ApiError, u16, &str, Option<&str>)> = vec![
            (app(AppError::Unauthenticated), 401, "unauthenticated", None),
            (
                app(AppError::Forbidden {
                    action: "record.read",
                }),
                403,
                "forbidden",
                None,
            ),
            (
                app(AppError::PurposeRequired),
                400,
                "purpose_required",
                Some("purpose"),
            ),
            (
                app(AppError::NotFound {
                    what: "record",
                    id: "x".to_owned(),
                }),
                404,
                "not_found",
                None,
            ),
            (
                app(AppError::invalid(
                    "retention_group",
                    "unknown_code",
                    "no group 9",
                )),
                422,
                "unknown_code",
                Some("retention_group"),
            ),
            (
                app(AppError::Conflict {
                    what: "staff account",
                    id: "x".to_owned(),
                }),
                409,
                "conflict",
                None,
            ),
            (
                app(AppError::Unavailable("pool timed out".to_owned())),
                503,
                "unavailable",
                None,
            ),
            (
                app(AppError::Internal("corrupt row 7".to_owned())),
                500,
                "internal",
                None,
            ),
            (
                ApiError::new(ApiErrorKind::MissingBearerToken),
                401,
                "unauthenticated",
                None,
            ),
            (
                ApiError::new(ApiErrorKind::InvalidBearerToken),
                401,
                "unauthenticated",
                None,
            ),
            (
                ApiError::new(ApiErrorKind::MalformedJson {
                    message: "eof".to_owned(),
                }),
                400,
                "malformed_json",
                None,
            ),
            (
                ApiError::invalid_field("record.vrm", "bad"),
                422,
                "invalid_field",
                Some("record.vrm"),
            ),
            (
                ApiError::invalid_parameter("limit", "bad"),
                400,
                "invalid_parameter",
                Some("limit"),
            ),
            (
                ApiError::new(ApiErrorKind::UnsupportedMediaType),
                415,
                "unsupported_media_type",
                None,
            ),
            (
                ApiError::new(ApiErrorKind::PayloadTooLarge { limit_bytes: 1 }),
                413,
                "payload_too_large",
                None,
            ),
            (
                ApiError::new(ApiErrorKind::UnreadableBody),
                400,
                "bad_request",
                None,
            ),
            (
                ApiError::new(ApiErrorKind::NoCheckpointYet),
                404,
                "not_found",
                None,
            ),
            (
                ApiError::new(ApiErrorKind::RouteNotFound {
                    path: "/api/x".to_owned(),
                }),
                404,
                "not_found",
                None,
            ),
            (
                ApiError::new(ApiErrorKind::MethodNotAllowed {
                    method: "PUT".to_owned(),
                }),
                405,
                "method_not_allowed",
                None,
            ),
        ];
        for (error, status, code, field) in cases {
            assert_eq!(error.status().as_u16(), status, "{error:?}");
            assert_eq!(error.code(), code, "{error:?}");
            assert_eq!(error.field(), field, "{error:?}");
        }
    }

    #[test]
    fn server_errors_never_show_their_cause() {
        for error in [
            app(AppError::Internal(
                "corrupt row 7 in /var/lib/bluelamp".to_owned(),
            )),
            app(AppError::Unavailable(
                "connection refused to 10.0.0.5".to_owned(),
            )),
        ] {
            let message = error.body().error.message;
            assert!(
                !message.contains("row 7") && !message.contains("10.0.0.5"),
                "{message}"
            );
        }
    }

    #[test]
    fn unauthorised_responses_ask_for_a_bearer_token() {
        let response = ApiError::new(ApiErrorKind::MissingBearerToken).into_response();
        assert_eq!(
            response.headers().get(header::WWW_AUTHENTICATE).unwrap(),
            "Bearer"
        );
        let forbidden = app(AppError::Forbidden {
            action: "record.read",
        })
        .into_response();
        assert!(forbidden.headers().get(header::WWW_AUTHENTICATE).is_none());
    }

    #[test]
    fn the_location_is_where_the_error_was_raised() {
        let error = ApiError::new(ApiErrorKind::UnreadableBody);
        assert_eq!(error.location().file(), file!());
    }
}
