//! A real `App` on a fresh store of either backend, with helpers to read back what landed.

use std::sync::Arc;

use anyhow::Context as _;
use bluelamp_app::{App, AppParts, NewRecord, NewStaff, Principal};
use bluelamp_audit::{CheckpointSigner, Entry, VerifyingKey};
use bluelamp_domain::ids::RecordKind;
use bluelamp_domain::record::RecordBody;
use bluelamp_domain::refdata::ReferenceData;
use bluelamp_policy::{PolicyEngine, Role};
use bluelamp_store::Store;
use bluelamp_store::conformance::TamperAccess;
use serde_json::json;

/// The force of the test deployment.
pub const FORCE: &str = "leicestershire";

/// An app, its store, and raw access for tampering.
pub struct Harness {
    pub app: App,
    pub store: Arc<dyn Store>,
    pub key: VerifyingKey,
    pub tamper: Box<dyn TamperAccess>,
    /// The SMTP server the app sends e-mail to.
    pub sink: bluelamp_mail::SmtpSink,
    /// The app's clock, which tests move on.
    pub clock: Arc<TestClock>,
    /// The evidence store the app erases from.
    pub blobs: bluelamp_evidence::BlobStore,
}

/// A clock that starts at the real time and moves only when told.
pub struct TestClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl TestClock {
    /// Moves the clock on by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl bluelamp_app::Clock for TestClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Expands each case name into one test per backend: `sqlite::name` and `postgres::name`.
macro_rules! backend_tests {
    ($($case:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() -> anyhow::Result<()> {
                    let harness = $crate::harness::Harness::sqlite().await?;
                    $crate::use_cases::$case(&harness).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() -> anyhow::Result<()> {
                    let harness = $crate::harness::Harness::postgres().await?;
                    $crate::use_cases::$case(&harness).await
                }
            )+
        }
    };
}
pub(crate) use backend_tests;

impl Harness {
    /// On a fresh SQLite file.
    pub async fn sqlite() -> anyhow::Result<Harness> {
        let (store, guard) = bluelamp_store_sqlite::testing::fresh_store().await?;
        Self::build(Arc::new(store), Box::new(guard)).await
    }

    /// On a fresh PostgreSQL database.
    pub async fn postgres() -> anyhow::Result<Harness> {
        let (store, guard) = bluelamp_store_postgres::testing::fresh_database().await?;
        Self::build(Arc::new(store), Box::new(guard)).await
    }

    async fn build(
        store: Arc<dyn Store>,
        tamper: Box<dyn TamperAccess>,
    ) -> anyhow::Result<Harness> {
        let sink =
            bluelamp_mail::SmtpSink::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), None)
                .await?;
        let mailer = bluelamp_mail::Mailer::new(&sink.settings())?;
        let clock = Arc::new(TestClock(std::sync::Mutex::new(chrono::Utc::now())));
        let signer = CheckpointSigner::generate();
        let key = signer.verifying_key();
        let blobs = bluelamp_evidence::BlobStore::in_memory();
        let app = App::new(AppParts {
            store: store.clone(),
            policy: Arc::new(PolicyEngine::embedded()?),
            refdata: Arc::new(ReferenceData::embedded()?),
            signer: Arc::new(signer),
            clock: clock.clone(),
            log_origin: format!("bluelamp/{FORCE}"),
            force: FORCE.to_owned(),
            mailer,
            reports: bluelamp_app::ReportSettings::default(),
            identity: bluelamp_app::IdentitySettings::embedded()?,
            blobs: blobs.clone(),
        });
        Ok(Harness {
            app,
            store,
            key,
            tamper,
            sink,
            clock,
            blobs,
        })
    }

    /// The app's current time.
    pub fn app_now(&self) -> chrono::DateTime<chrono::Utc> {
        bluelamp_app::Clock::now(self.clock.as_ref())
    }

    /// The system principal of the deployment.
    pub fn system(&self) -> Principal {
        Principal::system("test", FORCE)
    }

    /// A staff principal with `role` in `force`, created through the app.
    pub async fn staff(
        &self,
        username: &str,
        role: Role,
        force: &str,
    ) -> anyhow::Result<Principal> {
        let created = self
            .app
            .create_staff(
                &self.system(),
                NewStaff {
                    username: username.to_owned(),
                    display_name: format!("Test {username}"),
                    role,
                    force: force.to_owned(),
                },
            )
            .await?;
        Ok(self
            .app
            .authenticate(bluelamp_app::reveal_token(&created))
            .await?)
    }

    /// Every audit entry, decoded.
    pub async fn audit(&self) -> anyhow::Result<Vec<Entry>> {
        let rows = self.store.audit_rows(0, 100_000).await?;
        rows.iter()
            .map(|row| Entry::from_leaf_bytes(&row.leaf).context("stored entry decodes"))
            .collect()
    }

    /// Number of records of every kind, counted directly in the store.
    pub async fn record_count(&self) -> anyhow::Result<usize> {
        let mut tx = self.store.begin().await?;
        let records = tx.list_records(None, None, 10_000).await?;
        tx.rollback().await?;
        Ok(records.len())
    }
}

/// A valid new record of `kind`, as an API client would send it.
pub fn new_record(kind: RecordKind) -> anyhow::Result<NewRecord> {
    let body = match kind {
        RecordKind::Person => json!({
            "kind": "person",
            "name": { "forenames": ["Sam"], "surname": "Okafor" },
            "aliases": [],
            "date_of_birth": "1985-02-03",
            "identifiers": [{ "type": "nhs", "value": "999 000 0018" }],
            "self_defined_ethnicity": "B2",
        }),
        RecordKind::Object => json!({ "kind": "object", "type": "vehicle", "vrm": "AB12 CDE" }),
        RecordKind::Location => json!({
            "kind": "location",
            "address": { "lines": ["1 Town Hall Square"], "town": "Leicester", "postcode": "LE1 9BG" },
        }),
        RecordKind::Event => json!({
            "kind": "event",
            "type": "crime_report",
            "summary": "Bicycle taken from outside the library",
            "occurred_from": "2026-11-20T14:00:00Z",
            "crime_category": "bicycle-theft",
        }),
    };
    let body: RecordBody = serde_json::from_value(body).context("fixture body parses")?;
    Ok(NewRecord {
        marking: serde_json::from_value(
            json!({ "classification": "OFFICIAL", "sensitive": false, "caveats": [] }),
        )?,
        lawful_basis: "dpa2018-part3-law-enforcement".parse()?,
        retention_group: "3".parse()?,
        clear_period_start: None,
        channel: bluelamp_domain::provenance::Channel::StaffEntry,
        body,
    })
}
