//! A small SMTP server that accepts every message and keeps it: the demo server's and the
//! tests' stand-in for a real mail server.

mod lines;
mod session;

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use crate::parse::parse_message;
use crate::settings::{DEFAULT_FROM, DEFAULT_TIMEOUT, SmtpSecurity, SmtpSettings};

/// The longest protocol line the sink reads, line end included; longer lines are refused.
pub const MAX_LINE_BYTES: usize = 4096;
/// The largest message the sink accepts (advertised as `SIZE`); larger ones get `552`.
pub const MAX_MESSAGE_BYTES: u64 = 10 * 1024 * 1024;
/// The most recipients of one message.
pub const MAX_RECIPIENTS: usize = 100;
/// How long the sink waits for a client to say something before closing the connection.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How many received messages the sink keeps in memory (the newest).
pub const MAX_KEPT_MESSAGES: usize = 10_000;
/// How many connections the sink serves at once; more are refused with `421`.
pub const MAX_CONNECTIONS: usize = 256;

/// The sink's limits; the constants above, smaller in some tests.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) max_line: usize,
    pub(crate) max_message_bytes: u64,
    pub(crate) max_recipients: usize,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_kept: usize,
    pub(crate) max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line: MAX_LINE_BYTES,
            max_message_bytes: MAX_MESSAGE_BYTES,
            max_recipients: MAX_RECIPIENTS,
            idle_timeout: IDLE_TIMEOUT,
            max_kept: MAX_KEPT_MESSAGES,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// One message the sink received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`), without angle brackets; empty for the null sender.
    pub mail_from: String,
    /// The envelope recipients (`RCPT TO`), without angle brackets, in the order given.
    pub rcpt_to: Vec<String>,
    /// The message as received (RFC 5322, CRLF line ends, dot-unstuffed; invalid UTF-8 replaced).
    pub raw: String,
    /// The decoded `Subject`, if the message has one (see [`parse_message`]).
    pub subject: Option<String>,
    /// The decoded text body (see [`parse_message`]).
    pub text: String,
}

impl ReceivedMail {
    /// Whether `address` is one of the envelope recipients, ignoring case.
    pub fn is_for(&self, address: &str) -> bool {
        let wanted = address.trim().to_lowercase();
        self.rcpt_to
            .iter()
            .any(|recipient| recipient.to_lowercase() == wanted)
    }
}

/// What the server task and the handle share.
pub(crate) struct Inbox {
    messages: Mutex<VecDeque<ReceivedMail>>,
    arrived: Notify,
    outbox: Option<PathBuf>,
    next_id: AtomicU64,
    max_kept: usize,
}

impl Inbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<ReceivedMail>> {
        self.messages.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps a message (writing it to the outbox first, when there is one) and wakes waiters.
    /// Returns the message's number in this sink.
    pub(crate) async fn deliver(
        &self,
        envelope: session::Envelope,
        bytes: Vec<u8>,
    ) -> std::io::Result<u64> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Some(dir) = &self.outbox {
            write_outbox_file(dir, id, &bytes).await?;
        }
        let raw = String::from_utf8_lossy(&bytes).into_owned();
        let (subject, text) = parse_message(&raw);
        tracing::debug!(
            id,
            recipients = envelope.rcpt_to.len(),
            "smtp sink received a message"
        );
        let mail = ReceivedMail {
            mail_from: envelope.mail_from,
            rcpt_to: envelope.rcpt_to,
            raw,
            subject,
            text,
        };
        {
            let mut messages = self.lock();
            messages.push_back(mail);
            while messages.len() > self.max_kept {
                messages.pop_front();
            }
        }
        self.arrived.notify_waiters();
        Ok(id)
    }

    fn newest_for(&self, to: &str) -> Option<ReceivedMail> {
        self.lock()
            .iter()
            .rev()
            .find(|mail| mail.is_for(to))
            .cloned()
    }
}

/// Writes `dir/<millis>-<id>.eml` whole: first under a temporary name, then renamed, so that
/// anyone watching the folder never reads half a message.
async fn write_outbox_file(dir: &Path, id: u64, bytes: &[u8]) -> std::io::Result<()> {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_millis())
        .unwrap_or_default();
    let name = format!("{millis}-{id}.eml");
    let partial = dir.join(format!(".{name}.partial"));
    tokio::fs::create_dir_all(dir).await?;
    tokio::fs::write(&partial, bytes).await?;
    tokio::fs::rename(&partial, dir.join(name)).await
}

/// A running SMTP sink. It stops when [`shutdown`](SmtpSink::shutdown) is called or when it is
/// dropped (its connections are dropped with it).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use bluelamp_mail::{Mailer, OutgoingMail, SmtpSink};
///
/// let sink = SmtpSink::start("127.0.0.1:0".parse()?, None).await?;
/// let mailer = Mailer::new(&sink.settings())?;
/// mailer
///     .send(&OutgoingMail {
///         to: "someone@example.org".into(),
///         subject: "Your code".into(),
///         text: "123456".into(),
///     })
///     .await?;
/// let mail = sink.wait_for("someone@example.org", Duration::from_secs(5)).await;
/// assert_eq!(mail.map(|mail| mail.text), Some("123456".to_owned()));
/// sink.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct SmtpSink {
    local_addr: SocketAddr,
    inbox: Arc<Inbox>,
    server: JoinHandle<()>,
}

impl std::fmt::Debug for SmtpSink {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SmtpSink")
            .field("local_addr", &self.local_addr)
            .field("outbox", &self.inbox.outbox)
            .finish_non_exhaustive()
    }
}

impl SmtpSink {
    /// Starts listening on `addr` (use "127.0.0.1:0" for an ephemeral port). When `outbox` is
    /// Some(dir), every received message is also written to `dir/<millis>-<n>.eml` (raw
    /// RFC 5322, dir created if missing).
    pub async fn start(addr: SocketAddr, outbox: Option<PathBuf>) -> std::io::Result<SmtpSink> {
        Self::start_with_limits(addr, outbox, Limits::default()).await
    }

    pub(crate) async fn start_with_limits(
        addr: SocketAddr,
        outbox: Option<PathBuf>,
        limits: Limits,
    ) -> std::io::Result<SmtpSink> {
        if let Some(dir) = &outbox {
            tokio::fs::create_dir_all(dir).await?;
        }
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let inbox = Arc::new(Inbox {
            messages: Mutex::new(VecDeque::new()),
            arrived: Notify::new(),
            outbox,
            next_id: AtomicU64::new(1),
            max_kept: limits.max_kept,
        });
        let server = tokio::spawn(serve(listener, Arc::clone(&inbox), limits));
        Ok(SmtpSink {
            local_addr,
            inbox,
            server,
        })
    }

    /// The address the sink listens on (with the real port when started on port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The folder messages are written to, if any.
    pub fn outbox(&self) -> Option<&Path> {
        self.inbox.outbox.as_deref()
    }

    /// Every kept message, oldest first (at most the newest [`MAX_KEPT_MESSAGES`]).
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.inbox.lock().iter().cloned().collect()
    }

    /// Waits until a message to `to` (case-insensitive) arrives, up to `timeout`; returns the
    /// newest such. Returns at once when one was already received.
    pub async fn wait_for(&self, to: &str, timeout: Duration) -> Option<ReceivedMail> {
        let deadline = Instant::now().checked_add(timeout);
        loop {
            // Register for the next arrival before looking, so none slips between the two.
            let arrived = self.inbox.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if let Some(mail) = self.inbox.newest_for(to) {
                return Some(mail);
            }
            match deadline {
                Some(deadline) => {
                    if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                        return self.inbox.newest_for(to);
                    }
                }
                None => arrived.await,
            }
        }
    }

    /// Settings that point a [`Mailer`](crate::Mailer) at this sink: its address, no TLS, no
    /// login, the default sender and timeout.
    pub fn settings(&self) -> SmtpSettings {
        let ip = match self.local_addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        SmtpSettings {
            host: ip.to_string(),
            port: self.local_addr.port(),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: DEFAULT_FROM.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Stops listening and drops every open connection.
    pub async fn shutdown(mut self) {
        self.server.abort();
        // The task ends as cancelled; nothing to report.
        let _cancelled = (&mut self.server).await;
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Accepts connections, each served on its own task, until aborted (which drops the
/// `JoinSet` and so aborts every connection too).
async fn serve(listener: TcpListener, inbox: Arc<Inbox>, limits: Limits) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    if sessions.len() >= limits.max_connections {
                        refuse(&stream);
                    } else {
                        sessions.spawn(session::run(stream, Arc::clone(&inbox), limits));
                    }
                }
                Err(error) => {
                    // Such as running out of file descriptors: wait a little rather than spin.
                    tracing::warn!(%error, "smtp sink cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_finished) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// Tells a client over the connection limit to come back later, without waiting for it.
fn refuse(stream: &TcpStream) {
    let _ignored = stream.try_write(b"421 4.3.2 too many connections, try again later\r\n");
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

    use super::*;

    async fn start(limits: Limits) -> SmtpSink {
        SmtpSink::start_with_limits("127.0.0.1:0".parse().unwrap(), None, limits)
            .await
            .unwrap()
    }

    async fn read_reply(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        line
    }

    #[tokio::test]
    async fn an_idle_client_is_told_and_dropped() {
        let limits = Limits {
            idle_timeout: Duration::from_millis(200),
            ..Limits::default()
        };
        let sink = start(limits).await;
        let stream = TcpStream::connect(sink.local_addr()).await.unwrap();
        let (read, _write) = stream.into_split();
        let mut reader = BufReader::new(read);
        assert!(read_reply(&mut reader).await.starts_with("220 "));
        let reply = tokio::time::timeout(Duration::from_secs(5), read_reply(&mut reader))
            .await
            .unwrap();
        assert!(reply.starts_with("421 "), "{reply}");
        assert_eq!(read_reply(&mut reader).await, "");
    }

    #[tokio::test]
    async fn oversized_messages_get_552_and_the_session_goes_on() {
        let limits = Limits {
            max_message_bytes: 1000,
            ..Limits::default()
        };
        let sink = start(limits).await;
        let stream = TcpStream::connect(sink.local_addr()).await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        read_reply(&mut reader).await;
        write
            .write_all(b"HELO x\r\nMAIL FROM:<a@b.co>\r\nRCPT TO:<c@d.co>\r\nDATA\r\n")
            .await
            .unwrap();
        for expected in ["250", "250", "250", "354"] {
            assert!(read_reply(&mut reader).await.starts_with(expected));
        }
        for _ in 0..50 {
            write.write_all(&[b'y'; 100]).await.unwrap();
            write.write_all(b"\r\n").await.unwrap();
        }
        write
            .write_all(b".\r\nMAIL FROM:<a@b.co>\r\n")
            .await
            .unwrap();
        assert!(read_reply(&mut reader).await.starts_with("552 "));
        assert!(read_reply(&mut reader).await.starts_with("250 "));
        write
            .write_all(b"MAIL FROM:<a@b.co> SIZE=1001\r\n")
            .await
            .unwrap();
        assert!(read_reply(&mut reader).await.starts_with("503 "));
        write
            .write_all(b"RSET\r\nMAIL FROM:<a@b.co> SIZE=1001\r\n")
            .await
            .unwrap();
        assert!(read_reply(&mut reader).await.starts_with("250 "));
        assert!(read_reply(&mut reader).await.starts_with("552 "));
        assert!(sink.messages().is_empty());
    }

    #[tokio::test]
    async fn only_the_newest_messages_are_kept_and_connections_are_capped() {
        let limits = Limits {
            max_kept: 3,
            max_connections: 1,
            ..Limits::default()
        };
        let sink = start(limits).await;
        for n in 0..5 {
            let envelope = session::Envelope {
                mail_from: String::new(),
                rcpt_to: vec![format!("r{n}@b.co")],
            };
            sink.inbox
                .deliver(
                    envelope,
                    format!("Subject: {n}\r\n\r\nbody\r\n").into_bytes(),
                )
                .await
                .unwrap();
        }
        let subjects: Vec<_> = sink
            .messages()
            .into_iter()
            .filter_map(|m| m.subject)
            .collect();
        assert_eq!(subjects, ["2", "3", "4"]);
        assert!(
            sink.wait_for("r0@b.co", Duration::from_millis(10))
                .await
                .is_none()
        );
        assert!(sink.wait_for("R4@B.CO", Duration::ZERO).await.is_some());

        let first = TcpStream::connect(sink.local_addr()).await.unwrap();
        let (read, _write) = first.into_split();
        let mut first_reader = BufReader::new(read);
        assert!(read_reply(&mut first_reader).await.starts_with("220 "));
        let second = TcpStream::connect(sink.local_addr()).await.unwrap();
        let (read, _write2) = second.into_split();
        let mut second_reader = BufReader::new(read);
        assert!(read_reply(&mut second_reader).await.starts_with("421 "));
    }

    #[tokio::test]
    async fn shutdown_stops_listening() {
        let sink = start(Limits::default()).await;
        let addr = sink.local_addr();
        sink.shutdown().await;
        assert!(TcpStream::connect(addr).await.is_err());
    }
}
