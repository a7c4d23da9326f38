//! The staff workspace at `/staff`: where contact handlers, officers, investigators,
//! supervisors, analysts and administrators sign in and work. Server-rendered askama pages
//! (`crates/web/templates/staff/`) with the portal's govuk-frontend styles; every page works
//! without JavaScript and down to a phone's width.
//!
//! # Brief overview
//!
//! * `auth` — signing in: password, then the second factor (or its enrolment, with a QR
//!   code), then a session. The session token lives only in one cookie (`bl_staff`, or
//!   `__Host-bl_staff` over HTTPS; `HttpOnly`, `SameSite=Lax`); the application keeps its
//!   SHA-256 and decides every request ([`bluelamp_app::App::authenticate_session`]: idle and
//!   absolute timeouts, disabled accounts). Every form carries a CSRF token derived from the
//!   cookie's secret; the sign-in forms use their own short-lived cookies.
//! * `queue` — the triage queue with each report's NCRS recording clock; breaches are
//!   flagged, and supervisors see how many there are.
//! * `incident` — record an incident reported by phone, at a front counter or in person:
//!   it joins the triage queue like an online report.
//! * `search` and `records` — one search box over people, vehicles, places and events, and
//!   their pages (identifiers, warning markers, links, a timeline), each opened for a
//!   purpose that links carry on.
//! * `work` — "My work": reports allocated to the viewer or their team, most urgent first.
//! * `report` — one report: the purpose of opening it (pre-filled, one click), what the
//!   reporter told us, the THRIVE assessment, the recording decision (a crime with its Home
//!   Office classification and a crime number the system issues, or not a crime),
//!   allocation, tasks and Victims' Code deadlines, messages to the reporter, the outcome,
//!   closing and duplicates.
//! * `reviews` — information managers' MoPI review: the records due, the decision to retain
//!   (with a reason) or dispose of one, and a disposed record's deletion certificate.
//! * `admin` — administrators manage accounts and teams.
//! * `audit` — information managers search the audit log (filters, the purpose of the
//!   search, a CSV download), and open one entry with its inclusion proof checked against the
//!   latest signed checkpoint.
//! * `view` — the chrome and the page structs.
//!
//! Handlers call one `App` use case each and never reach the store; a refused action is
//! audited by the application and shown as "You cannot do that".

mod add_record;
mod admin;
mod audit;
mod auth;
mod cookies;
mod incident;
mod pages;
mod queue;
mod records;
mod report;
mod reviews;
mod search;
mod view;
mod work;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};
use secrecy::SecretString;

use crate::AppState;

/// The largest body of a staff form: 64 KiB.
pub const STAFF_FORM_LIMIT_BYTES: usize = 64 * 1024;

/// How long a second factor handed out for enrolment can be shown again (with the page's
/// error) before the person has to start again.
const ENROLMENT_KEPT_FOR: Duration = Duration::from_secs(10 * 60);

/// How a deployment runs the staff workspace.
#[derive(Clone, Debug)]
pub struct StaffConfig {
    /// Whether the site is served over HTTPS: cookies are then `__Host-` prefixed and
    /// `Secure`.
    pub secure_cookies: bool,
    /// The force's name in the header.
    pub force_name: String,
}

/// A second factor being enrolled: what its page shows, kept until confirmed.
#[derive(Clone)]
struct Enrolment {
    /// The `otpauth://` URI (drawn as the QR code).
    uri: SecretString,
    /// The secret in base 32, for typing in.
    secret: SecretString,
    /// When it was handed out.
    at: Instant,
}

/// The staff workspace's running state.
pub struct Staff {
    config: StaffConfig,
    /// Enrolments in progress, by the SHA-256 (hex) of their pending sign-in token.
    enrolments: Mutex<HashMap<String, Enrolment>>,
}

impl std::fmt::Debug for Staff {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Staff")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Staff {
    /// The workspace of `config`.
    pub fn new(config: StaffConfig) -> Staff {
        Staff {
            config,
            enrolments: Mutex::new(HashMap::new()),
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &StaffConfig {
        &self.config
    }

    fn enrolments(&self) -> MutexGuard<'_, HashMap<String, Enrolment>> {
        self.enrolments
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `enrolment` for the pending sign-in whose token hashes to `key`, forgetting
    /// enrolments older than [`ENROLMENT_KEPT_FOR`].
    fn keep_enrolment(&self, key: String, enrolment: Enrolment) {
        let mut enrolments = self.enrolments();
        enrolments.retain(|_, kept| kept.at.elapsed() < ENROLMENT_KEPT_FOR);
        enrolments.insert(key, enrolment);
    }

    /// The enrolment in progress for `key`, if still kept.
    fn enrolment(&self, key: &str) -> Option<Enrolment> {
        self.enrolments()
            .get(key)
            .filter(|kept| kept.at.elapsed() < ENROLMENT_KEPT_FOR)
            .cloned()
    }

    /// Forgets the enrolment of `key` (confirmed, or abandoned).
    fn forget_enrolment(&self, key: &str) {
        self.enrolments().remove(key);
    }
}

/// The staff routes, under `/staff`.
pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/staff", get(pages::home))
        .route(
            "/staff/sign-in",
            get(auth::sign_in_form).post(auth::sign_in),
        )
        .route(
            "/staff/sign-in/code",
            get(auth::code_form).post(auth::verify_code),
        )
        .route(
            "/staff/sign-in/enrol",
            get(auth::enrol_start).post(auth::enrol_begin),
        )
        .route("/staff/sign-in/enrol/confirm", post(auth::enrol_confirm))
        .route("/staff/sign-out", post(auth::sign_out))
        .route(
            "/staff/account/password",
            get(auth::password_form).post(auth::change_password),
        )
        .route("/staff/queue", get(queue::queue))
        .route("/staff/work", get(work::work))
        .route(
            "/staff/incidents/new",
            get(incident::form).post(incident::record),
        )
        .route("/staff/search", get(search::search))
        .route("/staff/records/{id}", get(records::show))
        .route("/staff/records/{id}/certificate", get(reviews::certificate))
        .route("/staff/records/{id}/handling", post(records::set_handling))
        .route("/staff/reviews", get(reviews::list))
        .route(
            "/staff/reviews/{id}",
            get(reviews::form).post(reviews::decide),
        )
        .route(
            "/staff/records/{id}/add",
            get(add_record::form).post(add_record::add),
        )
        .route("/staff/reports/{reference}", get(report::show))
        .route("/staff/reports/{reference}/{action}", post(report::act))
        .route(
            "/staff/admin/users",
            get(admin::users).post(admin::create_user),
        )
        .route("/staff/admin/users/{id}", get(admin::user))
        .route("/staff/admin/users/{id}/{action}", post(admin::change_user))
        .route(
            "/staff/admin/teams",
            get(admin::teams).post(admin::create_team),
        )
        .route("/staff/audit", get(audit::search))
        .route("/staff/audit/export", get(audit::export))
        .route("/staff/audit/{seq}", get(audit::entry))
        .layer(DefaultBodyLimit::max(STAFF_FORM_LIMIT_BYTES))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::portal::limit_form_posts,
        ))
}

/// Adds `Cache-Control: no-store` (staff pages hold police information) and the cookies.
fn finish(mut response: Response, cookies: Vec<HeaderValue>) -> Response {
    let headers = response.headers_mut();
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Percent-encodes `text` for a query string value.
fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(query_value("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(query_value("investigating-report"), "investigating-report");
    }
}
