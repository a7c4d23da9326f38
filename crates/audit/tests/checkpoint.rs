//! Signed checkpoints: key files, text form and strict parsing.

use bluelamp_audit::{
    Checkpoint, CheckpointError, CheckpointSigner, EMPTY_ROOT, KeyError, SignedCheckpoint, key_id,
    leaf_hash, verifying_key_from_pem, verifying_key_to_pem,
};
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is a test failure"
)]
fn time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T10:00:00.123456789Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn signed(signer: &CheckpointSigner) -> SignedCheckpoint {
    signer.sign(Checkpoint {
        origin: "bluelamp.example/audit".into(),
        size: 1234,
        root: leaf_hash(b"x"),
        time: time(),
    })
}

#[test]
fn keys_round_trip_through_pem() {
    let signer = CheckpointSigner::generate();
    let pem = signer.to_pkcs8_pem().unwrap();
    assert!(
        pem.expose_secret()
            .starts_with("-----BEGIN PRIVATE KEY-----\n")
    );
    let loaded = CheckpointSigner::from_pkcs8_pem(pem.expose_secret()).unwrap();
    assert_eq!(loaded.key_id(), signer.key_id());
    assert_eq!(loaded.verifying_key(), signer.verifying_key());

    let public = verifying_key_to_pem(&signer.verifying_key()).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    let key = verifying_key_from_pem(&public).unwrap();
    assert_eq!(key, signer.verifying_key());
    assert_eq!(key_id(&key), signer.key_id());

    signed(&loaded).verify(&key).unwrap();
    assert!(matches!(
        CheckpointSigner::from_pkcs8_pem(&public),
        Err(KeyError::InvalidPrivateKey(_))
    ));
    assert!(matches!(
        verifying_key_from_pem(pem.expose_secret()),
        Err(KeyError::InvalidPublicKey(_))
    ));
    assert!(!format!("{signer:?}").contains("PRIVATE"));
}

#[test]
fn signing_truncates_time_to_microseconds_and_round_trips() {
    let signer = CheckpointSigner::generate();
    let cp = signed(&signer);
    assert_eq!(cp.checkpoint.time.timestamp_subsec_nanos(), 123_456_000);
    let text = cp.to_text();
    let expected_body = format!(
        "bluelamp.example/audit\n1234\n{}\n2026-11-27T10:00:00.123456Z\n",
        base64_root(&cp)
    );
    assert_eq!(cp.checkpoint.body(), expected_body);
    assert!(text.starts_with(&format!(
        "{expected_body}\n\u{2014} bluelamp {} ",
        signer.key_id()
    )));
    assert_eq!(SignedCheckpoint::parse(&text).unwrap(), cp);
}

fn base64_root(cp: &SignedCheckpoint) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(cp.checkpoint.root)
}

#[test]
fn parse_rejects_truncated_and_trailing_text() {
    let text = signed(&CheckpointSigner::generate()).to_text();
    for end in 0..text.len() {
        if let Some(prefix) = text.get(..end) {
            assert!(
                SignedCheckpoint::parse(prefix).is_err(),
                "accepted {prefix:?}"
            );
        }
    }
    for extra in ["x", "\n", " ", "\u{2014} other abc def\n", "\r"] {
        let longer = format!("{text}{extra}");
        assert!(
            SignedCheckpoint::parse(&longer).is_err(),
            "accepted {longer:?}"
        );
    }
    assert!(SignedCheckpoint::parse(&format!("\n{text}")).is_err());
    assert!(SignedCheckpoint::parse(&text.replace('\n', "\r\n")).is_err());
}

#[test]
fn parse_rejects_other_spellings() {
    let cp = signed(&CheckpointSigner::generate());
    let text = cp.to_text();
    let variants = [
        text.replacen("\n1234\n", "\n01234\n", 1),
        text.replacen("\n1234\n", "\n+1234\n", 1),
        text.replacen("\n1234\n", "\n1234 \n", 1),
        text.replacen('\u{2014}', "-", 1),
        text.replacen("\u{2014} bluelamp", "\u{2014} other", 1),
        text.replacen(&cp.key_id, &cp.key_id.to_uppercase(), 1),
        text.replacen(&cp.key_id, &cp.key_id[..14], 1),
        text.replacen(".123456Z", "Z", 1),
        text.replacen(".123456Z", ".123456+00:00", 1),
        text.replacen(&base64_root(&cp), base64_root(&cp).trim_end_matches('='), 1),
        text.replacen("\n\n", "\n", 1),
        text.replacen("\n\n", "\n\n\n", 1),
    ];
    for variant in variants {
        assert_ne!(variant, text);
        assert!(
            SignedCheckpoint::parse(&variant).is_err(),
            "accepted {variant:?}"
        );
    }
}

#[test]
fn verify_rejects_wrong_key_and_tampering() {
    let signer = CheckpointSigner::generate();
    let other = CheckpointSigner::generate();
    let cp = signed(&signer);
    assert!(matches!(
        cp.verify(&other.verifying_key()),
        Err(CheckpointError::KeyIdMismatch { .. })
    ));
    // Another key's signature relabelled with the right key id.
    let mut forged = signed(&other);
    forged.key_id = signer.key_id();
    assert_eq!(
        forged.verify(&signer.verifying_key()),
        Err(CheckpointError::BadSignature)
    );
    let mut bigger = cp.clone();
    bigger.checkpoint.size += 1;
    assert_eq!(
        bigger.verify(&signer.verifying_key()),
        Err(CheckpointError::BadSignature)
    );
}

#[test]
fn origin_must_be_one_non_empty_line() {
    let signer = CheckpointSigner::generate();
    for origin in ["", "two\nlines", "tab\there", "cr\r"] {
        let cp = Checkpoint {
            origin: origin.into(),
            size: 0,
            root: EMPTY_ROOT,
            time: time(),
        };
        assert!(matches!(
            cp.validate(),
            Err(CheckpointError::InvalidOrigin(_))
        ));
        let signed = signer.sign(cp);
        assert!(signed.verify(&signer.verifying_key()).is_err());
        assert!(SignedCheckpoint::parse(&signed.to_text()).is_err());
    }
}
