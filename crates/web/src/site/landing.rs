//! `GET /` and its stylesheet.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

/// The landing page. Static, so it needs no escaping; it loads nothing from elsewhere and runs
/// no script, as the Content-Security-Policy demands.
const LANDING_PAGE: &str = include_str!("landing.html");

/// The site's one stylesheet (the skip link needs it to stay hidden until focused).
const STYLESHEET: &str = include_str!("bluelamp.css");

/// Show the landing page.
///
/// Business rule: says what this server is, with links to the API document and the health
/// check; it shows nothing about any record.
///
/// Who may call it: anyone.
#[tracing::instrument(skip_all)]
pub async fn landing_page() -> Html<&'static str> {
    Html(LANDING_PAGE)
}

/// Serve the stylesheet of the server-rendered pages.
///
/// Who may call it: anyone.
#[tracing::instrument(skip_all)]
pub async fn stylesheet() -> Response {
    let mut response = STYLESHEET.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    response
}
