//! The streaming verifier over a signed log, clean and tampered in every way
//! the brief names: each tamper must be caught and the first bad entry named.

use bluelamp_audit::{
    Checkpoint, CheckpointError, CheckpointSigner, EMPTY_ROOT, Entry, Hash, LogKind, LogVerifier,
    NewEntry, Outcome, SignedCheckpoint, VerifyError, VerifyReport, leaf_hash, root_of,
};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

const ORIGIN: &str = "bluelamp.test/audit";

/// A stored row: seq, leaf bytes, leaf hash.
type Row = (u64, Vec<u8>, Hash);

#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helper: a failure is a test failure"
)]
fn entry(seq: u64) -> Entry {
    let base = DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let kind = LogKind::ALL[usize::try_from(seq % 6).unwrap()];
    Entry {
        seq,
        entry: NewEntry {
            at: base + Duration::microseconds(i64::try_from(seq).unwrap() * 1_500),
            actor: format!("staff:{seq:04}"),
            kind,
            action: "record.read".into(),
            purpose: Some("investigation 42".into()),
            records: vec![Uuid::from_u128(u128::from(seq) + 1)],
            recipients: if kind == LogKind::Disclosure {
                vec!["cps".into()]
            } else {
                vec![]
            },
            digest: None,
            outcome: if seq.is_multiple_of(5) {
                Outcome::Denied
            } else {
                Outcome::Allowed
            },
        },
    }
}

fn row(e: &Entry) -> Row {
    let bytes = e.leaf_bytes();
    let hash = leaf_hash(&bytes);
    (e.seq, bytes, hash)
}

struct Log {
    signer: CheckpointSigner,
    rows: Vec<Row>,
    checkpoints: Vec<SignedCheckpoint>,
}

/// 40 entries with checkpoints at sizes 10, 25 and 40.
#[expect(
    clippy::indexing_slicing,
    reason = "test helper: a failure is a test failure"
)]
fn log() -> Log {
    let signer = CheckpointSigner::generate();
    let rows: Vec<Row> = (0..40).map(|seq| row(&entry(seq))).collect();
    let hashes: Vec<Hash> = rows.iter().map(|r| r.2).collect();
    let checkpoints = [10_usize, 25, 40]
        .iter()
        .map(|&size| checkpoint(&signer, &hashes[..size]))
        .collect();
    Log {
        signer,
        rows,
        checkpoints,
    }
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is a test failure"
)]
fn checkpoint(signer: &CheckpointSigner, leaves: &[Hash]) -> SignedCheckpoint {
    signer.sign(Checkpoint {
        origin: ORIGIN.into(),
        size: u64::try_from(leaves.len()).unwrap(),
        root: root_of(leaves),
        time: Utc::now(),
    })
}

fn verify(log: &Log) -> Result<VerifyReport, VerifyError> {
    let mut verifier = LogVerifier::new(log.signer.verifying_key())
        .with_origin(ORIGIN)
        .with_checkpoints(log.checkpoints.clone());
    for (seq, bytes, hash) in &log.rows {
        verifier.push(*seq, bytes, hash)?;
    }
    verifier.finish()
}

#[test]
fn clean_log_verifies() {
    let log = log();
    let hashes: Vec<Hash> = log.rows.iter().map(|r| r.2).collect();
    let report = verify(&log).unwrap();
    assert_eq!(
        report,
        VerifyReport {
            entries: 40,
            root: root_of(&hashes),
            checkpoints_checked: 3,
            latest_checkpoint_size: Some(40),
        }
    );
}

#[test]
fn checkpoints_in_any_order_and_at_size_zero() {
    let mut log = log();
    log.checkpoints.reverse();
    log.checkpoints.push(checkpoint(&log.signer, &[]));
    let report = verify(&log).unwrap();
    assert_eq!(report.checkpoints_checked, 4);
    assert_eq!(report.latest_checkpoint_size, Some(40));
}

#[test]
fn empty_log_without_checkpoints() {
    let signer = CheckpointSigner::generate();
    let report = LogVerifier::new(signer.verifying_key()).finish().unwrap();
    assert_eq!(report.entries, 0);
    assert_eq!(report.root, EMPTY_ROOT);
    assert_eq!(report.latest_checkpoint_size, None);
}

#[test]
fn altered_byte_is_a_leaf_hash_mismatch() {
    let mut log = log();
    let bytes = &mut log.rows[17].1;
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    assert_eq!(verify(&log), Err(VerifyError::LeafHashMismatch { seq: 17 }));
}

#[test]
fn altered_content_with_recomputed_hash_is_a_root_mismatch() {
    let mut log = log();
    let mut forged = entry(17);
    forged.entry.actor = "staff:9999".into();
    log.rows[17] = row(&forged);
    assert_eq!(
        verify(&log),
        Err(VerifyError::RootMismatch {
            checkpoint_size: 25,
            last_good_checkpoint_size: Some(10),
        })
    );
}

#[test]
fn altered_content_before_the_first_checkpoint() {
    let mut log = log();
    let mut forged = entry(3);
    forged.entry.outcome = Outcome::Allowed;
    forged.entry.purpose = None;
    log.rows[3] = row(&forged);
    assert_eq!(
        verify(&log),
        Err(VerifyError::RootMismatch {
            checkpoint_size: 10,
            last_good_checkpoint_size: None,
        })
    );
}

#[test]
fn removed_entry_is_a_gap() {
    let mut log = log();
    log.rows.remove(17);
    assert_eq!(
        verify(&log),
        Err(VerifyError::Gap {
            expected_seq: 17,
            found_seq: 18,
        })
    );
}

#[test]
fn removed_and_renumbered_entries_fail_at_the_next_checkpoint() {
    let mut log = log();
    log.rows.remove(17);
    // Rewrite every later entry one place earlier, with recomputed hashes.
    for (i, r) in log.rows.iter_mut().enumerate().skip(17) {
        let mut e = Entry::from_leaf_bytes(&r.1).unwrap();
        e.seq = u64::try_from(i).unwrap();
        *r = row(&e);
    }
    assert_eq!(
        verify(&log),
        Err(VerifyError::RootMismatch {
            checkpoint_size: 25,
            last_good_checkpoint_size: Some(10),
        })
    );
}

#[test]
fn inserted_copy_is_a_duplicate() {
    let mut log = log();
    let copy = log.rows[17].clone();
    log.rows.insert(18, copy);
    assert_eq!(verify(&log), Err(VerifyError::Duplicate { seq: 17 }));
}

#[test]
fn inserted_older_seq_is_out_of_order() {
    let mut log = log();
    let copy = log.rows[3].clone();
    log.rows.insert(18, copy);
    assert_eq!(verify(&log), Err(VerifyError::OutOfOrder { seq: 3 }));
}

#[test]
fn inserted_forged_entry_is_a_gap_or_root_mismatch() {
    // Inserted without renumbering: the next stored seq jumps.
    let mut log = log();
    let mut forged = entry(18);
    forged.entry.actor = "staff:forged".into();
    log.rows.insert(18, row(&forged));
    log.rows[19].0 = 19;
    for r in log.rows.iter_mut().skip(20) {
        r.0 += 1;
    }
    assert_eq!(
        verify(&log),
        Err(VerifyError::EmbeddedSeqMismatch {
            position: 19,
            embedded: 18,
        })
    );

    // Inserted with everything after it re-encoded: the checkpoint catches it.
    let mut log = log_with_forged_insert();
    assert_eq!(
        verify(&log),
        Err(VerifyError::RootMismatch {
            checkpoint_size: 25,
            last_good_checkpoint_size: Some(10),
        })
    );
    log.checkpoints.truncate(1);
    assert!(
        verify(&log).is_ok(),
        "undetectable without a later checkpoint"
    );
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is a test failure"
)]
fn log_with_forged_insert() -> Log {
    let mut log = log();
    let mut forged = entry(18);
    forged.entry.actor = "staff:forged".into();
    let mut entries: Vec<Entry> = log
        .rows
        .iter()
        .map(|r| Entry::from_leaf_bytes(&r.1).unwrap())
        .collect();
    entries.insert(18, forged);
    for (i, e) in entries.iter_mut().enumerate() {
        e.seq = u64::try_from(i).unwrap();
    }
    log.rows = entries.iter().map(row).collect();
    log
}

#[test]
fn swapped_entries_are_an_embedded_seq_mismatch() {
    let mut log = log();
    let (a, b) = (log.rows[17].clone(), log.rows[18].clone());
    log.rows[17] = (17, b.1, b.2);
    log.rows[18] = (18, a.1, a.2);
    assert_eq!(
        verify(&log),
        Err(VerifyError::EmbeddedSeqMismatch {
            position: 17,
            embedded: 18,
        })
    );
}

#[test]
fn dropped_tail_is_a_checkpoint_beyond_the_log() {
    let mut log = log();
    log.rows.truncate(30);
    assert_eq!(
        verify(&log),
        Err(VerifyError::CheckpointBeyondLog {
            checkpoint_size: 40,
            log_size: 30,
        })
    );
}

#[test]
fn undecodable_leaf_is_reported() {
    let mut log = log();
    let bytes = b"{\"not\":\"an entry\"}".to_vec();
    let hash = leaf_hash(&bytes);
    log.rows[5] = (5, bytes, hash);
    assert!(matches!(
        verify(&log),
        Err(VerifyError::Undecodable { seq: 5, .. })
    ));
}

#[test]
fn bad_signature_is_reported() {
    let mut log = log();
    log.checkpoints[1].signature[7] ^= 0x40;
    assert_eq!(verify(&log), Err(VerifyError::BadSignature { size: 25 }));
}

#[test]
fn checkpoint_content_changed_after_signing_is_a_bad_signature() {
    let mut log = log();
    log.checkpoints[0].checkpoint.root = EMPTY_ROOT;
    assert_eq!(verify(&log), Err(VerifyError::BadSignature { size: 10 }));
}

#[test]
fn checkpoint_from_another_key_is_rejected() {
    let mut log = log();
    let other = CheckpointSigner::generate();
    let hashes: Vec<Hash> = log.rows.iter().map(|r| r.2).collect();
    log.checkpoints[2] = checkpoint(&other, &hashes);
    assert!(matches!(
        verify(&log),
        Err(VerifyError::InvalidCheckpoint {
            size: 40,
            reason: CheckpointError::KeyIdMismatch { .. },
        })
    ));
}

#[test]
fn checkpoint_for_another_origin_is_rejected() {
    let mut log = log();
    let hashes: Vec<Hash> = log.rows.iter().map(|r| r.2).collect();
    log.checkpoints[0] = log.signer.sign(Checkpoint {
        origin: "elsewhere".into(),
        size: 10,
        root: root_of(&hashes[..10]),
        time: Utc::now(),
    });
    assert!(matches!(
        verify(&log),
        Err(VerifyError::OriginMismatch { size: 10, .. })
    ));
}

#[test]
fn verifier_stays_failed_after_an_error() {
    let log = log();
    let mut verifier = LogVerifier::new(log.signer.verifying_key());
    let (seq, bytes, hash) = &log.rows[1];
    let err = verifier.push(*seq, bytes, hash).unwrap_err();
    assert_eq!(
        err,
        VerifyError::Gap {
            expected_seq: 0,
            found_seq: 1
        }
    );
    let (seq, bytes, hash) = &log.rows[0];
    assert_eq!(verifier.push(*seq, bytes, hash), Err(err.clone()));
    assert_eq!(verifier.finish(), Err(err));
}
