//! Bluelamp's e-mail to members of the public (such as a one-time code to open their crime
//! report), and a local SMTP sink to receive it in the demo and in tests.
//!
//! - [`SmtpSettings`] / [`SmtpSecurity`]: where the SMTP server is and how to reach it; read from
//!   the configuration (serde), with defaults that point at a sink on `127.0.0.1:2525`. `Debug`
//!   never shows the password.
//! - [`Mailer`]: sends an [`OutgoingMail`] (one recipient, a subject, a plain text UTF-8 body)
//!   through one real SMTP conversation with lettre: plain, STARTTLS or implicit TLS (rustls, with
//!   the `tls` feature, on by default). Fails with a [`MailError`], whose messages never hold the
//!   password.
//! - [`is_valid_address`]: the recipient addresses [`Mailer::send`] accepts; the web layer uses
//!   it to check form fields.
//! - [`SmtpSink`]: a small SMTP server (an RFC 5321 subset, no TLS, no AUTH) that accepts every
//!   message, keeps the newest [`MAX_KEPT_MESSAGES`] in memory as [`ReceivedMail`], optionally
//!   writes each to an outbox folder as an `.eml` file, and lets a test
//!   [`wait_for`](SmtpSink::wait_for) a message to an address.
//! - [`parse_message`]: the decoded subject and text body of a simple message, as lettre makes
//!   them.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use bluelamp_mail::{Mailer, OutgoingMail, SmtpSink, is_valid_address};
//!
//! let sink = SmtpSink::start("127.0.0.1:0".parse()?, None).await?;
//! let mailer = Mailer::new(&sink.settings())?;
//! assert!(is_valid_address("victim@example.org"));
//! mailer
//!     .send(&OutgoingMail {
//!         to: "victim@example.org".into(),
//!         subject: "Your crime report".into(),
//!         text: "Your one-time code is 482913.".into(),
//!     })
//!     .await?;
//! let mail = sink.wait_for("victim@example.org", Duration::from_secs(5)).await;
//! assert_eq!(mail.and_then(|mail| mail.subject).as_deref(), Some("Your crime report"));
//! # Ok(())
//! # }
//! ```

mod mailer;
mod parse;
mod settings;
mod sink;

pub use mailer::{MAX_ADDRESS_LEN, MailError, Mailer, OutgoingMail, is_valid_address};
pub use parse::parse_message;
pub use settings::{
    DEFAULT_FROM, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TIMEOUT, SmtpSecurity, SmtpSettings,
};
pub use sink::{
    IDLE_TIMEOUT, MAX_CONNECTIONS, MAX_KEPT_MESSAGES, MAX_LINE_BYTES, MAX_MESSAGE_BYTES,
    MAX_RECIPIENTS, ReceivedMail, SmtpSink,
};
