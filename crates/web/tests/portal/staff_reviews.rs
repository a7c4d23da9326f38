//! MoPI review in the staff workspace: information managers see the records due, retain one
//! with a reason, dispose of another and read its deletion certificate; the disposed record
//! shows only its tombstone.

use bluelamp_app::Principal;
use bluelamp_policy::Role;
use serde_json::json;

use crate::helpers::{FORCE, PortalApp};
use crate::staff::{StaffUser, signed_in_as};
use crate::staff_records::new_record;

/// A person whose clear period started seven years ago, so (group 3) their review is due.
async fn overdue_person(server: &PortalApp, surname: &str) -> bluelamp_domain::ids::RecordId {
    let mut record = new_record(json!({
        "kind": "person",
        "name": { "forenames": ["Zebedee"], "surname": surname },
        "date_of_birth": "1979-05-06",
    }));
    record.clear_period_start =
        Some(server.app.now().date_naive() - chrono::Duration::days(7 * 365));
    server
        .app
        .create_record(&Principal::system("tests", FORCE), record)
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn an_information_manager_retains_one_record_and_disposes_of_another() {
    let server = PortalApp::spawn().await;
    let kept = overdue_person(&server, "Quorrel").await;
    let gone = overdue_person(&server, "Quixley").await;
    let StaffUser {
        browser: mut manager,
        ..
    } = signed_in_as(&server, "im.jones", "IM Jones", Role::InformationManager).await;

    let home = manager.get("/staff").await;
    assert_eq!(home.location(), "/staff/reviews");
    let list = manager.get("/staff/reviews").await;
    assert_eq!(list.status, 200, "{}", list.text);
    list.assert_shows("2 records due for review");
    list.assert_shows(&format!("/staff/reviews/{kept}"));
    list.assert_shows("3: All other offences");
    assert!(
        list.text
            .contains(r#"<th scope="col" class="govuk-table__header">Review due</th>"#)
    );
    assert!(!list.shows("Quorrel"), "the list shows no personal content");

    let form = manager.get(&format!("/staff/reviews/{kept}")).await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains(
        r#"<label class="govuk-label govuk-label--s" for="reason">Reason for the decision</label>"#
    ));
    let blank = manager
        .post(
            &format!("/staff/reviews/{kept}"),
            &[("decision", "retain"), ("reason", " ")],
        )
        .await;
    assert_eq!(blank.status, 422, "{}", blank.text);
    blank.assert_shows("There is a problem");
    assert!(
        blank
            .text
            .contains(r##"<a href="#reason">Enter the reason for the decision</a>"##),
        "{}",
        blank.text
    );

    let retained = manager
        .post(
            &format!("/staff/reviews/{kept}"),
            &[
                ("decision", "retain"),
                ("reason", "Linked to an open investigation"),
            ],
        )
        .await;
    assert_eq!(retained.location(), "/staff/reviews?done=retained");
    let list = manager.get("/staff/reviews?done=retained").await;
    list.assert_shows("Record retained");
    list.assert_shows("1 record due for review");
    assert!(
        !list.shows(&kept.to_string()),
        "the retained record is still due"
    );

    manager.get(&format!("/staff/reviews/{gone}")).await;
    let disposed = manager
        .post(
            &format!("/staff/reviews/{gone}"),
            &[
                ("decision", "dispose"),
                ("reason", "No NRAC concern after the clear period"),
            ],
        )
        .await;
    let certificate_path = format!("/staff/records/{gone}/certificate");
    assert_eq!(
        disposed.location(),
        format!("{certificate_path}?done=disposed")
    );
    let certificate = manager.get(&certificate_path).await;
    assert_eq!(certificate.status, 200, "{}", certificate.text);
    certificate.assert_shows("Deletion certificate");
    certificate.assert_shows("MoPI group 3: All other offences");
    certificate.assert_shows("No NRAC concern after the clear period");
    certificate.assert_shows("Erasure, sequence number");
    assert!(certificate.text.contains(r#"id="no-checkpoint""#));
    server.app.write_checkpoint().await.unwrap();
    let certificate = manager.get(&certificate_path).await;
    assert!(certificate.text.contains(r#"id="checkpoint""#));
    certificate.assert_shows("Covered by checkpoint");
    assert!(!certificate.shows("Quixley"));

    let record = manager
        .get(&format!("/staff/records/{gone}?purpose=safeguarding"))
        .await;
    assert_eq!(record.status, 410, "{}", record.text);
    record.assert_shows("This record has been disposed of");
    record.assert_shows("View the deletion certificate");
    assert!(!record.shows("Quixley") && !record.shows("Zebedee"));
    let search = manager
        .get("/staff/search?q=Zebedee+Quixley&purpose=safeguarding")
        .await;
    assert_eq!(search.status, 200);
    assert!(
        !search.shows(&gone.to_string()),
        "search finds the disposed record"
    );
}

#[tokio::test]
async fn others_do_not_see_reviews_in_their_navigation() {
    let server = PortalApp::spawn().await;
    let StaffUser {
        browser: mut officer,
        ..
    } = signed_in_as(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    let work = officer.get("/staff/work").await;
    assert!(!work.text.contains(r#"href="/staff/reviews""#));
    let StaffUser {
        browser: mut manager,
        ..
    } = signed_in_as(&server, "im.jones", "IM Jones", Role::InformationManager).await;
    let list = manager.get("/staff/reviews").await;
    assert!(list.text.contains(r#"href="/staff/reviews""#));
    list.assert_shows("No records are due for review.");
}
