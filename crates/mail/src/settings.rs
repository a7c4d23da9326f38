//! SMTP connection settings, as read from the configuration.

use std::fmt;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

/// The sender used when the configuration names none.
pub const DEFAULT_FROM: &str = "Bluelamp <no-reply@bluelamp.invalid>";
/// The SMTP host used when the configuration names none.
pub const DEFAULT_HOST: &str = "127.0.0.1";
/// The SMTP port used when the configuration names none (the conventional local test port).
pub const DEFAULT_PORT: u16 = 2525;
/// The time limit of one send used when the configuration names none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain text SMTP (only for a server on this machine, such as the sink).
    #[default]
    None,
    /// Plain text connection upgraded with STARTTLS, which is required: the mail is not sent
    /// when the server does not offer it (usually port 587).
    #[serde(alias = "start_tls", alias = "start-tls")]
    StartTls,
    /// TLS from the first byte, "implicit TLS" or SMTPS (usually port 465).
    #[serde(alias = "smtps")]
    Tls,
}

impl fmt::Display for SmtpSecurity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::None => "none",
            Self::StartTls => "starttls",
            Self::Tls => "tls",
        })
    }
}

/// Where and how to send mail.
///
/// Deserialises from a table such as
///
/// ```toml
/// host = "smtp.example.org"
/// port = 587
/// security = "starttls"   # none | starttls | tls
/// username = "bluelamp"
/// password = "secret"
/// from = "Leicestershire Police <no-reply@example.org>"
/// timeout_secs = 10       # or timeout = "10s" / "500ms" / "1m"
/// ```
///
/// where every key is optional (defaults: `127.0.0.1`, port 2525, no TLS, no login,
/// [`DEFAULT_FROM`], 10 seconds). `Debug` never shows the password.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpSettings {
    /// Host name or IP address of the SMTP server; also the name its TLS certificate must carry.
    pub host: String,
    /// TCP port of the SMTP server.
    pub port: u16,
    /// Connection protection.
    pub security: SmtpSecurity,
    /// Login name, when the server wants one (then `password` is required too).
    pub username: Option<String>,
    /// Password for `username`; kept secret and never logged.
    pub password: Option<SecretString>,
    /// The sender, `Name <address>` or a bare address.
    pub from: String,
    /// The longest one send may take, from connecting to the server's last reply. In
    /// configuration files:
    /// `timeout_secs` (a number of seconds) or `timeout` (seconds, or a string with a unit:
    /// `"500ms"`, `"10s"`, `"2m"`).
    #[serde(
        rename = "timeout_secs",
        alias = "timeout",
        deserialize_with = "deserialize_timeout"
    )]
    pub timeout: Duration,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: DEFAULT_HOST.to_owned(),
            port: DEFAULT_PORT,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: DEFAULT_FROM.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A timeout as written in a configuration file.
#[derive(Deserialize)]
#[serde(untagged)]
enum TimeoutValue {
    Seconds(u64),
    FractionalSeconds(f64),
    Text(String),
}

fn deserialize_timeout<'de, D>(deserializer: D) -> Result<Duration, D::Error>
where
    D: Deserializer<'de>,
{
    let value = TimeoutValue::deserialize(deserializer)?;
    let duration = match value {
        TimeoutValue::Seconds(secs) => Some(Duration::from_secs(secs)),
        TimeoutValue::FractionalSeconds(secs) => Duration::try_from_secs_f64(secs).ok(),
        TimeoutValue::Text(text) => parse_duration(&text),
    };
    match duration {
        Some(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(serde::de::Error::custom(
            "timeout must be a positive number of seconds or a duration such as \"10s\", \"500ms\" or \"2m\"",
        )),
    }
}

/// Parses `"10"`, `"10s"`, `"1.5s"`, `"500ms"` or `"2m"`.
fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, scale) = if let Some(number) = text.strip_suffix("ms") {
        (number, 0.001)
    } else if let Some(number) = text.strip_suffix('s') {
        (number, 1.0)
    } else if let Some(number) = text.strip_suffix('m') {
        (number, 60.0)
    } else {
        (text, 1.0)
    };
    let number: f64 = number.trim().parse().ok()?;
    Duration::try_from_secs_f64(number * scale).ok()
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    use super::*;

    #[test]
    fn defaults_apply_to_an_empty_table() {
        let settings: SmtpSettings = toml::from_str("").unwrap();
        assert_eq!(settings.host, "127.0.0.1");
        assert_eq!(settings.port, 2525);
        assert_eq!(settings.security, SmtpSecurity::None);
        assert!(settings.username.is_none());
        assert!(settings.password.is_none());
        assert_eq!(settings.from, DEFAULT_FROM);
        assert_eq!(settings.timeout, Duration::from_secs(10));
    }

    #[test]
    fn every_key_reads_and_debug_hides_the_password() {
        let settings: SmtpSettings = toml::from_str(
            r#"
            host = "smtp.example.org"
            port = 587
            security = "starttls"
            username = "bluelamp"
            password = "hunter2-very-secret"
            from = "Police <no-reply@example.org>"
            timeout_secs = 3
            "#,
        )
        .unwrap();
        assert_eq!(settings.host, "smtp.example.org");
        assert_eq!(settings.port, 587);
        assert_eq!(settings.security, SmtpSecurity::StartTls);
        assert_eq!(settings.username.as_deref(), Some("bluelamp"));
        assert_eq!(
            settings.password.as_ref().unwrap().expose_secret(),
            "hunter2-very-secret"
        );
        assert_eq!(settings.timeout, Duration::from_secs(3));
        let debug = format!("{settings:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
        assert!(debug.contains("smtp.example.org"), "{debug}");
    }

    #[test]
    fn timeouts_read_in_several_forms() {
        for (text, expected) in [
            ("timeout = 5", Duration::from_secs(5)),
            ("timeout = 1.5", Duration::from_millis(1500)),
            ("timeout = \"250ms\"", Duration::from_millis(250)),
            ("timeout = \"2m\"", Duration::from_secs(120)),
            ("timeout = \"7s\"", Duration::from_secs(7)),
            ("timeout_secs = \"8\"", Duration::from_secs(8)),
        ] {
            let settings: SmtpSettings = toml::from_str(text).unwrap();
            assert_eq!(settings.timeout, expected, "{text}");
        }
        for bad in [
            "timeout = 0",
            "timeout = -1",
            "timeout = \"soon\"",
            "timeout = \"0s\"",
        ] {
            assert!(toml::from_str::<SmtpSettings>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn security_names_and_unknown_keys() {
        for (text, expected) in [
            ("none", SmtpSecurity::None),
            ("starttls", SmtpSecurity::StartTls),
            ("start_tls", SmtpSecurity::StartTls),
            ("tls", SmtpSecurity::Tls),
            ("smtps", SmtpSecurity::Tls),
        ] {
            let settings: SmtpSettings = toml::from_str(&format!("security = \"{text}\"")).unwrap();
            assert_eq!(settings.security, expected);
        }
        assert!(toml::from_str::<SmtpSettings>("security = \"ssl3\"").is_err());
        assert!(toml::from_str::<SmtpSettings>("pasword = \"x\"").is_err());
    }

    #[test]
    fn json_works_too() {
        let settings: SmtpSettings =
            serde_json::from_str(r#"{"port": 25, "password": "pw", "timeout": "1s"}"#).unwrap();
        assert_eq!(settings.port, 25);
        assert_eq!(settings.timeout, Duration::from_secs(1));
        assert!(!format!("{settings:?}").contains("\"pw\""));
    }
}
