//! One function per case; `main.rs` runs each on both backends.

pub use crate::audit_log::*;
pub use crate::casework::*;
pub use crate::identity::*;
pub use crate::need_to_know::*;
pub use crate::policy::*;
pub use crate::reports::*;
pub use crate::retention::*;
pub use crate::search::*;
pub use crate::triage::*;

use anyhow::{Context as _, ensure};
use bluelamp_app::{AppError, ListQuery, NewLink, NewStaff};
use bluelamp_audit::{LogKind, Outcome};
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::link::LinkRole;
use bluelamp_domain::values::Purpose;
use bluelamp_policy::Role;

use crate::harness::{FORCE, Harness, new_record};

fn purpose(text: &str) -> anyhow::Result<Purpose> {
    Ok(Purpose::parse(text)?)
}

pub async fn create_record_is_audited_as_collection(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let before = h.audit().await?.len();
    for kind in RecordKind::ALL {
        let record = h.app.create_record(&officer, new_record(kind)?).await?;
        let audit = h.audit().await?;
        let last = audit.last().context("an entry was appended")?;
        ensure!(
            last.entry.kind == LogKind::Collection,
            "kind {:?}",
            last.entry.kind
        );
        ensure!(last.entry.action == "record.create");
        ensure!(last.entry.actor == officer.actor_id());
        ensure!(last.entry.outcome == Outcome::Allowed);
        ensure!(last.entry.records == vec![*record.id.as_uuid()]);
        ensure!(record.provenance.recorded_by == officer.actor_id());
        ensure!(record.retention.next_review > record.retention.clear_period_start);
    }
    ensure!(h.audit().await?.len() == before + RecordKind::ALL.len());
    ensure!(h.record_count().await? == RecordKind::ALL.len());
    Ok(())
}

pub async fn read_record_is_audited_as_consultation_with_purpose(
    h: &Harness,
) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let record = h
        .app
        .create_record(&officer, new_record(RecordKind::Person)?)
        .await?;
    let read = h
        .app
        .read_record(
            &officer,
            record.id,
            &purpose("investigating report BL-123")?,
        )
        .await?;
    ensure!(
        read == record,
        "the record read back equals the record stored"
    );
    let audit = h.audit().await?;
    let last = audit.last().context("an entry")?;
    ensure!(last.entry.kind == LogKind::Consultation);
    ensure!(last.entry.action == "record.read");
    ensure!(last.entry.purpose.as_deref() == Some("investigating report BL-123"));
    ensure!(last.entry.records == vec![*record.id.as_uuid()]);

    let missing = h
        .app
        .read_record(&officer, RecordId::new(), &purpose("checking")?)
        .await;
    ensure!(
        matches!(missing, Err(AppError::NotFound { .. })),
        "{missing:?}"
    );
    Ok(())
}

pub async fn list_records_names_every_record_returned(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(
            *h.app
                .create_record(&officer, new_record(RecordKind::Object)?)
                .await?
                .id
                .as_uuid(),
        );
    }
    h.app
        .create_record(&officer, new_record(RecordKind::Person)?)
        .await?;
    let query = ListQuery {
        kind: Some(RecordKind::Object),
        after: None,
        limit: 10,
    };
    let listed = h
        .app
        .list_records(&officer, query, &purpose("vehicle enquiry")?)
        .await?;
    ensure!(listed.records.len() == 3, "listed {}", listed.records.len());
    ensure!(listed.next_after.is_none(), "a short page is the last");
    let audit = h.audit().await?;
    let last = audit.last().context("an entry")?;
    ensure!(last.entry.kind == LogKind::Consultation && last.entry.action == "record.list");
    ensure!(
        last.entry.records == ids,
        "the entry names exactly the records returned"
    );
    let first_two = ListQuery {
        kind: Some(RecordKind::Object),
        after: None,
        limit: 2,
    };
    let page = h
        .app
        .list_records(&officer, first_two, &purpose("vehicle enquiry")?)
        .await?;
    ensure!(
        page.next_after.map(|id| *id.as_uuid()) == ids.get(1).copied(),
        "a full page points on"
    );
    let rest = ListQuery {
        kind: Some(RecordKind::Object),
        after: page.next_after,
        limit: 2,
    };
    let page = h
        .app
        .list_records(&officer, rest, &purpose("vehicle enquiry")?)
        .await?;
    ensure!(page.records.len() == 1 && page.next_after.is_none());

    let too_many = ListQuery {
        kind: None,
        after: None,
        limit: 501,
    };
    let refused = h
        .app
        .list_records(&officer, too_many, &purpose("vehicle enquiry")?)
        .await;
    ensure!(
        matches!(refused, Err(AppError::Invalid { .. })),
        "{refused:?}"
    );
    Ok(())
}

pub async fn link_records_is_audited_and_checks_roles(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let person = h
        .app
        .create_record(&officer, new_record(RecordKind::Person)?)
        .await?;
    let event = h
        .app
        .create_record(&officer, new_record(RecordKind::Event)?)
        .await?;
    let link = h
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
        .await?;
    ensure!(link.role() == LinkRole::Victim);
    let audit = h.audit().await?;
    let last = audit.last().context("an entry")?;
    ensure!(last.entry.action == "link.create" && last.entry.kind == LogKind::Collection);
    ensure!(last.entry.records == vec![*person.id.as_uuid(), *event.id.as_uuid()]);

    let before = h.audit().await?.len();
    let wrong_way = h
        .app
        .link_records(
            &officer,
            NewLink {
                from: event.id,
                to: person.id,
                role: LinkRole::OccurredAt,
                valid_from: None,
                valid_to: None,
            },
        )
        .await;
    ensure!(
        matches!(&wrong_way, Err(AppError::Invalid { field, .. }) if field == "role"),
        "{wrong_way:?}"
    );
    let dangling = h
        .app
        .link_records(
            &officer,
            NewLink {
                from: person.id,
                to: RecordId::new(),
                role: LinkRole::Witness,
                valid_from: None,
                valid_to: None,
            },
        )
        .await;
    ensure!(
        matches!(&dangling, Err(AppError::Invalid { field, .. }) if field == "to"),
        "{dangling:?}"
    );
    ensure!(
        h.audit().await?.len() == before,
        "rejected links append nothing"
    );
    Ok(())
}

pub async fn links_of_names_both_ends(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let person = h
        .app
        .create_record(&officer, new_record(RecordKind::Person)?)
        .await?;
    let event = h
        .app
        .create_record(&officer, new_record(RecordKind::Event)?)
        .await?;
    let place = h
        .app
        .create_record(&officer, new_record(RecordKind::Location)?)
        .await?;
    for (from, to, role) in [
        (person.id, event.id, LinkRole::Witness),
        (event.id, place.id, LinkRole::OccurredAt),
    ] {
        h.app
            .link_records(
                &officer,
                NewLink {
                    from,
                    to,
                    role,
                    valid_from: None,
                    valid_to: None,
                },
            )
            .await?;
    }
    let links = h
        .app
        .links_of(&officer, event.id, &purpose("case review")?)
        .await?;
    ensure!(links.len() == 2);
    let audit = h.audit().await?;
    let last = audit.last().context("an entry")?;
    ensure!(last.entry.action == "link.read" && last.entry.kind == LogKind::Consultation);
    ensure!(
        last.entry.records.contains(person.id.as_uuid())
            && last.entry.records.contains(place.id.as_uuid())
    );
    Ok(())
}

pub async fn record_view_shows_links_in_one_consultation(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let person = h
        .app
        .create_record(&officer, new_record(RecordKind::Person)?)
        .await?;
    let event = h
        .app
        .create_record(&officer, new_record(RecordKind::Event)?)
        .await?;
    h.app
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
        .await?;
    let before = h.audit().await?.len();
    let view = h
        .app
        .record_view(
            &officer,
            person.id,
            &purpose("safeguarding a person at risk")?,
        )
        .await?;
    ensure!(view.record.id == person.id);
    let linked = view.links.first().context("one link")?;
    ensure!(view.links.len() == 1 && linked.outgoing);
    ensure!(linked.other.as_ref().map(|other| other.id) == Some(event.id));
    let audit = h.audit().await?;
    ensure!(audit.len() == before + 1, "one consultation entry");
    let last = &audit.last().context("an entry")?.entry;
    ensure!(last.kind == LogKind::Consultation && last.action == "record.read");
    ensure!(last.purpose.as_deref() == Some("safeguarding a person at risk"));
    ensure!(last.records == vec![*person.id.as_uuid(), *event.id.as_uuid()]);
    // Administrators never consult records: refused, audited, nothing shown.
    let admin = h.staff("admin.one", Role::Administrator, FORCE).await?;
    let refused = h
        .app
        .record_view(&admin, person.id, &purpose("curiosity")?)
        .await;
    ensure!(
        matches!(refused, Err(AppError::Forbidden { .. })),
        "{refused:?}"
    );
    let last = h.audit().await?;
    let last = &last.last().context("an entry")?.entry;
    ensure!(last.outcome == Outcome::Denied);
    Ok(())
}

pub async fn create_staff_is_audited_and_token_authenticates(h: &Harness) -> anyhow::Result<()> {
    let created = h
        .app
        .create_staff(
            &h.system(),
            NewStaff {
                username: "analyst.a".into(),
                display_name: "A Analyst".into(),
                role: Role::Analyst,
                force: FORCE.into(),
            },
        )
        .await?;
    let audit = h.audit().await?;
    let last = audit.last().context("an entry")?;
    ensure!(
        last.entry.action == "staff.create" && last.entry.records == vec![*created.id.as_uuid()]
    );
    let principal = h
        .app
        .authenticate(bluelamp_app::reveal_token(&created))
        .await?;
    ensure!(principal.subject.role == Some(Role::Analyst));
    for bad in ["", "blp_wrong", "Bearer x", &"blp_".repeat(40)] {
        ensure!(
            matches!(
                h.app.authenticate(bad).await,
                Err(AppError::Unauthenticated)
            ),
            "{bad}"
        );
    }
    let duplicate = h
        .app
        .create_staff(
            &h.system(),
            NewStaff {
                username: "analyst.a".into(),
                display_name: "Another".into(),
                role: Role::Officer,
                force: FORCE.into(),
            },
        )
        .await;
    ensure!(
        matches!(duplicate, Err(AppError::Conflict { .. })),
        "{duplicate:?}"
    );
    Ok(())
}

pub async fn refused_attempts_store_nothing_but_a_denied_entry(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let admin = h.staff("admin.one", Role::Administrator, FORCE).await?;
    let outsider = h
        .staff("officer.met", Role::Officer, "metropolitan")
        .await?;
    let record = h
        .app
        .create_record(&officer, new_record(RecordKind::Person)?)
        .await?;
    let records_before = h.record_count().await?;

    let attempts = [
        h.app
            .read_record(&admin, record.id, &purpose("curiosity")?)
            .await
            .map(|_| ()),
        h.app
            .read_record(&outsider, record.id, &purpose("enquiry")?)
            .await
            .map(|_| ()),
        h.app
            .create_record(&admin, new_record(RecordKind::Event)?)
            .await
            .map(|_| ()),
        h.app
            .create_record(&outsider, new_record(RecordKind::Event)?)
            .await
            .map(|_| ()),
    ];
    for (index, attempt) in attempts.iter().enumerate() {
        ensure!(
            matches!(attempt, Err(AppError::Forbidden { .. })),
            "attempt {index}: {attempt:?}"
        );
    }
    ensure!(
        h.record_count().await? == records_before,
        "refusals stored no record"
    );
    let audit = h.audit().await?;
    let denied: Vec<_> = audit
        .iter()
        .filter(|entry| entry.entry.outcome == Outcome::Denied)
        .collect();
    ensure!(
        denied.len() == 4,
        "each refusal is audited: {}",
        denied.len()
    );
    let first = denied.first().context("a denied entry")?;
    ensure!(
        first.entry.actor == admin.actor_id()
            && first.entry.purpose.as_deref() == Some("curiosity")
    );
    Ok(())
}

pub async fn invalid_input_stores_nothing(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let audit_before = h.audit().await?.len();
    let mut unknown_group = new_record(RecordKind::Person)?;
    unknown_group.retention_group = "9".parse()?;
    let mut unknown_basis = new_record(RecordKind::Person)?;
    unknown_basis.lawful_basis = "made-up-basis".parse()?;
    let mut unknown_category = new_record(RecordKind::Event)?;
    if let bluelamp_domain::record::RecordBody::Event(event) = &mut unknown_category.body {
        *event = serde_json::from_value(serde_json::json!({
            "type": "crime_report", "summary": "x", "occurred_from": "2026-11-20T14:00:00Z",
            "crime_category": "not-a-category"
        }))?;
    }
    for (input, field) in [
        (unknown_group, "retention_group"),
        (unknown_basis, "lawful_basis"),
        (unknown_category, "record.crime_category"),
    ] {
        let result = h.app.create_record(&officer, input).await;
        ensure!(
            matches!(&result, Err(AppError::Invalid { field: f, code: "unknown_code", .. }) if f == field),
            "{field}: {result:?}"
        );
    }
    ensure!(h.record_count().await? == 0);
    ensure!(
        h.audit().await?.len() == audit_before,
        "invalid input appends nothing"
    );
    Ok(())
}

/// Runs every state-changing use case and checks, after each, that the state change and the
/// audit entry moved together; then shows the store itself refuses an unaudited write.
pub async fn every_state_change_has_its_audit_entry(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let person = h
        .app
        .create_record(&officer, new_record(RecordKind::Person)?)
        .await?;
    let event = h
        .app
        .create_record(&officer, new_record(RecordKind::Event)?)
        .await?;
    h.app
        .link_records(
            &officer,
            NewLink {
                from: person.id,
                to: event.id,
                role: LinkRole::Suspect,
                valid_from: None,
                valid_to: None,
            },
        )
        .await?;
    let audit = h.audit().await?;
    let actions: Vec<&str> = audit
        .iter()
        .map(|entry| entry.entry.action.as_str())
        .collect();
    ensure!(
        actions
            == [
                "staff.create",
                "record.create",
                "record.create",
                "link.create"
            ],
        "{actions:?}"
    );

    // The store's last line of defence: a write without an audit entry cannot commit.
    let mut tx = h.store.begin().await?;
    tx.insert_record(&bluelamp_store::conformance::fixtures::record(
        RecordKind::Location,
    )?)
    .await?;
    let refused = tx.commit().await;
    ensure!(
        matches!(refused, Err(bluelamp_store::StoreError::UnauditedWrite)),
        "{refused:?}"
    );
    ensure!(
        h.record_count().await? == 2,
        "the unaudited record was rolled back"
    );
    Ok(())
}

pub async fn checkpoints_cover_the_log_and_verify(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    ensure!(h.app.latest_checkpoint().await?.is_none());
    h.app
        .create_record(&officer, new_record(RecordKind::Person)?)
        .await?;
    let first = h
        .app
        .write_checkpoint()
        .await?
        .context("a first checkpoint")?;
    ensure!(first.checkpoint.size == 2);
    ensure!(
        h.app.write_checkpoint().await?.is_none(),
        "no new checkpoint when the log has not grown"
    );
    h.app
        .create_record(&officer, new_record(RecordKind::Object)?)
        .await?;
    let second = h
        .app
        .write_checkpoint()
        .await?
        .context("a second checkpoint")?;
    ensure!(second.checkpoint.size == 3);
    first.verify(&h.key)?;
    let report = bluelamp_app::verify_audit_log(&*h.store, &h.key, &mut |_, _| {}).await?;
    ensure!(
        report.entries == 3 && report.checkpoints_checked == 2,
        "{report:?}"
    );
    Ok(())
}

pub async fn tampering_is_detected_by_verification(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    for _ in 0..4 {
        h.app
            .create_record(&officer, new_record(RecordKind::Object)?)
            .await?;
    }
    h.app.write_checkpoint().await?;
    h.tamper.drop_append_only_triggers().await?;
    // An attacker rewrites the purpose-free entry 2 to name another actor, fixing up its hash.
    let rows = h.store.audit_rows(2, 1).await?;
    let row = rows.first().context("row 2")?;
    let mut entry = bluelamp_audit::Entry::from_leaf_bytes(&row.leaf)?;
    entry.entry.actor = "staff:someone-else".into();
    let forged = entry.leaf_bytes();
    let forged_hash = bluelamp_audit::leaf_hash(&forged);
    let sql = format!(
        "UPDATE audit_entries SET leaf = {}, leaf_hash = {} WHERE seq = 2",
        blob_literal(h, &forged),
        blob_literal(h, &forged_hash)
    );
    h.tamper
        .execute_raw(Box::leak(sql.into_boxed_str()))
        .await?;
    let result = bluelamp_app::verify_audit_log(&*h.store, &h.key, &mut |_, _| {}).await;
    ensure!(result.is_err(), "verification fails after tampering");
    let message = result
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    ensure!(
        message.contains("checkpoint") || message.contains('2'),
        "{message}"
    );
    Ok(())
}

pub async fn checkpoint_signer_refuses_a_tampered_log(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    h.app
        .create_record(&officer, new_record(RecordKind::Object)?)
        .await?;
    h.tamper.drop_append_only_triggers().await?;
    h.tamper
        .execute_raw("DELETE FROM audit_entries WHERE seq = 0")
        .await?;
    let result = h.app.write_checkpoint().await;
    ensure!(matches!(result, Err(AppError::Internal(_))), "{result:?}");
    Ok(())
}

/// A byte-string literal in the backend's SQL dialect.
fn blob_literal(h: &Harness, bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    match h.store.backend_name() {
        "postgres" => format!("'\\x{hex}'::bytea"),
        _ => format!("X'{hex}'"),
    }
}
