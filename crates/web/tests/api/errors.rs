//! Bad requests: each is answered with a stable code and the field at fault, and stores
//! nothing.

use reqwest::Method;
use rstest::rstest;
use serde_json::{Value, json};

use crate::helpers::{self, PURPOSE, TestApp, create_request};

const UNKNOWN_ID: &str = "01936b2e-0000-7000-8000-000000000000";

#[tokio::test]
async fn reading_without_a_purpose_is_refused() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let id = officer.create_record_ok(helpers::person()).await;
    for path in [
        format!("/api/v1/records/{id}"),
        format!("/api/v1/records/{id}?purpose="),
        format!("/api/v1/records/{id}/links"),
        "/api/v1/records".to_owned(),
    ] {
        officer
            .get(&path)
            .await
            .assert_error(400, "purpose_required", Some("purpose"));
    }
    officer
        .get_for(&format!("/api/v1/records/{id}"), "   ")
        .await
        .assert_error(400, "purpose_required", Some("purpose"));
}

#[tokio::test]
async fn a_purpose_that_does_not_parse_is_named() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let id = officer.create_record_ok(helpers::person()).await;
    officer
        .get_for(&format!("/api/v1/records/{id}"), "ok")
        .await
        .assert_error(400, "invalid_parameter", Some("purpose"));
}

#[rstest]
#[case::create(Method::POST, "/api/v1/records")]
#[case::read(
    Method::GET,
    "/api/v1/records/01936b2e-0000-7000-8000-000000000000?purpose=checking"
)]
#[case::list(Method::GET, "/api/v1/records?purpose=checking")]
#[case::link(Method::POST, "/api/v1/links")]
#[case::links_of(
    Method::GET,
    "/api/v1/records/01936b2e-0000-7000-8000-000000000000/links?purpose=checking"
)]
#[tokio::test]
async fn every_data_endpoint_needs_a_valid_bearer_token(
    #[case] method: Method,
    #[case] path: &str,
) {
    let app = TestApp::spawn().await;
    for client in [app.anonymous(), app.impostor()] {
        let body = serde_json::to_vec(&create_request(helpers::person())).unwrap();
        let response = client
            .send_raw(method.clone(), path, Some("application/json"), body)
            .await;
        response.assert_error(401, "unauthenticated", None);
        assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    }
    assert_eq!(app.officer().count_records().await, 0);
}

#[tokio::test]
async fn an_administrator_may_not_read_records() {
    let app = TestApp::spawn().await;
    let id = app.officer().create_record_ok(helpers::person()).await;
    let admin = app.admin();
    admin
        .read_record(&id)
        .await
        .assert_error(403, "forbidden", None);
    admin
        .links_of(&id)
        .await
        .assert_error(403, "forbidden", None);
    admin
        .list_records("")
        .await
        .assert_error(403, "forbidden", None);
}

#[tokio::test]
async fn an_administrator_may_not_create_records() {
    let app = TestApp::spawn().await;
    app.admin()
        .create_record(&create_request(helpers::person()))
        .await
        .assert_error(403, "forbidden", None);
    assert_eq!(app.officer().count_records().await, 0);
}

#[tokio::test]
async fn an_officer_of_another_force_may_not_read_this_forces_records() {
    let app = TestApp::spawn().await;
    let id = app.officer().create_record_ok(helpers::person()).await;
    app.other_force_officer()
        .read_record(&id)
        .await
        .assert_error(403, "forbidden", None);
}

#[rstest]
#[case::postcode(
    json!({ "kind": "location", "address": { "lines": ["1 High Street"], "postcode": "QE1 6AB" } }),
    "record.address.postcode"
)]
#[case::nhs_number(
    json!({ "kind": "person", "name": { "surname": "Smith" }, "identifiers": [{ "type": "nhs", "value": "9434765918" }] }),
    "record.identifiers[0].value"
)]
#[case::vrm(
    json!({ "kind": "object", "type": "vehicle", "vrm": "AB12-CDE" }),
    "record.vrm"
)]
#[case::surname(json!({ "kind": "person", "name": { "surname": "  " } }), "record.name")]
#[case::missing_name(json!({ "kind": "person" }), "record.name")]
#[case::unknown_kind(json!({ "kind": "spaceship" }), "record.kind")]
#[case::missing_kind(json!({ "name": { "surname": "Smith" } }), "record.kind")]
#[case::unknown_object_type(json!({ "kind": "object", "type": "spaceship" }), "record.type")]
#[tokio::test]
async fn a_bad_value_in_the_record_is_named_by_its_full_path(
    #[case] record: Value,
    #[case] field: &str,
) {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let response = officer.create_record(&create_request(record)).await;
    response.assert_error(422, "invalid_field", Some(field));
    assert_eq!(officer.count_records().await, 0, "nothing was stored");
}

#[tokio::test]
async fn the_message_of_a_bad_value_says_what_is_wrong() {
    let app = TestApp::spawn().await;
    let response = app
        .officer()
        .create_record(&create_request(json!({
            "kind": "person", "name": { "surname": "Smith" },
            "identifiers": [{ "type": "nhs", "value": "9434765918" }]
        })))
        .await;
    let message = response.json()["error"]["message"].clone();
    assert!(
        message.as_str().unwrap().contains("check digit"),
        "{message}"
    );
}

#[rstest]
#[case::marking(json!({ "classification": "RESTRICTED" }), "marking.classification")]
#[case::sensitive_secret(json!({ "classification": "SECRET", "sensitive": true }), "marking")]
#[tokio::test]
async fn a_bad_marking_is_named(#[case] marking: Value, #[case] field: &str) {
    let app = TestApp::spawn().await;
    let mut request = create_request(helpers::person());
    request["marking"] = marking;
    app.officer()
        .create_record(&request)
        .await
        .assert_error(422, "invalid_field", Some(field));
}

#[rstest]
#[case::lawful_basis("lawful_basis", json!("dpa 2018"))]
#[case::retention_group("retention_group", json!("group three!"))]
#[case::clear_period_start("clear_period_start", json!("31/01/2025"))]
#[case::unknown_field("colour", json!("blue"))]
#[tokio::test]
async fn a_bad_top_level_field_is_named(#[case] field: &str, #[case] value: Value) {
    let app = TestApp::spawn().await;
    let mut request = create_request(helpers::person());
    request[field] = value;
    app.officer()
        .create_record(&request)
        .await
        .assert_error(422, "invalid_field", Some(field));
}

#[tokio::test]
async fn a_missing_top_level_field_is_named() {
    let app = TestApp::spawn().await;
    let mut request = create_request(helpers::person());
    request.as_object_mut().unwrap().remove("lawful_basis");
    app.officer().create_record(&request).await.assert_error(
        422,
        "invalid_field",
        Some("lawful_basis"),
    );
}

#[tokio::test]
async fn codes_missing_from_the_reference_data_are_refused() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let mut request = create_request(helpers::person());
    request["retention_group"] = json!("9");
    let response = officer.create_record(&request).await;
    assert_eq!(response.status, 422, "{}", response.text);
    assert_eq!(response.json()["error"]["field"], "retention_group");
    assert_eq!(officer.count_records().await, 0);
}

fn trailing_junk() -> Vec<u8> {
    let mut body = serde_json::to_vec(&create_request(helpers::person())).unwrap();
    body.extend_from_slice(b" {}");
    body
}

#[rstest]
#[case::truncated(b"{\"marking\": ".to_vec())]
#[case::not_json(b"marking=OFFICIAL".to_vec())]
#[case::trailing(trailing_junk())]
#[case::empty(Vec::new())]
#[tokio::test]
async fn malformed_json_is_refused(#[case] body: Vec<u8>) {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    officer
        .send_raw(
            Method::POST,
            "/api/v1/records",
            Some("application/json"),
            body,
        )
        .await
        .assert_error(400, "malformed_json", None);
    assert_eq!(officer.count_records().await, 0);
}

#[rstest]
#[case::none(None)]
#[case::text(Some("text/plain"))]
#[case::form(Some("application/x-www-form-urlencoded"))]
#[tokio::test]
async fn a_body_not_declared_as_json_is_refused(#[case] content_type: Option<&str>) {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let body = serde_json::to_vec(&create_request(helpers::person())).unwrap();
    officer
        .send_raw(Method::POST, "/api/v1/records", content_type, body)
        .await
        .assert_error(415, "unsupported_media_type", None);
    assert_eq!(officer.count_records().await, 0);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_refused() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let mut request = create_request(helpers::person());
    request["padding"] = json!("x".repeat(1024 * 1024));
    let body = serde_json::to_vec(&request).unwrap();
    officer
        .send_raw(
            Method::POST,
            "/api/v1/records",
            Some("application/json"),
            body,
        )
        .await
        .assert_error(413, "payload_too_large", None);
    assert_eq!(officer.count_records().await, 0);
}

#[tokio::test]
async fn a_body_just_under_the_limit_is_parsed() {
    let app = TestApp::spawn().await;
    let mut request = create_request(helpers::person());
    request["padding"] = json!("x".repeat(1024 * 1000));
    // Under the limit, so it is parsed, and the unknown field is named.
    app.officer()
        .create_record(&request)
        .await
        .assert_error(422, "invalid_field", Some("padding"));
}

#[tokio::test]
async fn unknown_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    officer
        .read_record(UNKNOWN_ID)
        .await
        .assert_error(404, "not_found", None);
    officer
        .read_record("not-a-record-id")
        .await
        .assert_error(404, "not_found", None);
    officer
        .links_of(UNKNOWN_ID)
        .await
        .assert_error(404, "not_found", None);
}

#[rstest]
#[case::api_v1("/api/v1/nothing-here")]
#[case::api_v2("/api/v2/records")]
#[case::api_root("/api")]
#[tokio::test]
async fn unknown_api_routes_are_json_not_found(#[case] path: &str) {
    let app = TestApp::spawn().await;
    let response = app.officer().get_for(path, PURPOSE).await;
    response.assert_error(404, "not_found", None);
    assert_eq!(response.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn unknown_pages_are_html_not_found() {
    let app = TestApp::spawn().await;
    let response = app.anonymous().get("/no-such-page").await;
    assert_eq!(response.status, 404);
    assert!(
        response.text.contains("Page not found</h1>"),
        "{}",
        response.text
    );
}

#[tokio::test]
async fn an_unsupported_method_is_refused() {
    let app = TestApp::spawn().await;
    app.officer()
        .send_raw(Method::DELETE, "/api/v1/records", None, Vec::new())
        .await
        .assert_error(405, "method_not_allowed", None);
}

#[tokio::test]
async fn rejected_requests_store_nothing() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let kept = officer.create_record_ok(helpers::person()).await;
    let before = officer.count_records().await;
    assert_eq!(before, 1);

    let mut bad_postcode = create_request(helpers::location());
    bad_postcode["record"]["address"]["postcode"] = json!("QE1 6AB");
    let mut bad_group = create_request(helpers::person());
    bad_group["retention_group"] = json!("9");
    for (client, body) in [
        (app.officer(), bad_postcode),
        (app.officer(), bad_group),
        (app.admin(), create_request(helpers::person())),
        (app.anonymous(), create_request(helpers::person())),
        (
            app.other_force_officer(),
            json!({ "from": kept, "to": kept, "role": "associate" }),
        ),
    ] {
        let path = if body.get("role").is_some() {
            "/api/v1/links"
        } else {
            "/api/v1/records"
        };
        let response = client.post_json(path, &body).await;
        assert!(response.status >= 400, "{}", response.text);
    }
    officer
        .send_raw(
            Method::POST,
            "/api/v1/records",
            Some("application/json"),
            b"{".to_vec(),
        )
        .await
        .assert_error(400, "malformed_json", None);

    assert_eq!(officer.count_records().await, before);
    assert_eq!(officer.links_of(&kept).await.json(), json!({ "links": [] }));
}
