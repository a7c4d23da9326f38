//! The route sweep: every route the web crate declares is called as nobody, as every staff
//! role signed in with both factors, and (for the API) with every role's bearer token, and
//! each must let the caller in or refuse them exactly as the table below says: no insecure
//! direct object reference, no page that forgets its check.
//!
//! The routes are read from the routers' own source (every `.route("…", get(…).post(…))` in
//! `crates/web/src`, the API's under `/api`), so a route added without a line in the table
//! fails [`the_sweep_covers_every_declared_route`] rather than escaping the sweep.
//!
//! Every answer, whoever asked, carries the security headers (a Content-Security-Policy with no
//! inline script and no framing, HSTS, nosniff), and no `GET` changes state: the only audit
//! entries a `GET` may add are consultations and refusals.
//!
//! "Let in" means the answer is not 401, not 403, not a redirect to the sign-in page and not a
//! server error (a 400 for a bad field still shows the check was passed); "refused" means 403
//! for a signed-in caller or a bearer token, and for nobody the sign-in redirect (pages) or 401
//! (API).

use std::collections::BTreeSet;
use std::path::Path;

use bluelamp_app::{NewStaff, Principal};
use bluelamp_policy::Role;
use serde_json::json;

use crate::helpers::{Citizen, FORCE, Page, PortalApp};
use crate::staff::{account, first_sign_in, reported};

/// Who may call a route.
#[derive(Clone, Copy)]
enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in member of staff; nobody is sent to sign in.
    SignedIn,
    /// Signed-in staff of these roles; other roles 403; nobody is sent to sign in.
    Staff(fn(Role) -> bool),
    /// A bearer token of these roles; other roles 403; no token 401.
    Api(fn(Role) -> bool),
    /// A step of staff sign-in: open to anyone, its own rules (wrong password 401, no pending
    /// sign-in sent back to the start, lockout, replayed codes) are tested in `staff.rs`; here
    /// it must only answer without a server error.
    SignIn,
    /// A reporter who proved the e-mailed code for their report: nobody else, staff included,
    /// is let in (403, or sent to `/track` to prove a code).
    Reporter,
}

/// What a call sends.
enum Body {
    None,
    Form(Vec<(&'static str, String)>),
    /// A `multipart/form-data` post (no files) from the page at the same path.
    Multipart,
    Json(serde_json::Value),
}

/// One concrete call of a declared route.
struct Call {
    method: &'static str,
    /// The route as declared, e.g. `/staff/records/{id}`.
    route: &'static str,
    path: String,
    body: Body,
    access: Access,
}

fn operational(role: Role) -> bool {
    matches!(
        role,
        Role::ContactHandler | Role::Officer | Role::Investigator | Role::Supervisor
    )
}

fn reads_reports(role: Role) -> bool {
    operational(role) || role == Role::Analyst
}

fn consults_records(role: Role) -> bool {
    role != Role::Administrator
}

/// Links are read by the operational roles and analysts (`records.operational.consult`);
/// information managers read records but not links.
fn reads_links(role: Role) -> bool {
    creates_records(role)
}

fn creates_records(role: Role) -> bool {
    operational(role) || role == Role::Analyst
}

fn administrator(role: Role) -> bool {
    role == Role::Administrator
}

fn information_manager(role: Role) -> bool {
    role == Role::InformationManager
}

/// Investigators, supervisors and information managers set records' handling
/// (`records.handling`).
fn sets_handling(role: Role) -> bool {
    matches!(
        role,
        Role::Investigator | Role::Supervisor | Role::InformationManager
    )
}

fn allocates(role: Role) -> bool {
    matches!(role, Role::ContactHandler | Role::Supervisor)
}

/// Every `(METHOD, route)` the routers in `crates/web/src` declare.
fn declared_routes() -> BTreeSet<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    assert!(
        lib.contains(".nest(") && lib.contains("\"/api\""),
        "the API router is nested under /api"
    );
    let mut routes = BTreeSet::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let prefix = if path.starts_with(src.join("api")) {
                "/api"
            } else {
                ""
            };
            for (route, methods) in routes_in(&text) {
                assert!(!methods.is_empty(), "no method for {route} in {path:?}");
                for method in methods {
                    routes.insert((method, format!("{prefix}{route}")));
                }
            }
        }
    }
    routes
}

/// The `.route("path", …)` calls in `text` with the HTTP methods each one's method router
/// names.
fn routes_in(text: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let trimmed = rest.trim_start();
        let Some(literal) = trimmed.strip_prefix('"') else {
            continue;
        };
        let Some(end) = literal.find('"') else {
            continue;
        };
        let route = literal[..end].to_owned();
        // The method router: everything up to the `)` closing `.route(`.
        let mut depth = 1usize;
        let mut args = String::new();
        for c in literal[end + 1..].chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                break;
            }
            args.push(c);
        }
        let mut methods = Vec::new();
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = args.match_indices(&format!("{method}(")).any(|(index, _)| {
                index == 0
                    || !args[..index]
                        .chars()
                        .last()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if called {
                methods.push(method.to_uppercase());
            }
        }
        found.push((route, methods));
    }
    found
}

/// The fixtures the calls point at.
struct Fixtures {
    /// Compact reference of a report (e.g. `7K3M9QXD2HJ`).
    report: String,
    /// Full reference (e.g. `BL-7K3M-9QXD-2HJ`).
    reference: String,
    /// Another report's full reference.
    other: String,
    record: String,
    target_user: String,
    asset: String,
}

/// The table: every declared route with at least one call and who may make it.
fn calls(f: &Fixtures) -> Vec<Call> {
    let purpose = || ("purpose", "investigating-report".to_owned());
    let form = |fields: Vec<(&'static str, String)>| Body::Form(fields);
    let report_action = |action: &'static str, fields: Vec<(&'static str, String)>, access| Call {
        method: "POST",
        route: "/staff/reports/{reference}/{action}",
        path: format!("/staff/reports/{}/{action}", f.report),
        body: Body::Form(fields),
        access,
    };
    let user_action = |action: &'static str, fields: Vec<(&'static str, String)>| Call {
        method: "POST",
        route: "/staff/admin/users/{id}/{action}",
        path: format!("/staff/admin/users/{}/{action}", f.target_user),
        body: Body::Form(fields),
        access: Access::Staff(administrator),
    };
    let get = |route: &'static str, path: String, access| Call {
        method: "GET",
        route,
        path,
        body: Body::None,
        access,
    };
    let post = |route: &'static str, path: String, body, access| Call {
        method: "POST",
        route,
        path,
        body,
        access,
    };
    let handles = Access::Staff(operational);
    vec![
        // The public site and the citizen portal.
        get("/", "/".into(), Access::Public),
        get("/accessibility", "/accessibility".into(), Access::Public),
        get("/cookies", "/cookies".into(), Access::Public),
        get("/privacy", "/privacy".into(), Access::Public),
        get("/healthz", "/healthz".into(), Access::Public),
        get("/metrics", "/metrics".into(), Access::Public),
        get(
            "/assets/{file}",
            format!("/assets/{}", f.asset),
            Access::Public,
        ),
        get("/report/{journey}", "/report/crime".into(), Access::Public),
        get(
            "/report/{journey}/{step}",
            "/report/crime/what".into(),
            Access::Public,
        ),
        post(
            "/report/{journey}/{step}",
            "/report/crime/what".into(),
            form(vec![("answer", "x".into())]),
            Access::Public,
        ),
        get(
            "/report/{journey}/evidence",
            "/report/crime/evidence".into(),
            Access::Public,
        ),
        post(
            "/report/{journey}/evidence",
            "/report/crime/evidence".into(),
            Body::Multipart,
            Access::Public,
        ),
        get(
            "/report/{journey}/check",
            "/report/crime/check".into(),
            Access::Public,
        ),
        post(
            "/report/{journey}/submit",
            "/report/crime/submit".into(),
            form(vec![]),
            Access::Public,
        ),
        get(
            "/report/{journey}/done",
            "/report/crime/done".into(),
            Access::Public,
        ),
        post(
            "/session/keep-alive",
            "/session/keep-alive".into(),
            form(vec![]),
            Access::Public,
        ),
        get("/track", "/track".into(), Access::Public),
        post(
            "/track",
            "/track".into(),
            form(vec![("reference", f.reference.clone())]),
            Access::Public,
        ),
        get("/track/code", "/track/code".into(), Access::Public),
        post(
            "/track/code",
            "/track/code".into(),
            form(vec![("code", "000000".into())]),
            Access::Public,
        ),
        get("/track/report", "/track/report".into(), Access::Reporter),
        post(
            "/track/report/message",
            "/track/report/message".into(),
            form(vec![("text", "hello".into())]),
            Access::Reporter,
        ),
        post(
            "/track/sign-out",
            "/track/sign-out".into(),
            form(vec![]),
            Access::Public,
        ),
        // Staff sign-in: open to all (it is how one becomes staff).
        get("/staff/sign-in", "/staff/sign-in".into(), Access::SignIn),
        post(
            "/staff/sign-in",
            "/staff/sign-in".into(),
            form(vec![
                ("username", "nobody.here".into()),
                ("password", "not the password".into()),
            ]),
            Access::SignIn,
        ),
        get(
            "/staff/sign-in/code",
            "/staff/sign-in/code".into(),
            Access::SignIn,
        ),
        post(
            "/staff/sign-in/code",
            "/staff/sign-in/code".into(),
            form(vec![("code", "000000".into())]),
            Access::SignIn,
        ),
        get(
            "/staff/sign-in/enrol",
            "/staff/sign-in/enrol".into(),
            Access::SignIn,
        ),
        post(
            "/staff/sign-in/enrol",
            "/staff/sign-in/enrol".into(),
            form(vec![]),
            Access::SignIn,
        ),
        post(
            "/staff/sign-in/enrol/confirm",
            "/staff/sign-in/enrol/confirm".into(),
            form(vec![("code", "000000".into())]),
            Access::SignIn,
        ),
        // The staff workspace.
        get("/staff", "/staff".into(), Access::SignedIn),
        get(
            "/staff/account/password",
            "/staff/account/password".into(),
            Access::SignedIn,
        ),
        post(
            "/staff/account/password",
            "/staff/account/password".into(),
            form(vec![
                ("current", "wrong".into()),
                ("new", "short".into()),
                ("confirm", "short".into()),
            ]),
            Access::SignedIn,
        ),
        get(
            "/staff/queue",
            "/staff/queue".into(),
            Access::Staff(reads_reports),
        ),
        get(
            "/staff/work",
            "/staff/work".into(),
            Access::Staff(reads_reports),
        ),
        get(
            "/staff/incidents/new",
            "/staff/incidents/new".into(),
            handles,
        ),
        post(
            "/staff/incidents/new",
            "/staff/incidents/new".into(),
            form(vec![
                ("key", "sweep-incident-0001".into()),
                ("received_by", "front_counter".into()),
                ("report_type", "criminal-damage".into()),
                ("summary", "A window was broken.".into()),
                ("when", "2026-01-05T09:00".into()),
                ("address_line_1", "1 High Street".into()),
                ("address_town", "Leicester".into()),
                ("caller_name", "Sam Caller".into()),
            ]),
            handles,
        ),
        get(
            "/staff/search",
            "/staff/search?q=AB12+CDE&purpose=safeguarding".into(),
            Access::Staff(consults_records),
        ),
        get(
            "/staff/records/{id}",
            format!("/staff/records/{}?purpose=safeguarding", f.record),
            Access::Staff(consults_records),
        ),
        get(
            "/staff/records/{id}/add",
            format!(
                "/staff/records/{}/add?kind=person&purpose=safeguarding",
                f.record
            ),
            handles,
        ),
        post(
            "/staff/records/{id}/add",
            format!("/staff/records/{}/add?kind=person", f.record),
            form(vec![
                ("purpose", "safeguarding".into()),
                ("kind", "person".into()),
                ("surname", "Sweep".into()),
                ("relation", "involved".into()),
            ]),
            handles,
        ),
        get(
            "/staff/reports/{reference}",
            format!("/staff/reports/{}?purpose=investigating-report", f.report),
            Access::Staff(reads_reports),
        ),
        report_action(
            "assess",
            vec![
                purpose(),
                ("grade", "scheduled".into()),
                ("risk", "low".into()),
            ],
            handles,
        ),
        report_action(
            "record",
            vec![purpose(), ("classification", "49".into())],
            handles,
        ),
        report_action(
            "not-a-crime",
            vec![purpose(), ("reason", "No offence disclosed.".into())],
            handles,
        ),
        report_action(
            "allocate",
            vec![purpose(), ("officer", f.target_user.clone())],
            Access::Staff(allocates),
        ),
        report_action("take", vec![purpose()], handles),
        report_action(
            "task",
            vec![
                purpose(),
                ("title", "Call".into()),
                ("due", "2099-01-01".into()),
            ],
            handles,
        ),
        report_action(
            "task-done",
            vec![
                purpose(),
                ("task", "00000000-0000-0000-0000-000000000000".into()),
            ],
            handles,
        ),
        report_action(
            "victims-code",
            vec![
                purpose(),
                ("trigger", "suspect-arrested".into()),
                ("at", "2026-01-05T09:00".into()),
            ],
            handles,
        ),
        report_action(
            "message",
            vec![purpose(), ("text", "An update.".into())],
            handles,
        ),
        report_action(
            "outcome",
            vec![purpose(), ("outcome", "no-further-action".into())],
            handles,
        ),
        report_action(
            "close",
            vec![purpose(), ("close_reason", "Sweep.".into())],
            handles,
        ),
        report_action(
            "duplicate",
            vec![
                purpose(),
                ("of", f.other.clone()),
                ("duplicate_reason", "Same incident.".into()),
            ],
            handles,
        ),
        get(
            "/staff/admin/users",
            "/staff/admin/users".into(),
            Access::Staff(administrator),
        ),
        post(
            "/staff/admin/users",
            "/staff/admin/users".into(),
            form(vec![("username", "".into())]),
            Access::Staff(administrator),
        ),
        get(
            "/staff/admin/users/{id}",
            format!("/staff/admin/users/{}", f.target_user),
            Access::Staff(administrator),
        ),
        user_action("role", vec![("role", "investigator".into())]),
        user_action("team", vec![("team", "".into())]),
        user_action(
            "vetting",
            vec![
                ("clearance", "OFFICIAL".into()),
                ("caveats", "LOCSEN".into()),
            ],
        ),
        user_action("unlock", vec![]),
        user_action("disable", vec![]),
        user_action("enable", vec![]),
        user_action("reset-totp", vec![]),
        user_action("password", vec![("password", "short".into())]),
        get(
            "/staff/admin/teams",
            "/staff/admin/teams".into(),
            Access::Staff(administrator),
        ),
        post(
            "/staff/admin/teams",
            "/staff/admin/teams".into(),
            form(vec![("name", "".into())]),
            Access::Staff(administrator),
        ),
        get(
            "/staff/audit",
            "/staff/audit?purpose=supervision-review".into(),
            Access::Staff(information_manager),
        ),
        get(
            "/staff/audit/export",
            "/staff/audit/export?kind=consultation&purpose=supervision-review".into(),
            Access::Staff(information_manager),
        ),
        get(
            "/staff/audit/{seq}",
            "/staff/audit/0?purpose=supervision-review".into(),
            Access::Staff(information_manager),
        ),
        get(
            "/staff/reviews",
            "/staff/reviews".into(),
            Access::Staff(information_manager),
        ),
        get(
            "/staff/reviews/{id}",
            format!("/staff/reviews/{}", f.record),
            Access::Staff(information_manager),
        ),
        post(
            "/staff/reviews/{id}",
            format!("/staff/reviews/{}", f.record),
            form(vec![
                ("decision", "retain".into()),
                ("reason", "Still needed for the sweep.".into()),
            ]),
            Access::Staff(information_manager),
        ),
        get(
            "/staff/records/{id}/certificate",
            format!("/staff/records/{}/certificate", f.record),
            Access::Staff(information_manager),
        ),
        post(
            "/staff/records/{id}/handling",
            format!("/staff/records/{}/handling", f.record),
            form(vec![("purpose", "investigation".into())]),
            Access::Staff(sets_handling),
        ),
        // The API.
        get(
            "/api/v1/openapi.json",
            "/api/v1/openapi.json".into(),
            Access::Public,
        ),
        get(
            "/api/v1/audit/checkpoint",
            "/api/v1/audit/checkpoint".into(),
            Access::Public,
        ),
        get(
            "/api/v1/audit/consistency",
            "/api/v1/audit/consistency?from=1&to=1".into(),
            Access::Public,
        ),
        get(
            "/api/v1/records",
            "/api/v1/records?purpose=sweep".into(),
            Access::Api(consults_records),
        ),
        post(
            "/api/v1/records",
            "/api/v1/records".into(),
            Body::Json(json!({
                "marking": { "classification": "OFFICIAL", "sensitive": false, "caveats": [] },
                "lawful_basis": "dpa2018-part3-law-enforcement",
                "retention_group": "3",
                "record": { "kind": "object", "type": "vehicle", "vrm": "AB12 CDF" }
            })),
            Access::Api(creates_records),
        ),
        get(
            "/api/v1/records/{id}",
            format!("/api/v1/records/{}?purpose=sweep", f.record),
            Access::Api(consults_records),
        ),
        get(
            "/api/v1/records/{id}/links",
            format!("/api/v1/records/{}/links?purpose=sweep", f.record),
            Access::Api(reads_links),
        ),
        post(
            "/api/v1/links",
            "/api/v1/links".into(),
            Body::Json(json!({ "from": f.record, "to": f.record, "role": "associate" })),
            Access::Api(creates_records),
        ),
        post(
            "/api/v1/reports/{reference}/updates",
            format!("/api/v1/reports/{}/updates", f.reference),
            Body::Json(json!({ "type": "assessing" })),
            Access::Api(operational),
        ),
        // Last: it ends the session.
        post(
            "/staff/sign-out",
            "/staff/sign-out".into(),
            form(vec![]),
            Access::SignedIn,
        ),
    ]
}

#[test]
fn the_sweep_covers_every_declared_route() {
    let declared = declared_routes();
    assert!(declared.len() > 40, "found only {declared:?}");
    let fixtures = Fixtures {
        report: String::new(),
        reference: String::new(),
        other: String::new(),
        record: String::new(),
        target_user: String::new(),
        asset: String::new(),
    };
    let swept: BTreeSet<(String, String)> = calls(&fixtures)
        .iter()
        .map(|call| (call.method.to_owned(), call.route.to_owned()))
        .collect();
    let missing: Vec<_> = declared.difference(&swept).collect();
    assert!(
        missing.is_empty(),
        "routes the sweep does not call: {missing:?}"
    );
    let stale: Vec<_> = swept.difference(&declared).collect();
    assert!(
        stale.is_empty(),
        "the sweep calls routes nobody declares: {stale:?}"
    );
}

/// A caller: nobody, or a member of staff with a browser session and a bearer token.
struct Caller {
    role: Option<Role>,
    browser: Citizen,
    token: Option<String>,
}

async fn send(server: &PortalApp, caller: &mut Caller, call: &Call) -> Page {
    let api = call.path.starts_with("/api/");
    if api {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let url = format!("{}{}", server.base_url(), call.path);
        let mut request = match call.method {
            "GET" => client.get(url),
            _ => client.post(url),
        };
        request = request.header("x-purpose", "route sweep");
        if let Some(token) = &caller.token {
            request = request.bearer_auth(token);
        }
        if let Body::Json(value) = &call.body {
            request = request.json(value);
        }
        let response = request.send().await.unwrap();
        return Page {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        };
    }
    match &call.body {
        Body::None => caller.browser.get(&call.path).await,
        Body::Multipart => {
            let page = caller.browser.get_following(&call.path).await;
            let token = page
                .text
                .split("name=\"csrf_token\" value=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or("none")
                .to_owned();
            caller
                .browser
                .post_multipart_guarded(&call.path, &token, "", &[], Vec::new())
                .await
        }
        Body::Form(_) | Body::Json(_) if call.method == "POST" => {
            let fields: Vec<(&str, &str)> = match &call.body {
                Body::Form(fields) => fields.iter().map(|(k, v)| (*k, v.as_str())).collect(),
                _ => Vec::new(),
            };
            // A page with a form first, for its CSRF token.
            let form_page = if call.path.starts_with("/staff") && caller.role.is_some() {
                "/staff/account/password"
            } else if call.path.starts_with("/staff") {
                "/staff/sign-in"
            } else if call.path.starts_with("/track") {
                "/track"
            } else {
                "/report/crime"
            };
            let page = caller.browser.get_following(form_page).await;
            if page.text.contains("name=\"csrf_token\"") {
                caller.browser.post(&call.path, &fields).await
            } else {
                let mut pairs = fields.clone();
                pairs.push(("csrf_token", "none"));
                caller.browser.post_raw(&call.path, &[], &pairs).await
            }
        }
        _ => caller.browser.get(&call.path).await,
    }
}

/// How many audit entries record a change (anything but an allowed consultation or a refusal).
async fn changes(server: &PortalApp) -> usize {
    server
        .audit()
        .await
        .iter()
        .filter(|entry| {
            entry.entry.outcome != bluelamp_audit::Outcome::Denied
                && entry.entry.kind != bluelamp_audit::LogKind::Consultation
        })
        .count()
}

/// The security headers every answer carries.
fn hardened(call: &Call, page: &Page) -> Result<(), String> {
    let header = |name: &str| {
        page.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let csp = header("content-security-policy");
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|directive| {
            directive.starts_with("script-src") || directive.starts_with("default-src")
        })
        .unwrap_or("");
    let problems: Vec<&str> = [
        (
            !csp.contains("frame-ancestors 'none'"),
            "CSP without frame-ancestors 'none'",
        ),
        (
            script_src.is_empty()
                || script_src.contains("'unsafe-inline'")
                || csp.contains("'unsafe-eval'"),
            "CSP allows inline script or has no script source",
        ),
        (header("x-content-type-options") != "nosniff", "no nosniff"),
        (
            !header("strict-transport-security").contains("max-age="),
            "no HSTS",
        ),
    ]
    .into_iter()
    .filter_map(|(bad, what)| bad.then_some(what))
    .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} {}: {}",
            call.method,
            call.path,
            problems.join(", ")
        ))
    }
}

fn sent_to_sign_in(page: &Page) -> bool {
    page.status == 303 && page.location() == "/staff/sign-in"
}

fn sent_to_track(page: &Page) -> bool {
    page.status == 303 && page.location().starts_with("/track")
}

fn let_in(page: &Page) -> bool {
    page.status < 500 && page.status != 401 && page.status != 403 && !sent_to_sign_in(page)
}

fn check(caller: &Caller, call: &Call, page: &Page) -> Result<(), String> {
    let who = caller
        .role
        .map_or_else(|| "nobody".to_owned(), |role| format!("{role:?}"));
    let refused = |page: &Page| match (caller.role, matches!(call.access, Access::Api(_))) {
        (None, true) => page.status == 401,
        (None, false) => sent_to_sign_in(page),
        (Some(_), _) => page.status == 403,
    };
    let ok = match call.access {
        Access::SignIn => Some(page.status < 500),
        Access::Reporter => Some(page.status == 403 || sent_to_track(page)),
        _ => None,
    };
    if let Some(ok) = ok {
        return if ok {
            Ok(())
        } else {
            Err(format!(
                "{who} {} {}: got {}: {}",
                call.method,
                call.path,
                page.status,
                page.text.chars().take(300).collect::<String>()
            ))
        };
    }
    let should = match (call.access, caller.role) {
        (Access::Public | Access::SignIn, _) => true,
        (Access::Reporter, _) => false,
        (_, None) => false,
        (Access::SignedIn, Some(_)) => true,
        (Access::Staff(allowed) | Access::Api(allowed), Some(role)) => allowed(role),
    };
    let ok = if should { let_in(page) } else { refused(page) };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{who} {} {} should be {}, got {} {}: {}",
            call.method,
            call.path,
            if should { "let in" } else { "refused" },
            page.status,
            page.headers
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
            page.text.chars().take(300).collect::<String>()
        ))
    }
}

#[tokio::test]
async fn every_declared_route_as_every_role_and_as_nobody() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let report: String = reference
        .chars()
        .filter(|c| *c != '-')
        .collect::<String>()
        .trim_start_matches("BL")
        .to_owned();
    let system = Principal::system("tests", FORCE);
    let record = server
        .app
        .create_record(
            &system,
            crate::staff_records::new_record(
                json!({ "kind": "object", "type": "vehicle", "vrm": "AB12 CDE" }),
            ),
        )
        .await
        .unwrap();
    let other = reported(&server).await;
    let target = account(&server, "target.user", "Target User", Role::Officer).await;
    let asset =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web-assets/dist"))
            .ok()
            .and_then(|mut dir| dir.next())
            .and_then(|entry| entry.ok())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .unwrap_or_else(|| "bluelamp.css".to_owned());
    let fixtures = Fixtures {
        report,
        reference,
        other,
        record: record.id.to_string(),
        target_user: target.to_string(),
        asset,
    };

    let mut callers = vec![Caller {
        role: None,
        browser: server.citizen(),
        token: None,
    }];
    for (index, role) in Role::ALL.into_iter().enumerate() {
        let username = format!("sweep.{index}");
        account(&server, &username, &format!("Sweep {index}"), role).await;
        let browser = first_sign_in(&server, &username).await.browser;
        let api = server
            .app
            .create_staff(
                &system,
                NewStaff {
                    username: format!("sweep.api.{index}"),
                    display_name: format!("Sweep API {index}"),
                    role,
                    force: FORCE.to_owned(),
                },
            )
            .await
            .unwrap();
        use secrecy::ExposeSecret as _;
        callers.push(Caller {
            role: Some(role),
            browser,
            token: Some(api.token.expose_secret().to_owned()),
        });
    }

    let mut failures = Vec::new();
    let mut count = 0;
    for caller in &mut callers {
        for call in calls(&fixtures) {
            let before = changes(&server).await;
            let page = send(&server, caller, &call).await;
            count += 1;
            if let Err(failure) = check(caller, &call, &page) {
                failures.push(failure);
            }
            if let Err(failure) = hardened(&call, &page) {
                failures.push(failure);
            }
            if call.method == "GET" && changes(&server).await != before {
                failures.push(format!("GET {} changed state", call.path));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} calls were answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let denials = server
        .audit()
        .await
        .iter()
        .filter(|entry| entry.entry.outcome == bluelamp_audit::Outcome::Denied)
        .count();
    assert!(denials >= 50, "refusals are audited ({denials})");
}
