//! The SQLite unit of work: [`SqliteTx`].

use std::fmt;
use std::sync::OnceLock;

use async_trait::async_trait;
use bluelamp_audit::NewEntry;
use bluelamp_domain::ids::{LinkId, RecordId, RecordKind};
use bluelamp_domain::link::Link;
use bluelamp_domain::record::Record;
use bluelamp_store::rows::json_text;
use bluelamp_store::{
    AuditAppender, AuditFilter, AuditReader, KeyMatch, LinkRepo, OneTimeCodeRow, RecordRepo,
    ReportRepo, ReportRow, ReportUpdateRow, StaffRepo, StaffRow, StoreError, StoreResult, StoreTx,
    StoredAuditRow,
};
use chrono::{DateTime, Utc};
use sqlx::sqlite::Sqlite;
use sqlx::{AssertSqlSafe, Row as _};

use crate::convert::{
    AuditRowToInsert, database_error, link_columns, link_from_row, number_audit_entries,
    one_time_code_from_row, record_columns, record_from_row, report_from_row,
    report_update_from_row, staff_from_row, truncate_to_micros, u32_from_i64, u64_from_i64,
    uuid_text,
};
use crate::{audit_index, search};

/// Audit rows per multi-row `INSERT` (three bind parameters each, far below SQLite's limit of
/// 32,766). Full chunks share one prepared statement.
const AUDIT_ROWS_PER_INSERT: usize = 250;

/// Records per multi-row `INSERT` in [`RecordRepo::insert_records`] (seven bind parameters
/// each), and ids per `IN` list in [`RecordRepo::get_records`].
const RECORDS_PER_INSERT: usize = 500;

/// One write transaction on the single writer connection, opened with `BEGIN IMMEDIATE`.
///
/// Dropping it without [`StoreTx::commit`] rolls it back.
pub struct SqliteTx {
    /// The open transaction.
    pub(crate) transaction: sqlx::Transaction<'static, Sqlite>,
    /// Whether a record, link, account, report, timeline entry or one-time code was written.
    pub(crate) changed_state: bool,
    /// Whether at least one audit entry was appended.
    appended_audit: bool,
    /// The next audit sequence number, once read in this transaction.
    next_seq: Option<u64>,
}

impl fmt::Debug for SqliteTx {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SqliteTx")
            .field("changed_state", &self.changed_state)
            .field("appended_audit", &self.appended_audit)
            .field("next_seq", &self.next_seq)
            .finish_non_exhaustive()
    }
}

impl SqliteTx {
    /// Wraps a transaction that has just begun.
    pub(crate) fn new(transaction: sqlx::Transaction<'static, Sqlite>) -> Self {
        Self {
            transaction,
            changed_state: false,
            appended_audit: false,
            next_seq: None,
        }
    }

    /// The next free audit sequence number. Safe to read once and then count locally: the
    /// writer connection is the only writer and `BEGIN IMMEDIATE` holds the write lock.
    async fn next_seq(&mut self) -> StoreResult<u64> {
        if let Some(next_seq) = self.next_seq {
            return Ok(next_seq);
        }
        let row = sqlx::query("SELECT COALESCE(MAX(seq) + 1, 0) AS next_seq FROM audit_entries")
            .fetch_one(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        let next_seq: i64 = row.try_get("next_seq").map_err(database_error)?;
        let next_seq = u64_from_i64(next_seq, "audit sequence number")?;
        self.next_seq = Some(next_seq);
        Ok(next_seq)
    }

    /// Inserts audit rows with one multi-row `INSERT` per chunk.
    async fn insert_audit_rows(&mut self, rows: &[AuditRowToInsert]) -> StoreResult<()> {
        for chunk in rows.chunks(AUDIT_ROWS_PER_INSERT) {
            let sql = audit_insert_sql(chunk.len());
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for row in chunk {
                query = query
                    .bind(row.seq)
                    .bind(row.leaf.as_slice())
                    .bind(row.leaf_hash.as_slice());
            }
            query
                .execute(&mut *self.transaction)
                .await
                .map_err(database_error)?;
        }
        Ok(())
    }
}

/// `INSERT INTO audit_entries ... VALUES (?, ?, ?), ...` for `rows` rows; the statement for a
/// full chunk is built once.
fn audit_insert_sql(rows: usize) -> String {
    static FULL_CHUNK: OnceLock<String> = OnceLock::new();
    if rows == AUDIT_ROWS_PER_INSERT {
        return FULL_CHUNK
            .get_or_init(|| build_audit_insert_sql(AUDIT_ROWS_PER_INSERT))
            .clone();
    }
    build_audit_insert_sql(rows)
}

/// Builds the multi-row audit insert for `rows` rows.
fn build_audit_insert_sql(rows: usize) -> String {
    let mut sql = String::with_capacity(60_usize.saturating_add(rows.saturating_mul(10)));
    sql.push_str("INSERT INTO audit_entries (seq, leaf, leaf_hash) VALUES ");
    for index in 0..rows {
        if index > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?)");
    }
    sql
}

#[async_trait]
impl RecordRepo for SqliteTx {
    async fn insert_record(&mut self, record: &Record) -> StoreResult<()> {
        let columns = record_columns(record)?;
        let inserted = sqlx::query(
            "INSERT INTO records \
             (id, kind, classification, sensitive, next_review, created_at, body) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&columns.id)
        .bind(columns.kind)
        .bind(&columns.classification)
        .bind(columns.sensitive)
        .bind(columns.next_review)
        .bind(columns.created_at)
        .bind(&columns.body)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "record",
                id: record.id.to_string(),
            });
        }
        self.changed_state = true;
        search::insert_keys(
            &mut self.transaction,
            &search::key_rows(std::slice::from_ref(record)),
        )
        .await
    }

    async fn insert_records(&mut self, records: &[Record]) -> StoreResult<()> {
        for chunk in records.chunks(RECORDS_PER_INSERT) {
            let columns = chunk
                .iter()
                .map(record_columns)
                .collect::<StoreResult<Vec<_>>>()?;
            let mut sql = String::from(
                "INSERT INTO records \
                 (id, kind, classification, sensitive, next_review, created_at, body) VALUES ",
            );
            sql.push_str(&vec!["(?,?,?,?,?,?,?)"; columns.len()].join(","));
            sql.push_str(" ON CONFLICT (id) DO NOTHING");
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for column in &columns {
                query = query
                    .bind(&column.id)
                    .bind(column.kind)
                    .bind(&column.classification)
                    .bind(column.sensitive)
                    .bind(column.next_review)
                    .bind(column.created_at)
                    .bind(&column.body);
            }
            let inserted = query
                .execute(&mut *self.transaction)
                .await
                .map_err(database_error)?
                .rows_affected();
            if usize::try_from(inserted).ok() != Some(chunk.len()) {
                return Err(StoreError::AlreadyExists {
                    what: "record",
                    id: "in the batch".to_owned(),
                });
            }
            self.changed_state = true;
            search::insert_keys(&mut self.transaction, &search::key_rows(chunk)).await?;
        }
        Ok(())
    }

    async fn update_record(&mut self, record: &Record) -> StoreResult<()> {
        let columns = record_columns(record)?;
        let updated = sqlx::query(
            "UPDATE records SET kind = ?, classification = ?, sensitive = ?, next_review = ?, \
             created_at = ?, body = ? WHERE id = ?",
        )
        .bind(columns.kind)
        .bind(&columns.classification)
        .bind(columns.sensitive)
        .bind(columns.next_review)
        .bind(columns.created_at)
        .bind(&columns.body)
        .bind(&columns.id)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound {
                what: "record",
                id: record.id.to_string(),
            });
        }
        self.changed_state = true;
        search::replace_keys(&mut self.transaction, record).await
    }

    async fn get_records(&mut self, ids: &[RecordId]) -> StoreResult<Vec<Record>> {
        let mut records = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(RECORDS_PER_INSERT) {
            let sql = format!(
                "SELECT body FROM records WHERE id IN ({})",
                vec!["?"; chunk.len()].join(",")
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(uuid_text(id.as_uuid()));
            }
            let rows = query
                .fetch_all(&mut *self.transaction)
                .await
                .map_err(database_error)?;
            for row in &rows {
                records.push(record_from_row(row)?);
            }
        }
        Ok(records)
    }

    async fn search_keys(
        &mut self,
        keys: &[String],
        kind: Option<RecordKind>,
        limit: u32,
    ) -> StoreResult<Vec<KeyMatch>> {
        search::search(&mut self.transaction, keys, kind, limit).await
    }

    async fn get_record(&mut self, id: RecordId) -> StoreResult<Option<Record>> {
        let row = sqlx::query("SELECT body FROM records WHERE id = ?")
            .bind(uuid_text(id.as_uuid()))
            .fetch_optional(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        row.as_ref().map(record_from_row).transpose()
    }

    async fn search_scheme(&mut self) -> StoreResult<u32> {
        let scheme: i64 = sqlx::query_scalar("SELECT scheme FROM search_scheme")
            .fetch_one(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        u32_from_i64(scheme, "search_scheme.scheme")
    }

    async fn set_search_scheme(&mut self, scheme: u32) -> StoreResult<()> {
        sqlx::query("UPDATE search_scheme SET scheme = ?")
            .bind(i64::from(scheme))
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    async fn reindex_records(
        &mut self,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Option<(RecordId, usize)>> {
        let records = self.list_records(None, after, limit).await?;
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return Ok(None);
        };
        sqlx::query("DELETE FROM search_keys WHERE record_id BETWEEN ? AND ?")
            .bind(uuid_text(first.id.as_uuid()))
            .bind(uuid_text(last.id.as_uuid()))
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        // The index is derived from the records, not state of its own: no audit entry needed.
        search::insert_keys(&mut self.transaction, &search::key_rows(&records)).await?;
        Ok(Some((last.id, records.len())))
    }

    async fn list_records(
        &mut self,
        kind: Option<RecordKind>,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<Record>> {
        let after = after.map(|id| uuid_text(id.as_uuid()));
        let limit = i64::from(limit);
        let query = match (kind, after) {
            (None, None) => sqlx::query("SELECT body FROM records ORDER BY id LIMIT ?").bind(limit),
            (None, Some(after)) => {
                sqlx::query("SELECT body FROM records WHERE id > ? ORDER BY id LIMIT ?")
                    .bind(after)
                    .bind(limit)
            }
            (Some(kind), None) => {
                sqlx::query("SELECT body FROM records WHERE kind = ? ORDER BY id LIMIT ?")
                    .bind(kind.as_str())
                    .bind(limit)
            }
            (Some(kind), Some(after)) => sqlx::query(
                "SELECT body FROM records WHERE kind = ? AND id > ? ORDER BY id LIMIT ?",
            )
            .bind(kind.as_str())
            .bind(after)
            .bind(limit),
        };
        let rows = query
            .fetch_all(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        rows.iter().map(record_from_row).collect()
    }
}

#[async_trait]
impl LinkRepo for SqliteTx {
    async fn insert_link(&mut self, link: &Link) -> StoreResult<()> {
        let columns = link_columns(link)?;
        // Check both ends first: a foreign key failure would not say which end is missing.
        let existing: Vec<String> = sqlx::query("SELECT id FROM records WHERE id IN (?, ?)")
            .bind(&columns.from_id)
            .bind(&columns.to_id)
            .fetch_all(&mut *self.transaction)
            .await
            .map_err(database_error)?
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, _>>()
            .map_err(database_error)?;
        for (end, id) in [(&columns.from_id, link.from()), (&columns.to_id, link.to())] {
            if !existing.contains(end) {
                return Err(StoreError::NotFound {
                    what: "record",
                    id: id.to_string(),
                });
            }
        }
        let inserted = sqlx::query(
            "INSERT INTO links (id, from_id, to_id, role, valid_from, valid_to, body) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&columns.id)
        .bind(&columns.from_id)
        .bind(&columns.to_id)
        .bind(&columns.role)
        .bind(columns.valid_from)
        .bind(columns.valid_to)
        .bind(&columns.body)
        .execute(&mut *self.transaction)
        .await
        .map_err(|error| link_insert_error(error, link))?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "link",
                id: link.id().to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn get_link(&mut self, id: LinkId) -> StoreResult<Option<Link>> {
        let row = sqlx::query("SELECT body FROM links WHERE id = ?")
            .bind(uuid_text(id.as_uuid()))
            .fetch_optional(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        row.as_ref().map(link_from_row).transpose()
    }

    async fn links_of(&mut self, id: RecordId) -> StoreResult<Vec<Link>> {
        let rows = sqlx::query(
            "SELECT id, body FROM links WHERE from_id = ?1 \
             UNION SELECT id, body FROM links WHERE to_id = ?1 ORDER BY id",
        )
        .bind(uuid_text(id.as_uuid()))
        .fetch_all(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        rows.iter().map(link_from_row).collect()
    }
}

/// Maps a failed link insert: a foreign key failure (an end deleted since the check) is
/// [`StoreError::NotFound`].
fn link_insert_error(error: sqlx::Error, link: &Link) -> StoreError {
    let is_foreign_key = error
        .as_database_error()
        .is_some_and(|database| database.is_foreign_key_violation());
    if is_foreign_key {
        StoreError::NotFound {
            what: "record",
            id: format!("{} or {}", link.from(), link.to()),
        }
    } else {
        database_error(error)
    }
}

#[async_trait]
impl StaffRepo for SqliteTx {
    async fn insert_staff(&mut self, staff: &StaffRow) -> StoreResult<()> {
        let id = uuid_text(staff.id.as_uuid());
        let caveats = serde_json::to_string(&staff.vetting.caveats)
            .map_err(|error| StoreError::Corrupt(format!("cannot encode caveats: {error}")))?;
        let inserted = sqlx::query(
            "INSERT INTO staff \
             (id, username, display_name, role, force, token_hash, active, created_at, \
              clearance, caveats) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(&staff.username)
        .bind(&staff.display_name)
        .bind(&staff.role)
        .bind(&staff.force)
        .bind(staff.token_hash.as_slice())
        .bind(staff.active)
        .bind(truncate_to_micros(staff.created_at))
        .bind(&staff.vetting.clearance)
        .bind(caveats)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 1 {
            self.changed_state = true;
            return Ok(());
        }
        // Say which unique key collided.
        let row = sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM staff WHERE id = ?) AS id_taken, \
             EXISTS (SELECT 1 FROM staff WHERE username = ?) AS username_taken",
        )
        .bind(&id)
        .bind(&staff.username)
        .fetch_one(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        let id_taken: bool = row.try_get("id_taken").map_err(database_error)?;
        let username_taken: bool = row.try_get("username_taken").map_err(database_error)?;
        Err(if id_taken {
            StoreError::AlreadyExists {
                what: "staff account",
                id: staff.id.to_string(),
            }
        } else if username_taken {
            StoreError::AlreadyExists {
                what: "username",
                id: staff.username.clone(),
            }
        } else {
            StoreError::AlreadyExists {
                what: "API token",
                id: "(hash withheld)".to_owned(),
            }
        })
    }

    async fn staff_by_username(&mut self, username: &str) -> StoreResult<Option<StaffRow>> {
        let row = sqlx::query(
            "SELECT s.id, s.username, s.display_name, s.role, s.force, s.token_hash, s.active, \
             s.created_at, s.clearance, s.caveats, \
             (SELECT i.team_id FROM staff_identity i WHERE i.staff_id = s.id) AS team_id \
             FROM staff s WHERE s.username = ?",
        )
        .bind(username)
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(staff_from_row).transpose()
    }
}

/// The columns of `reports` that [`report_from_row`] decodes, in select-list form.
macro_rules! report_columns {
    () => {
        "reference, kind, status, event_id, reporter_id, contact_email, idempotency_key, \
         submitted_at, updated_at, crime_number, officer, outcome, details"
    };
}

/// The columns of `report_updates` that [`report_update_from_row`] decodes.
macro_rules! report_update_columns {
    () => {
        "id, reference, at, kind, author, author_name, text, data"
    };
}

/// The columns of `one_time_codes` that [`one_time_code_from_row`] decodes.
macro_rules! one_time_code_columns {
    () => {
        "id, reference, code_hash, created_at, expires_at, used_at, failed_attempts"
    };
}

impl SqliteTx {
    /// Fails with [`StoreError::NotFound`] naming the first of `ids` that is not a stored
    /// record.
    async fn require_records(&mut self, ids: &[RecordId]) -> StoreResult<()> {
        for id in ids {
            let found: bool =
                sqlx::query("SELECT EXISTS (SELECT 1 FROM records WHERE id = ?) AS found")
                    .bind(uuid_text(id.as_uuid()))
                    .fetch_one(&mut *self.transaction)
                    .await
                    .map_err(database_error)?
                    .try_get("found")
                    .map_err(database_error)?;
            if !found {
                return Err(StoreError::NotFound {
                    what: "record",
                    id: id.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Fails with [`StoreError::NotFound`] unless a report has this reference.
    async fn require_report(&mut self, reference: &str) -> StoreResult<()> {
        let found: bool =
            sqlx::query("SELECT EXISTS (SELECT 1 FROM reports WHERE reference = ?) AS found")
                .bind(reference)
                .fetch_one(&mut *self.transaction)
                .await
                .map_err(database_error)?
                .try_get("found")
                .map_err(database_error)?;
        if found {
            Ok(())
        } else {
            Err(StoreError::NotFound {
                what: "report",
                id: reference.to_owned(),
            })
        }
    }
}

#[async_trait]
impl ReportRepo for SqliteTx {
    async fn insert_report(&mut self, report: &ReportRow) -> StoreResult<()> {
        // Check the records first: a foreign key failure would not say which one is missing.
        let required: Vec<RecordId> = std::iter::once(report.event_id)
            .chain(report.reporter_id)
            .collect();
        self.require_records(&required).await?;
        let details = json_text(&report.details, "report details")?;
        let inserted = sqlx::query(
            "INSERT INTO reports \
             (reference, kind, status, event_id, reporter_id, contact_email, idempotency_key, \
             submitted_at, updated_at, crime_number, officer, outcome, details) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(&report.reference)
        .bind(&report.kind)
        .bind(&report.status)
        .bind(uuid_text(report.event_id.as_uuid()))
        .bind(report.reporter_id.map(|id| uuid_text(id.as_uuid())))
        .bind(&report.contact_email)
        .bind(&report.idempotency_key)
        .bind(truncate_to_micros(report.submitted_at))
        .bind(truncate_to_micros(report.updated_at))
        .bind(&report.crime_number)
        .bind(&report.officer)
        .bind(&report.outcome)
        .bind(&details)
        .execute(&mut *self.transaction)
        .await
        .map_err(|error| {
            missing_parent(error, "record", || {
                let reporter = report
                    .reporter_id
                    .map(|id| format!(" or {id}"))
                    .unwrap_or_default();
                format!("{}{reporter}", report.event_id)
            })
        })?
        .rows_affected();
        if inserted == 1 {
            self.changed_state = true;
            return Ok(());
        }
        // Say which unique key collided.
        let reference_taken: bool =
            sqlx::query("SELECT EXISTS (SELECT 1 FROM reports WHERE reference = ?) AS taken")
                .bind(&report.reference)
                .fetch_one(&mut *self.transaction)
                .await
                .map_err(database_error)?
                .try_get("taken")
                .map_err(database_error)?;
        Err(StoreError::AlreadyExists {
            what: "report",
            id: if reference_taken {
                report.reference.clone()
            } else {
                report.idempotency_key.clone()
            },
        })
    }

    async fn update_report(&mut self, report: &ReportRow) -> StoreResult<()> {
        let details = json_text(&report.details, "report details")?;
        let updated = sqlx::query(
            "UPDATE reports SET status = ?, updated_at = ?, crime_number = ?, officer = ?, \
             outcome = ?, details = ?, contact_email = ? WHERE reference = ?",
        )
        .bind(&report.status)
        .bind(truncate_to_micros(report.updated_at))
        .bind(&report.crime_number)
        .bind(&report.officer)
        .bind(&report.outcome)
        .bind(&details)
        .bind(&report.contact_email)
        .bind(&report.reference)
        .execute(&mut *self.transaction)
        .await
        .map_err(|error| crime_number_taken(error, report))?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound {
                what: "report",
                id: report.reference.clone(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn report_by_reference(&mut self, reference: &str) -> StoreResult<Option<ReportRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            report_columns!(),
            " FROM reports WHERE reference = ?"
        ))
        .bind(reference)
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(report_from_row).transpose()
    }

    async fn report_by_idempotency_key(&mut self, key: &str) -> StoreResult<Option<ReportRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            report_columns!(),
            " FROM reports WHERE idempotency_key = ?"
        ))
        .bind(key)
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(report_from_row).transpose()
    }

    async fn list_reports(
        &mut self,
        status: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ReportRow>> {
        // Times are stored as the driver writes them: RFC 3339 in UTC (`+00:00`), whole
        // microseconds, with no fraction or 3 or 6 digits of it. For four-digit years such
        // text sorts in time order (the conformance suite checks the mixed cases).
        let limit = i64::from(limit);
        let query = match status {
            None => sqlx::query(concat!(
                "SELECT ",
                report_columns!(),
                " FROM reports ORDER BY submitted_at DESC, reference LIMIT ?"
            ))
            .bind(limit),
            Some(status) => sqlx::query(concat!(
                "SELECT ",
                report_columns!(),
                " FROM reports WHERE status = ? ORDER BY submitted_at DESC, reference LIMIT ?"
            ))
            .bind(status)
            .bind(limit),
        };
        let rows = query
            .fetch_all(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        rows.iter().map(report_from_row).collect()
    }

    async fn insert_report_update(&mut self, update: &ReportUpdateRow) -> StoreResult<()> {
        self.require_report(&update.reference).await?;
        let data = json_text(&update.data, "report update data")?;
        let inserted = sqlx::query(
            "INSERT INTO report_updates \
             (id, reference, at, kind, author, author_name, text, data) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(uuid_text(&update.id))
        .bind(&update.reference)
        .bind(truncate_to_micros(update.at))
        .bind(&update.kind)
        .bind(&update.author)
        .bind(&update.author_name)
        .bind(&update.text)
        .bind(&data)
        .execute(&mut *self.transaction)
        .await
        .map_err(|error| missing_parent(error, "report", || update.reference.clone()))?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "report update",
                id: update.id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn report_updates(&mut self, reference: &str) -> StoreResult<Vec<ReportUpdateRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            report_update_columns!(),
            " FROM report_updates WHERE reference = ? ORDER BY id"
        ))
        .bind(reference)
        .fetch_all(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        rows.iter().map(report_update_from_row).collect()
    }

    async fn insert_one_time_code(&mut self, code: &OneTimeCodeRow) -> StoreResult<()> {
        self.require_report(&code.reference).await?;
        let inserted = sqlx::query(
            "INSERT INTO one_time_codes \
             (id, reference, code_hash, created_at, expires_at, used_at, failed_attempts) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(uuid_text(&code.id))
        .bind(&code.reference)
        .bind(code.code_hash.as_slice())
        .bind(truncate_to_micros(code.created_at))
        .bind(truncate_to_micros(code.expires_at))
        .bind(code.used_at.map(truncate_to_micros))
        .bind(i64::from(code.failed_attempts))
        .execute(&mut *self.transaction)
        .await
        .map_err(|error| missing_parent(error, "report", || code.reference.clone()))?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "one-time code",
                id: code.id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn latest_one_time_code(
        &mut self,
        reference: &str,
    ) -> StoreResult<Option<OneTimeCodeRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            one_time_code_columns!(),
            " FROM one_time_codes WHERE reference = ? ORDER BY created_at DESC, id DESC LIMIT 1"
        ))
        .bind(reference)
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(one_time_code_from_row).transpose()
    }

    async fn update_one_time_code(&mut self, code: &OneTimeCodeRow) -> StoreResult<()> {
        let updated =
            sqlx::query("UPDATE one_time_codes SET used_at = ?, failed_attempts = ? WHERE id = ?")
                .bind(code.used_at.map(truncate_to_micros))
                .bind(i64::from(code.failed_attempts))
                .bind(uuid_text(&code.id))
                .execute(&mut *self.transaction)
                .await
                .map_err(database_error)?
                .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound {
                what: "one-time code",
                id: code.id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn count_one_time_codes_since(
        &mut self,
        reference: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<u32> {
        // Stored times are whole microseconds; compare with `since` at the same precision, as
        // PostgreSQL does.
        let count: i64 = sqlx::query(
            "SELECT COUNT(*) AS count FROM one_time_codes WHERE reference = ? AND created_at >= ?",
        )
        .bind(reference)
        .bind(truncate_to_micros(since))
        .fetch_one(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .try_get("count")
        .map_err(database_error)?;
        u32_from_i64(count, "one-time code count")
    }
}

/// Maps a failed report update: a unique violation is another report holding the crime
/// number ([`StoreError::AlreadyExists`]).
fn crime_number_taken(error: sqlx::Error, report: &ReportRow) -> StoreError {
    let is_unique = error
        .as_database_error()
        .is_some_and(|database| database.is_unique_violation());
    if is_unique {
        StoreError::AlreadyExists {
            what: "crime number",
            id: report.crime_number.clone().unwrap_or_default(),
        }
    } else {
        database_error(error)
    }
}

/// Maps a failed insert: a foreign key failure (the parent row deleted since the check) is
/// [`StoreError::NotFound`] for `what`, naming `id()`.
fn missing_parent(
    error: sqlx::Error,
    what: &'static str,
    id: impl FnOnce() -> String,
) -> StoreError {
    let is_foreign_key = error
        .as_database_error()
        .is_some_and(|database| database.is_foreign_key_violation());
    if is_foreign_key {
        StoreError::NotFound { what, id: id() }
    } else {
        database_error(error)
    }
}

#[async_trait]
impl AuditAppender for SqliteTx {
    async fn append_audit(&mut self, entries: &[NewEntry]) -> StoreResult<Vec<u64>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let first_seq = self.next_seq().await?;
        let (rows, seqs) = number_audit_entries(first_seq, entries)?;
        // Forget the cached number until the insert succeeds: after a failure part of the rows
        // may be in the transaction, and the next append must read MAX(seq) again.
        self.next_seq = None;
        self.insert_audit_rows(&rows).await?;
        audit_index::insert(&mut self.transaction, first_seq, entries).await?;
        let appended = u64::try_from(seqs.len())
            .map_err(|_| StoreError::Database("too many audit entries".to_owned()))?;
        self.next_seq =
            Some(first_seq.checked_add(appended).ok_or_else(|| {
                StoreError::Database("audit sequence number overflow".to_owned())
            })?);
        self.appended_audit = true;
        Ok(seqs)
    }
}

#[async_trait]
impl AuditReader for SqliteTx {
    async fn search_audit(
        &mut self,
        filter: &AuditFilter,
        before: Option<u64>,
        limit: u32,
    ) -> StoreResult<Vec<StoredAuditRow>> {
        audit_index::search(&mut self.transaction, filter, before, limit).await
    }
}

#[async_trait]
impl StoreTx for SqliteTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        if self.changed_state && !self.appended_audit {
            // Report the refusal even if the rollback fails: dropping the transaction rolls it
            // back too, so nothing is committed either way.
            let _rollback_result = self.transaction.rollback().await;
            return Err(StoreError::UnauditedWrite);
        }
        self.transaction.commit().await.map_err(database_error)
    }

    async fn rollback(self: Box<Self>) -> StoreResult<()> {
        self.transaction.rollback().await.map_err(database_error)
    }
}
