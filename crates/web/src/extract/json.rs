//! [`ApiJson`]: a JSON body parsed into domain types, with the path of the field at fault.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::API_BODY_LIMIT_BYTES;
use crate::error::{ApiError, ApiErrorKind};

/// A JSON request body of type `T`.
///
/// Unlike `axum::Json`, every rejection is an [`ApiError`]:
/// * a body not declared as JSON → 415 `unsupported_media_type`;
/// * a body over the limit → 413 `payload_too_large`;
/// * bytes that are not JSON → 400 `malformed_json`;
/// * JSON whose values do not parse into `T` (a bad postcode, a missing field) → 422
///   `invalid_field` naming the field by its dotted path, e.g. `record.address.postcode`.
///
/// Parsing happens before the handler runs, so a rejected body never reaches the
/// application and nothing is stored.
#[derive(Clone, Copy, Debug, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json_content_type(request.headers()) {
            return Err(ApiError::new(ApiErrorKind::UnsupportedMediaType));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(ApiErrorKind::PayloadTooLarge {
                        limit_bytes: API_BODY_LIMIT_BYTES,
                    })
                } else {
                    ApiError::new(ApiErrorKind::UnreadableBody)
                }
            })?;
        parse_json_body(&bytes).map(ApiJson)
    }
}

/// Parses `bytes` as a `T`, classifying failures as malformed JSON (400) or an invalid field
/// (422, with the field's path).
pub(crate) fn parse_json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| classify_body_error(&error, ""))?;
    deserializer
        .end()
        .map_err(|trailing| malformed_json(&trailing))?;
    Ok(value)
}

/// A JSON deserialisation failure as an [`ApiError`]: malformed JSON, or an invalid field
/// named by its path, with `prefix` (the path of the value that was deserialised, e.g.
/// `record`) put before it; an empty prefix for the whole body.
pub(crate) fn classify_body_error(
    error: &serde_path_to_error::Error<serde_json::Error>,
    prefix: &str,
) -> ApiError {
    let inner = error.inner();
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => malformed_json(inner),
        Category::Data => {
            let message = message_without_position(inner);
            let relative = field_at_fault(&error.path().to_string(), &message);
            let field = match (prefix, relative) {
                ("", relative) => relative,
                (prefix, None) => Some(prefix.to_owned()),
                (prefix, Some(relative)) if relative.starts_with('[') => {
                    Some(format!("{prefix}{relative}"))
                }
                (prefix, Some(relative)) => Some(format!("{prefix}.{relative}")),
            };
            ApiError::new(ApiErrorKind::InvalidField { field, message })
        }
    }
}

fn malformed_json(error: &serde_json::Error) -> ApiError {
    ApiError::new(ApiErrorKind::MalformedJson {
        message: message_without_position(error).to_lowercase(),
    })
}

/// serde_json appends " at line L column C" to its messages; the position says nothing
/// about which field is wrong, so it is dropped (the field path says that).
pub(crate) fn message_without_position(error: &serde_json::Error) -> String {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    match full.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => full,
    }
}

/// The dotted path of the field at fault. For a missing field, serde reports the path of the
/// enclosing object; the field itself is named in the message, so it is appended. (An
/// unknown field's path already ends with its name.)
fn field_at_fault(path: &str, message: &str) -> Option<String> {
    let named_field = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (path, named_field) {
        (".", Some(name)) => Some(name.to_owned()),
        (".", None) => None,
        (enclosing, Some(name)) => Some(format!("{enclosing}.{name}")),
        (enclosing, None) => Some(enclosing.to_owned()),
    }
}

/// `application/json` or any `application/*+json`, with or without parameters.
fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be parsed")]
    struct Outer {
        inner: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be parsed")]
    struct Inner {
        count: u32,
        items: Vec<u8>,
    }

    fn error_of(body: &str) -> ApiError {
        parse_json_body::<Outer>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn bad_value_names_its_path() {
        let error = error_of(r#"{"inner": {"count": "x", "items": []}}"#);
        assert_eq!(error.code(), "invalid_field");
        assert_eq!(error.field(), Some("inner.count"));
        assert_eq!(
            error.public_message(),
            r#"invalid type: string "x", expected u32"#
        );
    }

    #[test]
    fn bad_array_item_names_its_index() {
        let error = error_of(r#"{"inner": {"count": 1, "items": [1, 300]}}"#);
        assert_eq!(error.field(), Some("inner.items[1]"));
    }

    #[test]
    fn missing_and_unknown_fields_are_named() {
        assert_eq!(
            error_of(r#"{"inner": {"count": 1}}"#).field(),
            Some("inner.items")
        );
        assert_eq!(error_of("{}").field(), Some("inner"));
        assert_eq!(
            error_of(r#"{"inner": {"count": 1, "items": [], "extra": 2}}"#).field(),
            Some("inner.extra")
        );
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        for body in [
            "{",
            "not json",
            r#"{"inner": }"#,
            r#"{"inner": {"count": 1, "items": []}} trailing"#,
            "",
        ] {
            let error = error_of(body);
            assert_eq!(error.code(), "malformed_json", "{body}");
            assert_eq!(error.field(), None);
        }
    }

    #[test]
    fn json_content_types() {
        let accepts = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            is_json_content_type(&headers)
        };
        assert!(accepts("application/json"));
        assert!(accepts("Application/JSON; charset=utf-8"));
        assert!(accepts("application/merge-patch+json"));
        assert!(!accepts("text/plain"));
        assert!(!accepts("application/x-www-form-urlencoded"));
        assert!(!is_json_content_type(&HeaderMap::new()));
    }
}
