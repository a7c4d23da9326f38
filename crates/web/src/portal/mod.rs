//! The citizen portal: report a crime, anti-social behaviour, a driving offence with footage,
//! or give information, and follow a report to its outcome. Server-rendered with askama
//! templates (`crates/web/templates/portal/`) and govuk-frontend styles; every journey works
//! without JavaScript. The routes, steps, field names and button words are the contract in
//! `docs/portal.md`.
//!
//! # Brief overview
//!
//! * [`PortalConfig`] — what a deployment chooses: the blob store for evidence, upload limit,
//!   quick-exit address, session idle time, secure cookies, the force's name, form posts per
//!   client per minute. [`Portal`] holds it with the in-memory session store and the rate
//!   limiter; [`crate::AppState`] carries it.
//! * `session` — a random 256-bit id in one cookie (`bl_session`, or `__Host-bl_session` with
//!   `Secure`); the CSRF token, drafts and the tracking sign-in stay on the server and end
//!   after the idle time. A background sweep ([`Portal::spawn_sweeper`]) removes ended
//!   sessions and deletes the evidence files their unsubmitted drafts uploaded.
//! * `journey`, `draft`, `steps`, `parse`, `submit` — the journeys' steps; one question per
//!   page, checked with GOV.UK-style messages and re-shown with what was typed; a finished
//!   draft becomes the application's `NewReport`, and its refusals go back to their step.
//! * `report`, `upload`, `track`, `pages` — the handlers.
//! * Every `POST` carries the session's `csrf_token` (checked, with the `Origin` when the
//!   browser sends one) and an empty honeypot field `website`; `rate_limit` caps form posts
//!   per client.

mod check;
mod checks;
mod draft;
pub(crate) mod form;
mod journey;
pub(crate) mod pages;
pub(crate) mod parse;
mod rate_limit;
mod report;
pub(crate) mod session;
mod steps;
mod submit;
mod track;
mod upload;
pub(crate) mod view;

use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use bluelamp_evidence::{BlobKey, BlobStore};

pub(crate) use rate_limit::limit_form_posts;

use crate::AppState;
use session::SessionStore;
use view::{Chrome, PORTAL_SERVICE, PRODUCT};

/// The largest body of an ordinary portal form: 64 KiB.
pub const FORM_BODY_LIMIT_BYTES: usize = 64 * 1024;

/// What an upload's body may carry beyond the largest file: the other fields and the
/// multipart framing.
const UPLOAD_OVERHEAD_BYTES: u64 = 4 * 1024 * 1024;

/// How a deployment runs the portal.
#[derive(Clone, Debug)]
pub struct PortalConfig {
    /// Where evidence files are kept.
    pub blobs: BlobStore,
    /// The largest evidence file accepted, in bytes (default 2 GiB).
    pub max_upload_bytes: u64,
    /// Where "Leave this site" goes (default `https://www.bbc.co.uk/weather`).
    pub quick_exit_url: String,
    /// How long a session lasts without a request (default 30 minutes).
    pub session_idle: Duration,
    /// Whether the site is served over HTTPS: the session cookie is then
    /// `__Host-bl_session` with `Secure`.
    pub secure_cookies: bool,
    /// The force's name in the header, e.g. "Leicestershire Police".
    pub force_name: String,
    /// Form posts accepted per client IP address per minute (default 120); more get the
    /// "too many requests" page.
    pub rate_limit_per_minute: u32,
}

impl PortalConfig {
    /// The defaults, with evidence kept in memory (for tests and a quick look; a real
    /// deployment gives a [`BlobStore::local`] directory or an object store).
    pub fn default_in_memory() -> PortalConfig {
        PortalConfig {
            blobs: BlobStore::in_memory(),
            max_upload_bytes: bluelamp_evidence::DEFAULT_MAX_BYTES,
            quick_exit_url: "https://www.bbc.co.uk/weather".to_owned(),
            session_idle: Duration::from_secs(30 * 60),
            secure_cookies: false,
            force_name: "Bluelamp Police".to_owned(),
            rate_limit_per_minute: 120,
        }
    }
}

/// The portal's running state: its configuration, the sessions and the rate limiter.
#[derive(Debug)]
pub struct Portal {
    config: PortalConfig,
    sessions: SessionStore,
    limiter: rate_limit::RateLimiter,
}

impl Portal {
    /// The portal of `config`, with no sessions yet.
    pub fn new(config: PortalConfig) -> Portal {
        Portal {
            sessions: SessionStore::new(config.session_idle, config.secure_cookies),
            limiter: rate_limit::RateLimiter::new(config.rate_limit_per_minute),
            config,
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &PortalConfig {
        &self.config
    }

    /// How many sessions are held (ended ones until the next sweep).
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// Removes ended sessions now and deletes the evidence their unsubmitted drafts
    /// uploaded; forgets ended rate-limit windows. [`Portal::spawn_sweeper`] runs this
    /// every minute.
    pub async fn sweep(&self) {
        let orphans = self.sessions.sweep();
        self.limiter.sweep();
        delete_blobs(&self.config.blobs, orphans).await;
    }

    /// Runs [`Portal::sweep`] every minute (or every quarter of the idle time, if shorter)
    /// on the current tokio runtime, until the portal is dropped. Does nothing outside a
    /// runtime.
    pub fn spawn_sweeper(portal: &Arc<Portal>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let period = (portal.config.session_idle / 4)
            .clamp(Duration::from_millis(100), Duration::from_secs(60));
        let weak: Weak<Portal> = Arc::downgrade(portal);
        runtime.spawn(async move {
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let Some(portal) = weak.upgrade() else {
                    break;
                };
                portal.sweep().await;
            }
        });
    }

    /// Deletes blobs in the background (those of an ended session found on a request).
    fn forget_blobs(&self, keys: Vec<BlobKey>) {
        if keys.is_empty() {
            return;
        }
        let blobs = self.config.blobs.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { delete_blobs(&blobs, keys).await });
        }
    }

    /// The chrome of a page titled `page` within `service`.
    fn chrome(&self, page: &str, service: &str, has_errors: bool) -> Chrome {
        let error = if has_errors { "Error: " } else { "" };
        let title = if page == service {
            format!("{error}{page} – {PRODUCT}")
        } else {
            format!("{error}{page} – {service} – {PRODUCT}")
        };
        Chrome {
            title,
            force_name: self.config.force_name.clone(),
            service: service.to_owned(),
            quick_exit_url: self.config.quick_exit_url.clone(),
            csrf_token: None,
            idle_seconds: None,
        }
    }

    /// The chrome of a page with a form of session `csrf_token` (and the timeout warning).
    fn form_chrome(&self, page: &str, service: &str, has_errors: bool, csrf_token: &str) -> Chrome {
        let mut chrome = self.chrome(page, service, has_errors);
        chrome.csrf_token = Some(csrf_token.to_owned());
        chrome.idle_seconds = Some(self.sessions.idle().as_secs());
        chrome
    }
}

/// Deletes `keys`, logging failures (a blob left behind is found by the store's own
/// housekeeping; it is never reachable from a report).
async fn delete_blobs(blobs: &BlobStore, keys: Vec<BlobKey>) {
    for key in keys {
        if let Err(error) = blobs.delete(&key).await {
            tracing::warn!(key = %key, error = %error, detail = ?error.detail(), "deleting an orphaned evidence file failed");
        }
    }
}

/// Adds the session cookie (when new) and `Cache-Control: no-store` (pages hold answers).
fn finish(mut response: Response, set_cookie: Option<HeaderValue>) -> Response {
    let headers = response.headers_mut();
    if let Some(cookie) = set_cookie {
        headers.append(header::SET_COOKIE, cookie);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A `303 See Other` to `to`.
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Whether the request's `Origin` (or, without one, its `Referer`) names this site. Absent
/// headers and `Origin: null` (sent under `Referrer-Policy: no-referrer`) pass: the CSRF
/// token still has to match.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
    else {
        return true;
    };
    let authority = |url: &str| -> Option<String> {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        Some(rest.split('/').next().unwrap_or(rest).to_ascii_lowercase())
    };
    let host = host.to_ascii_lowercase();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("invalid");
        return origin == "null" || authority(origin).as_deref() == Some(host.as_str());
    }
    if let Some(referer) = headers.get(header::REFERER) {
        let referer = referer.to_str().unwrap_or("invalid");
        return authority(referer).as_deref() == Some(host.as_str());
    }
    true
}

/// Why a post was refused before it reached a handler's work.
enum PostRefusal {
    /// CSRF token or origin wrong, or no session: 403.
    Forbidden,
    /// The honeypot was filled: a neutral page, nothing stored.
    Honeypot,
}

impl Portal {
    /// Checks a form post: same origin, a live session whose token is `token`, and an
    /// empty honeypot. Returns the session id and its token.
    fn check_post(
        &self,
        headers: &HeaderMap,
        token: &str,
        honeypot: &str,
    ) -> Result<(String, String), PostRefusal> {
        if !same_origin(headers) {
            return Err(PostRefusal::Forbidden);
        }
        let (existing, orphans) = self.sessions.existing(headers);
        self.forget_blobs(orphans);
        let Some(id) = existing else {
            return Err(PostRefusal::Forbidden);
        };
        let expected = self
            .sessions
            .with(&id, |session| session.csrf_token.clone())
            .ok_or(PostRefusal::Forbidden)?;
        if token.is_empty() || !session::same_secret(token, &expected) {
            return Err(PostRefusal::Forbidden);
        }
        if !honeypot.trim().is_empty() {
            return Err(PostRefusal::Honeypot);
        }
        Ok((id, expected))
    }

    /// The response to a refused post.
    fn refuse(&self, refusal: &PostRefusal) -> Response {
        match refusal {
            PostRefusal::Forbidden => pages::forbidden(self),
            PostRefusal::Honeypot => pages::neutral_problem(self),
        }
    }
}

/// The portal's routes (everything but `/assets`, the API, health and metrics).
pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = usize::try_from(
        state
            .portal
            .config
            .max_upload_bytes
            .saturating_add(UPLOAD_OVERHEAD_BYTES),
    )
    .unwrap_or(usize::MAX);
    let forms = Router::new()
        .route("/", get(pages::start))
        .route("/privacy", get(pages::privacy))
        .route("/accessibility", get(pages::accessibility))
        .route("/cookies", get(pages::cookies))
        .route("/session/keep-alive", post(pages::keep_alive))
        .route("/report/{journey}", get(report::start_journey))
        .route("/report/{journey}/check", get(report::check_answers))
        .route("/report/{journey}/submit", post(report::submit))
        .route("/report/{journey}/done", get(report::done))
        .route(
            "/report/{journey}/{step}",
            get(report::show_step).post(report::save_step),
        )
        .route("/track", get(track::start).post(track::request_code))
        .route(
            "/track/code",
            get(track::code_form).post(track::verify_code),
        )
        .route("/track/report", get(track::report))
        .route("/track/sign-out", post(track::sign_out))
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT_BYTES));
    let uploads = Router::new()
        .route(
            "/report/{journey}/evidence",
            get(upload::show_evidence).post(upload::receive_evidence),
        )
        .route("/track/report/message", post(track::send_message))
        .layer(DefaultBodyLimit::max(upload_limit));
    forms
        .merge(uploads)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit_form_posts,
        ))
}

/// The chrome of a page outside the journeys.
fn portal_chrome(portal: &Portal, page: &str) -> Chrome {
    portal.chrome(page, PORTAL_SERVICE, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn origin_must_name_this_site_when_given() {
        assert!(same_origin(&headers(&[("host", "portal.example")])));
        assert!(same_origin(&headers(&[
            ("host", "portal.example"),
            ("origin", "https://portal.example")
        ])));
        assert!(same_origin(&headers(&[
            ("host", "portal.example"),
            ("origin", "null")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "portal.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "portal.example"),
            ("referer", "https://evil.example/form")
        ])));
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("referer", "http://127.0.0.1:8080/report/crime/what")
        ])));
    }

    #[test]
    fn titles_name_page_service_and_product() {
        let portal = Portal::new(PortalConfig::default_in_memory());
        let chrome = portal.chrome("When did it happen?", "Report a crime", true);
        assert_eq!(
            chrome.title,
            "Error: When did it happen? – Report a crime – Bluelamp"
        );
    }
}
