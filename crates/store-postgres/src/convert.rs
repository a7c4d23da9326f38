//! Conversions between domain values and PostgreSQL columns, and error mapping.

use bluelamp_audit::{Entry, Hash, NewEntry, SignedCheckpoint};
use bluelamp_domain::ids::StaffId;
use bluelamp_domain::link::Link;
use bluelamp_domain::marking::Classification;
use bluelamp_domain::record::Record;
use bluelamp_store::{StaffRow, StoreError, StoreResult, StoredAuditRow};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use sqlx::postgres::PgRow;
use uuid::Uuid;

/// Maps a driver error to [`StoreError::Database`].
pub(crate) fn database_error(error: sqlx::Error) -> StoreError {
    StoreError::Database(error.to_string())
}

/// Maps a column that cannot be decoded to [`StoreError::Corrupt`].
fn corrupt_column(column: &str, error: &sqlx::Error) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {error}"))
}

/// Converts a sequence number or size for binding; values past `i64::MAX` cannot be stored.
pub(crate) fn i64_from_u64(value: u64, what: &str) -> StoreResult<i64> {
    i64::try_from(value)
        .map_err(|_| StoreError::Database(format!("{what} {value} is out of range")))
}

/// Converts a stored integer back; a negative value means the data is corrupt.
pub(crate) fn u64_from_i64(value: i64, what: &str) -> StoreResult<u64> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value} is negative")))
}

/// The queryable copies of a record's fields, plus its full JSON body.
pub(crate) struct RecordColumns {
    /// The record id.
    pub(crate) id: Uuid,
    /// The POLE kind code.
    pub(crate) kind: &'static str,
    /// The GSCP classification code.
    pub(crate) classification: String,
    /// Whether the marking flags the record as sensitive.
    pub(crate) sensitive: bool,
    /// The MoPI review date.
    pub(crate) next_review: NaiveDate,
    /// When the record was first recorded.
    pub(crate) created_at: DateTime<Utc>,
    /// The full serde JSON.
    pub(crate) body: String,
}

/// Extracts the columns of a record.
pub(crate) fn record_columns(record: &Record) -> StoreResult<RecordColumns> {
    let body = serde_json::to_string(record)
        .map_err(|error| StoreError::Database(format!("cannot encode record: {error}")))?;
    Ok(RecordColumns {
        id: *record.id.as_uuid(),
        kind: record.kind().as_str(),
        classification: classification_code(record.marking.classification())?,
        sensitive: record.marking.is_sensitive(),
        next_review: record.retention.next_review,
        created_at: record.provenance.recorded_at,
        body,
    })
}

/// The classification as its wire code (`OFFICIAL`, `SECRET`, `TOP_SECRET`).
fn classification_code(classification: Classification) -> StoreResult<String> {
    match serde_json::to_value(classification) {
        Ok(serde_json::Value::String(code)) => Ok(code),
        other => Err(StoreError::Database(format!(
            "classification does not encode as a string: {other:?}"
        ))),
    }
}

/// Decodes a record from the `body` column of a row.
pub(crate) fn record_from_row(row: &PgRow) -> StoreResult<Record> {
    let body: String = row
        .try_get("body")
        .map_err(|error| corrupt_column("records.body", &error))?;
    serde_json::from_str(&body)
        .map_err(|error| StoreError::Corrupt(format!("record body does not decode: {error}")))
}

/// The queryable copies of a link's fields, plus its full JSON body.
pub(crate) struct LinkColumns {
    /// The link id.
    pub(crate) id: Uuid,
    /// The id of the record the link starts at.
    pub(crate) from_id: Uuid,
    /// The id of the record the link points to.
    pub(crate) to_id: Uuid,
    /// The role code.
    pub(crate) role: String,
    /// Start of validity.
    pub(crate) valid_from: DateTime<Utc>,
    /// End of validity, if bounded.
    pub(crate) valid_to: Option<DateTime<Utc>>,
    /// The full serde JSON.
    pub(crate) body: String,
}

/// Extracts the columns of a link.
pub(crate) fn link_columns(link: &Link) -> StoreResult<LinkColumns> {
    let body = serde_json::to_string(link)
        .map_err(|error| StoreError::Database(format!("cannot encode link: {error}")))?;
    Ok(LinkColumns {
        id: *link.id().as_uuid(),
        from_id: *link.from().as_uuid(),
        to_id: *link.to().as_uuid(),
        role: link.role().to_string(),
        valid_from: link.valid_from(),
        valid_to: link.valid_to(),
        body,
    })
}

/// Decodes a link from the `body` column of a row.
pub(crate) fn link_from_row(row: &PgRow) -> StoreResult<Link> {
    let body: String = row
        .try_get("body")
        .map_err(|error| corrupt_column("links.body", &error))?;
    serde_json::from_str(&body)
        .map_err(|error| StoreError::Corrupt(format!("link body does not decode: {error}")))
}

/// Decodes a staff account.
pub(crate) fn staff_from_row(row: &PgRow) -> StoreResult<StaffRow> {
    let id: Uuid = row
        .try_get("id")
        .map_err(|error| corrupt_column("staff.id", &error))?;
    let token_hash: Vec<u8> = row
        .try_get("token_hash")
        .map_err(|error| corrupt_column("staff.token_hash", &error))?;
    Ok(StaffRow {
        id: StaffId::from_uuid(id),
        username: row
            .try_get("username")
            .map_err(|error| corrupt_column("staff.username", &error))?,
        display_name: row
            .try_get("display_name")
            .map_err(|error| corrupt_column("staff.display_name", &error))?,
        role: row
            .try_get("role")
            .map_err(|error| corrupt_column("staff.role", &error))?,
        force: row
            .try_get("force")
            .map_err(|error| corrupt_column("staff.force", &error))?,
        token_hash: hash_from_bytes(token_hash, "staff.token_hash")?,
        active: row
            .try_get("active")
            .map_err(|error| corrupt_column("staff.active", &error))?,
        created_at: row
            .try_get("created_at")
            .map_err(|error| corrupt_column("staff.created_at", &error))?,
    })
}

/// A 32-byte hash from a stored blob.
fn hash_from_bytes(bytes: Vec<u8>, column: &str) -> StoreResult<Hash> {
    <[u8; 32]>::try_from(bytes).map_err(|bytes| {
        StoreError::Corrupt(format!(
            "column {column}: {} bytes, expected 32",
            bytes.len()
        ))
    })
}

/// Decodes an audit row exactly as stored.
pub(crate) fn stored_audit_row(row: &PgRow) -> StoreResult<StoredAuditRow> {
    let seq: i64 = row
        .try_get("seq")
        .map_err(|error| corrupt_column("audit_entries.seq", &error))?;
    let leaf_hash: Vec<u8> = row
        .try_get("leaf_hash")
        .map_err(|error| corrupt_column("audit_entries.leaf_hash", &error))?;
    Ok(StoredAuditRow {
        seq: u64_from_i64(seq, "audit sequence number")?,
        leaf: row
            .try_get("leaf")
            .map_err(|error| corrupt_column("audit_entries.leaf", &error))?,
        leaf_hash: hash_from_bytes(leaf_hash, "audit_entries.leaf_hash")?,
    })
}

/// One audit row ready to insert.
pub(crate) struct AuditRowToInsert {
    /// The sequence number, as stored.
    pub(crate) seq: i64,
    /// The canonical leaf bytes.
    pub(crate) leaf: Vec<u8>,
    /// The RFC 6962 leaf hash of `leaf`.
    pub(crate) leaf_hash: Hash,
}

/// Numbers `entries` from `first_seq` and computes their leaves; returns the rows and the
/// assigned sequence numbers.
pub(crate) fn number_audit_entries(
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

/// Parses a stored signed checkpoint.
pub(crate) fn parse_checkpoint(row: &PgRow) -> StoreResult<SignedCheckpoint> {
    let text: String = row
        .try_get("text")
        .map_err(|error| corrupt_column("checkpoints.text", &error))?;
    SignedCheckpoint::parse(&text)
        .map_err(|error| StoreError::Corrupt(format!("stored checkpoint does not parse: {error}")))
}
