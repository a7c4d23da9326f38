//! Test helpers for other crates' tests and benchmarks (feature `testing`).
//!
//! [`fresh_database`] creates a new database on the test server, cloned with
//! `CREATE DATABASE ... TEMPLATE` from a migrated template, and connects a [`PgStore`] to it; the
//! returned [`TestDb`] guard drops the database when it goes out of scope.
//!
//! * The server is `BLUELAMP_TEST_DATABASE_URL` (default
//!   `postgres://postgres@127.0.0.1:5432/test`). If it does not answer, the helper fails with a
//!   clear message: tests never skip.
//! * The template is named after a hash of the migrations (`bluelamp_tpl_<hash>`), so a changed
//!   migration gets a new template. It is built once per process (behind a
//!   [`tokio::sync::OnceCell`]) and once per server (behind `pg_advisory_lock`, so concurrent
//!   test processes do not race), first under a temporary name and then renamed, so an
//!   interrupted build never leaves a half-migrated template.
//! * Test databases are named `bluelamp_test_<unix seconds>_<uuid>`. When the template is
//!   checked, leftovers older than an hour (from killed test runs) are dropped.

use std::str::FromStr as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use async_trait::async_trait;
use sha2::{Digest as _, Sha256};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, Connection as _, Row as _};
use tokio::sync::OnceCell;

use crate::{MIGRATOR, PgStore};

/// The environment variable naming the test server.
pub const DATABASE_URL_VARIABLE: &str = "BLUELAMP_TEST_DATABASE_URL";

/// The test server used when [`DATABASE_URL_VARIABLE`] is not set.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Prefix of every per-test database name.
const TEST_DATABASE_PREFIX: &str = "bluelamp_test_";

/// Leftover test databases older than this are dropped when the template is checked.
const LEFTOVER_AGE: Duration = Duration::from_secs(60 * 60);

/// How long to wait for the server to answer a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Advisory lock key serialising template builds across processes (`"bluelamp"` as bytes).
const TEMPLATE_LOCK_KEY: i64 = i64::from_be_bytes(*b"bluelamp");

/// The template database name, once checked or built in this process.
static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The test server's URL.
#[must_use]
pub fn server_url() -> String {
    std::env::var(DATABASE_URL_VARIABLE).unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned())
}

/// A per-test database; dropping the guard drops the database.
#[derive(Debug)]
pub struct TestDb {
    /// Connection options for the test server's maintenance database.
    admin: PgConnectOptions,
    /// The database name.
    name: String,
}

impl TestDb {
    /// The database name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Connection options for this database, e.g. to reconnect a store.
    #[must_use]
    pub fn connect_options(&self) -> PgConnectOptions {
        self.admin.clone().database(&self.name)
    }

    /// Runs SQL directly on the database on a new connection, bypassing the store (an
    /// attacker's view); returns the number of rows changed.
    ///
    /// # Errors
    /// If the connection fails or the statement fails (e.g. refused by a trigger).
    pub async fn execute_raw(&self, sql: &str) -> anyhow::Result<u64> {
        let mut connection = PgConnection::connect_with(&self.connect_options())
            .await
            .context("cannot connect to the test database")?;
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
    /// with database access would before editing them.
    ///
    /// # Errors
    /// If the statements fail.
    pub async fn drop_append_only_triggers(&self) -> anyhow::Result<()> {
        self.execute_raw(
            "DROP TRIGGER audit_entries_refuse_update_delete ON audit_entries; \
             DROP TRIGGER audit_entries_refuse_truncate ON audit_entries; \
             DROP TRIGGER checkpoints_refuse_update_delete ON checkpoints; \
             DROP TRIGGER checkpoints_refuse_truncate ON checkpoints;",
        )
        .await
        .map(drop)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Drop synchronously on a helper thread with its own runtime: the test's runtime may be
        // shutting down, and a spawned task could be cancelled before it ran. A failure leaves a
        // database that the next template check sweeps after an hour.
        let admin = self.admin.clone();
        let name = std::mem::take(&mut self.name);
        let dropper = std::thread::spawn(move || -> anyhow::Result<()> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut connection = connect_admin(&admin).await?;
                drop_database(&mut connection, &name).await?;
                connection.close().await?;
                anyhow::Ok(())
            })
        });
        if let Ok(Err(error)) = dropper.join() {
            eprintln!("warning: could not drop a test database: {error:#}");
        }
    }
}

#[async_trait]
impl bluelamp_store::conformance::TamperAccess for TestDb {
    async fn execute_raw(&self, sql: &'static str) -> anyhow::Result<u64> {
        TestDb::execute_raw(self, sql).await
    }

    async fn drop_append_only_triggers(&self) -> anyhow::Result<()> {
        TestDb::drop_append_only_triggers(self).await
    }
}

/// Creates a fresh database from the migrated template and connects a store to it.
///
/// # Errors
/// If the test server does not answer (with a message saying how to provision one), or the
/// database cannot be created.
pub async fn fresh_database() -> anyhow::Result<(PgStore, TestDb)> {
    let url = server_url();
    let admin = PgConnectOptions::from_str(&url)
        .with_context(|| format!("invalid {DATABASE_URL_VARIABLE}: {}", redacted(&url)))?;
    let template = TEMPLATE
        .get_or_try_init(|| ensure_template(&admin))
        .await?
        .clone();

    let name = format!(
        "{TEST_DATABASE_PREFIX}{}_{}",
        unix_seconds(),
        uuid::Uuid::now_v7().simple()
    );
    let mut connection = connect_admin(&admin).await?;
    create_database(&mut connection, &name, Some(&template)).await?;
    connection.close().await?;
    let guard = TestDb {
        admin: admin.clone(),
        name,
    };
    let store = PgStore::connect_with(guard.connect_options())
        .await
        .context("cannot connect to the fresh test database")?;
    Ok((store, guard))
}

/// A new, empty database migrated only up to `version`, as an older build left it, for
/// testing what a later migration does to existing data. Connect a store with
/// [`PgStore::connect_with`] and [`TestDb::connect_options`] to apply the rest.
///
/// # Errors
/// If the test server does not answer, or the database cannot be created or migrated.
pub async fn database_at_version(version: i64) -> anyhow::Result<TestDb> {
    let url = server_url();
    let admin = PgConnectOptions::from_str(&url)
        .with_context(|| format!("invalid {DATABASE_URL_VARIABLE}: {}", redacted(&url)))?;
    let name = format!(
        "{TEST_DATABASE_PREFIX}{}_{}",
        unix_seconds(),
        uuid::Uuid::now_v7().simple()
    );
    let mut connection = connect_admin(&admin).await?;
    create_database(&mut connection, &name, None).await?;
    connection.close().await?;
    let guard = TestDb { admin, name };
    let mut connection = PgConnection::connect_with(&guard.connect_options())
        .await
        .context("cannot connect to the new test database")?;
    MIGRATOR
        .run_to(version, &mut connection)
        .await
        .with_context(|| format!("migrating to version {version}"))?;
    connection.close().await?;
    Ok(guard)
}

/// The URL with any password replaced by `***`, for messages.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((user_info, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match user_info.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Connects to the test server's maintenance database, failing clearly if it does not answer.
async fn connect_admin(admin: &PgConnectOptions) -> anyhow::Result<PgConnection> {
    let url = redacted(&server_url());
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(admin)).await {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(error)) => {
            bail!("no PostgreSQL at {url}: run scripts/test, which provisions one ({error})")
        }
        Err(_) => {
            bail!("no PostgreSQL at {url}: run scripts/test, which provisions one (timed out)")
        }
    }
}

/// Checks for the template of the current migrations and builds it if missing.
async fn ensure_template(admin: &PgConnectOptions) -> anyhow::Result<String> {
    let template = template_name();
    let mut connection = connect_admin(admin).await?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(TEMPLATE_LOCK_KEY)
        .execute(&mut connection)
        .await
        .context("taking the template lock")?;
    let result = build_template_if_missing(&mut connection, admin, &template).await;
    let unlock = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(TEMPLATE_LOCK_KEY)
        .execute(&mut connection)
        .await;
    result?;
    unlock.context("releasing the template lock")?;
    connection.close().await?;
    Ok(template)
}

/// Under the template lock: sweeps old test databases, then builds the template if missing.
async fn build_template_if_missing(
    connection: &mut PgConnection,
    admin: &PgConnectOptions,
    template: &str,
) -> anyhow::Result<()> {
    sweep_leftover_databases(connection).await?;
    let exists: bool = sqlx::query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(template)
        .fetch_one(&mut *connection)
        .await?
        .try_get(0)?;
    if exists {
        return Ok(());
    }

    let building = format!("{template}_building");
    drop_database(connection, &building).await?;
    create_database(connection, &building, None).await?;
    let store = PgStore::connect_with(admin.clone().database(&building))
        .await
        .context("migrating the template database")?;
    store.close().await;
    rename_database(connection, &building, template).await?;
    sqlx::raw_sql(AssertSqlSafe(format!(
        "ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
        quote_identifier(template)
    )))
    .execute(&mut *connection)
    .await
    .context("marking the template")?;
    Ok(())
}

/// Drops test databases whose name says they are older than [`LEFTOVER_AGE`].
async fn sweep_leftover_databases(connection: &mut PgConnection) -> anyhow::Result<()> {
    let names: Vec<String> = sqlx::query("SELECT datname FROM pg_database WHERE datname LIKE $1")
        .bind(format!("{TEST_DATABASE_PREFIX}%"))
        .fetch_all(&mut *connection)
        .await?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    let cutoff = unix_seconds().saturating_sub(LEFTOVER_AGE.as_secs());
    for name in names {
        let created = name
            .strip_prefix(TEST_DATABASE_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|seconds| seconds.parse::<u64>().ok());
        if created.is_some_and(|created| created < cutoff) {
            // Another process may be sweeping too; a failure here is not this test's problem.
            if let Err(error) = drop_database(connection, &name).await {
                eprintln!("warning: could not sweep {name}: {error:#}");
            }
        }
    }
    Ok(())
}

/// `CREATE DATABASE`, optionally from a template, retrying while the template is briefly in use.
async fn create_database(
    connection: &mut PgConnection,
    name: &str,
    template: Option<&str>,
) -> anyhow::Result<()> {
    let sql = match template {
        Some(template) => format!(
            "CREATE DATABASE {} TEMPLATE {}",
            quote_identifier(name),
            quote_identifier(template)
        ),
        None => format!("CREATE DATABASE {}", quote_identifier(name)),
    };
    retry_while_in_use(connection, &sql)
        .await
        .with_context(|| format!("creating test database {name}"))
}

/// `ALTER DATABASE ... RENAME`, retrying while the old database's last session exits.
async fn rename_database(
    connection: &mut PgConnection,
    from: &str,
    to: &str,
) -> anyhow::Result<()> {
    let sql = format!(
        "ALTER DATABASE {} RENAME TO {}",
        quote_identifier(from),
        quote_identifier(to)
    );
    retry_while_in_use(connection, &sql)
        .await
        .with_context(|| format!("renaming {from} to {to}"))
}

/// Drops a database if it exists, disconnecting its sessions.
async fn drop_database(connection: &mut PgConnection, name: &str) -> anyhow::Result<()> {
    sqlx::raw_sql(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        quote_identifier(name)
    )))
    .execute(connection)
    .await
    .with_context(|| format!("dropping database {name}"))?;
    Ok(())
}

/// Runs `sql`, retrying for a few seconds while PostgreSQL reports `object_in_use` (55006):
/// a source or renamed database still has a session that is just ending.
async fn retry_while_in_use(connection: &mut PgConnection, sql: &str) -> anyhow::Result<()> {
    const ATTEMPTS: u32 = 50;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&mut *connection)
            .await
        {
            Ok(_) => return Ok(()),
            Err(error) => {
                let in_use = error
                    .as_database_error()
                    .and_then(|database| database.code())
                    .is_some_and(|code| code == "55006");
                if !in_use || attempt >= ATTEMPTS {
                    return Err(error.into());
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// The template name for the migrations compiled into this build.
fn template_name() -> String {
    let mut hasher = Sha256::new();
    for migration in MIGRATOR.iter() {
        hasher.update(migration.version.to_be_bytes());
        hasher.update(&*migration.checksum);
    }
    let digest = hex::encode(hasher.finalize());
    format!("bluelamp_tpl_{}", digest.get(..16).unwrap_or(&digest))
}

/// Quotes an identifier that we generated (letters, digits and underscores).
fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Seconds since the Unix epoch (0 if the clock is before it).
fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
