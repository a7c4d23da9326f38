//! The staff workspace over HTTP: signing in with a second factor (enrolment by QR code,
//! lockout, no user enumeration, replayed codes, idle and absolute timeouts on the test
//! clock), CSRF, the triage queue and its recording clock, a report from triage to outcome
//! with the reporter seeing each step, the purpose of every view in the audit log, and the
//! administration of accounts and teams.

use bluelamp_app::{NewStaff, Principal};
use bluelamp_audit::LogKind;
use bluelamp_domain::ids::StaffId;
use bluelamp_policy::Role;
use chrono::Duration;
use hmac::{KeyInit as _, Mac as _};
use secrecy::SecretString;

use crate::helpers::{Citizen, FORCE, Page, PortalApp};
use crate::journeys::{crime_to_check, submit};

/// Every test account's password (not on the blocklist).
pub const PASSWORD: &str = "correct horse battery staple";

/// A staff account with [`PASSWORD`] and no second factor yet.
pub async fn account(server: &PortalApp, username: &str, name: &str, role: Role) -> StaffId {
    let system = Principal::system("tests", FORCE);
    let created = server
        .app
        .create_staff(
            &system,
            NewStaff {
                username: username.to_owned(),
                display_name: name.to_owned(),
                role,
                force: FORCE.to_owned(),
            },
        )
        .await
        .unwrap();
    server
        .app
        .set_password(
            &system,
            created.id,
            &SecretString::from(PASSWORD.to_owned()),
        )
        .await
        .unwrap();
    created.id
}

/// A signed-in member of staff: the browser and the second factor's secret.
pub struct StaffUser {
    /// Their browser.
    pub browser: Citizen,
    /// The second factor's secret.
    pub secret: Vec<u8>,
}

/// Decodes RFC 4648 base 32 (spaces ignored).
fn base32(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for symbol in text.chars().filter(|c| !c.is_whitespace()) {
        buffer = (buffer << 5) | u32::try_from(ALPHABET.find(symbol).unwrap()).unwrap();
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).unwrap());
        }
    }
    out
}

/// The code of the server clock's current 30-second step (RFC 6238, written here
/// independently of the application).
pub fn code_now(server: &PortalApp, secret: &[u8]) -> String {
    use bluelamp_app::Clock as _;
    let step = u64::try_from(server.clock.now().timestamp()).unwrap() / 30;
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret).unwrap();
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let value = u32::from_be_bytes(hash[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", value % 1_000_000)
}

/// Posts the password form of a fresh sign-in page.
pub async fn password_step(browser: &mut Citizen, username: &str, password: &str) -> Page {
    let form = browser.get("/staff/sign-in").await;
    assert_eq!(form.status, 200, "{}", form.text);
    browser
        .post(
            "/staff/sign-in",
            &[("username", username), ("password", password)],
        )
        .await
}

/// Signs `username` in for the first time: password, enrolment by QR code, code.
pub async fn first_sign_in(server: &PortalApp, username: &str) -> StaffUser {
    let mut browser = server.citizen();
    let page = password_step(&mut browser, username, PASSWORD).await;
    assert_eq!(page.location(), "/staff/sign-in/enrol", "{}", page.text);
    let start = browser.get("/staff/sign-in/enrol").await;
    start.assert_shows("Show the QR code");
    let shown = browser.submit("/staff/sign-in/enrol", &[]).await;
    assert!(
        shown
            .text
            .contains("<svg role=\"img\" aria-label=\"QR code"),
        "{}",
        shown.text
    );
    let key = shown
        .text
        .split("id=\"totp-secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    let secret = base32(&key);
    let code = code_now(server, &secret);
    let opened = browser
        .post("/staff/sign-in/enrol/confirm", &[("code", code.as_str())])
        .await;
    assert_eq!(opened.status, 303, "{}", opened.text);
    assert_eq!(opened.location(), "/staff");
    StaffUser { browser, secret }
}

/// Signs in again (password and code), a step after any earlier code.
pub async fn sign_in_again(server: &PortalApp, username: &str, secret: &[u8]) -> Citizen {
    server.clock.advance(Duration::seconds(30));
    let mut browser = server.citizen();
    let page = password_step(&mut browser, username, PASSWORD).await;
    assert_eq!(page.location(), "/staff/sign-in/code", "{}", page.text);
    browser.get("/staff/sign-in/code").await;
    let code = code_now(server, secret);
    let opened = browser
        .post("/staff/sign-in/code", &[("code", code.as_str())])
        .await;
    assert_eq!(opened.location(), "/staff", "{}", opened.text);
    browser
}

/// A new account of `role`, signed in.
pub async fn signed_in_as(server: &PortalApp, username: &str, name: &str, role: Role) -> StaffUser {
    account(server, username, name, role).await;
    first_sign_in(server, username).await
}

#[tokio::test]
async fn enrolment_by_qr_code_then_sign_out_and_in_again() {
    let server = PortalApp::spawn().await;
    account(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    let StaffUser {
        mut browser,
        secret,
    } = first_sign_in(&server, "pc.patel").await;
    let home = browser.get_following("/staff").await;
    assert_eq!(home.status, 200);
    home.assert_shows("Signed in as");
    home.assert_shows("PC 2741 Patel");
    home.assert_shows("Triage queue");
    let cookies = browser.cookie_header(server.base_url());
    assert!(cookies.contains("bl_staff=blss_"), "{cookies}");
    // Signing out ends the session on the server, not only in the browser.
    let out = browser.post("/staff/sign-out", &[]).await;
    assert_eq!(out.location(), "/staff/sign-in?signed_out=1");
    let session = cookies
        .split("; ")
        .find(|c| c.starts_with("bl_staff="))
        .unwrap();
    let stale = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/staff/queue", server.base_url()))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stale.status().as_u16(),
        303,
        "the old session token is dead"
    );
    let mut again = sign_in_again(&server, "pc.patel", &secret).await;
    assert_eq!(again.get("/staff/queue").await.status, 200);
}

#[tokio::test]
async fn unknown_users_and_wrong_passwords_get_the_same_answer_and_five_failures_lock() {
    let server = PortalApp::spawn().await;
    account(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    let mut browser = server.citizen();
    let unknown = password_step(&mut browser, "nobody.here", PASSWORD).await;
    let wrong = password_step(&mut browser, "pc.patel", "not the password at all").await;
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.status, 401);
    let message = "The username or password is not right, or this account cannot sign in now";
    unknown.assert_shows(message);
    wrong.assert_shows(message);
    for _ in 0..4 {
        let page = password_step(&mut browser, "pc.patel", "still not the password").await;
        assert_eq!(page.status, 401);
    }
    // Locked: the right password is refused with the same words.
    let locked = password_step(&mut browser, "pc.patel", PASSWORD).await;
    assert_eq!(locked.status, 401);
    locked.assert_shows(message);
    let audit = server.audit().await;
    assert!(
        audit.iter().any(|entry| entry.entry.action == "staff.lock"),
        "the lockout is audited"
    );
    // An administrator releases it in the workspace.
    let StaffUser {
        browser: mut admin, ..
    } = signed_in_as(&server, "admin.one", "Alex Admin", Role::Administrator).await;
    let users = admin.get("/staff/admin/users").await;
    users.assert_shows("Locked");
    let id = users
        .text
        .split("/staff/admin/users/")
        .filter_map(|rest| rest.split('"').next())
        .find(|id| id.len() == 36 && users.text.contains(&format!("{id}\">PC 2741 Patel")))
        .unwrap()
        .to_owned();
    let released = admin
        .submit(&format!("/staff/admin/users/{id}/unlock"), &[])
        .await;
    released.assert_shows("Lockout released");
    let page = password_step(&mut browser, "pc.patel", PASSWORD).await;
    assert_eq!(page.location(), "/staff/sign-in/enrol");
}

#[tokio::test]
async fn a_code_works_once_and_bad_codes_are_explained() {
    let server = PortalApp::spawn().await;
    account(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    let StaffUser { secret, .. } = first_sign_in(&server, "pc.patel").await;
    server.clock.advance(Duration::seconds(30));
    let mut first = server.citizen();
    password_step(&mut first, "pc.patel", PASSWORD).await;
    first.get("/staff/sign-in/code").await;
    let empty = first.post("/staff/sign-in/code", &[("code", "")]).await;
    assert_eq!(empty.status, 422);
    empty.assert_shows("Enter the 6-digit code from your authenticator app");
    let letters = first
        .post("/staff/sign-in/code", &[("code", "12ab56")])
        .await;
    letters.assert_shows("Enter the code as 6 digits, like 123456");
    let code = code_now(&server, &secret);
    let opened = first
        .post("/staff/sign-in/code", &[("code", code.as_str())])
        .await;
    assert_eq!(opened.location(), "/staff");
    // The same code again, in the same step, from another browser: refused.
    let mut second = server.citizen();
    password_step(&mut second, "pc.patel", PASSWORD).await;
    second.get("/staff/sign-in/code").await;
    let replay = second
        .post("/staff/sign-in/code", &[("code", code.as_str())])
        .await;
    assert_eq!(replay.status, 401);
    replay.assert_shows("That code is not right or has been used");
}

#[tokio::test]
async fn sessions_end_after_30_idle_minutes_and_after_12_hours_however_busy() {
    let server = PortalApp::spawn().await;
    let StaffUser {
        mut browser,
        secret,
    } = signed_in_as(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    server.clock.advance(Duration::minutes(29));
    assert_eq!(browser.get("/staff/queue").await.status, 200);
    server.clock.advance(Duration::minutes(31));
    let ended = browser.get("/staff/queue").await;
    assert_eq!(ended.location(), "/staff/sign-in?ended=1");
    let notice = browser.get("/staff/sign-in?ended=1").await;
    notice.assert_shows("You were signed out: your session ended.");

    let mut busy = sign_in_again(&server, "pc.patel", &secret).await;
    let mut minutes = 0;
    while minutes < 12 * 60 - 20 {
        server.clock.advance(Duration::minutes(20));
        minutes += 20;
        assert_eq!(
            busy.get("/staff/queue").await.status,
            200,
            "at {minutes} minutes"
        );
    }
    server.clock.advance(Duration::minutes(21));
    assert_eq!(
        busy.get("/staff/queue").await.location(),
        "/staff/sign-in?ended=1"
    );
}

#[tokio::test]
async fn forms_without_the_token_or_from_another_site_change_nothing() {
    let server = PortalApp::spawn().await;
    let StaffUser { mut browser, .. } =
        signed_in_as(&server, "admin.one", "Alex Admin", Role::Administrator).await;
    browser.get("/staff/admin/teams").await;
    let no_token = browser
        .post(
            "/staff/admin/teams",
            &[("csrf_token", "0000"), ("name", "Response A")],
        )
        .await;
    assert_eq!(no_token.status, 403);
    let token = browser.token();
    let elsewhere = browser
        .post_raw(
            "/staff/admin/teams",
            &[("origin", "https://evil.example")],
            &[("csrf_token", token.as_str()), ("name", "Response A")],
        )
        .await;
    assert_eq!(elsewhere.status, 403);
    let teams = browser.get("/staff/admin/teams").await;
    teams.assert_shows("There are no teams yet.");
    // A sign-in form without its cookie's token is refused too (no login CSRF).
    let mut stranger = server.citizen();
    let forged = stranger
        .post_raw(
            "/staff/sign-in",
            &[],
            &[
                ("csrf_token", "x"),
                ("username", "admin.one"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
}

/// A crime reported on the portal; its reference as shown.
pub async fn reported(server: &PortalApp) -> String {
    let mut citizen = server.citizen();
    crime_to_check(&mut citizen, "jane@example.org").await;
    submit(&mut citizen, "crime").await.reference()
}

#[tokio::test]
async fn the_queue_shows_the_recording_clock_and_flags_breaches_to_supervisors() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let StaffUser {
        browser: mut supervisor,
        ..
    } = signed_in_as(&server, "ps.jones", "PS 112 Jones", Role::Supervisor).await;
    let queue = supervisor.get("/staff/queue").await;
    queue.assert_shows(&reference);
    queue.assert_shows("Not assessed");
    assert!(queue.text.contains(">By "), "{}", queue.text);
    assert!(!queue.shows("Overdue"));
    server.clock.advance(Duration::hours(25));
    // That session has ended; another supervisor signs in now.
    let mut supervisor = signed_in_as(&server, "ps.evans", "PS 113 Evans", Role::Supervisor)
        .await
        .browser;
    let late = supervisor.get("/staff/queue?breached=1").await;
    late.assert_shows("Overdue");
    late.assert_shows("1 report is past its 24-hour crime-recording deadline.");
    late.assert_shows("As a supervisor, make sure each gets its recording decision now.");
}

#[tokio::test]
async fn a_report_from_triage_to_outcome_and_the_reporter_sees_each_step() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let compact: String = reference.chars().filter(|c| *c != '-').collect();
    let compact = compact.trim_start_matches("BL").to_owned();
    let StaffUser {
        browser: mut handler,
        ..
    } = signed_in_as(&server, "ch.smith", "Sam Smith", Role::ContactHandler).await;
    let queue = handler.get("/staff/queue").await;
    let href = queue
        .text
        .split("href=\"")
        .find(|rest| rest.starts_with("/staff/reports/"))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&#38;", "&");
    assert!(href.ends_with("?purpose=investigating-report"), "{href}");
    // One click opens it: the purpose is pre-filled and recorded.
    let report = handler.get(&href).await;
    assert_eq!(report.status, 200, "{}", report.text);
    report.assert_shows(&format!("Opened for: Investigating report {reference}"));
    report.assert_shows("Report received");
    let audit = server.audit().await;
    let consulted = audit
        .iter()
        .rev()
        .find(|entry| {
            entry.entry.kind == LogKind::Consultation && entry.entry.action == "report.track"
        })
        .unwrap();
    assert_eq!(
        consulted.entry.purpose.as_deref(),
        Some(format!("investigating report {reference}").as_str())
    );

    let action = |what: &str| format!("/staff/reports/{compact}/{what}");
    let purpose = ("purpose", "investigating-report");
    // A refused assessment keeps what was typed and names the field.
    let refused = handler
        .post(
            &action("assess"),
            &[purpose, ("grade", "scheduled"), ("threat", "none seen")],
        )
        .await;
    assert_eq!(refused.status, 422);
    refused.assert_shows("Describe the risk");
    refused.assert_shows("none seen");
    let assessed = handler
        .submit(
            &action("assess"),
            &[
                purpose,
                ("grade", "scheduled"),
                ("risk", "Low: the bike was taken from a shed"),
            ],
        )
        .await;
    assessed.assert_shows("Assessment saved");
    assessed.assert_shows("Assessed (THRIVE): Grade 3: Scheduled");
    assessed.assert_shows("Police only");
    let messaged = handler
        .submit(
            &action("message"),
            &[purpose, ("text", "We are checking CCTV near your home.")],
        )
        .await;
    messaged.assert_shows("Message sent to the reporter");
    let closed = handler
        .submit(
            &action("outcome"),
            &[
                purpose,
                ("outcome", "no-further-action"),
                ("note", "Thank you for telling us."),
            ],
        )
        .await;
    closed.assert_shows("Outcome recorded: the report is closed");
    assert!(
        !closed.shows("Send the message"),
        "a closed report takes no more actions"
    );

    // The reporter sees the message and the outcome, explained, and never the assessment.
    let mut citizen = server.citizen();
    citizen.get("/track").await;
    citizen
        .submit("/track", &[("reference", reference.as_str())])
        .await;
    let code = server.code_sent_to("jane@example.org").await;
    let tracked = citizen
        .submit("/track/code", &[("code", code.as_str())])
        .await;
    tracked.assert_shows("We are checking CCTV near your home.");
    tracked.assert_shows("Investigation complete; no suspect identified");
    tracked.assert_shows("Thank you for telling us.");
    assert!(!tracked.shows("THRIVE"));
    assert!(!tracked.shows("the bike was taken from a shed"));
}

#[tokio::test]
async fn without_a_purpose_the_report_asks_why_with_the_usual_answer_chosen() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let compact: String = reference.chars().filter(|c| *c != '-').collect();
    let compact = compact.trim_start_matches("BL").to_owned();
    let StaffUser {
        browser: mut officer,
        ..
    } = signed_in_as(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    let before = server.audit().await.len();
    let ask = officer.get(&format!("/staff/reports/{compact}")).await;
    assert_eq!(ask.status, 200);
    ask.assert_shows(&format!("Why are you opening report {reference}?"));
    assert!(
        ask.text.contains("value=\"investigating-report\" checked"),
        "{}",
        ask.text
    );
    assert_eq!(server.audit().await.len(), before, "asking reads nothing");
    let missing = officer
        .get(&format!(
            "/staff/reports/{compact}?purpose=other&purpose_text="
        ))
        .await;
    assert_eq!(missing.status, 422);
    missing.assert_shows("Describe why you are opening this report");
    let opened = officer
        .get(&format!(
            "/staff/reports/{compact}?purpose=other&purpose_text=checking%20a%20complaint%20about%20handling"
        ))
        .await;
    assert_eq!(opened.status, 200);
    opened.assert_shows("Opened for: Checking a complaint about handling");
    let last = server.audit().await;
    assert_eq!(
        last.last().unwrap().entry.purpose.as_deref(),
        Some("checking a complaint about handling")
    );
}

#[tokio::test]
async fn administrators_add_accounts_change_roles_and_teams_and_disabling_ends_sessions() {
    let server = PortalApp::spawn().await;
    let StaffUser {
        browser: mut admin, ..
    } = signed_in_as(&server, "admin.one", "Alex Admin", Role::Administrator).await;
    admin.get("/staff/admin/users").await;
    let weak = admin
        .post(
            "/staff/admin/users",
            &[
                ("username", "pc.khan"),
                ("display_name", "PC 90 Khan"),
                ("role", "officer"),
                ("password", "password1"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    weak.assert_shows("pc.khan");
    let added = admin
        .submit(
            "/staff/admin/users",
            &[
                ("username", "pc.khan"),
                ("display_name", "PC 90 Khan"),
                ("role", "officer"),
                ("password", PASSWORD),
            ],
        )
        .await;
    added.assert_shows("Account added");
    added.assert_shows("PC 90 Khan");
    added.assert_shows("Second factor not set up");
    let team = admin
        .submit("/staff/admin/teams", &[("name", "Response Team A")])
        .await;
    team.assert_shows("Team added");
    team.assert_shows("Response Team A");

    let StaffUser {
        browser: mut khan, ..
    } = first_sign_in(&server, "pc.khan").await;
    assert_eq!(khan.get("/staff/queue").await.status, 200);
    let users = admin.get("/staff/admin/users").await;
    let id = users
        .text
        .split("href=\"/staff/admin/users/")
        .filter_map(|rest| rest.split_once("\">PC 90 Khan"))
        .map(|(id, _)| id.to_owned())
        .next()
        .unwrap();
    let account = format!("/staff/admin/users/{id}");
    let moved = admin
        .submit(&format!("{account}/team"), &[("team", "Response Team A")])
        .await;
    moved.assert_shows("Team changed");
    moved.assert_shows("Response Team A");
    let promoted = admin
        .submit(&format!("{account}/role"), &[("role", "supervisor")])
        .await;
    promoted.assert_shows("Role changed");
    // The role change ended Khan's session.
    assert_eq!(
        khan.get("/staff/queue").await.location(),
        "/staff/sign-in?ended=1"
    );
    let disabled = admin.submit(&format!("{account}/disable"), &[]).await;
    disabled.assert_shows("Account disabled and its sessions ended");
    disabled.assert_shows("Enable the account");
    let mut again = server.citizen();
    let refused = password_step(&mut again, "pc.khan", PASSWORD).await;
    assert_eq!(refused.status, 401);
    let audit = server.audit().await;
    for action in [
        "staff.role",
        "staff.team",
        "staff.disable",
        "team.create",
        "staff.create",
    ] {
        assert!(
            audit.iter().any(|entry| entry.entry.action == action),
            "{action} is audited"
        );
    }
}

#[tokio::test]
async fn changing_your_own_password_checks_the_rules() {
    let server = PortalApp::spawn().await;
    let StaffUser { mut browser, .. } =
        signed_in_as(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    browser.get("/staff/account/password").await;
    let mismatch = browser
        .post(
            "/staff/account/password",
            &[
                ("password", "a long new pass phrase"),
                ("confirm", "something else"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    mismatch.assert_shows("The passwords do not match");
    let short = browser
        .post(
            "/staff/account/password",
            &[("password", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(short.status, 422);
    let changed = browser
        .post(
            "/staff/account/password",
            &[
                ("password", "a long new pass phrase"),
                ("confirm", "a long new pass phrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    changed.assert_shows("Your password has been changed");
}
