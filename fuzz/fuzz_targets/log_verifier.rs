//! `LogVerifier` fed arbitrary rows and checkpoints never panics, and:
//!
//! - an honest log (every row the next valid entry, every checkpoint signed by the trusted
//!   key over a true root) always verifies, with the exact report;
//! - a row that was tampered with by construction (wrong stored seq, altered bytes under the
//!   old hash, wrong embedded seq) is always refused;
//! - a row it accepts really is the entry at that seq, hashing to the stored hash;
//! - a failure is sticky: every later push and `finish` give the first error;
//! - with honest rows, any dishonest checkpoint makes `finish` fail.
#![no_main]

use arbitrary::Arbitrary;
use bluelamp_audit::{
    Checkpoint, Entry, Hash, LogVerifier, SignedCheckpoint, VerifyError, leaf_hash, root_of,
};
use bluelamp_fuzz::{bounded, fixed_signer, fixed_time, honest_entry, other_signer};
use libfuzzer_sys::fuzz_target;

const ORIGIN: &str = "bluelamp.example/audit";
const MAX_ROWS: usize = 64;
const MAX_CHECKPOINTS: usize = 8;

#[derive(Arbitrary, Debug)]
enum Row {
    /// The next entry of the honest log.
    Honest,
    /// The next honest entry stored under another seq.
    Reseq { delta: i8 },
    /// The next honest entry with one byte altered, stored with the original hash.
    Tampered { at: u16, mask: u8 },
    /// The next honest entry with one byte altered and the hash recomputed.
    TamperedRehashed { at: u16, mask: u8 },
    /// An entry claiming another seq, with a correct hash, stored at the expected seq.
    EmbeddedSeq { seq: u64 },
    /// Anything at all.
    Raw {
        seq: u64,
        bytes: Vec<u8>,
        hash: Option<Hash>,
    },
}

#[derive(Arbitrary, Debug)]
enum Check {
    /// Signed by the trusted key over the honest root at a size within the log.
    Honest { size: u16 },
    /// Trusted key, wrong root.
    WrongRoot { size: u16, root: Hash },
    /// Honest content signed by another key.
    WrongKey { size: u16 },
    /// Trusted key, another origin.
    OtherOrigin { size: u16, origin: String },
    /// Trusted key, true root of the log's size but claiming to be beyond it.
    Beyond { extra: u16 },
    /// A checkpoint with arbitrary fields.
    Forged {
        size: u64,
        root: Hash,
        key_id: String,
        signature: [u8; 64],
        origin: String,
    },
    /// Whatever `SignedCheckpoint::parse` makes of some text.
    Text(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    check_origin: bool,
    salt: String,
    rows: Vec<Row>,
    checkpoints: Vec<Check>,
}

fuzz_target!(|input: Input| {
    let rows = &input.rows[..input.rows.len().min(MAX_ROWS)];
    let checks = &input.checkpoints[..input.checkpoints.len().min(MAX_CHECKPOINTS)];
    let n = u64::try_from(rows.len()).expect("few rows");

    // The honest log the rows are measured against.
    let honest: Vec<(Vec<u8>, Hash)> = (0..n)
        .map(|seq| {
            let bytes = honest_entry(seq, &input.salt).leaf_bytes();
            let hash = leaf_hash(&bytes);
            (bytes, hash)
        })
        .collect();
    let hashes: Vec<Hash> = honest.iter().map(|(_, h)| *h).collect();
    let root_at = |size: u64| root_of(&hashes[..usize::try_from(size).expect("small")]);

    let signer = fixed_signer();
    let sign = |signer: &bluelamp_audit::CheckpointSigner, origin: &str, size: u64, root: Hash| {
        signer.sign(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            time: fixed_time(),
        })
    };

    let mut checkpoints = Vec::new();
    for check in checks {
        let cp = match check {
            Check::Honest { size } => {
                let size = bounded(u64::from(*size), n);
                sign(&signer, ORIGIN, size, root_at(size))
            }
            Check::WrongRoot { size, root } => {
                let size = bounded(u64::from(*size), n);
                sign(&signer, ORIGIN, size, *root)
            }
            Check::WrongKey { size } => {
                let size = bounded(u64::from(*size), n);
                sign(&other_signer(), ORIGIN, size, root_at(size))
            }
            Check::OtherOrigin { size, origin } => {
                let size = bounded(u64::from(*size), n);
                sign(&signer, origin, size, root_at(size))
            }
            Check::Beyond { extra } => {
                let size = n.saturating_add(1).saturating_add(u64::from(*extra));
                sign(&signer, ORIGIN, size, root_at(n))
            }
            Check::Forged {
                size,
                root,
                key_id,
                signature,
                origin,
            } => SignedCheckpoint {
                checkpoint: Checkpoint {
                    origin: origin.clone(),
                    size: *size,
                    root: *root,
                    time: fixed_time(),
                },
                key_id: key_id.clone(),
                signature: *signature,
            },
            Check::Text(text) => match SignedCheckpoint::parse(text) {
                Ok(cp) => cp,
                Err(_) => continue,
            },
        };
        checkpoints.push(cp);
    }
    // What the verifier must accept, given honest rows: signed by the trusted key, the
    // expected origin (when one is set), within the log and over the true root.
    let honest_checkpoints = checkpoints.iter().all(|cp| {
        let c = &cp.checkpoint;
        cp.verify(&signer.verifying_key()).is_ok()
            && (!input.check_origin || c.origin == ORIGIN)
            && c.size <= n
            && c.root == root_at(c.size)
    });
    let checkpoints_given = u64::try_from(checkpoints.len()).expect("few checkpoints");
    let largest_checkpoint = checkpoints.iter().map(|c| c.checkpoint.size).max();

    let mut verifier = LogVerifier::new(signer.verifying_key()).with_checkpoints(checkpoints);
    if input.check_origin {
        verifier = verifier.with_origin(ORIGIN);
    }

    let mut honest_rows = true;
    let mut first_error: Option<VerifyError> = None;
    for (row, (honest_bytes, honest_hash)) in rows.iter().zip(&honest) {
        let expected_seq = verifier.size();
        let (seq, bytes, hash, must_refuse) = match row {
            Row::Honest => (expected_seq, honest_bytes.clone(), *honest_hash, false),
            Row::Reseq { delta } => {
                let seq = expected_seq.saturating_add_signed(i64::from(*delta));
                (seq, honest_bytes.clone(), *honest_hash, seq != expected_seq)
            }
            Row::Tampered { at, mask } => {
                let mut bytes = honest_bytes.clone();
                let i = usize::from(*at) % bytes.len();
                bytes[i] ^= mask | 1;
                (expected_seq, bytes, *honest_hash, true)
            }
            Row::TamperedRehashed { at, mask } => {
                let mut bytes = honest_bytes.clone();
                let i = usize::from(*at) % bytes.len();
                bytes[i] ^= mask | 1;
                let hash = leaf_hash(&bytes);
                (expected_seq, bytes, hash, false)
            }
            Row::EmbeddedSeq { seq } => {
                let entry = Entry {
                    seq: *seq,
                    ..honest_entry(expected_seq, &input.salt)
                };
                let bytes = entry.leaf_bytes();
                let hash = leaf_hash(&bytes);
                (expected_seq, bytes, hash, *seq != expected_seq)
            }
            Row::Raw { seq, bytes, hash } => {
                let hash = hash.unwrap_or_else(|| leaf_hash(bytes));
                (*seq, bytes.clone(), hash, false)
            }
        };
        honest_rows &= seq == expected_seq && bytes == *honest_bytes && hash == *honest_hash;

        let result = verifier.push(seq, &bytes, &hash);
        match (&first_error, &result) {
            (Some(first), _) => assert_eq!(
                result.as_ref(),
                Err(first),
                "a failed verifier must keep returning its first error"
            ),
            (None, Err(e)) => first_error = Some(e.clone()),
            (None, Ok(())) => {
                assert!(!must_refuse, "tampered row {row:?} was accepted");
                assert_eq!(seq, expected_seq, "accepted a row out of sequence");
                assert_eq!(
                    leaf_hash(&bytes),
                    hash,
                    "accepted a row whose hash is wrong"
                );
                let entry = Entry::from_leaf_bytes(&bytes)
                    .unwrap_or_else(|e| panic!("accepted an undecodable row: {e}"));
                assert_eq!(entry.seq, seq, "accepted a row claiming another seq");
                assert_eq!(verifier.size(), expected_seq + 1);
            }
        }
    }

    let report = verifier.finish();
    if let Some(first) = &first_error {
        assert_eq!(
            report.as_ref(),
            Err(first),
            "finish must return the first error"
        );
    }
    if honest_rows {
        if honest_checkpoints {
            let report = report.unwrap_or_else(|e| panic!("an honest log failed: {e}"));
            assert_eq!(report.entries, n);
            assert_eq!(report.root, root_at(n));
            assert_eq!(report.checkpoints_checked, checkpoints_given);
            assert_eq!(report.latest_checkpoint_size, largest_checkpoint);
        } else {
            assert!(report.is_err(), "a dishonest checkpoint was accepted");
        }
    }
});
