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
    let policy = load_policy(config.policy_dir.as_deref())?;
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

/// The policy: the files in `policy_dir` when set (validated strictly), else the embedded one.
pub fn load_policy(policy_dir: Option<&Path>) -> anyhow::Result<PolicyEngine> {
    match policy_dir {
        Some(dir) => PolicyEngine::from_dir(dir)
            .with_context(|| format!("invalid policy directory {}", dir.display())),
        None => PolicyEngine::embedded().context("the embedded policies are invalid"),
    }
}

/// Reads `dir` again and, when its policy differs from the one in force, puts it in force
/// (audited by [`App::adopt_policy`] as the `policy-watcher`). An invalid directory leaves the
/// policy in force and is returned as the error.
pub async fn check_policy_dir(
    app: &App,
    config: &Config,
    dir: &Path,
) -> anyhow::Result<Option<bluelamp_app::PolicyChange>> {
    let engine = PolicyEngine::from_dir(dir)
        .with_context(|| format!("invalid policy directory {}", dir.display()))?;
    if engine.fingerprint() == app.policy_fingerprint() {
        return Ok(None);
    }
    let watcher = cli_principal(config, "policy-watcher");
    app.adopt_policy(&watcher, engine, &dir.display().to_string())
        .await
        .context("cannot record the policy change")
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the shipped policy files.
    fn shipped_policies() -> tempfile::TempDir {
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policy/policies");
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(shipped).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
        dir
    }

    #[tokio::test]
    async fn a_changed_policy_directory_is_put_in_force_and_audited() {
        let data = tempfile::tempdir().unwrap();
        let policies = shipped_policies();
        let mut config = Config::defaults_in(data.path());
        config.policy_dir = Some(policies.path().to_path_buf());
        let node = build(&config).await.unwrap();
        let app = &node.app;
        let started = app.policy_fingerprint();
        assert_eq!(started, PolicyEngine::embedded().unwrap().fingerprint());
        assert!(
            check_policy_dir(app, &config, policies.path())
                .await
                .unwrap()
                .is_none()
        );

        std::fs::write(
            policies.path().join("zz_extra.cedar"),
            "@id(\"audit.analyst.verify\")\npermit (\n  principal is Bluelamp::Staff,\n  action == Bluelamp::Action::\"audit.verify\",\n  resource is Bluelamp::AuditLog\n)\nwhen { principal.role == \"analyst\" };\n",
        )
        .unwrap();
        let change = check_policy_dir(app, &config, policies.path())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(change.diff.added, ["audit.analyst.verify"]);
        assert_eq!(app.policy_fingerprint(), change.fingerprint);
        let rows = node.store.audit_rows(change.audit_seq, 1).await.unwrap();
        let entry = bluelamp_audit::Entry::from_leaf_bytes(&rows.first().unwrap().leaf).unwrap();
        assert_eq!(entry.entry.action, "policy.change");
        assert_eq!(entry.entry.actor, "system:policy-watcher");

        // A broken file: refused, and the policy in force stays.
        std::fs::write(policies.path().join("broken.cedar"), "permit (").unwrap();
        let error = check_policy_dir(app, &config, policies.path())
            .await
            .unwrap_err();
        assert!(format!("{error:#}").contains("broken.cedar"), "{error:#}");
        assert_eq!(app.policy_fingerprint(), change.fingerprint);

        // At start-up an invalid directory stops the node.
        let error = load_policy(Some(policies.path())).unwrap_err();
        assert!(
            format!("{error:#}").contains("invalid policy directory"),
            "{error:#}"
        );
    }
}
