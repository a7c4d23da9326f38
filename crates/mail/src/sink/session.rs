//! One SMTP conversation (an RFC 5321 subset): the command state machine, which does no I/O,
//! and the loop that drives it over a connection.

use std::sync::Arc;

use tokio::io::{AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::lines::{Line, LineReader};
use super::{Inbox, Limits};

/// The name the sink gives itself in replies.
const SERVER_NAME: &str = "localhost";

/// What the connection loop does after a command.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Send this reply (one or more lines, without the final line end) and read the next command.
    Reply(String),
    /// Send this `354` reply and read the message text.
    ReadData(String),
    /// Send this reply and close the connection.
    Close(String),
}

/// The state of one conversation.
#[derive(Debug, Default)]
pub(crate) struct Session {
    greeted: bool,
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

/// A message the client finished sending, to be delivered to the inbox.
#[derive(Debug)]
pub(crate) struct Envelope {
    pub(crate) mail_from: String,
    pub(crate) rcpt_to: Vec<String>,
}

fn reply(text: &str) -> Step {
    Step::Reply(text.to_owned())
}

/// Splits `<path> params` (after `FROM:` or `TO:`) into the address inside the angle brackets
/// and the parameters. A path without brackets is accepted too (lenient, as many servers are).
fn split_path(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start();
    let (path, params) = if let Some(inner) = text.strip_prefix('<') {
        let (path, params) = inner.split_once('>')?;
        (path, params)
    } else {
        text.split_once(' ').unwrap_or((text, ""))
    };
    // Drop an obsolete source route: `<@a,@b:user@c>`.
    let path = match path.strip_prefix('@') {
        Some(route) => route.split_once(':').map_or(path, |(_, address)| address),
        None => path,
    };
    if path
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
    {
        return None;
    }
    Some((path.to_owned(), params))
}

impl Session {
    /// Handles one command line.
    pub(crate) fn command(&mut self, line: &str, limits: &Limits) -> Step {
        let (verb, args) = line.split_once(' ').unwrap_or((line, ""));
        let verb = verb.to_ascii_uppercase();
        let args = args.trim();
        match verb.as_str() {
            "EHLO" | "HELO" => {
                if args.is_empty() {
                    return reply("501 5.5.4 EHLO and HELO need a domain or address literal");
                }
                self.greeted = true;
                self.reset();
                if verb == "EHLO" {
                    Step::Reply(format!(
                        "250-{SERVER_NAME} Bluelamp SMTP sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE {}",
                        limits.max_message_bytes
                    ))
                } else {
                    Step::Reply(format!("250 {SERVER_NAME} Bluelamp SMTP sink"))
                }
            }
            "MAIL" => self.mail(args, limits),
            "RCPT" => self.rcpt(args, limits),
            "DATA" => {
                if !args.is_empty() {
                    reply("501 5.5.4 DATA takes no arguments")
                } else if self.mail_from.is_none() {
                    reply("503 5.5.1 need MAIL before DATA")
                } else if self.rcpt_to.is_empty() {
                    reply("503 5.5.1 need RCPT before DATA")
                } else {
                    Step::ReadData("354 start mail input; end with <CRLF>.<CRLF>".to_owned())
                }
            }
            "RSET" => {
                if !args.is_empty() {
                    return reply("501 5.5.4 RSET takes no arguments");
                }
                self.reset();
                reply("250 2.0.0 OK")
            }
            "NOOP" => reply("250 2.0.0 OK"),
            "QUIT" => Step::Close(format!("221 2.0.0 {SERVER_NAME} closing connection")),
            "VRFY" => {
                reply("252 2.5.0 cannot VRFY user, but will accept message and attempt delivery")
            }
            "HELP" => reply("214 2.0.0 commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY"),
            "EXPN" | "STARTTLS" | "AUTH" | "BDAT" | "TURN" | "ETRN" => {
                reply("502 5.5.1 command not implemented")
            }
            _ => reply("500 5.5.2 command not recognized"),
        }
    }

    fn mail(&mut self, args: &str, limits: &Limits) -> Step {
        if !self.greeted {
            return reply("503 5.5.1 send EHLO or HELO first");
        }
        if self.mail_from.is_some() {
            return reply("503 5.5.1 nested MAIL command");
        }
        let Some(path) = strip_keyword(args, "FROM:") else {
            return reply("501 5.5.4 syntax: MAIL FROM:<address>");
        };
        let Some((address, params)) = split_path(path) else {
            return reply("501 5.1.7 bad sender address syntax");
        };
        for param in params.split_whitespace() {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            match name.to_ascii_uppercase().as_str() {
                "SIZE" => match value.parse::<u64>() {
                    Ok(size) if size > limits.max_message_bytes => {
                        return reply("552 5.3.4 message size exceeds fixed maximum message size");
                    }
                    Ok(_) => {}
                    Err(_) => return reply("501 5.5.4 bad SIZE parameter"),
                },
                "BODY" => {
                    if !value.eq_ignore_ascii_case("7BIT")
                        && !value.eq_ignore_ascii_case("8BITMIME")
                    {
                        return reply("501 5.5.4 BODY must be 7BIT or 8BITMIME");
                    }
                }
                "SMTPUTF8" if value.is_empty() => {}
                _ => return reply("555 5.5.4 MAIL FROM parameter not recognized"),
            }
        }
        self.mail_from = Some(address);
        reply("250 2.1.0 OK")
    }

    fn rcpt(&mut self, args: &str, limits: &Limits) -> Step {
        if self.mail_from.is_none() {
            return reply("503 5.5.1 need MAIL before RCPT");
        }
        let Some(path) = strip_keyword(args, "TO:") else {
            return reply("501 5.5.4 syntax: RCPT TO:<address>");
        };
        let Some((address, params)) = split_path(path) else {
            return reply("501 5.1.3 bad recipient address syntax");
        };
        if address.is_empty() {
            return reply("501 5.1.3 empty recipient address");
        }
        if !params.trim().is_empty() {
            return reply("555 5.5.4 RCPT TO parameters not recognized");
        }
        if self.rcpt_to.len() >= limits.max_recipients {
            return reply("452 4.5.3 too many recipients");
        }
        self.rcpt_to.push(address);
        reply("250 2.1.5 OK")
    }

    /// Ends the mail transaction (after RSET, EHLO, or a message), keeping the greeting.
    pub(crate) fn reset(&mut self) {
        self.mail_from = None;
        self.rcpt_to.clear();
    }

    /// Takes the envelope of the message whose text has just been read, ending the transaction.
    pub(crate) fn take_envelope(&mut self) -> Envelope {
        let envelope = Envelope {
            mail_from: self.mail_from.take().unwrap_or_default(),
            rcpt_to: std::mem::take(&mut self.rcpt_to),
        };
        self.reset();
        envelope
    }
}

/// `args` after a case-insensitive `keyword` such as `FROM:`.
fn strip_keyword<'a>(args: &'a str, keyword: &str) -> Option<&'a str> {
    let (head, tail) = args.split_at_checked(keyword.len())?;
    head.eq_ignore_ascii_case(keyword).then_some(tail)
}

/// The text of one message as it arrives, after dot-unstuffing, with CRLF line ends.
#[derive(Debug, Default)]
struct MessageText {
    bytes: Vec<u8>,
    too_big: bool,
    line_too_long: bool,
}

impl MessageText {
    fn push_line(&mut self, line: &[u8], max_bytes: u64) {
        if self.too_big || self.line_too_long {
            return;
        }
        let line = match line.strip_prefix(b".") {
            Some(unstuffed) => unstuffed,
            None => line,
        };
        let new_len = self
            .bytes
            .len()
            .saturating_add(line.len())
            .saturating_add(2);
        if u64::try_from(new_len).unwrap_or(u64::MAX) > max_bytes {
            self.too_big = true;
            self.bytes = Vec::new();
            return;
        }
        self.bytes.extend_from_slice(line);
        self.bytes.extend_from_slice(b"\r\n");
    }

    fn line_too_long(&mut self) {
        self.line_too_long = true;
        self.bytes = Vec::new();
    }
}

/// Why a connection ended early.
enum Stop {
    /// The client went away, or the connection failed.
    Gone,
    /// The client said nothing for too long.
    Idle,
}

async fn send<W: AsyncWrite + Unpin>(
    writer: &mut W,
    text: &str,
    limits: &Limits,
) -> Result<(), Stop> {
    let mut bytes = Vec::with_capacity(text.len().saturating_add(2));
    bytes.extend_from_slice(text.as_bytes());
    bytes.extend_from_slice(b"\r\n");
    match tokio::time::timeout(limits.idle_timeout, writer.write_all(&bytes)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) | Err(_) => Err(Stop::Gone),
    }
}

async fn receive<R: tokio::io::AsyncRead + Unpin>(
    reader: &mut LineReader<R>,
    limits: &Limits,
) -> Result<Line, Stop> {
    match tokio::time::timeout(limits.idle_timeout, reader.next_line()).await {
        Ok(Ok(Line::Eof)) | Ok(Err(_)) => Err(Stop::Gone),
        Ok(Ok(line)) => Ok(line),
        Err(_) => Err(Stop::Idle),
    }
}

/// Runs one SMTP conversation to its end.
pub(crate) async fn run(stream: TcpStream, inbox: Arc<Inbox>, limits: Limits) {
    let (read_half, mut write_half) = stream.into_split();
    let mut reader = LineReader::new(read_half, limits.max_line);
    if let Err(Stop::Idle) = converse(&mut reader, &mut write_half, &inbox, &limits).await {
        // Best effort: the client may not be reading either.
        let _ignored = send(
            &mut write_half,
            &format!("421 4.4.2 {SERVER_NAME} idle for too long, closing connection"),
            &limits,
        )
        .await;
    }
    let _ignored = write_half.shutdown().await;
}

async fn converse<R, W>(
    reader: &mut LineReader<R>,
    writer: &mut W,
    inbox: &Inbox,
    limits: &Limits,
) -> Result<(), Stop>
where
    R: tokio::io::AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    send(
        writer,
        &format!("220 {SERVER_NAME} Bluelamp SMTP sink ready"),
        limits,
    )
    .await?;
    let mut session = Session::default();
    loop {
        let line = match receive(reader, limits).await? {
            Line::Complete(line) => line,
            Line::TooLong => {
                send(writer, "500 5.5.2 line too long", limits).await?;
                continue;
            }
            Line::Eof => return Err(Stop::Gone),
        };
        let line = String::from_utf8_lossy(&line);
        match session.command(&line, limits) {
            Step::Reply(text) => send(writer, &text, limits).await?,
            Step::Close(text) => {
                send(writer, &text, limits).await?;
                return Ok(());
            }
            Step::ReadData(text) => {
                send(writer, &text, limits).await?;
                let message = read_message(reader, limits).await?;
                let envelope = session.take_envelope();
                let outcome = if message.too_big {
                    format!(
                        "552 5.3.4 message exceeds the maximum of {} bytes",
                        limits.max_message_bytes
                    )
                } else if message.line_too_long {
                    format!(
                        "500 5.5.2 message has a line longer than {} bytes",
                        limits.max_line
                    )
                } else {
                    match inbox.deliver(envelope, message.bytes).await {
                        Ok(id) => format!("250 2.0.0 OK queued as {id}"),
                        Err(error) => {
                            tracing::warn!(%error, "smtp sink cannot write a message to its outbox");
                            "451 4.3.0 cannot store the message".to_owned()
                        }
                    }
                };
                send(writer, &outcome, limits).await?;
            }
        }
    }
}

/// Reads message text up to the line holding a single `.`.
async fn read_message<R: tokio::io::AsyncRead + Unpin>(
    reader: &mut LineReader<R>,
    limits: &Limits,
) -> Result<MessageText, Stop> {
    let mut message = MessageText::default();
    loop {
        match receive(reader, limits).await? {
            Line::Complete(line) if line == b"." => return Ok(message),
            Line::Complete(line) => message.push_line(&line, limits.max_message_bytes),
            Line::TooLong => message.line_too_long(),
            Line::Eof => return Err(Stop::Gone),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(step: &Step) -> &str {
        let text = match step {
            Step::Reply(text) | Step::ReadData(text) | Step::Close(text) => text,
        };
        text.get(..3).unwrap()
    }

    fn run_commands(session: &mut Session, commands: &[&str]) -> Vec<String> {
        let limits = Limits::default();
        commands
            .iter()
            .map(|command| code(&session.command(command, &limits)).to_owned())
            .collect()
    }

    #[test]
    fn a_whole_transaction() {
        let mut session = Session::default();
        let codes = run_commands(
            &mut session,
            &[
                "EHLO client.example",
                "MAIL FROM:<sender@example.org> SIZE=100 BODY=8BITMIME SMTPUTF8",
                "RCPT TO:<one@example.org>",
                "rcpt to: <Two@Example.org>",
                "DATA",
            ],
        );
        assert_eq!(codes, ["250", "250", "250", "250", "354"]);
        let envelope = session.take_envelope();
        assert_eq!(envelope.mail_from, "sender@example.org");
        assert_eq!(envelope.rcpt_to, ["one@example.org", "Two@Example.org"]);
        assert_eq!(
            run_commands(&mut session, &["DATA", "QUIT"]),
            ["503", "221"]
        );
    }

    #[test]
    fn ehlo_advertises_only_what_needs_no_tls_or_auth() {
        let step = Session::default().command("EHLO x", &Limits::default());
        let Step::Reply(text) = step else {
            panic!("{step:?}")
        };
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[1..],
            ["250-8BITMIME", "250-SMTPUTF8", "250 SIZE 10485760"]
        );
    }

    #[test]
    fn bad_sequences_and_syntax() {
        let mut session = Session::default();
        assert_eq!(
            run_commands(
                &mut session,
                &[
                    "MAIL FROM:<a@b.co>",
                    "EHLO",
                    "HELO x",
                    "RCPT TO:<a@b.co>",
                    "DATA",
                    "MAIL FROM:<>",
                    "MAIL FROM:<a@b.co>",
                    "RCPT TO:<>",
                    "RCPT TO:<a b@c.d>",
                    "RCPT TO:<a@b.co> NOTIFY=NEVER",
                    "RCPT TO a@b.co",
                    "DATA now",
                    "RSET",
                    "RCPT TO:<a@b.co>",
                    "MAIL FROM:<a@b.co> SIZE=99999999999",
                    "MAIL FROM:<a@b.co> SIZE=big",
                    "MAIL FROM:<a@b.co> AUTH=<>",
                    "MAIL FROM:<@relay.example:a@b.co>",
                    "VRFY someone",
                    "EXPN list",
                    "STARTTLS",
                    "FROB",
                    "",
                    "NOOP anything",
                ],
            ),
            [
                "503", "501", "250", "503", "503", "250", "503", "501", "501", "555", "501", "501",
                "250", "503", "552", "501", "555", "250", "252", "502", "502", "500", "500", "250",
            ]
        );
        assert_eq!(session.mail_from.as_deref(), Some("a@b.co"));
    }

    #[test]
    fn recipients_are_capped() {
        let mut session = Session::default();
        let limits = Limits::default();
        session.command("HELO x", &limits);
        session.command("MAIL FROM:<a@b.co>", &limits);
        for n in 0..100 {
            let step = session.command(&format!("RCPT TO:<r{n}@b.co>"), &limits);
            assert_eq!(code(&step), "250");
        }
        assert_eq!(code(&session.command("RCPT TO:<x@b.co>", &limits)), "452");
        assert_eq!(session.rcpt_to.len(), 100);
    }

    #[test]
    fn message_text_unstuffs_and_caps() {
        let mut text = MessageText::default();
        text.push_line(b"..leading dot", 100);
        text.push_line(b"plain", 100);
        text.push_line(b".", 100);
        assert_eq!(text.bytes, b".leading dot\r\nplain\r\n\r\n");
        text.push_line(&[b'x'; 100], 100);
        assert!(text.too_big);
        assert!(text.bytes.is_empty());
    }
}
