//! Configuration: one typed struct, layered defaults → TOML file → `BLUELAMP_*` environment →
//! command-line flags, validated after loading.
//!
//! Every key is documented on its field below and in `bluelamp.example.toml` at the repository
//! root (a test keeps the two in step).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use figment::Figment;
use figment::providers::{Env, Format as _, Toml};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

/// The name of the configuration file read from the working directory when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "bluelamp.toml";

/// The prefix of the environment variables that set configuration keys.
pub const ENV_PREFIX: &str = "BLUELAMP_";

/// The whole configuration of a Bluelamp node.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Directory holding the node's files: the embedded SQLite database (when `database_url` is
    /// not set), the checkpoint signing key and demo account notes. Created when missing.
    /// Env: `BLUELAMP_DATA_DIR`. Default: `./bluelamp-data`.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,

    /// Database to use. `postgres://user:password@host:port/db` (or `postgresql://`) selects
    /// PostgreSQL; `sqlite://PATH` selects a SQLite file at PATH. Unset: the SQLite file
    /// `<data_dir>/bluelamp.db`. May hold a password, so it is kept secret and never logged.
    /// Env: `BLUELAMP_DATABASE_URL`. Default: unset.
    #[serde(default)]
    pub database_url: Option<SecretString>,

    /// Socket address the HTTP server listens on. Port 0 picks a free port (the real address is
    /// printed as `listening on http://ADDR`). Env: `BLUELAMP_LISTEN`. Default: `127.0.0.1:8080`.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,

    /// Slug of the force this node serves; it must be one of the forces in the reference data.
    /// Env: `BLUELAMP_FORCE`. Default: `leicestershire`.
    #[serde(default = "default_force")]
    pub force: String,

    /// PEM file with the Ed25519 key that signs audit checkpoints; generated on first start when
    /// missing. Env: `BLUELAMP_SIGNING_KEY_PATH`. Default: `<data_dir>/checkpoint-signing-key.pem`.
    #[serde(default)]
    pub signing_key_path: Option<PathBuf>,

    /// Seconds between signed audit checkpoints (one more is written at shutdown); 1 to 86400.
    /// Env: `BLUELAMP_CHECKPOINT_INTERVAL_SECS`. Default: `60`.
    #[serde(default = "default_checkpoint_interval_secs")]
    pub checkpoint_interval_secs: u64,

    /// Log line format on stderr: `json` (structured, for machines) or `pretty` (for people).
    /// The level is set with `RUST_LOG` (default `info`). Env: `BLUELAMP_LOG_FORMAT`.
    /// Default: `json`.
    #[serde(default)]
    pub log_format: LogFormat,

    /// Directory of reference data CSV files that replace the embedded ones with the same name.
    /// Env: `BLUELAMP_REFDATA_DIR`. Default: unset (the embedded reference data).
    #[serde(default)]
    pub refdata_dir: Option<PathBuf>,

    /// Directory of Cedar policy files (exactly one `*.cedarschema` and the `*.cedar` files)
    /// that replaces the embedded policy. Validated strictly at start-up (an invalid directory
    /// stops the start) and checked again every `policy_check_secs`: a valid change is audited
    /// (`policy.change`) and in force at once; an invalid one is logged and the policy in force
    /// stays. Env: `BLUELAMP_POLICY_DIR`. Default: unset (the embedded policy).
    #[serde(default)]
    pub policy_dir: Option<PathBuf>,

    /// Seconds between checks of `policy_dir` for changes; 1 to 3600.
    /// Env: `BLUELAMP_POLICY_CHECK_SECS`. Default: `5`.
    #[serde(default = "default_policy_check_secs")]
    pub policy_check_secs: u64,

    /// How e-mail to the public (one-time codes) leaves: `sink` keeps every message in a local
    /// SMTP sink that writes it to `outbox_dir` (the demo, trials, tests); `smtp` sends it
    /// through the SMTP server `smtp_host`. Env: `BLUELAMP_MAIL`. Default: `sink`.
    #[serde(default)]
    pub mail: MailMode,

    /// Directory the local SMTP sink writes each message to (`mail = "sink"`).
    /// Env: `BLUELAMP_OUTBOX_DIR`. Default: `<data_dir>/outbox`.
    #[serde(default)]
    pub outbox_dir: Option<PathBuf>,

    /// SMTP server for `mail = "smtp"`. Env: `BLUELAMP_SMTP_HOST`. Default: `127.0.0.1`.
    #[serde(default = "default_smtp_host")]
    pub smtp_host: String,

    /// Its port. Env: `BLUELAMP_SMTP_PORT`. Default: `587`.
    #[serde(default = "default_smtp_port")]
    pub smtp_port: u16,

    /// `none`, `starttls` or `tls`. Env: `BLUELAMP_SMTP_SECURITY`. Default: `starttls`.
    #[serde(default = "default_smtp_security")]
    pub smtp_security: bluelamp_mail::SmtpSecurity,

    /// User name for SMTP authentication, if the server needs it. Env:
    /// `BLUELAMP_SMTP_USERNAME`. Default: unset.
    #[serde(default)]
    pub smtp_username: Option<String>,

    /// Password for SMTP authentication; secret, never logged. Env: `BLUELAMP_SMTP_PASSWORD`.
    /// Default: unset.
    #[serde(default)]
    pub smtp_password: Option<SecretString>,

    /// The sender of e-mail to the public. Env: `BLUELAMP_MAIL_FROM`.
    /// Default: `Bluelamp <no-reply@bluelamp.invalid>`.
    #[serde(default = "default_mail_from")]
    pub mail_from: String,

    /// Directory of the evidence blob store (files uploaded by the public).
    /// Env: `BLUELAMP_EVIDENCE_DIR`. Default: `<data_dir>/evidence`.
    #[serde(default)]
    pub evidence_dir: Option<PathBuf>,

    /// The largest file the public may upload, in bytes. Env: `BLUELAMP_MAX_UPLOAD_BYTES`.
    /// Default: `2147483648` (2 GiB).
    #[serde(default = "default_max_upload_bytes")]
    pub max_upload_bytes: u64,

    /// Where "Leave this site" sends people: a neutral site. Env: `BLUELAMP_QUICK_EXIT_URL`.
    /// Default: `https://www.bbc.co.uk/weather`.
    #[serde(default = "default_quick_exit_url")]
    pub quick_exit_url: String,

    /// The address the public reach this server at, e.g. `https://report.example.police.uk`.
    /// When it is https, session cookies are `Secure` with the `__Host-` prefix. Env:
    /// `BLUELAMP_PUBLIC_URL`. Default: unset (plain http on the listen address).
    #[serde(default)]
    pub public_url: Option<String>,

    /// Minutes of inactivity after which a portal session (a report being written, or a report
    /// being followed) ends; 5 to 240. Env: `BLUELAMP_SESSION_IDLE_MINUTES`. Default: `30`.
    #[serde(default = "default_session_idle_minutes")]
    pub session_idle_minutes: u64,

    /// Form posts one client address may make to the portal in a minute. Env:
    /// `BLUELAMP_PORTAL_RATE_LIMIT_PER_MINUTE`. Default: `120`.
    #[serde(default = "default_portal_rate_limit")]
    pub portal_rate_limit_per_minute: u32,
}

/// How e-mail to the public leaves the node.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MailMode {
    /// A local SMTP sink keeps every message in the outbox directory.
    #[default]
    Sink,
    /// A real SMTP server.
    Smtp,
}

fn default_smtp_host() -> String {
    "127.0.0.1".to_owned()
}

const fn default_smtp_port() -> u16 {
    587
}

const fn default_smtp_security() -> bluelamp_mail::SmtpSecurity {
    bluelamp_mail::SmtpSecurity::StartTls
}

fn default_mail_from() -> String {
    bluelamp_mail::DEFAULT_FROM.to_owned()
}

const fn default_max_upload_bytes() -> u64 {
    2 * 1024 * 1024 * 1024
}

fn default_quick_exit_url() -> String {
    "https://www.bbc.co.uk/weather".to_owned()
}

const fn default_session_idle_minutes() -> u64 {
    30
}

const fn default_portal_rate_limit() -> u32 {
    120
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line.
    #[default]
    Json,
    /// Human-readable lines.
    Pretty,
}

/// Which database a configuration selects.
#[derive(Clone)]
pub enum DatabaseTarget {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL server (the URL may hold a password).
    Postgres(SecretString),
}

impl fmt::Debug for DatabaseTarget {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => formatter.debug_tuple("Sqlite").field(path).finish(),
            Self::Postgres(url) => formatter
                .debug_tuple("Postgres")
                .field(&redact_url(url.expose_secret()))
                .finish(),
        }
    }
}

/// Values given on the command line; each one that is set wins over every other layer.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--config FILE`: read this file instead of `./bluelamp.toml` (it must exist).
    pub config_file: Option<PathBuf>,
    /// `--data-dir DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--database URL`.
    pub database_url: Option<String>,
    /// `--listen ADDR`.
    pub listen: Option<SocketAddr>,
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("./bluelamp-data")
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_force() -> String {
    "leicestershire".to_owned()
}

const fn default_policy_check_secs() -> u64 {
    5
}

const fn default_checkpoint_interval_secs() -> u64 {
    60
}

impl Config {
    /// The built-in defaults with the node's files in `data_dir` (benchmarks and tests).
    pub fn defaults_in(data_dir: &Path) -> Self {
        Self {
            data_dir: data_dir.to_path_buf(),
            database_url: None,
            listen: default_listen(),
            force: default_force(),
            signing_key_path: None,
            checkpoint_interval_secs: default_checkpoint_interval_secs(),
            log_format: LogFormat::default(),
            refdata_dir: None,
            policy_dir: None,
            policy_check_secs: default_policy_check_secs(),
            mail: MailMode::default(),
            outbox_dir: None,
            smtp_host: default_smtp_host(),
            smtp_port: default_smtp_port(),
            smtp_security: default_smtp_security(),
            smtp_username: None,
            smtp_password: None,
            mail_from: default_mail_from(),
            evidence_dir: None,
            max_upload_bytes: default_max_upload_bytes(),
            quick_exit_url: default_quick_exit_url(),
            public_url: None,
            session_idle_minutes: default_session_idle_minutes(),
            portal_rate_limit_per_minute: default_portal_rate_limit(),
        }
    }

    /// Loads the configuration: defaults, then the TOML file, then `BLUELAMP_*` variables, then
    /// the command-line overrides; then validates it.
    pub fn load(overrides: &Overrides) -> anyhow::Result<Self> {
        let mut figment = Figment::new();
        match &overrides.config_file {
            Some(file) => {
                if !file.is_file() {
                    bail!("configuration file {} does not exist", file.display());
                }
                figment = figment.merge(Toml::file_exact(file));
            }
            None => {
                let default_file = Path::new(DEFAULT_CONFIG_FILE);
                if default_file.is_file() {
                    figment = figment.merge(Toml::file_exact(default_file));
                }
            }
        }
        let keys = config_keys();
        figment = figment.merge(Env::prefixed(ENV_PREFIX).only(&keys));
        if let Some(data_dir) = &overrides.data_dir {
            figment = figment.merge(("data_dir", data_dir));
        }
        if let Some(database_url) = &overrides.database_url {
            figment = figment.merge(("database_url", database_url));
        }
        if let Some(listen) = &overrides.listen {
            figment = figment.merge(("listen", listen.to_string()));
        }
        let config: Self = figment
            .extract()
            .map_err(|error| anyhow::anyhow!("invalid configuration: {error}"))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the rules that the types alone do not carry. The force is checked against the
    /// reference data later, once that is loaded ([`Config::validate_force`]).
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.data_dir.as_os_str().is_empty() {
            bail!("invalid configuration: data_dir must not be empty");
        }
        if !(1..=86_400).contains(&self.checkpoint_interval_secs) {
            bail!(
                "invalid configuration: checkpoint_interval_secs must be between 1 and 86400, not {}",
                self.checkpoint_interval_secs
            );
        }
        if !(1..=3_600).contains(&self.policy_check_secs) {
            bail!(
                "invalid configuration: policy_check_secs must be between 1 and 3600, not {}",
                self.policy_check_secs
            );
        }
        if self.force.trim().is_empty() {
            bail!("invalid configuration: force must not be empty");
        }
        self.database().context("invalid configuration")?;
        if !(5..=240).contains(&self.session_idle_minutes) {
            bail!(
                "invalid configuration: session_idle_minutes must be between 5 and 240, not {}",
                self.session_idle_minutes
            );
        }
        if self.max_upload_bytes == 0 {
            bail!("invalid configuration: max_upload_bytes must be at least 1");
        }
        if self.portal_rate_limit_per_minute == 0 {
            bail!("invalid configuration: portal_rate_limit_per_minute must be at least 1");
        }
        if !(self.quick_exit_url.starts_with("https://")
            || self.quick_exit_url.starts_with("http://"))
        {
            bail!(
                "invalid configuration: quick_exit_url must be an http or https address, not {:?}",
                self.quick_exit_url
            );
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            bail!(
                "invalid configuration: public_url must be an http or https address, not {url:?}"
            );
        }
        Ok(())
    }

    /// Checks that the configured force is one of `known_forces` (slugs from the reference data).
    pub fn validate_force<'a>(
        &self,
        known_forces: impl IntoIterator<Item = &'a str>,
    ) -> anyhow::Result<()> {
        let known: Vec<&str> = known_forces.into_iter().collect();
        if known.contains(&self.force.as_str()) {
            return Ok(());
        }
        bail!(
            "invalid configuration: force {:?} is not a force in the reference data (known: {})",
            self.force,
            known.join(", ")
        )
    }

    /// The database this configuration selects.
    pub fn database(&self) -> anyhow::Result<DatabaseTarget> {
        let Some(url) = &self.database_url else {
            return Ok(DatabaseTarget::Sqlite(self.data_dir.join("bluelamp.db")));
        };
        database_target_from_url(url.expose_secret())
    }

    /// The checkpoint signing key file.
    pub fn signing_key_path(&self) -> PathBuf {
        self.signing_key_path
            .clone()
            .unwrap_or_else(|| self.data_dir.join("checkpoint-signing-key.pem"))
    }

    /// Where the local SMTP sink writes messages.
    pub fn outbox_dir(&self) -> PathBuf {
        self.outbox_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("outbox"))
    }

    /// The evidence blob store's directory.
    pub fn evidence_dir(&self) -> PathBuf {
        self.evidence_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("evidence"))
    }

    /// Whether session cookies must be `Secure` (the public reach the node over https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }

    /// The SMTP settings of `mail = "smtp"`.
    pub fn smtp_settings(&self) -> bluelamp_mail::SmtpSettings {
        bluelamp_mail::SmtpSettings {
            host: self.smtp_host.clone(),
            port: self.smtp_port,
            security: self.smtp_security,
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone(),
            from: self.mail_from.clone(),
            timeout: bluelamp_mail::DEFAULT_TIMEOUT,
        }
    }

    /// The log origin written into checkpoints, e.g. `bluelamp/leicestershire`.
    pub fn log_origin(&self) -> String {
        format!("bluelamp/{}", self.force)
    }
}

/// Parses a `--database` URL into a target.
pub fn database_target_from_url(url: &str) -> anyhow::Result<DatabaseTarget> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(DatabaseTarget::Postgres(SecretString::from(url.to_owned())));
    }
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        if path.is_empty() {
            bail!("database_url sqlite:// needs a file path");
        }
        return Ok(DatabaseTarget::Sqlite(PathBuf::from(path)));
    }
    bail!(
        "database_url must start with postgres://, postgresql:// or sqlite:// (got {})",
        redact_url(url)
    )
}

/// Hides the password of a URL (`scheme://user:***@host/...`); anything unparseable is hidden whole.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "[REDACTED]".to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => format!("{scheme}://{rest}"),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self
                    .database_url
                    .as_ref()
                    .map(|url| redact_url(url.expose_secret())),
            )
            .field("listen", &self.listen)
            .field("force", &self.force)
            .field("signing_key_path", &self.signing_key_path)
            .field("checkpoint_interval_secs", &self.checkpoint_interval_secs)
            .field("log_format", &self.log_format)
            .field("refdata_dir", &self.refdata_dir)
            .field("policy_dir", &self.policy_dir)
            .field("policy_check_secs", &self.policy_check_secs)
            .field("mail", &self.mail)
            .field("outbox_dir", &self.outbox_dir)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_username", &self.smtp_username)
            .field(
                "smtp_password",
                &self.smtp_password.as_ref().map(|_| "[REDACTED]"),
            )
            .field("mail_from", &self.mail_from)
            .field("evidence_dir", &self.evidence_dir)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("quick_exit_url", &self.quick_exit_url)
            .field("public_url", &self.public_url)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field(
                "portal_rate_limit_per_minute",
                &self.portal_rate_limit_per_minute,
            )
            .finish()
    }
}

/// The names of every configuration key, read from [`Config`]'s own `Deserialize` impl so
/// that the list can never drift from the struct.
pub fn config_keys() -> Vec<&'static str> {
    let mut catcher = field_names::FieldNameCatcher::default();
    // The catcher always fails after recording the names; the error carries no information.
    let _ignored = Config::deserialize(&mut catcher);
    catcher.fields.to_vec()
}

mod field_names {
    //! A deserializer that only records the field names a struct asks for.

    use serde::de::{self, Visitor};

    /// Records the `fields` passed to `deserialize_struct`, then fails.
    #[derive(Default)]
    pub(super) struct FieldNameCatcher {
        /// The recorded names.
        pub(super) fields: &'static [&'static str],
    }

    /// The error the catcher always returns.
    #[derive(Debug)]
    pub(super) struct Caught;

    impl std::fmt::Display for Caught {
        fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            formatter.write_str("field names caught")
        }
    }

    impl std::error::Error for Caught {}

    impl de::Error for Caught {
        fn custom<T: std::fmt::Display>(_message: T) -> Self {
            Self
        }
    }

    impl<'de> de::Deserializer<'de> for &mut FieldNameCatcher {
        type Error = Caught;

        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Caught> {
            Err(Caught)
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Caught> {
            self.fields = fields;
            Err(Caught)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
}

#[cfg(test)]
mod tests;
