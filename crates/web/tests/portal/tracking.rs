//! Following a report with a one-time code: the code's rules, messages, police updates.

use bluelamp_app::PoliceUpdate;
use bluelamp_domain::report::ReportReference;
use bluelamp_domain::values::FreeText;

use crate::helpers::{Citizen, PortalApp, jpeg};
use crate::journeys::{crime_to_check, submit};

const EMAIL: &str = "jane@example.org";

/// A submitted crime report's reference.
async fn reported(server: &PortalApp) -> String {
    let mut citizen = server.citizen();
    crime_to_check(&mut citizen, EMAIL).await;
    submit(&mut citizen, "crime").await.reference()
}

/// A citizen who asked for a code for `reference`.
async fn asked_for_code(server: &PortalApp, reference: &str) -> Citizen {
    let mut citizen = server.citizen();
    let start = citizen.get("/track").await;
    start.assert_shows("What is your report reference?");
    let page = citizen.submit("/track", &[("reference", reference)]).await;
    page.assert_shows("we have sent a code to it");
    citizen
}

#[tokio::test]
async fn the_right_code_opens_the_report_and_works_once() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let mut citizen = asked_for_code(&server, &reference).await;
    let code = server.code_sent_to(EMAIL).await;
    let report = citizen.submit("/track/code", &[("code", &code)]).await;
    assert_eq!(report.status, 200);
    report.assert_shows("Your report");
    report.assert_shows("Received");
    // Replayed in another browser, the used code is refused.
    let mut replay = asked_for_code(&server, &reference).await;
    let page = replay.post("/track/code", &[("code", &code)]).await;
    assert_eq!(page.status, 200);
    assert!(
        page.shows("That code has already been used; ask for a new code")
            || page.shows("The code is not right; check the e-mail or ask for a new code"),
        "{}",
        page.text
    );
    // A session that did not prove a code sees nothing.
    let mut stranger = server.citizen();
    let page = stranger.get("/track/report").await;
    assert_eq!(page.location(), "/track");
}

#[tokio::test]
async fn a_wrong_code_is_refused() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let mut citizen = asked_for_code(&server, &reference).await;
    let code = server.code_sent_to(EMAIL).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let page = citizen.post("/track/code", &[("code", wrong)]).await;
    assert_eq!(page.status, 200);
    assert!(page.title().starts_with("Error: "));
    page.assert_shows("The code is not right; check the e-mail or ask for a new code");
    assert!(page.text.contains(&format!("value=\"{wrong}\"")));
    let short = citizen.post("/track/code", &[("code", "12")]).await;
    short.assert_shows("The code is the 6 numbers in the e-mail we sent you");
    assert_eq!(citizen.get("/track/report").await.location(), "/track");
    // The right one still works.
    let report = citizen.submit("/track/code", &[("code", &code)]).await;
    report.assert_shows(&reference);
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let mut citizen = asked_for_code(&server, &reference).await;
    let code = server.code_sent_to(EMAIL).await;
    server.clock.advance(chrono::Duration::minutes(16));
    let page = citizen.post("/track/code", &[("code", &code)]).await;
    assert_eq!(page.status, 200);
    page.assert_shows("That code has expired; ask for a new code");
}

#[tokio::test]
async fn references_are_checked_and_every_reference_gets_the_same_answer() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    citizen.get("/track").await;
    let bad = citizen.post("/track", &[("reference", "BL-1234")]).await;
    assert_eq!(bad.status, 200);
    bad.assert_shows("Report reference must be 11 letters and numbers after BL");
    assert!(bad.text.contains("value=\"BL-1234\""));
    let unknown = ReportReference::from_random(42).to_string();
    let page = citizen.submit("/track", &[("reference", &unknown)]).await;
    page.assert_shows(&format!(
        "If {unknown} is a report with an e-mail address, we have sent a code to it."
    ));
}

#[tokio::test]
async fn too_many_codes_are_refused() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let mut citizen = server.citizen();
    citizen.get("/track").await;
    for _ in 0..5 {
        let page = citizen.post("/track", &[("reference", &reference)]).await;
        assert_eq!(page.status, 303, "{}", page.text);
    }
    let page = citizen.post("/track", &[("reference", &reference)]).await;
    assert_eq!(page.status, 429);
    page.assert_shows("Too many codes have been sent for this report; wait an hour and try again");
}

/// A citizen following `reference`.
async fn signed_in(server: &PortalApp, reference: &str) -> Citizen {
    let mut citizen = asked_for_code(server, reference).await;
    let code = server.code_sent_to(EMAIL).await;
    let report = citizen.submit("/track/code", &[("code", &code)]).await;
    assert_eq!(report.status, 200, "{}", report.text);
    citizen
}

#[tokio::test]
async fn a_message_from_the_reporter_appears_on_the_timeline() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let mut citizen = signed_in(&server, &reference).await;
    let empty = citizen
        .post_multipart("/track/report/message", &[("message", "")], Vec::new())
        .await;
    // The errors are shown on the report page, whose address stays /track/report.
    assert_eq!(empty.status, 303);
    assert_eq!(empty.location(), "/track/report");
    let shown = citizen.get("/track/report").await;
    assert!(shown.title().starts_with("Error: "));
    shown.assert_shows("Enter a message or choose a file to add");
    assert!(shown.text.contains("href=\"#message\""));
    // Shown once.
    assert!(
        !citizen
            .get("/track/report")
            .await
            .shows("There is a problem")
    );
    // A message too long keeps what was typed.
    let long = "x".repeat(2001);
    citizen
        .post_multipart("/track/report/message", &[("message", &long)], Vec::new())
        .await;
    let shown = citizen.get("/track/report").await;
    shown.assert_shows("Message must be 2,000 characters or fewer");
    assert!(shown.text.contains(&long));
    let sent = citizen
        .post_multipart(
            "/track/report/message",
            &[(
                "message",
                "I found a photo of the person on my doorbell camera.",
            )],
            vec![jpeg("doorbell.jpg")],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    let page = citizen.get("/track/report").await;
    page.assert_shows("Your message has been sent");
    page.assert_shows("You sent a message");
    page.assert_shows("I found a photo of the person on my doorbell camera.");
    page.assert_shows("doorbell.jpg (JPEG image");
    // Newest first: the message comes before "Report received".
    let message_at = page.text.find("You sent a message").unwrap();
    let received_at = page.text.find("Report received").unwrap();
    assert!(message_at < received_at);
    // The flash shows once.
    assert!(
        !citizen
            .get("/track/report")
            .await
            .shows("Your message has been sent")
    );
    // Signing out ends the tracking.
    citizen.post("/track/sign-out", &[]).await;
    assert_eq!(citizen.get("/track/report").await.location(), "/track");
}

#[tokio::test]
async fn police_updates_appear_with_the_outcome_explained() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let parsed = ReportReference::parse(&reference).unwrap();
    let officer = server.officer().await;
    for update in [
        PoliceUpdate::Assessing,
        PoliceUpdate::CrimeRecorded {
            crime_number: "LE/2026/001234".to_owned(),
        },
        PoliceUpdate::OfficerAssigned {
            officer: "PC 2741 Patel".to_owned(),
        },
        PoliceUpdate::Message {
            text: FreeText::parse("We have checked the CCTV nearby.").unwrap(),
        },
        PoliceUpdate::Outcome {
            code: "no-further-action".to_owned(),
            note: Some(FreeText::parse("Thank you for reporting it.").unwrap()),
        },
    ] {
        server
            .app
            .update_report(&officer, &parsed, update)
            .await
            .unwrap();
    }
    let mut citizen = signed_in(&server, &reference).await;
    let page = citizen.get("/track/report").await;
    page.assert_shows("Closed");
    page.assert_shows("LE/2026/001234");
    page.assert_shows("PC 2741 Patel");
    page.assert_shows("Message from the police");
    page.assert_shows("We have checked the CCTV nearby.");
    page.assert_shows("Investigation complete; no suspect identified");
    page.assert_shows("We have finished investigating but could not identify who did it.");
    page.assert_shows("Thank you for reporting it.");
    let outcome_at = page.text.find("Outcome: Investigation complete").unwrap();
    let received_at = page.text.find("Report received").unwrap();
    assert!(outcome_at < received_at, "newest first");
}
