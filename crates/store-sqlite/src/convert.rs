//! Conversions between domain values and SQLite columns, and error mapping.

use bluelamp_audit::SignedCheckpoint;
use bluelamp_domain::ids::{RecordId, StaffId};
use bluelamp_domain::link::Link;
use bluelamp_domain::record::Record;
use bluelamp_store::rows::{self, LinkColumns, RecordColumns, hash_from_bytes, json_from_text};
pub(crate) use bluelamp_store::rows::{
    AuditRowToInsert, i64_from_u64, number_audit_entries, u32_from_i64, u64_from_i64,
};
use bluelamp_store::{
    OneTimeCodeRow, ReportRow, ReportUpdateRow, StaffRow, StaffVetting, StoreError, StoreResult,
    StoredAuditRow,
};
use chrono::{DateTime, Utc};
use sqlx::Row as _;
use sqlx::sqlite::{Sqlite, SqliteRow};
use uuid::Uuid;

/// Maps a driver error to [`StoreError::Database`].
pub(crate) fn database_error(error: sqlx::Error) -> StoreError {
    StoreError::Database(error.to_string())
}

/// Maps a column that cannot be decoded to [`StoreError::Corrupt`].
pub(crate) fn corrupt_column(column: &str, error: &sqlx::Error) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {error}"))
}

/// The stored text form of an id: lowercase hyphenated, which sorts like the UUID's bytes, so
/// UUIDv7 ids sort by creation time.
pub(crate) fn uuid_text(id: &Uuid) -> String {
    id.as_hyphenated().to_string()
}

/// Truncates a time to whole microseconds, the precision PostgreSQL keeps, so that both
/// backends return the same value.
pub(crate) fn truncate_to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(time.timestamp_micros()).unwrap_or(time)
}

/// Parses a stored id.
pub(crate) fn uuid_from_text(text: &str, column: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(text).map_err(|error| {
        StoreError::Corrupt(format!("column {column}: invalid id {text:?}: {error}"))
    })
}

/// The columns of a record as this backend stores them.
pub(crate) fn record_columns(record: &Record) -> StoreResult<RecordColumns<String>> {
    rows::record_columns(record, uuid_text)
}

/// Decodes a record from the `body` column of a row.
pub(crate) fn record_from_row(row: &SqliteRow) -> StoreResult<Record> {
    let body: String = row
        .try_get("body")
        .map_err(|error| corrupt_column("records.body", &error))?;
    rows::record_from_body(&body)
}

/// The columns of a link as this backend stores them.
pub(crate) fn link_columns(link: &Link) -> StoreResult<LinkColumns<String>> {
    rows::link_columns(link, uuid_text)
}

/// Decodes a link from the `body` column of a row.
pub(crate) fn link_from_row(row: &SqliteRow) -> StoreResult<Link> {
    let body: String = row
        .try_get("body")
        .map_err(|error| corrupt_column("links.body", &error))?;
    rows::link_from_body(&body)
}

/// Decodes a staff account.
pub(crate) fn staff_from_row(row: &SqliteRow) -> StoreResult<StaffRow> {
    let id: String = row
        .try_get("id")
        .map_err(|error| corrupt_column("staff.id", &error))?;
    let token_hash: Vec<u8> = row
        .try_get("token_hash")
        .map_err(|error| corrupt_column("staff.token_hash", &error))?;
    let caveats: String = row
        .try_get("caveats")
        .map_err(|error| corrupt_column("staff.caveats", &error))?;
    let team_id: Option<String> = row
        .try_get("team_id")
        .map_err(|error| corrupt_column("staff_identity.team_id", &error))?;
    Ok(StaffRow {
        id: StaffId::from_uuid(uuid_from_text(&id, "staff.id")?),
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
        vetting: StaffVetting {
            clearance: row
                .try_get("clearance")
                .map_err(|error| corrupt_column("staff.clearance", &error))?,
            caveats: serde_json::from_str(&caveats)
                .map_err(|error| StoreError::Corrupt(format!("column staff.caveats: {error}")))?,
        },
        team_id: team_id
            .map(|team| uuid_from_text(&team, "staff_identity.team_id"))
            .transpose()?,
    })
}

/// Decodes an audit row exactly as stored.
pub(crate) fn stored_audit_row(row: &SqliteRow) -> StoreResult<StoredAuditRow> {
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
pub(crate) fn parse_checkpoint(row: &SqliteRow) -> StoreResult<SignedCheckpoint> {
    let text: String = row
        .try_get("text")
        .map_err(|error| corrupt_column("checkpoints.text", &error))?;
    SignedCheckpoint::parse(&text)
        .map_err(|error| StoreError::Corrupt(format!("stored checkpoint does not parse: {error}")))
}

/// Reads one column of a row of `table`, mapping a value that cannot be decoded to
/// [`StoreError::Corrupt`].
pub(crate) fn column<'r, T>(row: &'r SqliteRow, table: &str, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(column)
        .map_err(|error| corrupt_column(&format!("{table}.{column}"), &error))
}

/// Reads a stored record id.
fn record_id_column(row: &SqliteRow, table: &str, name: &str) -> StoreResult<Option<RecordId>> {
    let text: Option<String> = column(row, table, name)?;
    text.map(|text| uuid_from_text(&text, &format!("{table}.{name}")).map(RecordId::from_uuid))
        .transpose()
}

/// Decodes a report (the columns of `report_columns!` in `tx.rs`).
pub(crate) fn report_from_row(row: &SqliteRow) -> StoreResult<ReportRow> {
    const TABLE: &str = "reports";
    let details: String = column(row, TABLE, "details")?;
    Ok(ReportRow {
        reference: column(row, TABLE, "reference")?,
        kind: column(row, TABLE, "kind")?,
        status: column(row, TABLE, "status")?,
        event_id: record_id_column(row, TABLE, "event_id")?
            .ok_or_else(|| StoreError::Corrupt("column reports.event_id is NULL".to_owned()))?,
        reporter_id: record_id_column(row, TABLE, "reporter_id")?,
        contact_email: column(row, TABLE, "contact_email")?,
        idempotency_key: column(row, TABLE, "idempotency_key")?,
        submitted_at: column(row, TABLE, "submitted_at")?,
        updated_at: column(row, TABLE, "updated_at")?,
        crime_number: column(row, TABLE, "crime_number")?,
        officer: column(row, TABLE, "officer")?,
        outcome: column(row, TABLE, "outcome")?,
        details: json_from_text(&details, "reports.details")?,
    })
}

/// Decodes an entry of a report's timeline.
pub(crate) fn report_update_from_row(row: &SqliteRow) -> StoreResult<ReportUpdateRow> {
    const TABLE: &str = "report_updates";
    let id: String = column(row, TABLE, "id")?;
    let data: String = column(row, TABLE, "data")?;
    Ok(ReportUpdateRow {
        id: uuid_from_text(&id, "report_updates.id")?,
        reference: column(row, TABLE, "reference")?,
        at: column(row, TABLE, "at")?,
        kind: column(row, TABLE, "kind")?,
        author: column(row, TABLE, "author")?,
        author_name: column(row, TABLE, "author_name")?,
        text: column(row, TABLE, "text")?,
        data: json_from_text(&data, "report_updates.data")?,
    })
}

/// Decodes a one-time code.
pub(crate) fn one_time_code_from_row(row: &SqliteRow) -> StoreResult<OneTimeCodeRow> {
    const TABLE: &str = "one_time_codes";
    let id: String = column(row, TABLE, "id")?;
    let code_hash: Vec<u8> = column(row, TABLE, "code_hash")?;
    let failed_attempts: i64 = column(row, TABLE, "failed_attempts")?;
    Ok(OneTimeCodeRow {
        id: uuid_from_text(&id, "one_time_codes.id")?,
        reference: column(row, TABLE, "reference")?,
        code_hash: hash_from_bytes(code_hash, "one_time_codes.code_hash")?,
        created_at: column(row, TABLE, "created_at")?,
        expires_at: column(row, TABLE, "expires_at")?,
        used_at: column(row, TABLE, "used_at")?,
        failed_attempts: u32_from_i64(failed_attempts, "one_time_codes.failed_attempts")?,
    })
}
