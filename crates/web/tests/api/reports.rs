//! `POST /api/v1/reports/{reference}/updates`: the police side of online reports.

use bluelamp_app::{NewReport, Principal};
use bluelamp_domain::location::{Address, Location};
use bluelamp_domain::person::{ContactDetails, Person};
use bluelamp_domain::report::{ReportKind, ReportReference, ReportStatus};
use bluelamp_domain::values::{EmailAddress, FreeText, PersonName, Postcode, Purpose};
use serde_json::json;

use crate::helpers::TestApp;

async fn submit(server: &TestApp) -> ReportReference {
    let mut reporter = Person::named(PersonName::new(vec!["Alex".to_owned()], "Morgan").unwrap());
    reporter.contact = ContactDetails {
        email: Some(EmailAddress::parse("alex@example.com").unwrap()),
        phone: None,
        address: None,
    };
    let address = Address::new(
        vec!["1 High Street".to_owned()],
        Some("Leicester".to_owned()),
        Some(Postcode::parse("LE1 6ZG").unwrap()),
    )
    .unwrap();
    let report = NewReport {
        kind: ReportKind::AntiSocialBehaviour,
        idempotency_key: "api-test-key-0000001".to_owned(),
        report_type: Some("asb-nuisance".to_owned()),
        summary: FreeText::parse("Loud music every night after midnight.").unwrap(),
        occurred_from: chrono::Utc::now() - chrono::Duration::hours(1),
        occurred_to: None,
        place: Some(Location::new(Some(address), None, None).unwrap()),
        reporter: Some(reporter),
        reporter_is_victim: true,
        victim: None,
        witnesses: Vec::new(),
        suspects: Vec::new(),
        vehicles: Vec::new(),
        property: Vec::new(),
        evidence: Vec::new(),
        details: json!({}),
    };
    server.app.submit_report(report).await.unwrap().reference
}

#[tokio::test]
async fn an_officer_moves_a_report_on_and_the_reporter_sees_it() {
    let server = TestApp::spawn().await;
    let reference = submit(&server).await;
    let path = format!("/api/v1/reports/{reference}/updates");
    let officer = server.officer();
    for body in [
        json!({ "type": "assessing" }),
        json!({ "type": "crime_recorded", "crime_number": "LE/2026/000123" }),
        json!({ "type": "officer_assigned", "officer": "PC 2741 Patel" }),
        json!({ "type": "message", "text": "We have your report." }),
        json!({ "type": "outcome", "code": "local-resolution", "note": "Agreed with you." }),
    ] {
        let response = officer.post_json(&path, &body).await;
        assert_eq!(response.status, 204, "{body}: {}", response.text);
    }
    let purpose = Purpose::parse(bluelamp_app::reports::REPORTER_PURPOSE).unwrap();
    let view = server
        .app
        .track_report(&Principal::reporter(&reference), &reference, &purpose)
        .await
        .unwrap();
    assert_eq!(view.status, ReportStatus::Closed);
    assert_eq!(view.crime_number.as_deref(), Some("LE/2026/000123"));
    assert_eq!(view.officer.as_deref(), Some("PC 2741 Patel"));
    assert_eq!(view.timeline.len(), 6);
}

#[tokio::test]
async fn bad_updates_are_refused_with_the_field_at_fault() {
    let server = TestApp::spawn().await;
    let reference = submit(&server).await;
    let path = format!("/api/v1/reports/{}/updates", reference.compact());
    let officer = server.officer();
    officer
        .post_json(&path, &json!({ "type": "outcome", "code": "made-up" }))
        .await
        .assert_error(422, "unknown_code", Some("outcome"));
    officer
        .post_json(
            &path,
            &json!({ "type": "crime_recorded", "crime_number": "<script>" }),
        )
        .await
        .assert_error(422, "invalid", Some("crime_number"));
    officer
        .post_json(&path, &json!({ "type": "teleport" }))
        .await
        .assert_error(422, "invalid_field", Some("type"));
    officer
        .post_json(
            "/api/v1/reports/BL-0000-0000-001/updates",
            &json!({ "type": "assessing" }),
        )
        .await
        .assert_error(400, "invalid_parameter", Some("reference"));
    let unknown = ReportReference::from_random(7);
    officer
        .post_json(
            &format!("/api/v1/reports/{unknown}/updates"),
            &json!({ "type": "assessing" }),
        )
        .await
        .assert_error(404, "not_found", None);
}

#[tokio::test]
async fn only_operational_staff_of_the_force_may_update() {
    let server = TestApp::spawn().await;
    let reference = submit(&server).await;
    let path = format!("/api/v1/reports/{reference}/updates");
    let body = json!({ "type": "assessing" });
    server
        .admin()
        .post_json(&path, &body)
        .await
        .assert_error(403, "forbidden", None);
    server
        .other_force_officer()
        .post_json(&path, &body)
        .await
        .assert_error(403, "forbidden", None);
    server
        .anonymous()
        .post_json(&path, &body)
        .await
        .assert_error(401, "unauthenticated", None);
}
