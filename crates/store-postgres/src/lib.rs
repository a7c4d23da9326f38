//! The PostgreSQL storage backend of Bluelamp, for deployments that outgrow one SQLite file.
//!
//! # Brief overview
//!
//! [`PgStore`] implements [`bluelamp_store::Store`] on a connection pool. Every
//! [`bluelamp_store::StoreTx`] is a [`PgTx`], a `READ COMMITTED` transaction that tracks whether
//! it changed state and whether it appended audit entries, and refuses to commit the first
//! without the second.
//!
//! Audit sequence numbers come from the single-row `audit_head` table:
//! `UPDATE audit_head SET next_seq = next_seq + n RETURNING next_seq - n` reserves `n` numbers
//! and holds the row lock until the transaction ends, so concurrent appenders queue behind each
//! other and numbers are gapless and in commit order (a rolled-back reservation is undone with
//! the rest of its transaction). Rows are then inserted with one `INSERT ... SELECT FROM
//! UNNEST(...)` of three array parameters, whatever the batch size.
//!
//! Writes use `ON CONFLICT DO NOTHING` and check for missing link ends first, so a duplicate
//! or a missing record is reported as [`bluelamp_store::StoreError`] without aborting the
//! transaction, as on SQLite.
//!
//! The schema lives in `migrations/` (append-only) and is applied by [`PgStore::connect`].
//! With the `testing` feature, `testing::fresh_database` gives tests a fresh database cloned
//! from a migrated template.

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

use std::str::FromStr as _;
use std::time::Duration;

use async_trait::async_trait;
use bluelamp_audit::SignedCheckpoint;
use bluelamp_store::{StaffRow, StaffSessionRow, Store, StoreError, StoreResult, StoredAuditRow};
use chrono::{DateTime, Utc};
use sqlx::Row as _;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::convert::{
    database_error, i64_from_u64, parse_checkpoint, staff_from_row, stored_audit_row, u64_from_i64,
};
pub use crate::tx::PgTx;

/// Connections in the pool.
const MAX_CONNECTIONS: u32 = 16;

/// How long a caller waits for a pooled connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// The schema migrations in `migrations/`, embedded at compile time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// A Bluelamp store on a PostgreSQL database.
///
/// Cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct PgStore {
    /// The connection pool.
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/database`) and applies
    /// pending migrations.
    ///
    /// # Errors
    /// [`StoreError::Database`] if the URL is invalid, the server does not answer or a migration
    /// fails.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|error| StoreError::Database(format!("invalid PostgreSQL URL: {error}")))?;
        Self::connect_with(options).await
    }

    /// Connects with explicit options and applies pending migrations.
    ///
    /// # Errors
    /// [`StoreError::Database`] if the server does not answer or a migration fails.
    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|error| StoreError::Database(format!("cannot connect: {error}")))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|error| StoreError::Database(format!("migration failed: {error}")))?;
        Ok(Self { pool })
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Opens a write transaction with the concrete type (the [`Store`] trait boxes it).
    ///
    /// # Errors
    /// [`StoreError::Database`] if no connection can be had.
    pub async fn begin_tx(&self) -> StoreResult<PgTx> {
        let transaction = self.pool.begin().await.map_err(database_error)?;
        Ok(PgTx::new(transaction))
    }

    /// Prepares the trigram search `bluelamp bench pole-search` compares the search index
    /// with: creates the `pg_trgm` extension and a GIN trigram index over each record's
    /// surname, first forename, VRM, postcode and date of birth.
    ///
    /// # Errors
    /// [`StoreError::Database`] if the extension or the index cannot be created.
    pub async fn prepare_baseline_search(&self) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(database_error)?;
        search::prepare_baseline(&mut conn).await
    }

    /// The trigram search of the benchmark: records whose surname, first forename, VRM,
    /// postcode or date of birth has a word similar to `text` (`<%`), most similar first, at
    /// most `limit`. Not for use cases: it reads outside the gate.
    ///
    /// # Errors
    /// [`StoreError::Database`] if the query fails (e.g. without
    /// [`PgStore::prepare_baseline_search`]).
    pub async fn baseline_search(
        &self,
        text: &str,
        limit: u32,
    ) -> StoreResult<Vec<bluelamp_domain::ids::RecordId>> {
        let mut conn = self.pool.acquire().await.map_err(database_error)?;
        search::baseline(&mut conn, text, limit).await
    }

    /// Refreshes the planner's statistics and the visibility map after a bulk load
    /// (`VACUUM ANALYZE` of the records and their search keys), so searches use index-only
    /// scans.
    ///
    /// # Errors
    /// [`StoreError::Database`] if the command fails.
    pub async fn vacuum_analyze(&self) -> StoreResult<()> {
        sqlx::query("VACUUM ANALYZE records, search_keys")
            .execute(&self.pool)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    /// `VACUUM ANALYZE` of the audit log and its index, as autovacuum does in time after a
    /// bulk append (for benchmarks: the planner chooses audit search plans from these
    /// statistics).
    ///
    /// # Errors
    /// [`StoreError::Database`] if the command fails.
    pub async fn vacuum_analyze_audit_log(&self) -> StoreResult<()> {
        sqlx::query("VACUUM ANALYZE audit_entries, audit_index, audit_index_records")
            .execute(&self.pool)
            .await
            .map_err(database_error)?;
        Ok(())
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend_name(&self) -> &'static str {
        "postgres"
    }

    async fn begin(&self) -> StoreResult<Box<dyn bluelamp_store::StoreTx>> {
        Ok(Box::new(self.begin_tx().await?))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    async fn audit_size(&self) -> StoreResult<u64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq) + 1, 0) AS size FROM audit_entries")
            .fetch_one(&self.pool)
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
            "SELECT seq, leaf, leaf_hash FROM audit_entries WHERE seq >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(from)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(database_error)?;
        rows.iter().map(stored_audit_row).collect()
    }

    async fn insert_checkpoint(&self, checkpoint: &SignedCheckpoint) -> StoreResult<()> {
        let size = i64_from_u64(checkpoint.checkpoint.size, "checkpoint size")?;
        let text = checkpoint.to_text();
        let inserted = sqlx::query(
            "INSERT INTO checkpoints (size, text) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(size)
        .bind(&text)
        .execute(&self.pool)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 1 {
            return Ok(());
        }
        // Storing the same checkpoint again is a no-op; a different one for the same size is a
        // conflict.
        let existing: String = sqlx::query("SELECT text FROM checkpoints WHERE size = $1")
            .bind(size)
            .fetch_one(&self.pool)
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
            .fetch_all(&self.pool)
            .await
            .map_err(database_error)?;
        rows.iter().map(parse_checkpoint).collect()
    }

    async fn latest_checkpoint(&self) -> StoreResult<Option<SignedCheckpoint>> {
        let row = sqlx::query("SELECT text FROM checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(database_error)?;
        row.as_ref().map(parse_checkpoint).transpose()
    }

    async fn staff_by_token_hash(&self, token_hash: &[u8; 32]) -> StoreResult<Option<StaffRow>> {
        let row = sqlx::query(
            "SELECT s.id, s.username, s.display_name, s.role, s.force, s.token_hash, s.active, \
             s.created_at, s.clearance, s.caveats, \
             (SELECT i.team_id FROM staff_identity i WHERE i.staff_id = s.id) AS team_id \
             FROM staff s WHERE s.token_hash = $1 AND s.active",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&self.pool)
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
            .fetch_optional(&self.pool)
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
            "UPDATE staff_sessions SET last_seen_at = $1 \
             WHERE token_hash = $2 AND ended_at IS NULL AND last_seen_at < $1",
        )
        .bind(at)
        .bind(token_hash.as_slice())
        .execute(&self.pool)
        .await
        .map_err(database_error)?;
        Ok(())
    }
}
