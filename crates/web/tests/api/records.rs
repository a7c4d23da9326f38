//! Creating, reading and listing records of every kind.

use rstest::rstest;
use serde_json::Value;

use crate::helpers::{self, TestApp, create_request};

#[rstest]
#[case::person(helpers::person(), "person")]
#[case::vehicle(helpers::vehicle(), "object")]
#[case::property(helpers::property(), "object")]
#[case::location(helpers::location(), "location")]
#[case::event(helpers::event(), "event")]
#[tokio::test]
async fn an_officer_creates_and_reads_a_record_of_each_kind(
    #[case] record: Value,
    #[case] kind: &str,
) {
    let app = TestApp::spawn().await;
    let officer = app.officer();

    let created = officer.create_record(&create_request(record)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let body = created.json();
    let id = created.id();
    assert_eq!(body["body"]["kind"], kind);
    assert_eq!(body["provenance"]["channel"], "api");
    assert_eq!(body["retention"]["group"], "3");
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/records/{id}").as_str())
    );

    let read = officer.read_record(&id).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json(), body, "what is read is what was created");
}

#[tokio::test]
async fn values_are_stored_in_canonical_form() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let vehicle = officer
        .create_record(&create_request(helpers::vehicle()))
        .await;
    assert_eq!(vehicle.json()["body"]["vrm"], "AB12 CDE");
    let location = officer
        .create_record(&create_request(helpers::location()))
        .await;
    assert_eq!(location.json()["body"]["address"]["postcode"], "LE1 6AB");
}

#[tokio::test]
async fn the_purpose_may_be_given_as_a_query_parameter() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let id = officer.create_record_ok(helpers::person()).await;
    let read = officer
        .get(&format!(
            "/api/v1/records/{id}?purpose=safeguarding%20a%20child"
        ))
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
}

#[tokio::test]
async fn the_clear_period_start_may_be_given() {
    let app = TestApp::spawn().await;
    let mut request = create_request(helpers::person());
    request["clear_period_start"] = "2025-01-31".into();
    let created = app.officer().create_record(&request).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.json()["retention"]["clear_period_start"],
        "2025-01-31"
    );
    assert_eq!(created.json()["retention"]["next_review"], "2031-01-31");
}

#[tokio::test]
async fn listing_pages_through_records_in_creation_order_and_filters_by_kind() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    let mut created = Vec::new();
    for record in [
        helpers::person(),
        helpers::vehicle(),
        helpers::person(),
        helpers::location(),
        helpers::event(),
    ] {
        created.push(officer.create_record_ok(record).await);
    }

    let first_page = officer.list_records("limit=2").await;
    assert_eq!(first_page.status, 200, "{}", first_page.text);
    let first = first_page.json();
    assert_eq!(ids_of(&first), created[..2].to_vec());
    let after = first["next_after"].as_str().expect("a cursor");
    assert_eq!(after, created[1]);

    let second = officer
        .list_records(&format!("limit=2&after={after}"))
        .await
        .json();
    assert_eq!(ids_of(&second), created[2..4].to_vec());

    let everything = officer.list_records("").await.json();
    assert_eq!(ids_of(&everything), created);

    let people = officer.list_records("kind=person").await.json();
    assert_eq!(
        ids_of(&people),
        vec![created[0].clone(), created[2].clone()]
    );

    let after_last = officer
        .list_records(&format!("after={}", created[4]))
        .await
        .json();
    assert_eq!(ids_of(&after_last), Vec::<String>::new());
    assert_eq!(after_last["next_after"], Value::Null);
}

#[rstest]
#[case::unknown_kind("kind=dragon", "kind")]
#[case::bad_cursor("after=not-an-id", "after")]
#[case::zero_limit("limit=0", "limit")]
#[case::huge_limit("limit=501", "limit")]
#[case::word_limit("limit=ten", "limit")]
#[tokio::test]
async fn bad_list_parameters_are_named(#[case] query: &str, #[case] field: &str) {
    let app = TestApp::spawn().await;
    let response = app.officer().list_records(query).await;
    response.assert_error(400, "invalid_parameter", Some(field));
}

fn ids_of(page: &Value) -> Vec<String> {
    page["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|record| record["id"].as_str().expect("an id").to_owned())
        .collect()
}
