//! Small builders of valid test data: records of each kind, links, staff accounts, online
//! reports with their timelines and one-time codes, audit entries and signed checkpoints.
//!
//! Records are built from their JSON form, so they pass through the domain's own parsing (as
//! data from a client would) and carry realistic values: names, a VRM, an address with a
//! postcode, a map point with fractional coordinates and times with sub-microsecond parts.

use anyhow::Context as _;
use bluelamp_audit::{Checkpoint, CheckpointSigner, LogKind, NewEntry, Outcome, SignedCheckpoint};
use bluelamp_domain::ids::{LinkId, RecordId, RecordKind, StaffId};
use bluelamp_domain::link::{Link, LinkRole};
use bluelamp_domain::record::Record;
use chrono::{DateTime, Duration, TimeZone as _, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::{OneTimeCodeRow, ReportRow, ReportUpdateRow, StaffRow};

/// A fixed time with nanoseconds, so that precision loss in storage shows.
fn recorded_at() -> anyhow::Result<DateTime<Utc>> {
    Utc.with_ymd_and_hms(2026, 11, 27, 10, 15, 30)
        .single()
        .and_then(|time| time.checked_add_signed(Duration::nanoseconds(123_456_789)))
        .context("fixture time out of range")
}

/// The JSON body of a record of `kind`.
fn body_json(kind: RecordKind) -> serde_json::Value {
    match kind {
        RecordKind::Person => json!({
            "kind": "person",
            "name": { "forenames": ["Alex", "Jo"], "surname": "O'Brien-Smith" },
            "aliases": [{ "forenames": ["AJ"], "surname": "Smith" }],
            "date_of_birth": "1990-04-01",
            "self_defined_ethnicity": "W1",
        }),
        RecordKind::Object => json!({
            "kind": "object",
            "type": "vehicle",
            "vrm": "AB12 CDE",
            "make": "Ford",
            "model": "Focus",
            "colour": "Blue",
        }),
        RecordKind::Location => json!({
            "kind": "location",
            "address": {
                "lines": ["Flat 2", "14 Granby Street"],
                "town": "Leicester",
                "postcode": "LE1 6FB",
            },
            "point": { "lat": 52.634_567_891_2, "lon": -1.129_876_543_21 },
            "description": "Rear entrance, next to the café",
        }),
        RecordKind::Event => json!({
            "kind": "event",
            "type": "incident",
            "summary": "Report of a vehicle driven through a shop window",
            "occurred_from": "2026-11-26T23:40:00.123456789Z",
            "occurred_to": "2026-11-26T23:55:00Z",
        }),
    }
}

/// A new, valid record of `kind` with a fresh id.
///
/// # Errors
/// If the domain rejects the fixture (a fixture bug).
pub fn record(kind: RecordKind) -> anyhow::Result<Record> {
    let id = RecordId::new();
    let value = json!({
        "id": id,
        "marking": { "classification": "OFFICIAL", "sensitive": true, "caveats": ["PERSONAL"] },
        "provenance": {
            "channel": "staff_entry",
            "lawful_basis": "law-enforcement",
            "recorded_by": "staff:0190a1b2-0000-7000-8000-000000000001",
            "recorded_at": recorded_at()?,
        },
        "retention": {
            "group": "G2",
            "clear_period_start": "2026-11-27",
            "next_review": "2032-11-27",
        },
        "body": body_json(kind),
    });
    let record: Record = serde_json::from_value(value.clone())
        .with_context(|| format!("fixture record does not parse: {value}"))?;
    anyhow::ensure!(record.kind() == kind, "fixture built a {:?}", record.kind());
    Ok(record)
}

/// The same record with its marking and review date changed.
///
/// # Errors
/// If the domain rejects the change (a fixture bug).
pub fn changed(record: &Record) -> anyhow::Result<Record> {
    let mut value = serde_json::to_value(record)?;
    if let Some(marking) = value.get_mut("marking") {
        *marking = json!({ "classification": "SECRET", "sensitive": false, "caveats": [] });
    }
    let mut changed: Record = serde_json::from_value(value)?;
    changed.retention.next_review = changed
        .retention
        .next_review
        .checked_add_signed(Duration::days(366))
        .context("review date out of range")?;
    Ok(changed)
}

/// A link with a fresh id from `from` to `to`, valid from a time with sub-microsecond parts
/// until a day later.
///
/// # Errors
/// If the domain rejects the link (e.g. `from == to`).
pub fn link(from: RecordId, to: RecordId) -> anyhow::Result<Link> {
    let valid_from = recorded_at()?;
    let valid_to = valid_from + Duration::days(1);
    Link::new(
        LinkId::new(),
        from,
        to,
        LinkRole::Associate,
        valid_from,
        Some(valid_to),
    )
    .context("fixture link rejected")
}

/// A staff account named `username` whose token hash is derived from the username, created at
/// a time with sub-microsecond parts. Backends keep times to the microsecond, so compare with
/// a row read back, not with this value: see [`staff_as_stored`].
///
/// # Errors
/// If the fixture time is out of range.
pub fn staff(username: &str, active: bool) -> anyhow::Result<StaffRow> {
    Ok(StaffRow {
        id: StaffId::new(),
        username: username.to_owned(),
        display_name: format!("PC {username}"),
        role: "officer".to_owned(),
        force: "leicestershire".to_owned(),
        token_hash: bluelamp_audit::leaf_hash(format!("token for {username}").as_bytes()),
        active,
        created_at: recorded_at()?,
        vetting: crate::StaffVetting::default(),
        team_id: None,
    })
}

/// What a backend must return for `staff`: the same row with `created_at` truncated to the
/// microsecond (the precision both backends keep).
#[must_use]
pub fn staff_as_stored(staff: &StaffRow) -> StaffRow {
    StaffRow {
        created_at: bluelamp_audit::truncate_to_micros(staff.created_at),
        ..staff.clone()
    }
}

/// One audit entry for `action` (a collection, allowed).
#[must_use]
pub fn audit_entry(action: &str) -> NewEntry {
    NewEntry {
        at: bluelamp_audit::truncate_to_micros(Utc::now()),
        actor: "system".to_owned(),
        kind: LogKind::Collection,
        action: action.to_owned(),
        purpose: Some("conformance test".to_owned()),
        records: vec![*RecordId::new().as_uuid()],
        recipients: Vec::new(),
        digest: None,
        outcome: Outcome::Allowed,
    }
}

/// `count` distinct audit entries for `action` (numbered in their `purpose`).
#[must_use]
pub fn audit_entries(action: &str, count: usize) -> Vec<NewEntry> {
    (0..count)
        .map(|index| NewEntry {
            purpose: Some(format!("conformance test, entry {index}")),
            ..audit_entry(action)
        })
        .collect()
}

/// A checkpoint of `size` signed by `signer`, over a root derived from the size.
#[must_use]
pub fn checkpoint(signer: &CheckpointSigner, size: u64) -> SignedCheckpoint {
    signer.sign(Checkpoint {
        origin: "bluelamp.test/conformance".to_owned(),
        size,
        root: bluelamp_audit::leaf_hash(&size.to_be_bytes()),
        time: bluelamp_audit::truncate_to_micros(Utc::now()),
    })
}

/// The records an online report refers to: the event it describes and the person who made it.
#[derive(Clone, Debug)]
pub struct ReportRecords {
    /// The event record.
    pub event: Record,
    /// The reporting person's record.
    pub reporter: Record,
}

impl ReportRecords {
    /// Both records, for inserting them.
    #[must_use]
    pub fn all(&self) -> [Record; 2] {
        [self.event.clone(), self.reporter.clone()]
    }
}

/// A new event record and a new person record for a report to refer to.
///
/// # Errors
/// If the domain rejects the fixture records (a fixture bug).
pub fn report_records() -> anyhow::Result<ReportRecords> {
    Ok(ReportRecords {
        event: record(RecordKind::Event)?,
        reporter: record(RecordKind::Person)?,
    })
}

/// A fresh upper-case token (the hex of a new UUIDv7).
fn fresh_token() -> String {
    Uuid::now_v7().simple().to_string().to_uppercase()
}

/// A fresh report reference in compact form (11 characters, from the random end of a UUIDv7).
#[must_use]
pub fn report_reference() -> String {
    let token = fresh_token();
    token.get(21..).unwrap_or(&token).to_owned()
}

/// A report with every optional field filled in: made by `reporter` about `event`, with a
/// fresh reference and idempotency key, times with sub-microsecond parts, and details that
/// nest objects and arrays and carry non-ASCII text, escapes and numbers of every JSON kind.
/// Backends keep times to the microsecond: compare with [`report_as_stored`].
///
/// # Errors
/// If the fixture time is out of range.
pub fn report(event: RecordId, reporter: RecordId) -> anyhow::Result<ReportRow> {
    let submitted_at = recorded_at()?;
    Ok(ReportRow {
        reference: report_reference(),
        kind: "crime".to_owned(),
        status: "received".to_owned(),
        event_id: event,
        reporter_id: Some(reporter),
        contact_email: Some("siân.o'brien+report@example.co.uk".to_owned()),
        idempotency_key: format!("idem-{}", fresh_token()),
        submitted_at,
        updated_at: submitted_at + Duration::minutes(5),
        // Unique: no two reports share a crime number.
        crime_number: Some(format!("LE/{}/26", fresh_token())),
        officer: Some("PC 2741 Patel".to_owned()),
        outcome: Some("under-investigation".to_owned()),
        details: json!({
            "support": {
                "needs": ["interpreter", "step-free access"],
                "language": "Cymraeg",
                "vulnerable": true,
                "carer": null,
            },
            "contact": {
                "preferred": "email",
                "note": "Ffoniwch ar ôl 6pm — diolch 🙏",
                "times": [],
            },
            "statement": { "confirmed": true, "age_confirmed": false },
            "numbers": [
                0, -42, u64::MAX, i64::MIN, 3.25, -1.5e-7, 52.634_567_891_2, 1.0e300,
            ],
            "nested": { "a": [1, [2, [3, { "b": { "c": "deep" } }]]] },
            "empty": {},
            "quote": "she said \"stop\"\n\tthen left \\ ran",
            "名前": "José Müller-Łukasz 山田",
        }),
    })
}

/// A report with every optional field empty: anonymous information about `event`, no
/// e-mail address, not yet recorded, and empty details.
///
/// # Errors
/// If the fixture time is out of range.
pub fn anonymous_report(event: RecordId) -> anyhow::Result<ReportRow> {
    let submitted_at = recorded_at()?;
    Ok(ReportRow {
        reference: report_reference(),
        kind: "information".to_owned(),
        status: "received".to_owned(),
        event_id: event,
        reporter_id: None,
        contact_email: None,
        idempotency_key: format!("idem-{}", fresh_token()),
        submitted_at,
        updated_at: submitted_at,
        crime_number: None,
        officer: None,
        outcome: None,
        details: json!({}),
    })
}

/// What a backend must return for `report`: its times truncated to the microsecond.
#[must_use]
pub fn report_as_stored(report: &ReportRow) -> ReportRow {
    ReportRow {
        submitted_at: bluelamp_audit::truncate_to_micros(report.submitted_at),
        updated_at: bluelamp_audit::truncate_to_micros(report.updated_at),
        ..report.clone()
    }
}

/// A timeline entry of the report `reference` with a fresh id, at a time with sub-microsecond
/// parts, from the police, with a message and structured data.
///
/// # Errors
/// If the fixture time is out of range.
pub fn report_update(reference: &str) -> anyhow::Result<ReportUpdateRow> {
    Ok(ReportUpdateRow {
        id: Uuid::now_v7(),
        reference: reference.to_owned(),
        at: recorded_at()? + Duration::hours(1),
        kind: "status".to_owned(),
        author: "police".to_owned(),
        author_name: Some("PC 2741 Patel".to_owned()),
        text: Some("We have recorded this as a crime. Diolch — thank you.".to_owned()),
        data: json!({ "status": "crime_recorded", "crime_number": "LE/012345/26" }),
    })
}

/// What a backend must return for `update`: its time truncated to the microsecond.
#[must_use]
pub fn report_update_as_stored(update: &ReportUpdateRow) -> ReportUpdateRow {
    ReportUpdateRow {
        at: bluelamp_audit::truncate_to_micros(update.at),
        ..update.clone()
    }
}

/// An unused one-time code for the report `reference` with a fresh id, issued at
/// `created_at` and valid for fifteen minutes; its hash is derived from its id.
#[must_use]
pub fn one_time_code(reference: &str, created_at: DateTime<Utc>) -> OneTimeCodeRow {
    let id = Uuid::now_v7();
    OneTimeCodeRow {
        id,
        reference: reference.to_owned(),
        code_hash: bluelamp_audit::leaf_hash(id.as_bytes()),
        created_at,
        expires_at: created_at + Duration::minutes(15),
        used_at: None,
        failed_attempts: 0,
    }
}

/// What a backend must return for `code`: its times truncated to the microsecond.
#[must_use]
pub fn one_time_code_as_stored(code: &OneTimeCodeRow) -> OneTimeCodeRow {
    OneTimeCodeRow {
        created_at: bluelamp_audit::truncate_to_micros(code.created_at),
        expires_at: bluelamp_audit::truncate_to_micros(code.expires_at),
        used_at: code.used_at.map(bluelamp_audit::truncate_to_micros),
        ..code.clone()
    }
}

/// A fixed time with sub-microsecond parts, for reports, timelines and codes built from it.
///
/// # Errors
/// If the fixture time is out of range.
pub fn report_time() -> anyhow::Result<DateTime<Utc>> {
    recorded_at()
}
