//! The audit log in the staff workspace: information managers search it with filters and a
//! purpose (pre-filled), open an entry with its inclusion proof checked against the latest
//! checkpoint, and download a search as CSV; every one of those is itself audited.

use bluelamp_audit::{Entry, LogKind, Outcome};
use bluelamp_domain::values::Purpose;
use bluelamp_policy::Role;
use serde_json::json;

use crate::helpers::PortalApp;
use crate::staff::{StaffUser, account, first_sign_in, signed_in_as};
use crate::staff_records::new_record;

/// How many data rows the results table has.
fn table_rows(text: &str) -> usize {
    text.split("<tbody").nth(1).map_or(0, |body| {
        body.split("</tbody>")
            .next()
            .unwrap_or_default()
            .matches("<tr class=\"govuk-table__row\">")
            .count()
    })
}

/// The audit entries by `actor` with `action`.
async fn entries_by(server: &PortalApp, actor: &str, action: &str) -> Vec<Entry> {
    server
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.entry.actor == actor && entry.entry.action == action)
        .collect()
}

#[tokio::test]
async fn information_managers_search_open_and_export_the_audit_log() {
    let server = PortalApp::spawn().await;
    let officer = server.officer().await;
    let vehicle = server
        .app
        .create_record(
            &officer,
            new_record(json!({ "kind": "object", "type": "vehicle", "vrm": "AB12 CDE" })),
        )
        .await
        .unwrap();
    server
        .app
        .read_record(
            &officer,
            vehicle.id,
            &Purpose::parse("investigating crime 24/1234").unwrap(),
        )
        .await
        .unwrap();
    let manager_id = account(&server, "im.jones", "Sam Jones", Role::InformationManager).await;
    let StaffUser {
        browser: mut manager,
        ..
    } = first_sign_in(&server, "im.jones").await;
    let manager_actor = format!("staff:{manager_id}");

    // The audit log is in the navigation, with the purpose pre-filled and nothing searched
    // yet (the workspace itself opens on the review queue).
    let home = manager.get_following("/staff/audit").await;
    assert_eq!(home.status, 200, "{}", home.text);
    home.assert_shows("Audit log");
    assert!(home.text.contains("href=\"/staff/audit\""), "{}", home.text);
    assert!(
        home.text
            .contains("<option value=\"supervision-review\" selected>"),
        "{}",
        home.text
    );
    assert!(
        home.text
            .contains("<label class=\"govuk-label govuk-label--s\" for=\"record\">")
    );
    assert!(!home.text.contains("id=\"entries\""));
    assert!(
        entries_by(&server, &manager_actor, "audit.read")
            .await
            .is_empty()
    );

    // By record: exactly the entries naming it, newest first, records linked with the purpose.
    let naming: Vec<Entry> = server
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.entry.records.contains(vehicle.id.as_uuid()))
        .collect();
    let by_record = manager
        .get(&format!(
            "/staff/audit?record={}&purpose=supervision-review",
            vehicle.id
        ))
        .await;
    assert_eq!(by_record.status, 200, "{}", by_record.text);
    assert_eq!(naming.len(), 2, "created and read");
    assert_eq!(
        table_rows(&by_record.text),
        naming.len(),
        "{}",
        by_record.text
    );
    assert!(
        by_record
            .text
            .contains("<th scope=\"col\" class=\"govuk-table__header\">Purpose</th>")
    );
    by_record.assert_shows("2 entries, newest first");
    let newest = naming.last().unwrap();
    let oldest = naming.first().unwrap();
    let newest_at = by_record
        .text
        .find(&format!(
            "href=\"/staff/audit/{}?purpose=supervision-review\"",
            newest.seq
        ))
        .unwrap();
    let oldest_at = by_record
        .text
        .find(&format!(
            "href=\"/staff/audit/{}?purpose=supervision-review\"",
            oldest.seq
        ))
        .unwrap();
    assert!(newest_at < oldest_at, "newest first");
    assert!(by_record.text.contains(&format!(
        "href=\"/staff/records/{}?purpose=supervision-review\"",
        vehicle.id
    )));
    by_record.assert_shows("investigating crime 24/1234");

    // By username and purpose words: the one read.
    let by_who = manager
        .get("/staff/audit?username=pc.patel&contains=24%2F1234&kind=consultation&purpose=supervision-review")
        .await;
    assert_eq!(by_who.status, 200, "{}", by_who.text);
    assert_eq!(table_rows(&by_who.text), 1, "{}", by_who.text);
    by_who.assert_shows("1 entry, newest first");

    // Each search was one audited consultation of the log, with its purpose.
    let searches = entries_by(&server, &manager_actor, "audit.read").await;
    assert_eq!(searches.len(), 2);
    for search in &searches {
        assert_eq!(search.entry.kind, LogKind::Consultation);
        assert_eq!(search.entry.outcome, Outcome::Allowed);
        assert_eq!(
            search.entry.purpose.as_deref(),
            Some("supervision and quality review")
        );
    }
    assert_eq!(searches[0].entry.records, vec![*vehicle.id.as_uuid()]);

    // Mistakes are named in an error summary, nothing searched.
    let wrong = manager
        .get("/staff/audit?record=nonsense&from=2026-13-01&to=yesterday&purpose=supervision-review")
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert!(wrong.text.contains("govuk-error-summary"));
    for target in ["#record", "#from", "#to"] {
        assert!(
            wrong.text.contains(&format!("href=\"{target}\"")),
            "{target}: {}",
            wrong.text
        );
    }
    let unknown = manager
        .get("/staff/audit?username=nobody&purpose=supervision-review")
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text);
    assert!(unknown.text.contains("href=\"#username\""));
    let no_purpose = manager.get("/staff/audit?record=&purpose=").await;
    assert_eq!(no_purpose.status, 422);
    assert!(no_purpose.text.contains("href=\"#purpose\""));
    assert_eq!(
        entries_by(&server, &manager_actor, "audit.read")
            .await
            .len(),
        2,
        "nothing was searched"
    );

    // One entry with its inclusion proof, verified against the latest checkpoint.
    let asks = manager.get(&format!("/staff/audit/{}", newest.seq)).await;
    assert_eq!(asks.status, 200);
    asks.assert_shows("Why are you opening this audit entry?");
    let pending = manager
        .get(&format!(
            "/staff/audit/{}?purpose=supervision-review",
            newest.seq
        ))
        .await;
    assert_eq!(pending.status, 200, "{}", pending.text);
    assert!(
        pending.text.contains("id=\"proof-pending\""),
        "{}",
        pending.text
    );
    server.app.write_checkpoint().await.unwrap().unwrap();
    let entry = manager
        .get(&format!(
            "/staff/audit/{}?purpose=supervision-review",
            newest.seq
        ))
        .await;
    assert_eq!(entry.status, 200, "{}", entry.text);
    assert!(
        entry.text.contains("id=\"proof-verified\""),
        "{}",
        entry.text
    );
    assert!(entry.text.contains(&hex(&newest.leaf_hash())));
    entry.assert_shows("investigating crime 24/1234");
    let missing = manager
        .get("/staff/audit/999999?purpose=supervision-review")
        .await;
    assert_eq!(missing.status, 404);

    // The search as CSV, itself audited.
    let before = entries_by(&server, &manager_actor, "audit.read")
        .await
        .len();
    // The search by record named it too.
    let naming: Vec<Entry> = server
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.entry.records.contains(vehicle.id.as_uuid()))
        .collect();
    assert_eq!(naming.len(), 3);
    let newest = naming.last().unwrap();
    let csv = manager
        .get(&format!(
            "/staff/audit/export?record={}&purpose=supervision-review",
            vehicle.id
        ))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert_eq!(
        csv.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        csv.headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "seq,time,actor,kind,action,purpose,records,recipients,digest,outcome,leaf_hash"
    );
    assert_eq!(lines.len(), 1 + naming.len(), "{}", csv.text);
    assert!(lines[1].starts_with(&format!("{},", newest.seq)));
    assert!(
        lines[1].ends_with(&format!(",allowed,{}", hex(&newest.leaf_hash()))),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("audit.read,supervision and quality review"));
    assert_eq!(
        entries_by(&server, &manager_actor, "audit.read")
            .await
            .len(),
        before + 1,
        "the download is audited"
    );
}

#[tokio::test]
async fn older_entries_are_a_page_away() {
    let server = PortalApp::spawn().await;
    let officer = server.officer().await;
    let vehicle = server
        .app
        .create_record(
            &officer,
            new_record(json!({ "kind": "object", "type": "vehicle", "vrm": "AB12 CDE" })),
        )
        .await
        .unwrap();
    let why = Purpose::parse("investigating crime 24/1234").unwrap();
    for _ in 0..55 {
        server
            .app
            .read_record(&officer, vehicle.id, &why)
            .await
            .unwrap();
    }
    let StaffUser {
        browser: mut manager,
        ..
    } = signed_in_as(&server, "im.jones", "Sam Jones", Role::InformationManager).await;
    let first = manager
        .get(&format!(
            "/staff/audit?record={}&purpose=supervision-review",
            vehicle.id
        ))
        .await;
    assert_eq!(table_rows(&first.text), 50);
    let older = first
        .text
        .split("id=\"older\"")
        .next()
        .and_then(|head| head.rsplit("href=\"").next())
        .map(|href| href.trim_end_matches("\" ").replace("&#38;", "&"))
        .unwrap();
    let second = manager.get(&older).await;
    assert_eq!(second.status, 200, "{older}: {}", second.text);
    assert_eq!(table_rows(&second.text), 6, "{}", second.text);
    assert!(!second.text.contains("id=\"older\""));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
