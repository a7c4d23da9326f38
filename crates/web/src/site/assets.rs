//! `GET /assets/{file}`.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The portal's stylesheet: govuk-frontend without the GOV.UK brand, plus Bluelamp's own
/// header, quick exit and timeline. It refers to no other file.
const STYLESHEET: &str = include_str!("../../assets/bluelamp.css");

/// The portal's script: quick exit, error summary focus, the session-timeout warning.
const SCRIPT: &str = include_str!("../../assets/bluelamp.js");

/// govuk-frontend's MIT licence, whose styles the stylesheet contains.
const GOVUK_FRONTEND_LICENCE: &str = include_str!("../../assets/govuk-frontend-LICENSE.txt");

/// Serve one of the site's static files; 404 for any other name.
///
/// Who may call it: anyone. The files change only with a new build, so browsers may keep
/// them for an hour.
#[tracing::instrument(skip_all)]
pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, content_type) = match file.as_str() {
        "bluelamp.css" => (STYLESHEET, "text/css; charset=utf-8"),
        "bluelamp.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        "govuk-frontend-LICENSE.txt" => (GOVUK_FRONTEND_LICENCE, "text/plain; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}
