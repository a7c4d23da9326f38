//! Each journey completed end to end over HTTP, and the report it makes checked through the
//! application.

use chrono::{Datelike as _, Duration, Utc};

use crate::helpers::{Citizen, Page, PortalApp, Upload, jpeg, mp4};

/// Yesterday as `(day, month, year)`.
pub fn yesterday() -> (String, String, String) {
    let date = (Utc::now() - Duration::days(1)).date_naive();
    (
        date.day().to_string(),
        date.month().to_string(),
        date.year().to_string(),
    )
}

/// Answers `step` of `journey` and asserts the portal moves to `next`.
pub async fn answer(
    citizen: &mut Citizen,
    journey: &str,
    step: &str,
    fields: &[(&str, &str)],
    next: &str,
) -> Page {
    let path = format!("/report/{journey}/{step}");
    let page = citizen.post(&path, fields).await;
    assert_eq!(page.status, 303, "{path}: {}", page.text);
    let expected = format!("/report/{journey}/{next}");
    assert_eq!(page.location(), expected, "after {path}");
    citizen.get(&expected).await
}

/// Uploads `files` on the evidence step and continues to `next`.
pub async fn upload_and_continue(
    citizen: &mut Citizen,
    journey: &str,
    files: Vec<Upload>,
    next: &str,
) -> Page {
    let path = format!("/report/{journey}/evidence");
    let page = citizen
        .post_multipart(&path, &[("action", "continue")], files)
        .await;
    assert_eq!(page.status, 303, "{path}: {}", page.text);
    assert_eq!(page.location(), format!("/report/{journey}/{next}"));
    citizen.get(page.location()).await
}

/// Submits from "Check your answers" and returns the confirmation.
pub async fn submit(citizen: &mut Citizen, journey: &str) -> Page {
    let check = citizen.get(&format!("/report/{journey}/check")).await;
    assert_eq!(check.status, 200, "{}", check.text);
    check.assert_shows("Check your answers");
    check.assert_shows("Submit report");
    let done = citizen
        .submit(&format!("/report/{journey}/submit"), &[])
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    done
}

/// A crime report with a photo, by `email`, up to "Check your answers".
pub async fn crime_to_check(citizen: &mut Citizen, email: &str) {
    let (day, month, year) = yesterday();
    let first = citizen.get_following("/report/crime").await;
    assert_eq!(first.status, 200, "{}", first.text);
    first.assert_shows("What are you reporting?");
    answer(
        citizen,
        "crime",
        "type",
        &[("report_type", "theft-bicycle")],
        "when",
    )
    .await;
    answer(
        citizen,
        "crime",
        "when",
        &[
            ("when-day", &day),
            ("when-month", &month),
            ("when-year", &year),
            ("when_time", "21:30"),
        ],
        "where",
    )
    .await;
    answer(
        citizen,
        "crime",
        "where",
        &[
            ("address_line_1", "1 High Street"),
            ("address_town", "Leicester"),
            ("address_postcode", "le1 6zg"),
            ("where_description", "Bike shed behind the flats"),
        ],
        "what",
    )
    .await;
    answer(
        citizen,
        "crime",
        "what",
        &[(
            "summary",
            "My bike was taken from the shed.\r\nThe lock was cut.",
        )],
        "suspect",
    )
    .await;
    answer(
        citizen,
        "crime",
        "suspect",
        &[
            ("suspect_known", "no"),
            ("suspect_description", "Tall, grey hoodie"),
        ],
        "property",
    )
    .await;
    answer(
        citizen,
        "crime",
        "property",
        &[
            ("property_description", "Black Carrera mountain bike"),
            ("serial_number", "wtu 123456"),
        ],
        "evidence",
    )
    .await;
    let evidence = citizen
        .post_multipart(
            "/report/crime/evidence",
            &[("action", "upload")],
            vec![jpeg("shed.jpg")],
        )
        .await;
    assert_eq!(evidence.status, 303, "{}", evidence.text);
    let listed = citizen.get("/report/crime/evidence").await;
    listed.assert_shows("shed.jpg");
    listed.assert_shows("JPEG image");
    upload_and_continue(citizen, "crime", Vec::new(), "victim").await;
    answer(citizen, "crime", "victim", &[("victim", "me")], "witness").await;
    answer(
        citizen,
        "crime",
        "witness",
        &[
            ("witness_known", "yes"),
            ("witness_name", "Sam Jones"),
            ("witness_contact", "07700 900982"),
        ],
        "you",
    )
    .await;
    answer(
        citizen,
        "crime",
        "you",
        &[
            ("full_name", "Jane Ann Smith"),
            ("dob-day", "1"),
            ("dob-month", "4"),
            ("dob-year", "1990"),
            ("email", email),
            ("phone", ""),
        ],
        "support",
    )
    .await;
    answer(
        citizen,
        "crime",
        "support",
        &[("support", "victim-support")],
        "contact",
    )
    .await;
    let rights = answer(
        citizen,
        "crime",
        "contact",
        &[("contact_preference", "email")],
        "victims-code",
    )
    .await;
    rights.assert_shows("To be able to understand and to be understood");
    answer(citizen, "crime", "victims-code", &[], "check").await;
}

#[tokio::test]
async fn crime_with_a_photo_makes_a_trackable_report() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    crime_to_check(&mut citizen, "jane@example.org").await;
    let check = citizen.get("/report/crime/check").await;
    check.assert_shows("Bicycle theft");
    check.assert_shows("shed.jpg (JPEG image,");
    check.assert_shows("/report/crime/when?return=check");
    let done = submit(&mut citizen, "crime").await;
    done.assert_shows("Report sent");
    let reference = done.reference();
    assert!(reference.starts_with("BL-"), "{reference}");
    assert_eq!(server.blob_count().await, 1);
    let officer = server.officer().await;
    assert_eq!(server.event_count(&officer).await, 1);

    // The reporter can follow it.
    let mut reporter = server.citizen();
    reporter.get("/track").await;
    let code_page = reporter
        .submit("/track", &[("reference", &reference)])
        .await;
    code_page.assert_shows(&format!(
        "If {reference} is a report with an e-mail address, we have sent a code to it."
    ));
    let code = server.code_sent_to("jane@example.org").await;
    let report = reporter.submit("/track/code", &[("code", &code)]).await;
    assert_eq!(report.status, 200, "{}", report.text);
    report.assert_shows(&reference);
    report.assert_shows("Bicycle theft");
    report.assert_shows("Report received");
    report.assert_shows("shed.jpg (JPEG image");
}

#[tokio::test]
async fn anti_social_behaviour_makes_a_report() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    let (day, month, year) = yesterday();
    citizen.get_following("/report/anti-social-behaviour").await;
    let journey = "anti-social-behaviour";
    answer(
        &mut citizen,
        journey,
        "type",
        &[("report_type", "asb-nuisance")],
        "when",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "when",
        &[
            ("when-day", &day),
            ("when-month", &month),
            ("when-year", &year),
        ],
        "where",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "where",
        &[("address_postcode", "LE2 1AA")],
        "what",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "what",
        &[("summary", "Loud music every night until 3am.")],
        "suspect",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "suspect",
        &[("suspect_known", "yes"), ("suspect_name", "Flat 3")],
        "evidence",
    )
    .await;
    upload_and_continue(&mut citizen, journey, Vec::new(), "you").await;
    answer(
        &mut citizen,
        journey,
        "you",
        &[("full_name", "Alex Brown"), ("phone", "0116 496 0000")],
        "support",
    )
    .await;
    answer(&mut citizen, journey, "support", &[], "contact").await;
    answer(
        &mut citizen,
        journey,
        "contact",
        &[
            ("contact_preference", "phone"),
            ("contact_times", "After 6pm"),
        ],
        "check",
    )
    .await;
    let done = submit(&mut citizen, journey).await;
    let reference = done.reference();
    assert!(reference.starts_with("BL-"));
    // No e-mail address: the confirmation says to quote the reference.
    done.assert_shows("Quote it if you call 101");
    let officer = server.officer().await;
    assert_eq!(server.event_count(&officer).await, 1);
}

#[tokio::test]
async fn road_traffic_with_a_video_and_the_rules_makes_a_report() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    let (day, month, year) = yesterday();
    let journey = "road-traffic";
    let rules = citizen.get_following("/report/road-traffic").await;
    rules.assert_shows("Before you send footage");
    rules.assert_shows("within 7 days");
    answer(
        &mut citizen,
        journey,
        "rules",
        &[
            ("confirm", "age"),
            ("confirm", "statement"),
            ("confirm", "clip"),
        ],
        "type",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "type",
        &[("report_type", "road-phone")],
        "when",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "when",
        &[
            ("when-day", &day),
            ("when-month", &month),
            ("when-year", &year),
            ("when_time", "08:15"),
        ],
        "where",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "where",
        &[
            ("address_line_1", "A6 London Road"),
            ("address_town", "Leicester"),
        ],
        "vehicle",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "vehicle",
        &[
            ("vrm", "ab12 cde"),
            ("vehicle_make", "Ford"),
            ("vehicle_colour", "Red"),
        ],
        "what",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "what",
        &[("summary", "The driver was holding a phone to their ear.")],
        "evidence",
    )
    .await;
    // Continuing without a video is refused.
    let refused = citizen
        .post_multipart(
            "/report/road-traffic/evidence",
            &[("action", "continue")],
            Vec::new(),
        )
        .await;
    assert_eq!(refused.status, 200);
    refused.assert_shows("Upload the video of the incident");
    upload_and_continue(&mut citizen, journey, vec![mp4("dashcam.mp4")], "you").await;
    answer(
        &mut citizen,
        journey,
        "you",
        &[
            ("full_name", "Chris Green"),
            ("dob-day", "12"),
            ("dob-month", "6"),
            ("dob-year", "1985"),
            ("email", "chris@example.org"),
        ],
        "check",
    )
    .await;
    let check = citizen.get("/report/road-traffic/check").await;
    check.assert_shows("AB12 CDE");
    check.assert_shows("dashcam.mp4 (MP4 video,");
    let done = submit(&mut citizen, journey).await;
    assert!(done.reference().starts_with("BL-"));
    let officer = server.officer().await;
    assert_eq!(server.event_count(&officer).await, 1);
}

#[tokio::test]
async fn anonymous_information_makes_a_report_without_asking_who() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    let journey = "information";
    let first = citizen.get_following("/report/information").await;
    first.assert_shows("Do you want to stay anonymous?");
    answer(
        &mut citizen,
        journey,
        "anonymous",
        &[("anonymous", "yes")],
        "what",
    )
    .await;
    answer(
        &mut citizen,
        journey,
        "what",
        &[(
            "summary",
            "Drugs are being sold from the white van on Park Road.",
        )],
        "when",
    )
    .await;
    answer(&mut citizen, journey, "when", &[], "where").await;
    answer(&mut citizen, journey, "where", &[], "suspect").await;
    answer(
        &mut citizen,
        journey,
        "suspect",
        &[("suspect_known", "no")],
        "evidence",
    )
    .await;
    // The informant's details are skipped.
    upload_and_continue(&mut citizen, journey, Vec::new(), "check").await;
    let you = citizen.get("/report/information/you").await;
    assert_eq!(you.status, 303);
    let done = submit(&mut citizen, journey).await;
    done.assert_shows("Information sent");
    done.assert_shows("Because you stayed anonymous");
    assert!(done.reference().starts_with("BL-"));
    let officer = server.officer().await;
    assert_eq!(server.event_count(&officer).await, 1);
    // Nobody can ask for a code for it: the answer is the same as for any reference.
    let mut someone = server.citizen();
    someone.get("/track").await;
    let page = someone
        .submit("/track", &[("reference", &done.reference())])
        .await;
    page.assert_shows("we have sent a code to it");
}

#[tokio::test]
async fn a_new_report_can_follow_a_finished_one() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    crime_to_check(&mut citizen, "first@example.org").await;
    let first = submit(&mut citizen, "crime").await.reference();
    // Back at the start, a fresh draft begins.
    let again = citizen.get_following("/report/crime").await;
    again.assert_shows("What are you reporting?");
    assert!(
        !again.text.contains("checked"),
        "the new draft starts empty"
    );
    crime_to_check(&mut citizen, "first@example.org").await;
    let second = submit(&mut citizen, "crime").await.reference();
    assert_ne!(first, second);
}
