//! The SQLite unit of work: [`SqliteTx`].

use std::fmt;
use std::sync::OnceLock;

use async_trait::async_trait;
use bluelamp_audit::NewEntry;
use bluelamp_domain::ids::{LinkId, RecordId, RecordKind};
use bluelamp_domain::link::Link;
use bluelamp_domain::record::Record;
use bluelamp_store::{
    AuditAppender, LinkRepo, RecordRepo, StaffRepo, StaffRow, StoreError, StoreResult, StoreTx,
};
use sqlx::sqlite::Sqlite;
use sqlx::{AssertSqlSafe, Row as _};

use crate::convert::{
    AuditRowToInsert, database_error, link_columns, link_from_row, number_audit_entries,
    record_columns, record_from_row, staff_from_row, truncate_to_micros, u64_from_i64, uuid_text,
};

/// Audit rows per multi-row `INSERT` (three bind parameters each, far below SQLite's limit of
/// 32,766). Full chunks share one prepared statement.
const AUDIT_ROWS_PER_INSERT: usize = 250;

/// One write transaction on the single writer connection, opened with `BEGIN IMMEDIATE`.
///
/// Dropping it without [`StoreTx::commit`] rolls it back.
pub struct SqliteTx {
    /// The open transaction.
    transaction: sqlx::Transaction<'static, Sqlite>,
    /// Whether a record, link or account was written.
    changed_state: bool,
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
        Ok(())
    }

    async fn get_record(&mut self, id: RecordId) -> StoreResult<Option<Record>> {
        let row = sqlx::query("SELECT body FROM records WHERE id = ?")
            .bind(uuid_text(id.as_uuid()))
            .fetch_optional(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        row.as_ref().map(record_from_row).transpose()
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
        let inserted = sqlx::query(
            "INSERT INTO staff \
             (id, username, display_name, role, force, token_hash, active, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(&staff.username)
        .bind(&staff.display_name)
        .bind(&staff.role)
        .bind(&staff.force)
        .bind(staff.token_hash.as_slice())
        .bind(staff.active)
        .bind(truncate_to_micros(staff.created_at))
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
            "SELECT id, username, display_name, role, force, token_hash, active, created_at \
             FROM staff WHERE username = ?",
        )
        .bind(username)
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(staff_from_row).transpose()
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
