//! Config layering, validation and the example file.

#![expect(
    clippy::result_large_err,
    reason = "figment's Jail closures return figment::Error, which is large"
)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Jail;

use super::{Config, DatabaseTarget, LogFormat, MailMode, Overrides, config_keys, redact_url};

/// The example file at the repository root.
const EXAMPLE: &str = include_str!("../../../../bluelamp.example.toml");

fn load(overrides: &Overrides) -> figment::Result<Config> {
    Config::load(overrides).map_err(|error| figment::Error::from(format!("{error:#}")))
}

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let config = load(&Overrides::default())?;
        assert_eq!(config.data_dir, PathBuf::from("./bluelamp-data"));
        assert_eq!(config.listen, addr("127.0.0.1:8080"));
        assert_eq!(config.force, "leicestershire");
        assert_eq!(config.checkpoint_interval_secs, 60);
        assert_eq!(config.log_format, LogFormat::Json);
        assert!(config.database_url.is_none());
        assert!(config.refdata_dir.is_none());
        assert_eq!(
            config.signing_key_path(),
            PathBuf::from("./bluelamp-data/checkpoint-signing-key.pem")
        );
        assert!(matches!(
            config.database().unwrap(),
            DatabaseTarget::Sqlite(path) if path == Path::new("./bluelamp-data/bluelamp.db")
        ));
        Ok(())
    });
}

#[test]
fn the_file_in_the_working_directory_overrides_defaults() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file(
            "bluelamp.toml",
            "listen = \"127.0.0.1:9000\"\ncheckpoint_interval_secs = 5\nlog_format = \"pretty\"",
        )?;
        let config = load(&Overrides::default())?;
        assert_eq!(config.listen, addr("127.0.0.1:9000"));
        assert_eq!(config.checkpoint_interval_secs, 5);
        assert_eq!(config.log_format, LogFormat::Pretty);
        Ok(())
    });
}

#[test]
fn environment_overrides_the_file() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file(
            "custom.toml",
            "listen = \"127.0.0.1:9000\"\nforce = \"kent\"",
        )?;
        jail.set_env("BLUELAMP_LISTEN", "127.0.0.1:9100");
        jail.set_env("BLUELAMP_DATA_DIR", "/srv/bluelamp");
        jail.set_env(
            "BLUELAMP_DATABASE_URL",
            "postgres://app:pw@db:5432/bluelamp",
        );
        // Variables that are not configuration keys are ignored.
        jail.set_env("BLUELAMP_SHARED_DIR", "/elsewhere");
        let config = load(&Overrides {
            config_file: Some(PathBuf::from("custom.toml")),
            ..Overrides::default()
        })?;
        assert_eq!(config.listen, addr("127.0.0.1:9100"));
        assert_eq!(config.force, "kent");
        assert_eq!(config.data_dir, PathBuf::from("/srv/bluelamp"));
        assert!(matches!(
            config.database().unwrap(),
            DatabaseTarget::Postgres(_)
        ));
        Ok(())
    });
}

#[test]
fn command_line_flags_override_the_environment() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("BLUELAMP_LISTEN", "127.0.0.1:9100");
        jail.set_env("BLUELAMP_DATA_DIR", "/srv/bluelamp");
        let config = load(&Overrides {
            listen: Some(addr("127.0.0.1:0")),
            data_dir: Some(PathBuf::from("/tmp/flag")),
            database_url: Some("sqlite:///tmp/other.db".to_owned()),
            ..Overrides::default()
        })?;
        assert_eq!(config.listen, addr("127.0.0.1:0"));
        assert_eq!(config.data_dir, PathBuf::from("/tmp/flag"));
        assert!(matches!(
            config.database().unwrap(),
            DatabaseTarget::Sqlite(path) if path == Path::new("/tmp/other.db")
        ));
        Ok(())
    });
}

#[test]
fn a_missing_explicit_file_is_an_error() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let error = Config::load(&Overrides {
            config_file: Some(PathBuf::from("nope.toml")),
            ..Overrides::default()
        })
        .unwrap_err();
        assert!(format!("{error:#}").contains("nope.toml"), "{error:#}");
        Ok(())
    });
}

#[test]
fn bad_values_are_clear_errors() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file("bluelamp.toml", "lissen = \"127.0.0.1:1\"")?;
        let unknown = format!("{:#}", Config::load(&Overrides::default()).unwrap_err());
        assert!(unknown.contains("lissen"), "{unknown}");

        jail.create_file("bluelamp.toml", "checkpoint_interval_secs = 0")?;
        let interval = format!("{:#}", Config::load(&Overrides::default()).unwrap_err());
        assert!(interval.contains("checkpoint_interval_secs"), "{interval}");

        jail.create_file("bluelamp.toml", "listen = \"not an address\"")?;
        let listen = format!("{:#}", Config::load(&Overrides::default()).unwrap_err());
        assert!(listen.contains("listen"), "{listen}");

        jail.create_file("bluelamp.toml", "database_url = \"mysql://x@y/z\"")?;
        let database = format!("{:#}", Config::load(&Overrides::default()).unwrap_err());
        assert!(database.contains("database_url"), "{database}");
        Ok(())
    });
}

#[test]
fn the_force_must_be_known() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let config = load(&Overrides::default())?;
        config.validate_force(["kent", "leicestershire"]).unwrap();
        let error = config.validate_force(["kent"]).unwrap_err();
        assert!(error.to_string().contains("leicestershire"), "{error}");
        Ok(())
    });
}

#[test]
fn debug_never_shows_the_database_password() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env(
            "BLUELAMP_DATABASE_URL",
            "postgres://app:hunter2@db/bluelamp",
        );
        let config = load(&Overrides::default())?;
        let shown = format!("{config:?} {:?}", config.database().unwrap());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres://app:***@db/bluelamp"), "{shown}");
        Ok(())
    });
    assert_eq!(redact_url("no scheme"), "[REDACTED]");
}

#[test]
fn the_example_file_parses_and_documents_every_key() {
    let parsed: Config = toml::from_str(EXAMPLE).unwrap();
    parsed.validate().unwrap();
    let keys = config_keys();
    assert_eq!(keys.len(), 24, "{keys:?}");
    for key in keys {
        let live = EXAMPLE
            .lines()
            .any(|line| line.trim_start().starts_with(&format!("{key} =")));
        let commented = EXAMPLE
            .lines()
            .any(|line| line.trim_start().starts_with(&format!("# {key} =")));
        assert!(
            live || commented,
            "bluelamp.example.toml does not document {key}"
        );
    }
}

#[test]
fn smtp_password_is_never_shown() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("BLUELAMP_MAIL", "smtp");
        jail.set_env("BLUELAMP_SMTP_PASSWORD", "correct-horse");
        let config = load(&Overrides::default())?;
        assert_eq!(config.mail, MailMode::Smtp);
        let shown = format!("{config:?} {:?}", config.smtp_settings());
        assert!(!shown.contains("correct-horse"), "{shown}");
        Ok(())
    });
}

#[test]
fn portal_settings_are_checked() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("BLUELAMP_SESSION_IDLE_MINUTES", "1");
        let error = load(&Overrides::default()).unwrap_err();
        assert!(
            error.to_string().contains("session_idle_minutes"),
            "{error}"
        );
        jail.set_env("BLUELAMP_SESSION_IDLE_MINUTES", "30");
        jail.set_env("BLUELAMP_QUICK_EXIT_URL", "javascript:alert(1)");
        let error = load(&Overrides::default()).unwrap_err();
        assert!(error.to_string().contains("quick_exit_url"), "{error}");
        Ok(())
    });
}
