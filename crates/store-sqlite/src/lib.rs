//! The embedded SQLite storage backend of Bluelamp.
//!
//! # Brief overview
//!
//! [`SqliteStore`] implements [`bluelamp_store::Store`] on one SQLite file in WAL mode. It holds
//! two connection pools:
//!
//! * a **writer pool of exactly one connection**. Every [`bluelamp_store::StoreTx`] runs on it
//!   and starts with `BEGIN IMMEDIATE`, so writers queue in the pool instead of fighting over
//!   SQLite's lock (no `SQLITE_BUSY` deadlocks between our own writers), and the audit sequence
//!   can be read with `MAX(seq) + 1` inside the transaction without a race;
//! * a **reader pool** for the [`bluelamp_store::Store`] read methods (audit rows, checkpoints,
//!   token look-ups). In WAL mode readers see the last committed state and never block the
//!   writer.
//!
//! Because there is one writer connection, a task must not ask for a second transaction (or
//! call [`bluelamp_store::Store::insert_checkpoint`], which also writes) while it holds one: it
//! would wait for itself until the acquire timeout.
//!
//! The schema lives in `migrations/` (append-only) and is applied by [`SqliteStore::open`].
//! The transaction type, [`SqliteTx`], tracks whether it changed state and whether it appended
//! audit entries, and refuses to commit the first without the second.
//!
//! Durability: `synchronous = NORMAL` in WAL mode. A committed transaction survives a crash of
//! the process (the case our kill -9 tests check); a power cut may lose the last transactions
//! but never corrupts the file.
//!
//! With the `testing` feature, `testing::fresh_store` gives other crates' tests a store in a
//! temporary directory.

#![forbid(unsafe_code)]

mod audit_index;
mod casework;
mod convert;
mod identity;
mod retention;
mod search;
mod tx;

#[cfg(feature = "testing")]
pub mod testing;

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use bluelamp_audit::SignedCheckpoint;
use bluelamp_store::{StaffRow, StaffSessionRow, Store, StoreError, StoreResult, StoredAuditRow};
use chrono::{DateTime, Utc};
use sqlx::Row as _;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::convert::{
    database_error, i64_from_u64, parse_checkpoint, staff_from_row, stored_audit_row, u64_from_i64,
};
pub use crate::tx::SqliteTx;

/// How long a connection waits for SQLite's file lock (another process) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a caller waits for the single writer connection before failing.
const WRITER_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(60);

/// Connections in the reader pool.
const READER_CONNECTIONS: u32 = 4;

/// The schema migrations in `migrations/`, embedded at compile time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// A Bluelamp store on one SQLite database file.
///
/// Cheap to clone (the pools are shared).
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// The single connection every write transaction runs on.
    writer: SqlitePool,
    /// Connections for reads outside a transaction.
    reader: SqlitePool,
    /// The database file.
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path`, sets WAL mode,
    /// `synchronous = NORMAL`, foreign keys and a busy timeout, and applies pending migrations.
    ///
    /// # Errors
    /// [`StoreError::Database`] if the file cannot be opened or a migration fails.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);

        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(WRITER_ACQUIRE_TIMEOUT)
            .connect_with(options.clone())
            .await
            .map_err(|error| {
                StoreError::Database(format!("cannot open {}: {error}", path.display()))
            })?;

        MIGRATOR
            .run(&writer)
            .await
            .map_err(|error| StoreError::Database(format!("migration failed: {error}")))?;

        let reader = SqlitePoolOptions::new()
            .max_connections(READER_CONNECTIONS)
            .connect_with(options.read_only(true))
            .await
            .map_err(|error| {
                StoreError::Database(format!("cannot open {}: {error}", path.display()))
            })?;

        Ok(Self {
            writer,
            reader,
            path: path.to_path_buf(),
        })
    }

    /// The database file this store was opened on.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes both pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// Opens a write transaction with the concrete type (the [`Store`] trait boxes it).
    ///
    /// Waits for the single writer connection; do not hold another transaction of this store
    /// in the same task, or this waits until the acquire timeout.
    ///
    /// # Errors
    /// [`StoreError::Database`] if the writer connection cannot be had.
    pub async fn begin_tx(&self) -> StoreResult<SqliteTx> {
        let transaction = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(database_error)?;
        Ok(SqliteTx::new(transaction))
    }

    /// The naive search `bluelamp bench pole-search` compares the search index with: records
    /// whose stored surname, first forename, VRM, postcode or date of birth contain every one
    /// of `words` (`LIKE '%word%'`, a full scan), at most `limit`. Not for use cases: it reads
    /// outside the gate.
    ///
    /// # Errors
    /// [`StoreError::Database`] if the query fails.
    pub async fn baseline_search(
        &self,
        words: &[String],
        limit: u32,
    ) -> StoreResult<Vec<bluelamp_domain::ids::RecordId>> {
        let mut conn = self.reader.acquire().await.map_err(database_error)?;
        search::baseline(&mut conn, words, limit).await
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }

    async fn begin(&self) -> StoreResult<Box<dyn bluelamp_store::StoreTx>> {
        Ok(Box::new(self.begin_tx().await?))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    async fn audit_size(&self) -> StoreResult<u64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq) + 1, 0) AS size FROM audit_entries")
            .fetch_one(&self.reader)
            .await
            .map_err(database_error)?;
        let size: i64 = row.try_get("size").map_err(database_error)?;
        u64_from_i64(size, "audit log size")
    }

    async fn audit_rows(&self, from: u64, limit: u32) -> StoreResult<Vec<StoredAuditRow>> {
        // A start beyond i64::MAX cannot match a stored row.
        let Ok(from) = i64::try_from(from) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT seq, leaf, leaf_hash FROM audit_entries WHERE seq >= ? ORDER BY seq LIMIT ?",
        )
        .bind(from)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(database_error)?;
        rows.iter().map(stored_audit_row).collect()
    }

    async fn insert_checkpoint(&self, checkpoint: &SignedCheckpoint) -> StoreResult<()> {
        let size = i64_from_u64(checkpoint.checkpoint.size, "checkpoint size")?;
        let text = checkpoint.to_text();
        let inserted = sqlx::query(
            "INSERT INTO checkpoints (size, text) VALUES (?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(size)
        .bind(&text)
        .execute(&self.writer)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 1 {
            return Ok(());
        }
        // Signatures are deterministic: storing the same checkpoint again is a no-op, a
        // different one for the same size is a conflict.
        let existing: String = sqlx::query("SELECT text FROM checkpoints WHERE size = ?")
            .bind(size)
            .fetch_one(&self.writer)
            .await
            .map_err(database_error)?
            .try_get("text")
            .map_err(database_error)?;
        if existing == text {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists {
                what: "checkpoint",
                id: checkpoint.checkpoint.size.to_string(),
            })
        }
    }

    async fn checkpoints(&self) -> StoreResult<Vec<SignedCheckpoint>> {
        let rows = sqlx::query("SELECT text FROM checkpoints ORDER BY size")
            .fetch_all(&self.reader)
            .await
            .map_err(database_error)?;
        rows.iter().map(parse_checkpoint).collect()
    }

    async fn latest_checkpoint(&self) -> StoreResult<Option<SignedCheckpoint>> {
        let row = sqlx::query("SELECT text FROM checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?;
        row.as_ref().map(parse_checkpoint).transpose()
    }

    async fn staff_by_token_hash(&self, token_hash: &[u8; 32]) -> StoreResult<Option<StaffRow>> {
        let row = sqlx::query(
            "SELECT s.id, s.username, s.display_name, s.role, s.force, s.token_hash, s.active, \
             s.created_at, s.clearance, s.caveats, \
             (SELECT i.team_id FROM staff_identity i WHERE i.staff_id = s.id) AS team_id \
             FROM staff s WHERE s.token_hash = ? AND s.active = 1",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&self.reader)
        .await
        .map_err(database_error)?;
        row.as_ref().map(staff_from_row).transpose()
    }

    async fn staff_session(
        &self,
        token_hash: &[u8; 32],
    ) -> StoreResult<Option<(StaffSessionRow, StaffRow)>> {
        let row = sqlx::query(identity::SESSION_WITH_STAFF)
            .bind(token_hash.as_slice())
            .fetch_optional(&self.reader)
            .await
            .map_err(database_error)?;
        row.as_ref()
            .map(|row| Ok((identity::session_from_row(row)?, staff_from_row(row)?)))
            .transpose()
    }

    async fn touch_staff_session(
        &self,
        token_hash: &[u8; 32],
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE staff_sessions SET last_seen_at = ? \
             WHERE token_hash = ? AND ended_at IS NULL AND last_seen_at < ?",
        )
        .bind(convert::truncate_to_micros(at))
        .bind(token_hash.as_slice())
        .bind(convert::truncate_to_micros(at))
        .execute(&self.writer)
        .await
        .map_err(database_error)?;
        Ok(())
    }
}
