//! Conversions every backend needs between the store's types and database values: integer
//! ranges, stored hashes, classification codes, the numbering of new audit entries, and the
//! queryable columns and JSON bodies of records and links.

use bluelamp_audit::{Entry, Hash, NewEntry};
use bluelamp_domain::link::Link;
use bluelamp_domain::marking::Classification;
use bluelamp_domain::record::Record;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{StoreError, StoreResult};

/// Converts a sequence number or size for binding; values past `i64::MAX` cannot be stored.
pub fn i64_from_u64(value: u64, what: &str) -> StoreResult<i64> {
    i64::try_from(value)
        .map_err(|_| StoreError::Database(format!("{what} {value} is out of range")))
}

/// Converts a stored integer back; a negative value means the data is corrupt.
pub fn u64_from_i64(value: i64, what: &str) -> StoreResult<u64> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value} is negative")))
}

/// The classification as its wire code (`OFFICIAL`, `SECRET`, `TOP_SECRET`).
pub fn classification_code(classification: Classification) -> StoreResult<String> {
    match serde_json::to_value(classification) {
        Ok(serde_json::Value::String(code)) => Ok(code),
        other => Err(StoreError::Database(format!(
            "classification does not encode as a string: {other:?}"
        ))),
    }
}

/// A 32-byte hash from a stored blob.
pub fn hash_from_bytes(bytes: Vec<u8>, column: &str) -> StoreResult<Hash> {
    <[u8; 32]>::try_from(bytes).map_err(|bytes| {
        StoreError::Corrupt(format!(
            "column {column}: {} bytes, expected 32",
            bytes.len()
        ))
    })
}

/// One audit row ready to insert.
pub struct AuditRowToInsert {
    /// The sequence number, as stored.
    pub seq: i64,
    /// The canonical leaf bytes.
    pub leaf: Vec<u8>,
    /// The RFC 6962 leaf hash of `leaf`.
    pub leaf_hash: Hash,
}

/// Numbers `entries` from `first_seq` and computes their leaves; returns the rows and the
/// assigned sequence numbers.
pub fn number_audit_entries(
    first_seq: u64,
    entries: &[NewEntry],
) -> StoreResult<(Vec<AuditRowToInsert>, Vec<u64>)> {
    let mut rows = Vec::with_capacity(entries.len());
    let mut seqs = Vec::with_capacity(entries.len());
    let mut seq = first_seq;
    for new_entry in entries {
        let entry = Entry {
            seq,
            entry: new_entry.clone(),
        };
        let leaf = entry.leaf_bytes();
        let leaf_hash = bluelamp_audit::leaf_hash(&leaf);
        rows.push(AuditRowToInsert {
            seq: i64_from_u64(seq, "audit sequence number")?,
            leaf,
            leaf_hash,
        });
        seqs.push(seq);
        seq = seq
            .checked_add(1)
            .ok_or_else(|| StoreError::Database("audit sequence number overflow".to_owned()))?;
    }
    Ok((rows, seqs))
}

/// The queryable copies of a record's fields, plus its full JSON body. `Id` is how the
/// backend stores an id (a UUID, or its text).
pub struct RecordColumns<Id> {
    /// The record id.
    pub id: Id,
    /// The POLE kind code.
    pub kind: &'static str,
    /// The GSCP classification code.
    pub classification: String,
    /// Whether the marking flags the record as sensitive.
    pub sensitive: bool,
    /// The MoPI review date.
    pub next_review: NaiveDate,
    /// When the record was first recorded.
    pub created_at: DateTime<Utc>,
    /// The full serde JSON.
    pub body: String,
}

/// Extracts the columns of a record, storing ids as `store_id` makes them.
pub fn record_columns<Id>(
    record: &Record,
    store_id: impl Fn(&Uuid) -> Id,
) -> StoreResult<RecordColumns<Id>> {
    let body = serde_json::to_string(record)
        .map_err(|error| StoreError::Database(format!("cannot encode record: {error}")))?;
    Ok(RecordColumns {
        id: store_id(record.id.as_uuid()),
        kind: record.kind().as_str(),
        classification: classification_code(record.marking.classification())?,
        sensitive: record.marking.is_sensitive(),
        next_review: record.retention.next_review,
        created_at: record.provenance.recorded_at,
        body,
    })
}

/// Decodes a record from its stored JSON body.
pub fn record_from_body(body: &str) -> StoreResult<Record> {
    serde_json::from_str(body)
        .map_err(|error| StoreError::Corrupt(format!("record body does not decode: {error}")))
}

/// The queryable copies of a link's fields, plus its full JSON body.
pub struct LinkColumns<Id> {
    /// The link id.
    pub id: Id,
    /// The id of the record the link starts at.
    pub from_id: Id,
    /// The id of the record the link points to.
    pub to_id: Id,
    /// The role code.
    pub role: String,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity, if bounded.
    pub valid_to: Option<DateTime<Utc>>,
    /// The full serde JSON.
    pub body: String,
}

/// Extracts the columns of a link, storing ids as `store_id` makes them.
pub fn link_columns<Id>(
    link: &Link,
    store_id: impl Fn(&Uuid) -> Id,
) -> StoreResult<LinkColumns<Id>> {
    let body = serde_json::to_string(link)
        .map_err(|error| StoreError::Database(format!("cannot encode link: {error}")))?;
    Ok(LinkColumns {
        id: store_id(link.id().as_uuid()),
        from_id: store_id(link.from().as_uuid()),
        to_id: store_id(link.to().as_uuid()),
        role: link.role().to_string(),
        valid_from: link.valid_from(),
        valid_to: link.valid_to(),
        body,
    })
}

/// Decodes a link from its stored JSON body.
pub fn link_from_body(body: &str) -> StoreResult<Link> {
    serde_json::from_str(body)
        .map_err(|error| StoreError::Corrupt(format!("link body does not decode: {error}")))
}

/// Encodes a JSON value (report details, timeline data) for a JSON column.
pub fn json_text(value: &serde_json::Value, what: &str) -> StoreResult<String> {
    serde_json::to_string(value)
        .map_err(|error| StoreError::Database(format!("cannot encode {what}: {error}")))
}

/// Decodes a JSON column read back as text.
pub fn json_from_text(text: &str, column: &str) -> StoreResult<serde_json::Value> {
    serde_json::from_str(text)
        .map_err(|error| StoreError::Corrupt(format!("column {column} does not decode: {error}")))
}

/// Converts a stored count or counter back; a negative value or one past `u32::MAX` means the
/// data is corrupt.
pub fn u32_from_i64(value: i64, what: &str) -> StoreResult<u32> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value} is out of range")))
}

/// The index columns of one audit entry (`audit_index`, migration 0007), with the records it
/// names (`audit_index_records`, each once).
pub struct AuditIndexRow {
    /// The sequence number, as stored.
    pub seq: i64,
    /// When it happened, to the microsecond.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: String,
    /// The s.62 kind's code.
    pub kind: &'static str,
    /// The operation.
    pub action: String,
    /// The purpose, if any.
    pub purpose: Option<String>,
    /// `allowed` or `denied`.
    pub outcome: &'static str,
    /// The records named, without repeats.
    pub records: Vec<Uuid>,
}

/// The index rows of `entries` appended from `first_seq` on (as [`number_audit_entries`]
/// numbers them).
pub fn audit_index_rows(first_seq: u64, entries: &[NewEntry]) -> StoreResult<Vec<AuditIndexRow>> {
    let mut rows = Vec::with_capacity(entries.len());
    let mut seq = first_seq;
    for entry in entries {
        let mut records = Vec::with_capacity(entry.records.len());
        for record in &entry.records {
            if !records.contains(record) {
                records.push(*record);
            }
        }
        rows.push(AuditIndexRow {
            seq: i64_from_u64(seq, "audit sequence number")?,
            at: bluelamp_audit::truncate_to_micros(entry.at),
            actor: entry.actor.clone(),
            kind: entry.kind.as_str(),
            action: entry.action.clone(),
            purpose: entry.purpose.clone(),
            outcome: entry.outcome.as_str(),
            records,
        });
        seq = seq
            .checked_add(1)
            .ok_or_else(|| StoreError::Database("audit sequence number overflow".to_owned()))?;
    }
    Ok(rows)
}

/// The bounds every backend applies to an audit search: the exclusive upper sequence number
/// (`before`, or everything) as stored, the purpose text lowercased (ASCII letters only, as
/// the comparison is made), and the limit checked against
/// [`MAX_AUDIT_SEARCH`](crate::MAX_AUDIT_SEARCH).
pub struct AuditSearchBounds {
    /// Only rows with a sequence number below this.
    pub before: i64,
    /// The purpose text to look for, lowercased.
    pub purpose: Option<String>,
    /// At most this many rows.
    pub limit: i64,
    /// The lower time bound, to the microsecond.
    pub from: Option<DateTime<Utc>>,
    /// The upper time bound, to the microsecond.
    pub to: Option<DateTime<Utc>>,
}

/// Checks and converts the parameters of an audit search.
pub fn audit_search_bounds(
    filter: &crate::AuditFilter,
    before: Option<u64>,
    limit: u32,
) -> StoreResult<AuditSearchBounds> {
    if limit > crate::MAX_AUDIT_SEARCH {
        return Err(StoreError::Database(format!(
            "audit search limit {limit} is above {}",
            crate::MAX_AUDIT_SEARCH
        )));
    }
    Ok(AuditSearchBounds {
        // A bound past i64::MAX excludes nothing that can be stored.
        before: before.map_or(i64::MAX, |before| i64::try_from(before).unwrap_or(i64::MAX)),
        purpose: filter
            .purpose
            .as_ref()
            .map(|text| text.to_ascii_lowercase()),
        limit: i64::from(limit),
        from: filter.from.map(bluelamp_audit::truncate_to_micros),
        to: filter.to.map(bluelamp_audit::truncate_to_micros),
    })
}

/// The time bounds of index rows appended together (migration 0009), in order, from their
/// times `ats` (in any type that orders as the times do): each row's `at_high`, the latest time
/// of the rows before it (`previous_high`: the last indexed row's `at_high`) and itself, and
/// its `at_low`, the earliest time of itself and the rows after it in `ats`. Rows indexed
/// earlier whose `at_low` is later than the earliest of `ats` take that time.
#[must_use]
pub fn audit_time_bounds<T: Ord + Clone>(ats: &[T], previous_high: Option<T>) -> (Vec<T>, Vec<T>) {
    let mut highs = Vec::with_capacity(ats.len());
    let mut high = previous_high;
    for at in ats {
        let next = match high {
            Some(before) if before > *at => before,
            _ => at.clone(),
        };
        highs.push(next.clone());
        high = Some(next);
    }
    let mut lows = Vec::with_capacity(ats.len());
    let mut low: Option<T> = None;
    for at in ats.iter().rev() {
        let next = match low {
            Some(after) if after < *at => after,
            _ => at.clone(),
        };
        lows.push(next.clone());
        low = Some(next);
    }
    lows.reverse();
    (highs, lows)
}

#[cfg(test)]
mod tests {
    #[test]
    fn audit_time_bounds_never_fall_and_bound_every_time() {
        let (highs, lows) = super::audit_time_bounds(&[5, 3, 7, 6, 9], Some(4));
        assert_eq!(highs, [5, 5, 7, 7, 9]);
        assert_eq!(lows, [3, 3, 6, 6, 9]);
        let (highs, lows) = super::audit_time_bounds(&[2, 1], Some(8));
        assert_eq!(highs, [8, 8]);
        assert_eq!(lows, [1, 1]);
        let (highs, lows) = super::audit_time_bounds::<u8>(&[], None);
        assert!(highs.is_empty() && lows.is_empty());
    }
}
