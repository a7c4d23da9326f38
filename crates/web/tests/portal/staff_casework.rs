//! Casework in the staff workspace over HTTP: recording a crime with a Home Office
//! classification and a crime number the system issues, allocating to an officer (who then
//! finds it in "My work") or a team, tasks with due dates that turn overdue, Victims' Code
//! deadlines on working days that a message to the victim meets, closing and duplicates —
//! and what the reporter sees of each.

use bluelamp_policy::Role;
use chrono::Duration;

use crate::helpers::{Citizen, Page, PortalApp};
use crate::staff::{StaffUser, reported, signed_in_as};

/// The compact form of a reference as shown (`BL-7K3M-9QXD-2HJ` → `7K3M9QXD2HJ`).
fn compact(reference: &str) -> String {
    reference
        .chars()
        .filter(|c| *c != '-')
        .collect::<String>()
        .trim_start_matches("BL")
        .to_owned()
}

/// Posts `action` on `reference` with the usual purpose and follows the redirect.
async fn act(
    browser: &mut Citizen,
    reference: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    let mut all = vec![("purpose", "investigating-report")];
    all.extend_from_slice(fields);
    let path = format!("/staff/reports/{}/{action}", compact(reference));
    browser.submit(&path, &all).await
}

/// Opens `reference` with the usual purpose.
async fn open(browser: &mut Citizen, reference: &str) -> Page {
    browser
        .get(&format!(
            "/staff/reports/{}?purpose=investigating-report",
            compact(reference)
        ))
        .await
}

/// The reporter's tracking page, signed in with the e-mailed code.
async fn reporter_page(server: &PortalApp, reference: &str) -> Page {
    let mut citizen = server.citizen();
    citizen.get("/track").await;
    citizen.submit("/track", &[("reference", reference)]).await;
    let code = server.code_sent_to("jane@example.org").await;
    citizen
        .submit("/track/code", &[("code", code.as_str())])
        .await
}

/// The value of the option whose words start with `words` on `page`.
fn option_value(page: &Page, words: &str) -> String {
    page.text
        .split("<option value=\"")
        .filter_map(|rest| rest.split_once('"'))
        .find(|(_, tail)| {
            tail.trim_start_matches(" selected")
                .starts_with(&format!(">{words}"))
        })
        .map(|(value, _)| value.to_owned())
        .unwrap_or_else(|| panic!("no option {words}"))
}

#[tokio::test]
async fn a_crime_is_recorded_with_a_system_crime_number_allocated_and_worked() {
    let server = PortalApp::spawn().await;
    let first = reported(&server).await;
    let second = reported(&server).await;
    let StaffUser {
        browser: mut officer,
        ..
    } = signed_in_as(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    let StaffUser {
        browser: mut handler,
        ..
    } = signed_in_as(&server, "ch.smith", "Sam Smith", Role::ContactHandler).await;

    open(&mut handler, &first).await;
    let unchosen = handler
        .post(
            &format!("/staff/reports/{}/record", compact(&first)),
            &[("purpose", "investigating-report"), ("classification", "")],
        )
        .await;
    assert_eq!(unchosen.status, 422);
    unchosen.assert_shows("Choose the Home Office classification");
    let recorded = act(&mut handler, &first, "record", &[("classification", "49")]).await;
    recorded.assert_shows("Recorded as a crime: the crime number is issued");
    let number = recorded
        .text
        .split("Crime number</dt>")
        .nth(1)
        .and_then(|rest| rest.split("</dd>").next())
        .and_then(|cell| cell.rsplit('>').next())
        .unwrap()
        .trim()
        .to_owned();
    assert!(number.ends_with("/000001"), "{number}");
    assert!(
        !recorded.shows("Record as a crime"),
        "decided: the form is gone"
    );
    // The monthly Victims' Code update starts with the record.
    recorded.assert_shows("Victims' Code");
    open(&mut handler, &second).await;
    let next = act(&mut handler, &second, "record", &[("classification", "49")]).await;
    assert!(
        next.text.contains(&number.replace("/000001", "/000002")),
        "consecutive numbers"
    );

    // Allocate the first to the officer, who finds it in "My work".
    let page = open(&mut handler, &first).await;
    let patel = option_value(&page, "PC 2741 Patel");
    let allocated = act(
        &mut handler,
        &first,
        "allocate",
        &[("officer", patel.as_str())],
    )
    .await;
    allocated.assert_shows("Report allocated");
    allocated.assert_shows("Allocated to");
    let work = officer.get("/staff/work").await;
    assert_eq!(work.status, 200);
    work.assert_shows(&first);
    assert!(!work.shows(&second));

    // The officer sets a task due tomorrow; two days on it is overdue.
    let tomorrow = (server.app.now() + Duration::days(1))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    open(&mut officer, &first).await;
    let tasked = act(
        &mut officer,
        &first,
        "task",
        &[("title", "Visit the victim"), ("due", tomorrow.as_str())],
    )
    .await;
    tasked.assert_shows("Task added");
    tasked.assert_shows("Visit the victim");
    server.clock.advance(Duration::days(2));
    let StaffUser {
        browser: mut later, ..
    } = signed_in_as(&server, "pc.patel2", "PC 2742 Patel", Role::Supervisor).await;
    let late = open(&mut later, &first).await;
    late.assert_shows("Overdue");
    let task = late
        .text
        .split("name=\"task\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let done = act(&mut later, &first, "task-done", &[("task", task.as_str())]).await;
    done.assert_shows("Task done");

    // The reporter sees the crime number and the officer, never the classification or tasks.
    let tracked = reporter_page(&server, &first).await;
    tracked.assert_shows(&number);
    tracked.assert_shows("PC 2741 Patel");
    assert!(!tracked.shows("Visit the victim"));
    assert!(!tracked.shows("Other theft"));
}

#[tokio::test]
async fn victims_code_deadlines_count_working_days_and_a_message_meets_them() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let StaffUser {
        browser: mut officer,
        ..
    } = signed_in_as(&server, "pc.patel", "PC 2741 Patel", Role::Officer).await;
    open(&mut officer, &reference).await;
    let missing = officer
        .post(
            &format!("/staff/reports/{}/victims-code", compact(&reference)),
            &[
                ("purpose", "investigating-report"),
                ("trigger", "suspect-arrested"),
                ("at", ""),
            ],
        )
        .await;
    assert_eq!(missing.status, 422);
    missing.assert_shows("Enter when it happened");
    // Friday 19 December 2025, 10:00: the fifth working day after it, over Christmas Day
    // and Boxing Day (Thursday and Friday) and two weekends, is Tuesday 30 December
    // (22, 23, 24, 29, 30 December).
    let added = act(
        &mut officer,
        &reference,
        "victims-code",
        &[("trigger", "suspect-arrested"), ("at", "2025-12-19T10:00")],
    )
    .await;
    added.assert_shows("Victims' Code deadline added as a task");
    added.assert_shows("Tell the victim a suspect has been arrested");
    added.assert_shows("Due by 30 Dec 2025");
    added.assert_shows("Overdue");
    let messaged = act(
        &mut officer,
        &reference,
        "message",
        &[(
            "text",
            "A suspect has been arrested and is being interviewed.",
        )],
    )
    .await;
    messaged.assert_shows("Message sent to the reporter");
    assert!(
        messaged.text.contains("Done "),
        "the message met the deadline: {}",
        messaged.text
    );
}

#[tokio::test]
async fn duplicates_and_closures_keep_their_reasons_from_the_reporter() {
    let server = PortalApp::spawn().await;
    let original = reported(&server).await;
    let duplicate = reported(&server).await;
    let third = reported(&server).await;
    let StaffUser {
        browser: mut handler,
        ..
    } = signed_in_as(&server, "ch.smith", "Sam Smith", Role::ContactHandler).await;
    open(&mut handler, &duplicate).await;
    let wrong = handler
        .post(
            &format!("/staff/reports/{}/duplicate", compact(&duplicate)),
            &[
                ("purpose", "investigating-report"),
                ("of", "BL-1234"),
                ("duplicate_reason", "same bike"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    wrong.assert_shows("Enter a report reference like BL-7K3M-9QXD-2HJ");
    wrong.assert_shows("same bike");
    let linked = act(
        &mut handler,
        &duplicate,
        "duplicate",
        &[
            ("of", original.as_str()),
            ("duplicate_reason", "The same theft, reported twice"),
        ],
    )
    .await;
    linked.assert_shows("Closed as a duplicate of the other report");
    linked.assert_shows(&original);
    open(&mut handler, &third).await;
    let closed = act(
        &mut handler,
        &third,
        "close",
        &[("close_reason", "Lost property, not a theft")],
    )
    .await;
    closed.assert_shows("Report closed");
    assert!(!closed.shows("Send the message"));

    let tracked = reporter_page(&server, &duplicate).await;
    assert!(
        !tracked.shows(&original),
        "the other report's reference is never shown"
    );
    assert!(!tracked.shows("The same theft, reported twice"));
}

#[tokio::test]
async fn an_incident_reported_by_phone_joins_the_queue_and_the_caller_can_follow_it() {
    let server = PortalApp::spawn().await;
    let StaffUser {
        browser: mut handler,
        ..
    } = signed_in_as(&server, "ch.smith", "Sam Smith", Role::ContactHandler).await;
    let form = handler.get("/staff/incidents/new").await;
    assert_eq!(form.status, 200);
    form.assert_shows("Record an incident");
    let empty = handler
        .post(
            "/staff/incidents/new",
            &[("received_by", "phone"), ("summary", "Shed broken into")],
        )
        .await;
    assert_eq!(empty.status, 422);
    empty.assert_shows("Choose what is being reported");
    empty.assert_shows("Enter when it happened");
    empty.assert_shows("Enter the caller's full name");
    empty.assert_shows("Shed broken into");
    let key = empty
        .text
        .split("name=\"key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let when = (server.app.now() - Duration::hours(2))
        .with_timezone(&chrono_tz::Europe::London)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let fields = [
        ("key", key.as_str()),
        ("received_by", "phone"),
        ("report_type", "burglary"),
        ("summary", "Shed broken into overnight; two bikes taken."),
        ("when", when.as_str()),
        ("address_line_1", "12 Mill Lane"),
        ("address_town", "Leicester"),
        ("address_postcode", "LE1 5WW"),
        ("caller_name", "Jane Doe"),
        ("caller_email", "jane@example.org"),
        ("caller_is_victim", "1"),
    ];
    let recorded = handler.submit("/staff/incidents/new", &fields).await;
    recorded.assert_shows("Incident recorded: it is in the triage queue with its recording clock");
    recorded.assert_shows("Report received by phone");
    recorded.assert_shows("Shed broken into overnight; two bikes taken.");
    recorded.assert_shows("Due by");
    let reference = recorded
        .text
        .split("<h1 class=\"govuk-heading-l\">Report ")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    // Sent twice (a double click), it is still one report.
    handler.get("/staff/incidents/new").await;
    let again = handler.post("/staff/incidents/new", &fields).await;
    assert_eq!(again.status, 303);
    assert!(
        again.location().contains(&compact(&reference)),
        "{}",
        again.location()
    );
    let queue = handler.get("/staff/queue").await;
    assert_eq!(queue.text.matches(&reference).count(), 1, "one row");
    // The caller follows it online with the reference they were given.
    let tracked = reporter_page(&server, &reference).await;
    tracked.assert_shows("Report received by phone");
    // Analysts may not record incidents.
    let StaffUser {
        browser: mut analyst,
        ..
    } = signed_in_as(&server, "an.lee", "Lee Analyst", Role::Analyst).await;
    assert_eq!(analyst.get("/staff/incidents/new").await.status, 403);
}
