//! Conversions between domain values and PostgreSQL columns, and error mapping.

use bluelamp_audit::SignedCheckpoint;
use bluelamp_domain::ids::StaffId;
use bluelamp_domain::link::Link;
use bluelamp_domain::record::Record;
use bluelamp_store::rows::{classification_code, hash_from_bytes};
pub(crate) use bluelamp_store::rows::{i64_from_u64, number_audit_entries, u64_from_i64};
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

/// Parses a stored signed checkpoint.
pub(crate) fn parse_checkpoint(row: &PgRow) -> StoreResult<SignedCheckpoint> {
    let text: String = row
        .try_get("text")
        .map_err(|error| corrupt_column("checkpoints.text", &error))?;
    SignedCheckpoint::parse(&text)
        .map_err(|error| StoreError::Corrupt(format!("stored checkpoint does not parse: {error}")))
}
