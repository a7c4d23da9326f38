//! Sending mail through an SMTP server with lettre.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use secrecy::{ExposeSecret as _, SecretString};

use crate::settings::{SmtpSecurity, SmtpSettings};

/// The longest address accepted, in bytes (RFC 5321 §4.5.3.1.3 limits a path to 256 octets
/// including the angle brackets).
pub const MAX_ADDRESS_LEN: usize = 254;

/// Why mail could not be sent.
///
/// No variant carries the SMTP password, and [`MailError::InvalidAddress`] never repeats the
/// rejected address (a member of the public's address is personal data and errors get logged).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// An address is not one this crate sends to or from; the text says which and why.
    #[error("invalid e-mail address: {0}")]
    InvalidAddress(String),
    /// The settings or the message could not be turned into a transport or an e-mail.
    #[error("cannot build e-mail: {0}")]
    Build(String),
    /// The SMTP server could not be reached, refused the mail or timed out.
    #[error("cannot send e-mail: {0}")]
    Transport(String),
}

/// One plain text e-mail to one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The recipient's bare address (`name@example.org`), as checked by [`is_valid_address`].
    pub to: String,
    /// The subject line (any Unicode; encoded as needed).
    pub subject: String,
    /// The body, sent as `text/plain; charset=utf-8` (encoded as needed; `\n` line ends).
    pub text: String,
}

/// Whether `address` is one [`Mailer::send`] accepts as a recipient: a bare address that lettre
/// parses (`local@domain`, no display name, no spaces or line breaks), whose domain holds a dot,
/// and at most [`MAX_ADDRESS_LEN`] bytes long. Surrounding spaces are not accepted, so trim a
/// form field first. The web layer uses it to check form fields.
pub fn is_valid_address(address: &str) -> bool {
    check_address(address).is_ok()
}

fn check_address(address: &str) -> Result<Address, &'static str> {
    if address.is_empty() {
        return Err("empty");
    }
    if address.len() > MAX_ADDRESS_LEN {
        return Err("longer than 254 bytes");
    }
    let parsed: Address = address.parse().map_err(|_| "not of the form name@domain")?;
    let domain = parsed.domain();
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Err("the domain has no dot");
    }
    Ok(parsed)
}

/// Sends e-mail through one SMTP server. Cheap to clone; each [`send`](Mailer::send) opens its
/// own connection (the volumes here, one-time codes and notices, need no pool).
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The longest one send may take.
    timeout: std::time::Duration,
    /// The password, kept only to scrub it from error messages.
    password: Option<SecretString>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Builds a mailer for `settings`. Checks the sender address (`Name <address>` or a bare
    /// address, which must pass [`is_valid_address`]), that a username comes with a password,
    /// and sets up TLS when asked for. Makes no connection.
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, MailError> {
        let from: Mailbox = settings.from.trim().parse().map_err(|_| {
            MailError::InvalidAddress(format!(
                "sender {:?} is not `Name <address>` or an address",
                settings.from
            ))
        })?;
        if let Err(why) = check_address(from.email.as_ref()) {
            return Err(MailError::InvalidAddress(format!(
                "sender {:?}: {why}",
                settings.from
            )));
        }
        if settings.host.trim().is_empty() {
            return Err(MailError::Build("the SMTP host is empty".to_owned()));
        }
        if settings.timeout.is_zero() {
            return Err(MailError::Build("the SMTP timeout is zero".to_owned()));
        }

        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.trim())
                .port(settings.port)
                .timeout(Some(settings.timeout));
        builder = with_security(builder, settings)?;
        match (&settings.username, &settings.password) {
            (Some(username), Some(password)) => {
                builder = builder.credentials(Credentials::new(
                    username.clone(),
                    password.expose_secret().to_owned(),
                ));
            }
            (None, None) => {}
            (Some(_), None) => {
                return Err(MailError::Build(
                    "an SMTP username is set without a password".to_owned(),
                ));
            }
            (None, Some(_)) => {
                return Err(MailError::Build(
                    "an SMTP password is set without a username".to_owned(),
                ));
            }
        }

        Ok(Mailer {
            transport: builder.build(),
            from,
            timeout: settings.timeout,
            password: settings.password.clone(),
        })
    }

    /// The sender every mail carries.
    pub fn sender(&self) -> &Mailbox {
        &self.from
    }

    /// Sends `mail` as a `text/plain; charset=utf-8` message through one SMTP conversation.
    ///
    /// Fails with [`MailError::InvalidAddress`] before connecting when `mail.to` does not pass
    /// [`is_valid_address`], and with [`MailError::Transport`] when the server cannot be reached,
    /// does not accept the message, or the whole conversation takes longer than the settings'
    /// `timeout`.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let to = check_address(&mail.to)
            .map_err(|why| MailError::InvalidAddress(format!("recipient: {why}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(mail.subject.as_str())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text.clone())
            .map_err(|error| MailError::Build(error.to_string()))?;
        // lettre bounds only the connect with its timeout, so bound the whole conversation here.
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(Ok(_response)) => Ok(()),
            Ok(Err(error)) => Err(MailError::Transport(
                self.scrub(&transport_error_text(&error)),
            )),
            Err(_elapsed) => Err(MailError::Transport(format!(
                "the SMTP server did not finish within {:?}",
                self.timeout
            ))),
        }
    }

    /// Removes the password from `text`, should a server or library ever echo it.
    fn scrub(&self, text: &str) -> String {
        match &self.password {
            Some(password) if !password.expose_secret().is_empty() => {
                text.replace(password.expose_secret(), "[redacted]")
            }
            _ => text.to_owned(),
        }
    }
}

/// The error with its chain of causes, on one line.
fn transport_error_text(error: &lettre::transport::smtp::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(feature = "tls")]
fn with_security(
    builder: lettre::transport::smtp::AsyncSmtpTransportBuilder,
    settings: &SmtpSettings,
) -> Result<lettre::transport::smtp::AsyncSmtpTransportBuilder, MailError> {
    use lettre::transport::smtp::client::{Tls, TlsParameters};

    let parameters = || {
        TlsParameters::new_rustls(settings.host.trim().to_owned())
            .map_err(|error| MailError::Build(format!("cannot set up TLS: {error}")))
    };
    Ok(match settings.security {
        SmtpSecurity::None => builder.tls(Tls::None),
        SmtpSecurity::StartTls => builder.tls(Tls::Required(parameters()?)),
        SmtpSecurity::Tls => builder.tls(Tls::Wrapper(parameters()?)),
    })
}

#[cfg(not(feature = "tls"))]
fn with_security(
    builder: lettre::transport::smtp::AsyncSmtpTransportBuilder,
    settings: &SmtpSettings,
) -> Result<lettre::transport::smtp::AsyncSmtpTransportBuilder, MailError> {
    match settings.security {
        SmtpSecurity::None => Ok(builder),
        other => Err(MailError::Build(format!(
            "security {other} needs bluelamp-mail's `tls` feature"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        for good in [
            "someone@example.org",
            "first.last+tag@sub.example.co.uk",
            "o'brien@example.ie",
        ] {
            assert!(is_valid_address(good), "{good}");
        }
        let too_long = format!("{}@example.org", "a".repeat(250));
        for bad in [
            "not-an-email",
            "a@b",
            "",
            "a@b.c d",
            " a@b.co",
            "a@b.co\r\nBcc: x@y.z",
            "Name <a@b.co>",
            "a@.b",
            "a@b.",
            "@b.co",
            too_long.as_str(),
        ] {
            assert!(!is_valid_address(bad), "{bad:?}");
        }
    }

    #[test]
    fn sender_is_checked() {
        let mut settings = SmtpSettings::default();
        assert!(Mailer::new(&settings).is_ok());
        settings.from = "no-reply@example.org".to_owned();
        assert!(Mailer::new(&settings).is_ok());
        for bad in [
            "",
            "Bluelamp",
            "Bluelamp <no-reply@localhost>",
            "x <a@b.c d>",
        ] {
            settings.from = bad.to_owned();
            assert!(
                matches!(Mailer::new(&settings), Err(MailError::InvalidAddress(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn credentials_come_in_pairs() {
        let settings = SmtpSettings {
            username: Some("user".to_owned()),
            ..SmtpSettings::default()
        };
        assert!(matches!(Mailer::new(&settings), Err(MailError::Build(_))));
        let settings = SmtpSettings {
            password: Some(SecretString::from("pw")),
            ..SmtpSettings::default()
        };
        assert!(matches!(Mailer::new(&settings), Err(MailError::Build(_))));
    }

    #[cfg(feature = "tls")]
    #[test]
    fn tls_settings_build() {
        for security in [SmtpSecurity::StartTls, SmtpSecurity::Tls] {
            let settings = SmtpSettings {
                host: "smtp.example.org".to_owned(),
                security,
                ..SmtpSettings::default()
            };
            assert!(Mailer::new(&settings).is_ok(), "{security}");
        }
    }
}
