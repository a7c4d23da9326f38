//! What partners see: JSON responses snapshot-tested, with ids and times redacted.

use insta::assert_json_snapshot;
use serde_json::json;

use crate::helpers::{self, TestApp, create_request};
use crate::openapi::in_snapshot_dir;

#[tokio::test]
async fn record_and_link_responses() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let mut request = create_request(helpers::person());
    request["clear_period_start"] = json!("2025-01-31");
    let person = officer.create_record(&request).await.json();
    let event = officer
        .create_record(&create_request(helpers::event()))
        .await
        .json();
    let link = officer
        .create_link(&json!({ "from": person["id"], "to": event["id"], "role": "victim" }))
        .await
        .json();
    in_snapshot_dir(|| {
        assert_json_snapshot!("created_person", person, {
            ".id" => "[record id]",
            ".provenance.recorded_by" => "[staff id]",
            ".provenance.recorded_at" => "[timestamp]",
        });
        assert_json_snapshot!("created_event", event, {
            ".id" => "[record id]",
            ".provenance.recorded_by" => "[staff id]",
            ".provenance.recorded_at" => "[timestamp]",
            ".retention.clear_period_start" => "[today]",
            ".retention.next_review" => "[today + 6 years]",
        });
        assert_json_snapshot!("created_link", link, {
            ".id" => "[link id]",
            ".from" => "[person id]",
            ".to" => "[event id]",
            ".valid_from" => "[timestamp]",
        });
    });
}

#[tokio::test]
async fn error_responses() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let bad_postcode = officer
        .create_record(&create_request(json!({
            "kind": "location",
            "address": { "lines": ["1 High Street"], "postcode": "QE1 6AB" }
        })))
        .await
        .json();
    let no_purpose = officer.get("/api/v1/records").await.json();
    let no_token = app.anonymous().get("/api/v1/records").await.json();
    let malformed = officer
        .send_raw(
            reqwest::Method::POST,
            "/api/v1/records",
            Some("application/json"),
            b"{\"marking\": }".to_vec(),
        )
        .await
        .json();
    in_snapshot_dir(|| {
        assert_json_snapshot!("error_bad_postcode", bad_postcode);
        assert_json_snapshot!("error_no_purpose", no_purpose);
        assert_json_snapshot!("error_no_token", no_token);
        assert_json_snapshot!("error_malformed_json", malformed);
    });
}
