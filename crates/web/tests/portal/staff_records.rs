//! Person, vehicle, location and event pages in the staff workspace: opened with a purpose
//! (asked for when missing), showing identifiers, warning markers, links and a timeline of
//! linked events, in one audited consultation; withheld from roles that may not consult.

use bluelamp_app::{NewLink, NewRecord, NewStaff, Principal};
use bluelamp_audit::LogKind;
use bluelamp_domain::ids::RecordId;
use bluelamp_domain::link::LinkRole;
use bluelamp_domain::record::RecordBody;
use bluelamp_policy::Role;
use serde_json::json;

use crate::helpers::{FORCE, PortalApp};
use crate::staff::{StaffUser, signed_in_as};

/// A record of `body` (JSON as the API takes it), OFFICIAL, entered by staff.
pub fn new_record(body: serde_json::Value) -> NewRecord {
    let body: RecordBody = serde_json::from_value(body).unwrap();
    NewRecord {
        marking: serde_json::from_value(
            json!({ "classification": "OFFICIAL", "sensitive": false, "caveats": [] }),
        )
        .unwrap(),
        lawful_basis: "dpa2018-part3-law-enforcement".parse().unwrap(),
        retention_group: "3".parse().unwrap(),
        clear_period_start: None,
        channel: bluelamp_domain::provenance::Channel::StaffEntry,
        body,
    }
}

/// An officer of the force, created through the app, as an API caller.
async fn officer(server: &PortalApp, username: &str, display_name: &str) -> Principal {
    let created = server
        .app
        .create_staff(
            &Principal::system("tests", FORCE),
            NewStaff {
                username: username.to_owned(),
                display_name: display_name.to_owned(),
                role: Role::Officer,
                force: FORCE.to_owned(),
            },
        )
        .await
        .unwrap();
    server
        .app
        .authenticate(bluelamp_app::reveal_token(&created))
        .await
        .unwrap()
}

/// A person with a warning marker, an event they were the victim of, and its place.
async fn person_with_an_event(server: &PortalApp) -> (RecordId, RecordId) {
    let officer = officer(server, "pc.records", "PC 1 Records").await;
    let person = server
        .app
        .create_record(
            &officer,
            new_record(json!({
                "kind": "person",
                "name": { "forenames": ["Sam"], "surname": "Okafor" },
                "aliases": [{ "forenames": ["Sammy"], "surname": "Okafor" }],
                "date_of_birth": "1985-02-03",
                "identifiers": [{ "type": "nhs", "value": "999 000 0018" }],
                "warning_markers": [{ "code": "WE", "details": "Carried a knife in 2024" }],
            })),
        )
        .await
        .unwrap();
    let event = server
        .app
        .create_record(
            &officer,
            new_record(json!({
                "kind": "event",
                "type": "crime_report",
                "summary": "Bicycle taken from outside the library",
                "occurred_from": "2026-11-20T14:00:00Z",
                "crime_category": "bicycle-theft",
            })),
        )
        .await
        .unwrap();
    server
        .app
        .link_records(
            &officer,
            NewLink {
                from: person.id,
                to: event.id,
                role: LinkRole::Victim,
                valid_from: None,
                valid_to: None,
            },
        )
        .await
        .unwrap();
    (person.id, event.id)
}

#[tokio::test]
async fn a_person_page_shows_markers_identifiers_links_and_a_timeline_for_a_stated_purpose() {
    let server = PortalApp::spawn().await;
    let (person, event) = person_with_an_event(&server).await;
    let StaffUser {
        browser: mut officer,
        ..
    } = signed_in_as(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    let before = server.audit().await.len();
    let ask = officer.get(&format!("/staff/records/{person}")).await;
    assert_eq!(ask.status, 200);
    ask.assert_shows("Why are you opening this record?");
    assert_eq!(server.audit().await.len(), before, "asking reads nothing");
    let missing = officer
        .get(&format!(
            "/staff/records/{person}?purpose=investigating-crime&purpose_text="
        ))
        .await;
    assert_eq!(missing.status, 422);
    missing.assert_shows("Enter the reference for “investigating a crime”");
    let page = officer
        .get(&format!("/staff/records/{person}?purpose=safeguarding"))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    page.assert_shows("Sam Okafor, born 3 February 1985");
    page.assert_shows("WE: Carried a knife in 2024");
    page.assert_shows("Sammy Okafor");
    page.assert_shows("999 000 0018");
    page.assert_shows("Victim of");
    page.assert_shows("Bicycle taken from outside the library");
    page.assert_shows("Opened for: Safeguarding a person at risk");
    assert!(
        page.text
            .contains(&format!("/staff/records/{event}?purpose=safeguarding")),
        "links keep the purpose"
    );
    let audit = server.audit().await;
    let last = &audit.last().unwrap().entry;
    assert_eq!(audit.len(), before + 1);
    assert_eq!(last.kind, LogKind::Consultation);
    assert_eq!(
        last.purpose.as_deref(),
        Some("safeguarding a person at risk")
    );
    assert_eq!(last.records, vec![*person.as_uuid(), *event.as_uuid()]);
    // The event's page, one click on, shows the victim.
    let event_page = officer
        .get(&format!("/staff/records/{event}?purpose=safeguarding"))
        .await;
    event_page.assert_shows("Victim");
    event_page.assert_shows("Sam Okafor");
    // An administrator never consults records.
    let StaffUser {
        browser: mut admin, ..
    } = signed_in_as(&server, "admin.one", "Alex Admin", Role::Administrator).await;
    let refused = admin
        .get(&format!("/staff/records/{person}?purpose=safeguarding"))
        .await;
    assert_eq!(refused.status, 403);
    assert!(!refused.shows("Okafor"));
}

#[tokio::test]
async fn one_search_box_finds_a_misspelt_name_for_a_stated_purpose_and_links_keep_it() {
    let server = PortalApp::spawn().await;
    let (person, _) = person_with_an_event(&server).await;
    let StaffUser {
        browser: mut officer,
        ..
    } = signed_in_as(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    let form = officer.get("/staff/search").await;
    assert_eq!(form.status, 200);
    form.assert_shows("Search people, vehicles, places and events");
    let before = server.audit().await.len();
    let no_purpose = officer.get("/staff/search?q=Okafer").await;
    assert_eq!(no_purpose.status, 422);
    no_purpose.assert_shows("Choose why you are looking");
    assert_eq!(
        server.audit().await.len(),
        before,
        "nothing searched without a purpose"
    );
    let junk = officer
        .get("/staff/search?q=%21%21%21&purpose=safeguarding")
        .await;
    assert_eq!(junk.status, 422, "{}", junk.text);
    let found = officer
        .get("/staff/search?q=Sam+Okafer&purpose=investigating-crime&purpose_text=33%2F2026%2F000001")
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    found.assert_shows("Sam OKAFOR, born 1985-02-03");
    assert!(
        found.text.contains(&format!(
            "/staff/records/{person}?purpose=investigating-crime&#38;purpose_text=33%2F2026%2F000001"
        )),
        "the result's link keeps the purpose: {}",
        found.text
    );
    let audit = server.audit().await;
    let last = &audit.last().unwrap().entry;
    assert_eq!(last.kind, LogKind::Consultation);
    assert_eq!(
        last.purpose.as_deref(),
        Some("investigating crime 33/2026/000001")
    );
    assert!(last.records.contains(person.as_uuid()));
    let StaffUser {
        browser: mut admin, ..
    } = signed_in_as(&server, "admin.one", "Alex Admin", Role::Administrator).await;
    let refused = admin
        .get("/staff/search?q=Okafor&purpose=safeguarding")
        .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn officers_record_and_link_a_new_person_and_place_to_an_event() {
    let server = PortalApp::spawn().await;
    let (_, event) = person_with_an_event(&server).await;
    let StaffUser {
        browser: mut officer,
        ..
    } = signed_in_as(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    let page = officer
        .get(&format!("/staff/records/{event}?purpose=safeguarding"))
        .await;
    page.assert_shows("Add a linked person");
    page.assert_shows("Add a linked place");
    let add = format!("/staff/records/{event}/add?kind=person&purpose=safeguarding");
    let form = officer.get(&add).await;
    assert_eq!(form.status, 200);
    form.assert_shows("Suspect");
    assert!(
        !form.shows("Occurred at"),
        "only roles joining a person to an event"
    );
    let refused = officer
        .post(
            &add,
            &[
                ("role", ""),
                ("full_name", "Dan Marsh"),
                ("dob", "2090-01-01"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    refused.assert_shows("Choose how it is linked");
    let refused = officer
        .post(
            &add,
            &[
                ("role", "suspect"),
                ("full_name", "Dan Marsh"),
                ("dob", "2090-01-01"),
            ],
        )
        .await;
    refused.assert_shows("Enter a real date of birth in the past");
    refused.assert_shows("Dan Marsh");
    let added = officer
        .submit(
            &add,
            &[
                ("role", "suspect"),
                ("full_name", "Dan Marsh"),
                ("dob", "1990-06-01"),
            ],
        )
        .await;
    added.assert_shows("Dan Marsh, born 1 June 1990");
    added.assert_shows("Suspect of");
    added.assert_shows("Bicycle taken from outside the library");
    let place = format!("/staff/records/{event}/add?kind=location&purpose=safeguarding");
    officer.get(&place).await;
    let placed = officer
        .submit(
            &place,
            &[
                ("role", "occurred_at"),
                ("address_line_1", "Library Row"),
                ("address_town", "Leicester"),
                ("address_postcode", "LE1 5WW"),
            ],
        )
        .await;
    placed.assert_shows("Library Row, Leicester, LE1 5WW");
    let event_page = officer
        .get(&format!("/staff/records/{event}?purpose=safeguarding"))
        .await;
    event_page.assert_shows("Dan Marsh");
    event_page.assert_shows("Library Row");
    let audit = server.audit().await;
    assert!(
        audit
            .iter()
            .filter(|entry| entry.entry.kind == LogKind::Collection)
            .any(|entry| entry.entry.action == "link.create"),
        "the link is audited"
    );
}

/// Need-to-know on the record page: an analyst sees the person but not her address or
/// contact details; a supervisor restricts the record to themselves with the handling form
/// (a restriction without anyone on the list is refused, saying why), and then an officer
/// is refused the page.
#[tokio::test]
async fn record_pages_withhold_what_the_viewer_need_not_know_and_restrict_by_access_list() {
    let server = PortalApp::spawn().await;
    let officer = officer(&server, "pc.ntk", "PC 3 Ntk").await;
    let person = server
        .app
        .create_record(
            &officer,
            new_record(json!({
                "kind": "person",
                "name": { "forenames": ["Imogen"], "surname": "Quennell" },
                "contact": {
                    "phone": "07700 900123",
                    "address": "Flat 2, 10 Safe Street, Leicester",
                },
            })),
        )
        .await
        .unwrap()
        .id;
    let page_of = format!("/staff/records/{person}?purpose=safeguarding");

    let StaffUser {
        browser: mut analyst,
        ..
    } = signed_in_as(&server, "analyst.ntk", "Ana Lyst", Role::Analyst).await;
    let seen = analyst.get(&page_of).await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    seen.assert_shows("Imogen Quennell");
    seen.assert_shows("Withheld: you do not need to know this");
    assert!(
        !seen.shows("Safe Street") && !seen.shows("07700"),
        "{}",
        seen.text
    );
    assert!(
        !seen.shows("Need-to-know handling"),
        "analysts set no handling"
    );

    let StaffUser {
        browser: mut supervisor,
        ..
    } = signed_in_as(&server, "sgt.ntk", "Sgt Ntk", Role::Supervisor).await;
    let full = supervisor.get(&page_of).await;
    full.assert_shows("Safe Street");
    full.assert_shows("Need-to-know handling");
    let action = format!("/staff/records/{person}/handling");
    let empty = supervisor
        .post(
            &action,
            &[("purpose", "safeguarding"), ("restricted", "yes")],
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.text);
    empty.assert_shows(
        "A restricted record needs at least one member of staff or team on its access list",
    );
    let supervisor_id = server
        .app
        .colleagues(&officer)
        .await
        .unwrap()
        .into_iter()
        .find(|colleague| colleague.display_name == "Sgt Ntk")
        .unwrap()
        .id
        .to_string();
    let saved = supervisor
        .submit(
            &action,
            &[
                ("purpose", "safeguarding"),
                ("restricted", "yes"),
                ("flags", "refuge_address"),
                ("staff", &supervisor_id),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    saved.assert_shows("Restricted to its access list");
    saved.assert_shows("Refuge address");
    let refused = analyst.get(&page_of).await;
    assert_eq!(refused.status, 403);
    assert!(!refused.shows("Quennell"));
}
