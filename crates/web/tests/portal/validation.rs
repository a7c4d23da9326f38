//! Every error keeps what was typed, with a GOV.UK error summary and a message by the field.

use chrono::{Datelike as _, Duration, Utc};

use crate::helpers::PortalApp;
use crate::journeys::{answer, crime_to_check, yesterday};

#[tokio::test]
async fn a_bad_postcode_is_shown_again_with_the_error() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    let (day, month, year) = yesterday();
    citizen.get_following("/report/crime").await;
    answer(
        &mut citizen,
        "crime",
        "type",
        &[("report_type", "burglary")],
        "when",
    )
    .await;
    answer(
        &mut citizen,
        "crime",
        "when",
        &[
            ("when-day", &day),
            ("when-month", &month),
            ("when-year", &year),
        ],
        "where",
    )
    .await;
    let page = citizen
        .post(
            "/report/crime/where",
            &[
                ("address_line_1", "12 Acacia Avenue"),
                ("address_town", "Leicester"),
                ("address_postcode", "LE1 XYZ"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.title()
            .starts_with("Error: Where did it happen? – Report a crime – Bluelamp"),
        "{}",
        page.title()
    );
    page.assert_shows("govuk-error-summary");
    page.assert_shows("There is a problem");
    page.assert_shows("Enter a real postcode, like LE1 6ZG");
    assert!(
        page.text.contains("href=\"#address_postcode\""),
        "the summary links to the field"
    );
    assert!(page.text.contains("id=\"address_postcode-error\""));
    assert!(
        page.text.contains("value=\"LE1 XYZ\""),
        "the postcode typed is kept"
    );
    assert!(
        page.text.contains("value=\"12 Acacia Avenue\""),
        "the other answers are kept"
    );
    // Nothing was saved: the next step is not reachable yet.
    let next = citizen.get("/report/crime/what").await;
    assert_eq!(next.status, 303);
    assert_eq!(next.location(), "/report/crime/where");
}

#[tokio::test]
async fn dates_in_the_future_and_bad_registrations_are_refused_specifically() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    citizen.get_following("/report/road-traffic").await;
    answer(
        &mut citizen,
        "road-traffic",
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
        "road-traffic",
        "type",
        &[("report_type", "road-dangerous")],
        "when",
    )
    .await;
    let tomorrow = (Utc::now() + Duration::days(2)).date_naive();
    let future = citizen
        .post(
            "/report/road-traffic/when",
            &[
                ("when-day", &tomorrow.day().to_string()),
                ("when-month", &tomorrow.month().to_string()),
                ("when-year", &tomorrow.year().to_string()),
            ],
        )
        .await;
    assert_eq!(future.status, 200);
    future.assert_shows("Date it happened must be today or in the past");
    assert!(future.text.contains("href=\"#when-day\""));
    let old = (Utc::now() - Duration::days(30)).date_naive();
    let too_old = citizen
        .post(
            "/report/road-traffic/when",
            &[
                ("when-day", &old.day().to_string()),
                ("when-month", &old.month().to_string()),
                ("when-year", &old.year().to_string()),
            ],
        )
        .await;
    too_old.assert_shows("Footage must be sent within 7 days of the incident");
    let missing_month = citizen
        .post(
            "/report/road-traffic/when",
            &[("when-day", "3"), ("when-year", "2026")],
        )
        .await;
    missing_month.assert_shows("Date it happened must include a month");
    assert!(missing_month.text.contains("value=\"3\""));
    let (day, month, year) = yesterday();
    answer(
        &mut citizen,
        "road-traffic",
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
        "road-traffic",
        "where",
        &[("address_postcode", "LE1 6ZG")],
        "vehicle",
    )
    .await;
    let bad = citizen
        .post("/report/road-traffic/vehicle", &[("vrm", "NOT A PLATE 99")])
        .await;
    assert_eq!(bad.status, 200);
    bad.assert_shows("Registration number must be like AB12 CDE");
    assert!(bad.text.contains("value=\"NOT A PLATE 99\""));
    let empty = citizen
        .post("/report/road-traffic/vehicle", &[("vrm", "")])
        .await;
    empty.assert_shows("Enter the registration number");
}

/// A step, the fields posted, and the message expected.
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[tokio::test]
async fn each_required_answer_has_its_own_message() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    crime_to_check(&mut citizen, "jane@example.org").await;
    let cases: &[Case] = &[
        ("type", &[], "Select what you are reporting"),
        (
            "type",
            &[("report_type", "road-phone")],
            "Select what you are reporting",
        ),
        ("when", &[], "Enter the date it happened"),
        (
            "when",
            &[
                ("when-day", "30"),
                ("when-month", "2"),
                ("when-year", "2026"),
            ],
            "Date it happened must be a real date",
        ),
        (
            "when",
            &[
                ("when-day", "1"),
                ("when-month", "2"),
                ("when-year", "2026"),
                ("when_time", "25:99"),
            ],
            "Enter the time using the 24-hour clock, like 14:30",
        ),
        (
            "where",
            &[],
            "Enter the address or the postcode where it happened",
        ),
        (
            "where",
            &[("address_line_1", "1 High Street")],
            "Enter the town or city, or a postcode",
        ),
        ("what", &[("summary", "   ")], "Enter what happened"),
        ("suspect", &[], "Select yes if you know who did it"),
        (
            "suspect",
            &[("suspect_known", "yes")],
            "Enter their name or describe them",
        ),
        (
            "property",
            &[("vrm", "??")],
            "Registration number must be like AB12 CDE",
        ),
        (
            "property",
            &[("serial_number", "ABC123")],
            "Describe the property the serial number is on",
        ),
        ("victim", &[], "Select who it happened to"),
        (
            "victim",
            &[("victim", "someone-else")],
            "Enter the victim's name",
        ),
        (
            "witness",
            &[("witness_known", "yes")],
            "Enter the witness's name",
        ),
        (
            "you",
            &[("email", "jane@example.org")],
            "Enter your full name",
        ),
        (
            "you",
            &[("full_name", "Jane Smith")],
            "Enter an email address or a telephone number",
        ),
        (
            "you",
            &[("full_name", "Jane Smith"), ("email", "jane.example.org")],
            "Enter an email address in the correct format, like name@example.com",
        ),
        (
            "you",
            &[("full_name", "Jane Smith"), ("phone", "12")],
            "Telephone number must have between 7 and 15 digits",
        ),
        (
            "you",
            &[("full_name", "Jane Smith"), ("phone", "call me")],
            "Enter a telephone number, like 01632 960 001",
        ),
        (
            "you",
            &[
                ("full_name", "Jane Smith"),
                ("email", "j@example.org"),
                ("dob-day", "1"),
                ("dob-month", "1"),
                ("dob-year", "2999"),
            ],
            "Date of birth must be in the past",
        ),
        (
            "contact",
            &[],
            "Select how you would like us to contact you",
        ),
    ];
    for (step, fields, message) in cases {
        let page = citizen
            .post(&format!("/report/crime/{step}?return=check"), fields)
            .await;
        assert_eq!(page.status, 200, "{step} {fields:?}: {}", page.text);
        assert!(
            page.shows(message),
            "{step} {fields:?} should say {message:?}:\n{}",
            page.text
        );
        assert!(page.title().starts_with("Error: "), "{}", page.title());
        for (name, value) in *fields {
            if !value.trim().is_empty()
                && !name.starts_with("report_type")
                && !["suspect_known", "victim", "witness_known"].contains(name)
            {
                assert!(
                    page.text
                        .contains(&format!("value=\"{}\"", crate::helpers::escape(value)))
                        || page.text.contains(&crate::helpers::escape(value)),
                    "{step}: {name}={value} kept"
                );
            }
        }
    }
}

#[tokio::test]
async fn change_links_return_to_check_your_answers() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    crime_to_check(&mut citizen, "jane@example.org").await;
    let change = citizen.get("/report/crime/what?return=check").await;
    assert_eq!(change.status, 200);
    assert!(
        change
            .text
            .contains("action=\"/report/crime/what?return=check\"")
    );
    assert!(
        change.text.contains("The lock was cut."),
        "the earlier answer is shown"
    );
    let page = citizen
        .post(
            "/report/crime/what?return=check",
            &[("summary", "The lock was cut with bolt croppers.")],
        )
        .await;
    assert_eq!(page.location(), "/report/crime/check");
    let check = citizen.get("/report/crime/check").await;
    check.assert_shows("The lock was cut with bolt croppers.");
}

#[tokio::test]
async fn steps_cannot_be_skipped() {
    let server = PortalApp::spawn().await;
    let mut citizen = server.citizen();
    let no_draft = citizen.get("/report/crime/where").await;
    assert_eq!(no_draft.status, 303);
    assert_eq!(no_draft.location(), "/report/crime");
    citizen.get_following("/report/crime").await;
    let ahead = citizen.get("/report/crime/you").await;
    assert_eq!(ahead.location(), "/report/crime/type");
    let check = citizen.get("/report/crime/check").await;
    assert_eq!(check.location(), "/report/crime/type");
    let missing = citizen.get("/report/crime/vehicle").await;
    assert_eq!(missing.status, 404, "crime has no vehicle step");
    let unknown = citizen.get("/report/burglary").await;
    assert_eq!(unknown.status, 404);
}
