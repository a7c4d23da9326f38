//! The sink spoken to by hand over TCP, as a hostile or clumsy client would.

use std::time::Duration;

use bluelamp_mail::SmtpSink;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// A client that sends lines and reads whole (possibly multi-line) replies.
struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

#[expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helper: a failure is a test failure"
)]
impl Client {
    async fn connect(sink: &SmtpSink) -> Client {
        let stream = TcpStream::connect(sink.local_addr()).await.unwrap();
        let (read, writer) = stream.into_split();
        let mut client = Client {
            reader: BufReader::new(read),
            writer,
        };
        let greeting = client.reply().await;
        assert!(greeting.starts_with("220 "), "{greeting}");
        client
    }

    /// Reads one reply; returns all its lines joined with `\n`.
    async fn reply(&mut self) -> String {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let read =
                tokio::time::timeout(Duration::from_secs(10), self.reader.read_line(&mut line))
                    .await
                    .expect("reply in time")
                    .unwrap();
            assert!(read > 0, "connection closed; got so far {lines:?}");
            let line = line.trim_end_matches(['\r', '\n']).to_owned();
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if last {
                return lines.join("\n");
            }
        }
    }

    async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
    }

    /// Sends one command and returns the reply's code.
    async fn command(&mut self, line: &str) -> String {
        self.send_raw(format!("{line}\r\n").as_bytes()).await;
        let reply = self.reply().await;
        reply.get(..3).unwrap().to_owned()
    }
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is a test failure"
)]
async fn start() -> SmtpSink {
    SmtpSink::start("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap()
}

#[tokio::test]
async fn ehlo_lists_the_extensions() {
    let sink = start().await;
    let mut client = Client::connect(&sink).await;
    client.send_raw(b"EHLO client.example\r\n").await;
    let reply = client.reply().await;
    let lines: Vec<&str> = reply.lines().collect();
    assert!(lines[0].starts_with("250-"), "{reply}");
    assert_eq!(
        lines[1..],
        ["250-8BITMIME", "250-SMTPUTF8", "250 SIZE 10485760"]
    );
    assert!(!reply.contains("STARTTLS") && !reply.contains("AUTH"));
    assert_eq!(client.command("VRFY someone").await, "252");
    assert_eq!(client.command("NOOP").await, "250");
    assert_eq!(client.command("QUIT").await, "221");
    let mut rest = String::new();
    assert_eq!(client.reader.read_line(&mut rest).await.unwrap(), 0);
}

#[tokio::test]
async fn bad_sequences_and_unknown_commands() {
    let sink = start().await;
    let mut client = Client::connect(&sink).await;
    assert_eq!(client.command("MAIL FROM:<a@example.org>").await, "503");
    assert_eq!(client.command("HELO client.example").await, "250");
    assert_eq!(client.command("DATA").await, "503");
    assert_eq!(client.command("RCPT TO:<b@example.org>").await, "503");
    assert_eq!(client.command("MAIL FROM:<a@example.org>").await, "250");
    assert_eq!(client.command("DATA").await, "503");
    assert_eq!(client.command("MAIL FROM:<a@example.org>").await, "503");
    assert_eq!(client.command("XYZZY plugh").await, "500");
    assert_eq!(client.command("").await, "500");
    assert_eq!(client.command("RCPT TO:<b@example.org>").await, "250");
    assert_eq!(client.command("DATA").await, "354");
    client.send_raw(b"Subject: ok\r\n\r\nfine\r\n.\r\n").await;
    assert_eq!(client.reply().await.get(..3), Some("250"));
    assert_eq!(client.command("QUIT").await, "221");
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn dot_stuffing_and_rset() {
    let sink = start().await;
    let mut client = Client::connect(&sink).await;
    assert_eq!(client.command("EHLO c").await, "250");

    // A transaction abandoned with RSET leaves nothing behind.
    assert_eq!(client.command("MAIL FROM:<a@example.org>").await, "250");
    assert_eq!(client.command("RCPT TO:<dropped@example.org>").await, "250");
    assert_eq!(client.command("RSET").await, "250");
    assert_eq!(client.command("DATA").await, "503");
    assert_eq!(client.command("RCPT TO:<dropped@example.org>").await, "503");

    assert_eq!(client.command("MAIL FROM:<a@example.org>").await, "250");
    assert_eq!(client.command("RCPT TO:<kept@example.org>").await, "250");
    assert_eq!(client.command("DATA").await, "354");
    client
        .send_raw(b"Subject: dots\r\n\r\n..\r\n...two\r\nmid.dle\r\n.\r\n")
        .await;
    let reply = client.reply().await;
    assert!(reply.starts_with("250 "), "{reply}");
    assert_eq!(client.command("QUIT").await, "221");

    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.rcpt_to, ["kept@example.org"]);
    assert_eq!(mail.mail_from, "a@example.org");
    assert_eq!(mail.raw, "Subject: dots\r\n\r\n.\r\n..two\r\nmid.dle\r\n");
    assert_eq!(mail.text, ".\n..two\nmid.dle");
    assert!(
        sink.wait_for("dropped@example.org", Duration::from_millis(50))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn an_overlong_line_is_refused_and_the_server_lives_on() {
    let sink = start().await;
    let mut client = Client::connect(&sink).await;
    assert_eq!(client.command("HELO c").await, "250");

    // A command line far over the cap: refused, and the same conversation goes on.
    let huge = format!("MAIL FROM:<{}@example.org>", "x".repeat(100_000));
    assert_eq!(client.command(&huge).await, "500");
    assert_eq!(client.command("NOOP").await, "250");

    // An overlong line inside a message: the message is refused, the conversation goes on.
    assert_eq!(client.command("MAIL FROM:<a@example.org>").await, "250");
    assert_eq!(client.command("RCPT TO:<b@example.org>").await, "250");
    assert_eq!(client.command("DATA").await, "354");
    client.send_raw(b"Subject: long\r\n\r\n").await;
    client.send_raw("y".repeat(50_000).as_bytes()).await;
    client.send_raw(b"\r\n.\r\n").await;
    let reply = client.reply().await;
    assert!(reply.starts_with("500 "), "{reply}");
    assert_eq!(client.command("NOOP").await, "250");

    // A client that sends a huge line and vanishes does not take the server down.
    {
        let mut rude = Client::connect(&sink).await;
        rude.send_raw(&vec![b'z'; 1_000_000]).await;
    }

    let mut next = Client::connect(&sink).await;
    assert_eq!(next.command("EHLO again").await, "250");
    assert_eq!(next.command("MAIL FROM:<>").await, "250");
    assert_eq!(next.command("RCPT TO:<b@example.org>").await, "250");
    assert_eq!(next.command("DATA").await, "354");
    next.send_raw(b"Subject: after\r\n\r\nstill here\r\n.\r\n")
        .await;
    assert_eq!(next.reply().await.get(..3), Some("250"));
    let mail = sink
        .wait_for("B@example.org", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(mail.subject.as_deref(), Some("after"));
    assert_eq!(mail.mail_from, "");
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn pipelined_commands_are_answered_in_order() {
    let sink = start().await;
    let mut client = Client::connect(&sink).await;
    client
        .send_raw(b"HELO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<p@example.org>\r\nDATA\r\n")
        .await;
    for expected in ["250", "250", "250", "354"] {
        assert_eq!(client.reply().await.get(..3), Some(expected));
    }
    client
        .send_raw(b"Subject: piped\r\n\r\nbody\r\n.\r\nQUIT\r\n")
        .await;
    assert_eq!(client.reply().await.get(..3), Some("250"));
    assert_eq!(client.reply().await.get(..3), Some("221"));
    assert_eq!(
        sink.wait_for("p@example.org", Duration::from_secs(5))
            .await
            .unwrap()
            .text,
        "body"
    );
}
