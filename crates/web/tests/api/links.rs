//! Linking records and listing a record's links.

use rstest::rstest;
use serde_json::{Value, json};

use crate::helpers::{self, TestApp};

#[rstest]
#[case::victim(helpers::person(), helpers::event(), "victim")]
#[case::owner(helpers::person(), helpers::vehicle(), "owner")]
#[case::resident(helpers::person(), helpers::location(), "resident")]
#[case::occurred_at(helpers::event(), helpers::location(), "occurred_at")]
#[case::involved(helpers::property(), helpers::event(), "involved")]
#[tokio::test]
async fn an_officer_links_two_records_and_lists_the_links_of_each(
    #[case] from_record: Value,
    #[case] to_record: Value,
    #[case] role: &str,
) {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let from = officer.create_record_ok(from_record).await;
    let to = officer.create_record_ok(to_record).await;

    let created = officer
        .create_link(&json!({ "from": from, "to": to, "role": role }))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let link = created.json();
    assert_eq!(link["from"], from.as_str());
    assert_eq!(link["to"], to.as_str());
    assert_eq!(link["role"], role);
    assert_eq!(link["valid_to"], Value::Null);

    for end in [&from, &to] {
        let listed = officer.links_of(end).await;
        assert_eq!(listed.status, 200, "{}", listed.text);
        assert_eq!(listed.json()["links"], json!([link.clone()]));
    }
}

#[tokio::test]
async fn a_link_may_be_bounded_in_time() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let person = officer.create_record_ok(helpers::person()).await;
    let address = officer.create_record_ok(helpers::location()).await;
    let created = officer
        .create_link(&json!({
            "from": person, "to": address, "role": "resident",
            "valid_from": "2020-01-01T00:00:00Z", "valid_to": "2024-06-30T00:00:00Z"
        }))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json()["valid_from"], "2020-01-01T00:00:00Z");
    assert_eq!(created.json()["valid_to"], "2024-06-30T00:00:00Z");
}

#[tokio::test]
async fn a_record_without_links_has_an_empty_list() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let person = officer.create_record_ok(helpers::person()).await;
    let listed = officer.links_of(&person).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.json(), json!({ "links": [] }));
}

#[tokio::test]
async fn a_role_that_does_not_fit_the_kinds_is_refused() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let vehicle = officer.create_record_ok(helpers::vehicle()).await;
    let address = officer.create_record_ok(helpers::location()).await;
    let refused = officer
        .create_link(&json!({ "from": vehicle, "to": address, "role": "victim" }))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json()["error"]["field"], "role");
    assert_eq!(
        officer.links_of(&vehicle).await.json(),
        json!({ "links": [] })
    );
}

#[tokio::test]
async fn linking_to_a_record_that_does_not_exist_is_refused() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let person = officer.create_record_ok(helpers::person()).await;
    let missing = "01936b2e-0000-7000-8000-000000000000";
    officer
        .create_link(&json!({ "from": person, "to": missing, "role": "victim" }))
        .await
        .assert_error(422, "unknown_record", Some("to"));
    officer
        .create_link(&json!({ "from": missing, "to": person, "role": "associate" }))
        .await
        .assert_error(422, "unknown_record", Some("from"));
    assert_eq!(
        officer.links_of(&person).await.json(),
        json!({ "links": [] })
    );
}

#[rstest]
#[case::bad_id(json!({ "from": "nope", "to": "01936b2e-0000-7000-8000-000000000000", "role": "victim" }), "from")]
#[case::unknown_role(json!({ "from": "01936b2e-0000-7000-8000-000000000000", "to": "01936b2e-0000-7000-8000-000000000001", "role": "nemesis" }), "role")]
#[case::missing_role(json!({ "from": "01936b2e-0000-7000-8000-000000000000", "to": "01936b2e-0000-7000-8000-000000000001" }), "role")]
#[case::bad_time(json!({ "from": "01936b2e-0000-7000-8000-000000000000", "to": "01936b2e-0000-7000-8000-000000000001", "role": "victim", "valid_from": "yesterday" }), "valid_from")]
#[case::unknown_field(json!({ "from": "01936b2e-0000-7000-8000-000000000000", "to": "01936b2e-0000-7000-8000-000000000001", "role": "victim", "colour": "red" }), "colour")]
#[tokio::test]
async fn bad_link_fields_are_named(#[case] body: Value, #[case] field: &str) {
    let app = TestApp::spawn().await;
    app.officer()
        .create_link(&body)
        .await
        .assert_error(422, "invalid_field", Some(field));
}
