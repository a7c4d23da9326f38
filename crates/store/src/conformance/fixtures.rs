//! Small builders of valid test data: records of each kind, links, staff accounts, audit
//! entries and signed checkpoints.
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

use crate::StaffRow;

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
