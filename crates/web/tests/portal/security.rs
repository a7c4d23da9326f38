//! CSRF, the honeypot, idempotent submission, sessions and rate limiting.

use std::time::Duration;

use crate::helpers::{Options, PortalApp, jpeg};
use crate::journeys::{answer, crime_to_check};

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    citizen.get_following("/report/crime").await;
    let missing = citizen
        .post_raw("/report/crime/type", &[], &[("report_type", "burglary")])
        .await;
    assert_eq!(missing.status, 403, "{}", missing.text);
    missing.assert_shows("Sorry, we could not accept that form");
    let wrong = citizen
        .post_raw(
            "/report/crime/type",
            &[],
            &[("csrf_token", &"0".repeat(64)), ("report_type", "burglary")],
        )
        .await;
    assert_eq!(wrong.status, 403);
    // Another site's form, even with the right token.
    let token = citizen.token();
    let forged = citizen
        .post_raw(
            "/report/crime/type",
            &[("origin", "https://evil.example")],
            &[("csrf_token", &token), ("report_type", "burglary")],
        )
        .await;
    assert_eq!(forged.status, 403);
    // The token of another session does not work either.
    let mut other = server.citizen();
    other.get_following("/report/crime").await;
    let stolen = other
        .post_raw(
            "/report/crime/type",
            &[],
            &[("csrf_token", &token), ("report_type", "burglary")],
        )
        .await;
    assert_eq!(stolen.status, 403);
    // Nothing was saved.
    let still = citizen.get("/report/crime/when").await;
    assert_eq!(still.location(), "/report/crime/type");
    // The right token works.
    let right = citizen
        .post("/report/crime/type", &[("report_type", "burglary")])
        .await;
    assert_eq!(right.status, 303);
    // Uploads and keep-alive are checked too.
    citizen.get("/report/crime/when").await;
    let keep_alive = citizen.post_raw("/session/keep-alive", &[], &[]).await;
    assert_eq!(keep_alive.status, 403);
    let header = citizen
        .post_raw(
            "/session/keep-alive",
            &[("x-csrf-token", &citizen.token())],
            &[],
        )
        .await;
    assert_eq!(header.status, 204);
}

#[tokio::test]
async fn a_filled_honeypot_stores_nothing() {
    let server = PortalApp::spawn().await;
    let officer = server.officer().await;
    let mut citizen = server.citizen();
    crime_to_check(&mut citizen, "bot@example.org").await;
    let page = citizen
        .post(
            "/report/crime/submit",
            &[("website", "http://spam.example")],
        )
        .await;
    assert_eq!(page.status, 200);
    page.assert_shows("Sorry, there is a problem with the service");
    assert!(!page.text.contains("honeypot"));
    assert_eq!(server.event_count(&officer).await, 0, "no report was made");
    // A step post with the honeypot saves nothing either.
    let step = citizen
        .post(
            "/report/crime/what?return=check",
            &[("summary", "changed"), ("website", "x")],
        )
        .await;
    step.assert_shows("Sorry, there is a problem with the service");
    let check = citizen.get("/report/crime/check").await;
    assert!(!check.shows("changed"));
    // Nor does an upload.
    let before = server.blob_count().await;
    citizen.get("/report/crime/evidence").await;
    let token = citizen.token();
    let upload = citizen
        .post_multipart_guarded(
            "/report/crime/evidence",
            &token,
            "filled",
            &[],
            vec![jpeg("x.jpg")],
        )
        .await;
    upload.assert_shows("Sorry, there is a problem with the service");
    assert_eq!(server.blob_count().await, before);
}

#[tokio::test]
async fn a_double_submit_makes_one_report() {
    let server = PortalApp::spawn().await;
    let officer = server.officer().await;
    let mut citizen = server.citizen();
    crime_to_check(&mut citizen, "jane@example.org").await;
    let first = citizen.post("/report/crime/submit", &[]).await;
    let second = citizen.post("/report/crime/submit", &[]).await;
    assert_eq!(first.status, 303);
    assert_eq!(second.status, 303);
    assert_eq!(first.location(), "/report/crime/done");
    assert_eq!(second.location(), "/report/crime/done");
    let done = citizen.get("/report/crime/done").await;
    let again = citizen.get("/report/crime/done").await;
    assert_eq!(done.reference(), again.reference());
    assert_eq!(server.event_count(&officer).await, 1);
}

#[tokio::test]
async fn concurrent_submits_make_one_report() {
    let server = PortalApp::spawn().await;
    let officer = server.officer().await;
    let mut citizen = server.citizen();
    crime_to_check(&mut citizen, "jane@example.org").await;
    let token = citizen.token();
    let url = format!("{}/report/crime/submit", server.base_url());
    let cookie = {
        // The same browser: reuse the session cookie on two connections at once.
        let page = citizen.get("/report/crime/check").await;
        assert_eq!(page.status, 200);
        citizen.cookie_header(server.base_url())
    };
    let send = || {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        client
            .post(&url)
            .header("cookie", cookie.clone())
            .form(&[("csrf_token", token.clone())])
            .send()
    };
    let (a, b) = tokio::join!(send(), send());
    assert_eq!(a.unwrap().status().as_u16(), 303);
    assert_eq!(b.unwrap().status().as_u16(), 303);
    assert_eq!(server.event_count(&officer).await, 1);
}

#[tokio::test]
async fn sessions_end_after_the_idle_time_and_their_files_are_deleted() {
    let server = PortalApp::spawn_with(Options {
        session_idle: Duration::from_millis(600),
        ..Options::default()
    })
    .await;
    let mut citizen = server.citizen();
    crime_to_check(&mut citizen, "jane@example.org").await;
    assert_eq!(server.blob_count().await, 1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // The sweeper deletes the unsubmitted upload.
    let mut left = server.blob_count().await;
    for _ in 0..20 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = server.blob_count().await;
    }
    assert_eq!(left, 0, "the blob of an abandoned draft is deleted");
    let late = citizen.post("/report/crime/submit", &[]).await;
    assert_eq!(late.status, 403, "the session has ended");
    let restart = citizen.get("/report/crime/check").await;
    assert_eq!(restart.location(), "/report/crime", "the draft is gone");
}

#[tokio::test]
async fn too_many_posts_from_one_client_get_429() {
    let server = PortalApp::spawn_with(Options {
        rate_limit_per_minute: 3,
        ..Options::default()
    })
    .await;
    let mut citizen = server.citizen();
    citizen.get_following("/report/crime").await;
    for _ in 0..3 {
        let page = citizen.post("/report/crime/type", &[]).await;
        assert_eq!(page.status, 200);
    }
    let limited = citizen.post("/report/crime/type", &[]).await;
    assert_eq!(limited.status, 429);
    limited.assert_shows("Sorry, there have been too many attempts");
    // Pages can still be read.
    assert_eq!(citizen.get("/report/crime/type").await.status, 200);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    let start = citizen.get("/").await;
    assert!(
        start.headers.get("set-cookie").is_none(),
        "the start page sets no cookie"
    );
    let first = citizen.get("/report/crime").await;
    let cookie = first.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.starts_with("bl_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Path=/"));
    let id = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("bl_session=");
    assert_eq!(id.len(), 64, "256 random bits");
    citizen.get("/report/crime/type").await;
    answer(
        &mut citizen,
        "crime",
        "type",
        &[("report_type", "assault")],
        "when",
    )
    .await;
}
