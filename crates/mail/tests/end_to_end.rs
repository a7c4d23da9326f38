//! Mailer → SmtpSink over real SMTP conversations on the loopback interface.

use std::time::{Duration, Instant};

use bluelamp_mail::{
    MailError, Mailer, OutgoingMail, SmtpSecurity, SmtpSettings, SmtpSink, is_valid_address,
};
use secrecy::SecretString;

const WAIT: Duration = Duration::from_secs(10);

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is a test failure"
)]
async fn sink(outbox: Option<std::path::PathBuf>) -> SmtpSink {
    SmtpSink::start("127.0.0.1:0".parse().unwrap(), outbox)
        .await
        .unwrap()
}

fn mail(to: &str, subject: &str, text: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text: text.to_owned(),
    }
}

#[tokio::test]
async fn a_utf8_mail_arrives_whole_and_lands_in_the_outbox() {
    let outbox = tempfile::tempdir().unwrap();
    let outbox_dir = outbox.path().join("outbox"); // created by the sink
    let sink = sink(Some(outbox_dir.clone())).await;
    let mailer = Mailer::new(&sink.settings()).unwrap();

    let long_line = "All work and no play makes Jack a dull boy. ".repeat(40);
    let text = format!(
        "Dear Ms Ní Bhriain,\n\nYour one-time code is 482913. The fine is £60.\n{long_line}\n.a line with a leading dot\n.\nThanks,\nLeicestershire Police"
    );
    let subject = "Your crime report — £ and more: ünïcödé";
    mailer
        .send(&mail("Victim@Example.org", subject, &text))
        .await
        .unwrap();

    let received = sink.wait_for("victim@example.ORG", WAIT).await.unwrap();
    assert_eq!(received.subject.as_deref(), Some(subject));
    assert_eq!(received.text, text);
    assert_eq!(received.rcpt_to, ["Victim@Example.org"]);
    assert_eq!(received.mail_from, "no-reply@bluelamp.invalid");
    assert!(
        received
            .raw
            .contains("From: Bluelamp <no-reply@bluelamp.invalid>")
    );
    assert!(received.raw.contains("text/plain; charset=utf-8"));

    let files: Vec<_> = std::fs::read_dir(&outbox_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = &files[0];
    let name = file.file_name().unwrap().to_str().unwrap();
    let (millis, rest) = name.split_once('-').unwrap();
    assert!(millis.parse::<u128>().is_ok(), "{name}");
    assert!(rest.ends_with(".eml"), "{name}");
    let contents = std::fs::read_to_string(file).unwrap();
    assert_eq!(contents, received.raw);
    let (file_subject, file_text) = bluelamp_mail::parse_message(&contents);
    assert_eq!(file_subject.as_deref(), Some(subject));
    assert_eq!(file_text, text);
    assert!(contents.contains("Subject: "));

    sink.shutdown().await;
}

#[tokio::test]
async fn plain_ascii_mail_arrives_as_sent() {
    let sink = sink(None).await;
    let mailer = Mailer::new(&sink.settings()).unwrap();
    mailer
        .send(&mail("a@example.org", "Plain", "Line one\nLine two"))
        .await
        .unwrap();
    let received = sink.wait_for("a@example.org", WAIT).await.unwrap();
    assert_eq!(received.subject.as_deref(), Some("Plain"));
    assert_eq!(received.text, "Line one\nLine two");
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn wait_for_returns_the_newest_and_times_out_for_others() {
    let sink = sink(None).await;
    let mailer = Mailer::new(&sink.settings()).unwrap();
    for n in 1..=3 {
        mailer
            .send(&mail("same@example.org", &format!("code {n}"), "x"))
            .await
            .unwrap();
    }
    let newest = sink.wait_for("same@example.org", WAIT).await.unwrap();
    assert_eq!(newest.subject.as_deref(), Some("code 3"));

    let started = Instant::now();
    assert!(
        sink.wait_for("nobody@example.org", Duration::from_millis(200))
            .await
            .is_none()
    );
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn wait_for_wakes_when_the_mail_arrives_later() {
    let sink = sink(None).await;
    let mailer = Mailer::new(&sink.settings()).unwrap();
    let sending = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        mailer
            .send(&mail("later@example.org", "Later", "body"))
            .await
    });
    let received = sink.wait_for("later@example.org", WAIT).await.unwrap();
    assert_eq!(received.subject.as_deref(), Some("Later"));
    sending.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_sends_all_arrive() {
    let sink = sink(None).await;
    let mailer = Mailer::new(&sink.settings()).unwrap();
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..20 {
        let mailer = mailer.clone();
        sends.spawn(async move {
            mailer
                .send(&mail(
                    &format!("person{n}@example.org"),
                    &format!("Message {n}"),
                    &format!("Body {n} £"),
                ))
                .await
        });
    }
    while let Some(result) = sends.join_next().await {
        result.unwrap().unwrap();
    }
    for n in 0..20 {
        let received = sink
            .wait_for(&format!("person{n}@example.org"), WAIT)
            .await
            .unwrap();
        assert_eq!(received.subject, Some(format!("Message {n}")));
        assert_eq!(received.text, format!("Body {n} £"));
    }
    assert_eq!(sink.messages().len(), 20);
}

#[tokio::test]
async fn invalid_recipients_are_refused_before_connecting() {
    let sink = sink(None).await;
    let mailer = Mailer::new(&sink.settings()).unwrap();
    for bad in ["not-an-email", "a@b", "", "a@b.c d"] {
        assert!(!is_valid_address(bad), "{bad:?}");
        let result = mailer.send(&mail(bad, "s", "t")).await;
        assert!(
            matches!(result, Err(MailError::InvalidAddress(_))),
            "{bad:?}: {result:?}"
        );
    }
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn nothing_listening_is_a_transport_error_within_the_timeout() {
    // Take a free port, then close it so nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let password = "correct-horse-battery-staple";
    let settings = SmtpSettings {
        host: "127.0.0.1".to_owned(),
        port,
        security: SmtpSecurity::None,
        username: Some("bluelamp".to_owned()),
        password: Some(SecretString::from(password)),
        timeout: Duration::from_secs(2),
        ..SmtpSettings::default()
    };
    let mailer = Mailer::new(&settings).unwrap();
    let started = Instant::now();
    let result = tokio::time::timeout(
        Duration::from_secs(5),
        mailer.send(&mail("a@example.org", "s", "t")),
    )
    .await
    .expect("send returned within the timeout");
    assert!(started.elapsed() < Duration::from_secs(3));
    let Err(MailError::Transport(message)) = result else {
        panic!("expected a transport error, got {result:?}");
    };
    assert!(!message.contains(password), "{message}");
    assert!(!format!("{mailer:?}").contains(password));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Accepts the connection but never sends a greeting.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = tokio::spawn(async move {
        let (_stream, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let settings = SmtpSettings {
        port,
        timeout: Duration::from_millis(500),
        ..SmtpSettings::default()
    };
    let mailer = Mailer::new(&settings).unwrap();
    let started = Instant::now();
    let result = mailer.send(&mail("a@example.org", "s", "t")).await;
    assert!(matches!(result, Err(MailError::Transport(_))), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    holder.abort();
}

#[tokio::test]
async fn quoted_printable_and_base64_bodies_both_decode() {
    let sink = sink(None).await;
    let mailer = Mailer::new(&sink.settings()).unwrap();
    let mostly_ascii = format!("Fine: £60. {}", "plain words ".repeat(30));
    let mostly_not = "Ελληνικά κείμενα και 日本語のテキスト ".repeat(10);
    for (to, text, encoding) in [
        ("qp@example.org", mostly_ascii.as_str(), "quoted-printable"),
        ("b64@example.org", mostly_not.as_str(), "base64"),
    ] {
        mailer.send(&mail(to, "Θέμα £", text)).await.unwrap();
        let received = sink.wait_for(to, WAIT).await.unwrap();
        assert!(
            received
                .raw
                .contains(&format!("Content-Transfer-Encoding: {encoding}")),
            "{}",
            received.raw
        );
        assert_eq!(received.text, text);
        assert_eq!(received.subject.as_deref(), Some("Θέμα £"));
    }
}
