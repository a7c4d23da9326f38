//! Every staff route as every role and as nobody: who is let in and who is refused. A
//! refusal by the policy is a 403 page (and an audited denial); nobody signed in is sent to
//! the sign-in page.

use bluelamp_policy::Role;

use crate::helpers::{Citizen, PortalApp};
use crate::staff::{account, first_sign_in, reported};

/// What a request should get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// 303 back to the report or list (done).
    Done,
    /// 403.
    Refused,
}

/// A form post: path, fields, what it should get.
type Post<'a> = (String, Vec<(&'a str, &'a str)>, Expect);

/// The roles that handle reports.
fn operational(role: Role) -> bool {
    matches!(
        role,
        Role::ContactHandler | Role::Officer | Role::Investigator | Role::Supervisor
    )
}

/// `BL-7K3M-9QXD-2HJ` → `7K3M9QXD2HJ`.
fn compact_of(reference: &str) -> String {
    reference
        .chars()
        .filter(|c| *c != '-')
        .collect::<String>()
        .trim_start_matches("BL")
        .to_owned()
}

#[tokio::test]
async fn every_route_as_every_role_and_as_nobody() {
    let server = PortalApp::spawn().await;
    let reference = reported(&server).await;
    let compact = compact_of(&reference);
    let target = account(&server, "target.user", "Target User", Role::Officer).await;
    let report = format!("/staff/reports/{compact}?purpose=investigating-report");
    let vehicle = server
        .app
        .create_record(
            &bluelamp_app::Principal::system("tests", crate::helpers::FORCE),
            crate::staff_records::new_record(
                serde_json::json!({ "kind": "object", "type": "vehicle", "vrm": "AB12 CDE" }),
            ),
        )
        .await
        .unwrap();
    let record = format!("/staff/records/{}?purpose=safeguarding", vehicle.id);
    // A record disposed of, for its deletion certificate, and one to review.
    let system = bluelamp_app::Principal::system("tests", crate::helpers::FORCE);
    let person = |surname: &str| {
        crate::staff_records::new_record(serde_json::json!({
            "kind": "person",
            "name": { "forenames": ["Robin"], "surname": surname },
        }))
    };
    let disposed = server
        .app
        .create_record(&system, person("Disposed"))
        .await
        .unwrap();
    let manager = server
        .app
        .create_staff(
            &system,
            bluelamp_app::NewStaff {
                username: "im.disposer".to_owned(),
                display_name: "IM Disposer".to_owned(),
                role: Role::InformationManager,
                force: crate::helpers::FORCE.to_owned(),
            },
        )
        .await
        .unwrap();
    let manager = server
        .app
        .authenticate(bluelamp_app::reveal_token(&manager))
        .await
        .unwrap();
    server
        .app
        .dispose_record(&manager, disposed.id, "No NRAC concern")
        .await
        .unwrap();
    let certificate = format!("/staff/records/{}/certificate", disposed.id);
    let reviewed = server
        .app
        .create_record(&system, person("Reviewed"))
        .await
        .unwrap();
    let review = format!("/staff/reviews/{}", reviewed.id);
    let user_page = format!("/staff/admin/users/{target}");
    let purpose = ("purpose", "investigating-report");

    let mut anonymous = server.citizen();
    for path in [
        "/staff",
        "/staff/work",
        "/staff/queue",
        "/staff/incidents/new",
        record.as_str(),
        report.as_str(),
        "/staff/admin/users",
        user_page.as_str(),
        "/staff/admin/teams",
        "/staff/account/password",
        "/staff/audit",
        "/staff/audit?purpose=supervision-review",
        "/staff/audit/0?purpose=supervision-review",
        "/staff/audit/export?purpose=supervision-review",
        "/staff/reviews",
        review.as_str(),
        certificate.as_str(),
    ] {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(page.location(), "/staff/sign-in", "{path}");
    }
    for path in [
        format!("/staff/reports/{compact}/message"),
        "/staff/admin/teams".to_owned(),
        "/staff/sign-out".to_owned(),
        review.clone(),
    ] {
        let page = anonymous
            .post_raw(&path, &[], &[("csrf_token", "x"), ("text", "hello")])
            .await;
        assert_eq!(page.location(), "/staff/sign-in", "{path}");
    }

    for (index, role) in Role::ALL.into_iter().enumerate() {
        let username = format!("user.{index}");
        account(&server, &username, &format!("User {index}"), role).await;
        let mut browser: Citizen = first_sign_in(&server, &username).await.browser;
        let reads_reports = operational(role) || role == Role::Analyst;
        let admin = role == Role::Administrator;
        let manager = role == Role::InformationManager;
        let manages = manager;
        let gets = [
            ("/staff/reviews".to_owned(), manages),
            (review.clone(), manages),
            (certificate.clone(), manages),
            ("/staff/work".to_owned(), reads_reports),
            ("/staff/queue".to_owned(), reads_reports),
            ("/staff/incidents/new".to_owned(), operational(role)),
            (record.clone(), !admin),
            (
                format!(
                    "/staff/records/{}/add?kind=person&purpose=safeguarding",
                    vehicle.id
                ),
                operational(role),
            ),
            (
                "/staff/search?q=AB12+CDE&purpose=safeguarding".to_owned(),
                !admin,
            ),
            (report.clone(), reads_reports),
            ("/staff/admin/users".to_owned(), admin),
            (user_page.clone(), admin),
            ("/staff/admin/teams".to_owned(), admin),
            ("/staff/account/password".to_owned(), true),
            // The audit log: searching, opening an entry and downloading are for information
            // managers only.
            ("/staff/audit".to_owned(), manager),
            (
                "/staff/audit?username=target.user&purpose=supervision-review".to_owned(),
                manager,
            ),
            (
                "/staff/audit/0?purpose=supervision-review".to_owned(),
                manager,
            ),
            (
                "/staff/audit/export?kind=consultation&purpose=supervision-review".to_owned(),
                manager,
            ),
        ];
        for (path, allowed) in gets {
            let page = browser.get(&path).await;
            let expected = if allowed { 200 } else { 403 };
            assert_eq!(page.status, expected, "{role:?} GET {path}: {}", page.text);
        }
        let team = format!("Team {index}");
        // A report of this role's own, taken through its casework.
        let own = compact_of(&reported(&server).await);
        let on_own = |action: &str| format!("/staff/reports/{own}/{action}");
        let handles = if operational(role) {
            Expect::Done
        } else {
            Expect::Refused
        };
        let incident_key = format!("matrix-{index:012}");
        let to_dispose = server
            .app
            .create_record(&system, person(&format!("Disposable{index}")))
            .await
            .unwrap();
        let dispose = format!("/staff/reviews/{}", to_dispose.id);
        let reviews = if manages {
            Expect::Done
        } else {
            Expect::Refused
        };
        let posts: Vec<Post<'_>> = vec![
            (
                review.clone(),
                vec![("decision", "retain"), ("reason", "Still needed")],
                reviews,
            ),
            (
                dispose.clone(),
                vec![("decision", "dispose"), ("reason", "No NRAC concern")],
                reviews,
            ),
            (
                "/staff/incidents/new".to_owned(),
                vec![
                    ("key", incident_key.as_str()),
                    ("received_by", "front_counter"),
                    ("report_type", "criminal-damage"),
                    ("summary", "A window was broken."),
                    ("when", "2026-01-05T09:00"),
                    ("address_line_1", "1 High Street"),
                    ("address_town", "Leicester"),
                    ("caller_name", "Sam Caller"),
                ],
                handles,
            ),
            (on_own("take"), vec![purpose], handles),
            (
                on_own("task"),
                vec![
                    purpose,
                    ("title", "Call the reporter"),
                    ("due", "2099-01-01"),
                ],
                handles,
            ),
            (
                on_own("victims-code"),
                vec![
                    purpose,
                    ("trigger", "suspect-arrested"),
                    ("at", "2026-01-05T09:00"),
                ],
                handles,
            ),
            (
                on_own("record"),
                vec![purpose, ("classification", "49")],
                handles,
            ),
            (
                on_own("outcome"),
                vec![purpose, ("outcome", "no-further-action")],
                handles,
            ),
            (
                format!("/staff/reports/{compact}/message"),
                vec![purpose, ("text", "An update for you.")],
                if operational(role) {
                    Expect::Done
                } else {
                    Expect::Refused
                },
            ),
            (
                format!("/staff/reports/{compact}/assess"),
                vec![purpose, ("grade", "scheduled"), ("risk", "low")],
                if operational(role) {
                    Expect::Done
                } else {
                    Expect::Refused
                },
            ),
            (
                "/staff/admin/teams".to_owned(),
                vec![("name", team.as_str())],
                if admin { Expect::Done } else { Expect::Refused },
            ),
            (
                format!("/staff/admin/users/{target}/role"),
                vec![("role", "investigator")],
                if admin { Expect::Done } else { Expect::Refused },
            ),
        ];
        for (path, fields, expected) in posts {
            // A page with the session's token first.
            browser.get("/staff/account/password").await;
            let page = browser.post(&path, &fields).await;
            let status = match expected {
                Expect::Done => 303,
                Expect::Refused => 403,
            };
            assert_eq!(page.status, status, "{role:?} POST {path}: {}", page.text);
        }
        browser.get("/staff/account/password").await;
        let out = browser.post("/staff/sign-out", &[]).await;
        assert_eq!(out.location(), "/staff/sign-in?signed_out=1", "{role:?}");
    }
    let denials = server
        .audit()
        .await
        .iter()
        .filter(|entry| entry.entry.outcome == bluelamp_audit::Outcome::Denied)
        .count();
    assert!(denials >= 20, "refusals are audited ({denials})");
}
