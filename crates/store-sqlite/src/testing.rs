//! Test helpers for other crates' tests and benchmarks (feature `testing`).
//!
//! [`fresh_store`] opens a store on a new file in a temporary directory; the returned
//! [`TestStoreDir`] guard deletes the directory when dropped. The guard also gives the raw
//! database access that tamper tests need, playing an attacker who can open the file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, Connection as _};

use crate::SqliteStore;

/// The database file name inside the temporary directory.
const DATABASE_FILE: &str = "bluelamp.sqlite";

/// Holds the temporary directory of a test store; dropping it deletes the directory.
#[derive(Debug)]
pub struct TestStoreDir {
    /// The directory (deleted on drop).
    dir: tempfile::TempDir,
}

impl TestStoreDir {
    /// The directory holding the database file.
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The database file, e.g. to reopen the store after a simulated crash.
    #[must_use]
    pub fn database_path(&self) -> PathBuf {
        self.dir.path().join(DATABASE_FILE)
    }

    /// Runs SQL directly on the database file on a new connection, bypassing the store (an
    /// attacker's view); returns the number of rows changed.
    ///
    /// # Errors
    /// If the file cannot be opened or the statement fails (e.g. refused by a trigger).
    pub async fn execute_raw(&self, sql: &str) -> anyhow::Result<u64> {
        let options = SqliteConnectOptions::new()
            .filename(self.database_path())
            .busy_timeout(Duration::from_secs(10));
        let mut connection = SqliteConnection::connect_with(&options)
            .await
            .context("cannot open the test database")?;
        let result = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&mut connection)
            .await;
        connection
            .close()
            .await
            .context("closing the raw connection")?;
        Ok(result
            .with_context(|| format!("raw SQL failed: {sql}"))?
            .rows_affected())
    }

    /// Drops the triggers that make the audit log and checkpoints append-only, as an attacker
    /// with access to the file would before editing them.
    ///
    /// # Errors
    /// If the statements fail.
    pub async fn drop_append_only_triggers(&self) -> anyhow::Result<()> {
        self.execute_raw(
            "DROP TRIGGER audit_entries_refuse_update; \
             DROP TRIGGER audit_entries_refuse_delete; \
             DROP TRIGGER checkpoints_refuse_update; \
             DROP TRIGGER checkpoints_refuse_delete;",
        )
        .await
        .map(drop)
    }
}

#[async_trait]
impl bluelamp_store::conformance::TamperAccess for TestStoreDir {
    async fn execute_raw(&self, sql: &'static str) -> anyhow::Result<u64> {
        TestStoreDir::execute_raw(self, sql).await
    }

    async fn drop_append_only_triggers(&self) -> anyhow::Result<()> {
        TestStoreDir::drop_append_only_triggers(self).await
    }
}

/// Opens a fresh, migrated store on a new file in a temporary directory.
///
/// # Errors
/// If the directory cannot be made or the store cannot be opened.
pub async fn fresh_store() -> anyhow::Result<(SqliteStore, TestStoreDir)> {
    let dir = tempfile::Builder::new()
        .prefix("bluelamp-test-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let guard = TestStoreDir { dir };
    let store = SqliteStore::open(&guard.database_path())
        .await
        .context("cannot open the test store")?;
    Ok((store, guard))
}

/// A database file in a new temporary directory migrated only up to `version`, as an older
/// build left it, for testing what a later migration does to existing data. Open it with
/// [`SqliteStore::open`] on [`TestStoreDir::database_path`] to apply the rest.
///
/// # Errors
/// If the directory cannot be made or a migration fails.
pub async fn database_at_version(version: i64) -> anyhow::Result<TestStoreDir> {
    let dir = tempfile::Builder::new()
        .prefix("bluelamp-test-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let guard = TestStoreDir { dir };
    let options = SqliteConnectOptions::new()
        .filename(guard.database_path())
        .create_if_missing(true);
    let mut connection = SqliteConnection::connect_with(&options)
        .await
        .context("cannot create the test database")?;
    crate::MIGRATOR
        .run_to(version, &mut connection)
        .await
        .with_context(|| format!("migrating to version {version}"))?;
    connection.close().await.context("closing the database")?;
    Ok(guard)
}
