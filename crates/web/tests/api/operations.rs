//! Health, metrics, the audit checkpoint, the landing page and the headers on every response.

use serde_json::json;

use crate::helpers::{self, FORCE, TestApp};

#[tokio::test]
async fn healthz_is_ok_while_the_database_answers() {
    let app = TestApp::spawn().await;
    let response = app.anonymous().get("/healthz").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json(), json!({ "status": "ok" }));
}

#[tokio::test]
async fn healthz_is_unavailable_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.store.close().await;
    let response = app.anonymous().get("/healthz").await;
    assert_eq!(response.status, 503);
    assert_eq!(response.json(), json!({ "status": "unavailable" }));
}

#[tokio::test]
async fn a_database_outage_is_a_503_that_reveals_no_cause() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let id = officer.create_record_ok(helpers::person()).await;
    app.store.close().await;
    let response = officer.read_record(&id).await;
    assert!(
        matches!(response.status, 500 | 503),
        "{} {}",
        response.status,
        response.text
    );
    let message = response.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message == "internal error"
            || message == "the service is temporarily unavailable; try again later",
        "{message}"
    );
}

#[tokio::test]
async fn metrics_count_requests_per_route() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let id = officer.create_record_ok(helpers::person()).await;
    assert_eq!(officer.read_record(&id).await.status, 200);
    let response = app.anonymous().get("/metrics").await;
    assert_eq!(response.status, 200);
    assert!(
        response
            .header("content-type")
            .unwrap()
            .starts_with("text/plain"),
    );
    let text = response.text;
    assert!(text.contains("http_requests_total{"), "{text}");
    assert!(
        text.contains(r#"route="/api/v1/records/{id}""#),
        "routes are templates, never raw paths: {text}"
    );
    assert!(!text.contains(&id), "ids never reach the metrics");
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "{text}"
    );
}

#[tokio::test]
async fn the_checkpoint_is_not_found_until_one_is_written() {
    let app = TestApp::spawn().await;
    app.anonymous()
        .get("/api/v1/audit/checkpoint")
        .await
        .assert_error(404, "not_found", None);

    app.officer().create_record_ok(helpers::person()).await;
    app.app
        .write_checkpoint()
        .await
        .expect("writing a checkpoint")
        .expect("the log has grown");

    let response = app.anonymous().get("/api/v1/audit/checkpoint").await;
    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let text = response.text;
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(format!("bluelamp/{FORCE}").as_str()));
    let size: u64 = lines.next().unwrap().parse().expect("a size");
    assert!(size >= 2, "staff creation and the record are in the log");
    assert!(
        text.contains("\n\n\u{2014} bluelamp "),
        "a signature line: {text}"
    );
    let checkpoint = bluelamp_audit::SignedCheckpoint::parse(&text).expect("the text form parses");
    checkpoint
        .verify(&app.app.verifying_key())
        .expect("the signature verifies");
}

#[tokio::test]
async fn the_start_page_is_the_citizen_portal() {
    let app = TestApp::spawn().await;
    let response = app.anonymous().get("/").await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let page = &response.text;
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(r#"<html lang="en""#));
    assert_eq!(page.matches("<h1").count(), 1, "one h1");
    assert!(page.contains(r##"href="#main-content""##), "skip link");
    assert!(page.contains(r#"id="main-content""#));
    assert!(page.contains("999"), "the emergency warning");
    assert!(page.contains(r#"id="quick-exit""#), "the quick exit");
    assert!(!page.contains("<script>"), "no inline script");
    assert!(!page.contains("style="), "no inline style");
    // Scripts and styles come from this server only.
    for attribute in ["src=\"http", "href=\"http"] {
        for (index, _) in page.match_indices(attribute) {
            let rest = &page[index..];
            assert!(
                rest.contains("bbc.co.uk/weather") && rest.find("bbc.co.uk/weather") < Some(60),
                "only the quick exit leaves the site: {}",
                &rest[..rest.len().min(80)]
            );
        }
    }

    let stylesheet = app.anonymous().get("/assets/bluelamp.css").await;
    assert_eq!(stylesheet.status, 200);
    assert_eq!(
        stylesheet.header("content-type"),
        Some("text/css; charset=utf-8")
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_a_request_id() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let id = officer.create_record_ok(helpers::person()).await;
    let responses = [
        app.anonymous().get("/").await,
        app.anonymous().get("/healthz").await,
        app.anonymous().get("/metrics").await,
        app.anonymous().get("/no-such-page").await,
        app.anonymous().get("/api/v1/openapi.json").await,
        app.anonymous().get("/api/v1/nothing").await,
        app.anonymous().get("/api/v1/records").await,
        officer.read_record(&id).await,
        officer.get(&format!("/api/v1/records/{id}")).await,
    ];
    for response in responses {
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            response.header("content-security-policy"),
            Some("default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        );
        assert_eq!(response.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(response.header("x-frame-options"), Some("DENY"));
        let request_id = response.header("x-request-id").expect("a request id");
        assert_eq!(request_id.len(), 36, "a uuid: {request_id}");
    }
}

#[tokio::test]
async fn api_responses_are_not_cached() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let id = officer.create_record_ok(helpers::person()).await;
    assert_eq!(
        officer.read_record(&id).await.header("cache-control"),
        Some("no-store")
    );
}

#[tokio::test]
async fn a_request_id_sent_by_the_client_is_kept() {
    let app = TestApp::spawn().await;
    let response = reqwest::Client::new()
        .get(format!("{}/healthz", app.base_url()))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers().get("x-request-id").unwrap(),
        "trace-me-123"
    );
}

#[tokio::test]
async fn the_server_stops_gracefully() {
    let app = TestApp::spawn().await;
    assert_eq!(app.anonymous().get("/healthz").await.status, 200);
    app.stop().await;
}
