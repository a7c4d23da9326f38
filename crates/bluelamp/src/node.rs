//! Building a node: the store, reference data, policies and signing key behind one
//! [`App`].

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use bluelamp_app::{App, AppParts, Principal, SystemClock};
use bluelamp_domain::refdata::{MANIFEST_FILE, ReferenceData};
use bluelamp_policy::PolicyEngine;
use bluelamp_store::Store;
use bluelamp_store_postgres::PgStore;
use bluelamp_store_sqlite::SqliteStore;
use secrecy::ExposeSecret as _;

use crate::config::{Config, DatabaseTarget, redact_url};

/// An application with the pieces the command line needs beside it.
pub struct Node {
    /// The application (the gate).
    pub app: App,
    /// The store, for the read-only audit verifier and benchmarks.
    pub store: Arc<dyn Store>,
    /// The local SMTP sink that keeps e-mail to the public, when `mail = "sink"`. It stops
    /// when the node is dropped.
    pub mail_sink: Option<bluelamp_mail::SmtpSink>,
}

/// Starts the mail side: a local SMTP sink writing to the outbox (`mail = "sink"`), or a
/// mailer for the configured SMTP server.
async fn start_mail(
    config: &Config,
) -> anyhow::Result<(bluelamp_mail::Mailer, Option<bluelamp_mail::SmtpSink>)> {
    match config.mail {
        crate::config::MailMode::Sink => {
            let outbox = config.outbox_dir();
            let sink = bluelamp_mail::SmtpSink::start(
                std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                Some(outbox.clone()),
            )
            .await
            .context("cannot start the local SMTP sink")?;
            let mut settings = sink.settings();
            settings.from.clone_from(&config.mail_from);
            let mailer = bluelamp_mail::Mailer::new(&settings)
                .context("invalid configuration: mail_from")?;
            tracing::info!(outbox = %outbox.display(), smtp = %sink.local_addr(), "e-mail to the public is kept in the outbox");
            Ok((mailer, Some(sink)))
        }
        crate::config::MailMode::Smtp => {
            let mailer = bluelamp_mail::Mailer::new(&config.smtp_settings())
                .context("invalid configuration: SMTP settings")?;
            Ok((mailer, None))
        }
    }
}

/// Opens the configured store (creating the data directory for an embedded database).
pub async fn open_store(target: &DatabaseTarget) -> anyhow::Result<Arc<dyn Store>> {
    match target {
        DatabaseTarget::Sqlite(path) => {
            if let Some(parent) = path
                .parent()
                .filter(|parent| !parent.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create the directory {}", parent.display()))?;
            }
            let store = SqliteStore::open(path)
                .await
                .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
            Ok(Arc::new(store))
        }
        DatabaseTarget::Postgres(url) => {
            let store = PgStore::connect(url.expose_secret())
                .await
                .with_context(|| {
                    format!(
                        "cannot connect to PostgreSQL at {}",
                        redact_url(url.expose_secret())
                    )
                })?;
            Ok(Arc::new(store))
        }
    }
}

/// Loads the reference data: the embedded files, with every `.csv` file (and `manifest.toml`)
/// in `refdata_dir` replacing the embedded file of the same name.
pub fn load_refdata(refdata_dir: Option<&Path>) -> anyhow::Result<ReferenceData> {
    let mut sources = ReferenceData::embedded_files();
    let Some(dir) = refdata_dir else {
        return ReferenceData::from_sources(&sources)
            .context("the embedded reference data is invalid");
    };
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the reference data directory {}", dir.display()))?;
    let mut replaced = 0_usize;
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list {}", dir.display()))?
            .path();
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            bail!("reference data file name {} is not UTF-8", path.display());
        };
        if !(name.ends_with(".csv") || name == MANIFEST_FILE) {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        sources.insert(name.to_owned(), text);
        replaced += 1;
    }
    if replaced == 0 {
        bail!(
            "the reference data directory {} holds no .csv files",
            dir.display()
        );
    }
    ReferenceData::from_sources(&sources)
        .with_context(|| format!("invalid reference data in {}", dir.display()))
}

/// Builds the node described by `config`: validates the force against the reference data,
/// opens the store and loads (or generates) the signing key.
pub async fn build(config: &Config) -> anyhow::Result<Node> {
    let refdata = load_refdata(config.refdata_dir.as_deref())?;
    config.validate_force(force_slugs(&refdata).iter().map(String::as_str))?;
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    let store = open_store(&config.database()?).await?;
    let policy = PolicyEngine::embedded().context("the embedded policies are invalid")?;
    let key_path = config.signing_key_path();
    let signer = bluelamp_app::keys::load_or_generate_signing_key(&key_path)
        .with_context(|| format!("signing key {}", key_path.display()))?;
    let (mailer, mail_sink) = start_mail(config).await?;
    let evidence_dir = config.evidence_dir();
    let blobs = bluelamp_evidence::BlobStore::local(&evidence_dir)
        .with_context(|| format!("cannot open the evidence store {}", evidence_dir.display()))?;
    let app = App::new(AppParts {
        store: Arc::clone(&store),
        policy: Arc::new(policy),
        refdata: Arc::new(refdata),
        signer: Arc::new(signer),
        clock: Arc::new(SystemClock),
        log_origin: config.log_origin(),
        force: config.force.clone(),
        mailer,
        reports: bluelamp_app::ReportSettings::default(),
        identity: bluelamp_app::IdentitySettings::embedded()?,
        blobs,
    });
    let bar = crate::progress::counter("search index");
    let rebuilt = app
        .refresh_search_index(&|done| bar.set_position(done))
        .await
        .context("cannot rebuild the search index")?;
    bar.finish_and_clear();
    if let Some(records) = rebuilt {
        tracing::info!(records, "the search index follows the current key scheme");
    }
    Ok(Node {
        app,
        store,
        mail_sink,
    })
}

/// The slugs of every force in the reference data.
pub fn force_slugs(refdata: &ReferenceData) -> Vec<String> {
    let today = chrono::Utc::now().date_naive();
    refdata
        .forces
        .current(today)
        .map(|force| force.code.clone())
        .collect()
}

/// The system principal the command line acts as.
pub fn cli_principal(config: &Config, name: &str) -> Principal {
    Principal::system(name, &config.force)
}
