//! Helpers shared by the fuzz targets in `fuzz_targets/`: a fixed checkpoint signer,
//! audit entries built from fuzz input, and small bounded-number helpers.
//!
//! Nothing here is used outside fuzzing; panics are the point (they are what libFuzzer
//! reports), so assertions and `expect` are used freely.

use arbitrary::{Result, Unstructured};
use bluelamp_audit::{CheckpointSigner, Entry, LogKind, NewEntry, Outcome};
use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use uuid::Uuid;

/// The first microsecond that has a canonical time: 0000-01-01T00:00:00Z.
pub const MIN_CANONICAL_MICROS: i64 = -62_167_219_200_000_000;
/// The last microsecond that has a canonical time: 9999-12-31T23:59:59.999999Z.
pub const MAX_CANONICAL_MICROS: i64 = 253_402_300_799_999_999;

/// The checkpoint signer every target trusts: a fixed key, so crashes reproduce.
#[must_use]
pub fn fixed_signer() -> CheckpointSigner {
    CheckpointSigner::from_signing_key(SigningKey::from_bytes(&[0x42; 32]))
}

/// A second fixed signer, whose checkpoints the verifier must reject.
#[must_use]
pub fn other_signer() -> CheckpointSigner {
    CheckpointSigner::from_signing_key(SigningKey::from_bytes(&[0x24; 32]))
}

/// A fixed, canonical time for checkpoints and honest entries.
#[must_use]
pub fn fixed_time() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(1_795_788_000_123_456).expect("a valid fixed time")
}

/// A time in the range the leaf encoding can write (years 0000–9999), whole microseconds.
pub fn canonical_time(u: &mut Unstructured<'_>) -> Result<DateTime<Utc>> {
    let micros = u.int_in_range(MIN_CANONICAL_MICROS..=MAX_CANONICAL_MICROS)?;
    Ok(DateTime::from_timestamp_micros(micros).expect("canonical range is representable"))
}

/// An audit entry at `seq` whose every field comes from the fuzz input.
pub fn arbitrary_entry(u: &mut Unstructured<'_>, seq: u64) -> Result<Entry> {
    let at = canonical_time(u)?;
    let actor: String = u.arbitrary()?;
    let kind = *u.choose(&LogKind::ALL)?;
    let action: String = u.arbitrary()?;
    let purpose: Option<String> = u.arbitrary()?;
    let records = u
        .arbitrary_iter::<[u8; 16]>()?
        .take(8)
        .map(|bytes| bytes.map(Uuid::from_bytes))
        .collect::<Result<Vec<_>>>()?;
    let recipients = u
        .arbitrary_iter::<String>()?
        .take(8)
        .collect::<Result<Vec<_>>>()?;
    let digest: Option<String> = u.arbitrary()?;
    let outcome = if u.arbitrary()? {
        Outcome::Allowed
    } else {
        Outcome::Denied
    };
    Ok(Entry {
        seq,
        entry: NewEntry {
            at,
            actor,
            kind,
            action,
            purpose,
            records,
            recipients,
            digest,
            outcome,
        },
    })
}

/// A plausible entry at `seq` that depends only on `seq` and `salt`: the honest log.
#[must_use]
pub fn honest_entry(seq: u64, salt: &str) -> Entry {
    let kind_index = usize::try_from(seq % 6).expect("less than six");
    Entry {
        seq,
        entry: NewEntry {
            at: fixed_time(),
            actor: format!("staff:{salt}"),
            kind: LogKind::ALL[kind_index],
            action: "record.read".to_owned(),
            purpose: (seq % 2 == 0).then(|| format!("purpose {seq}")),
            records: vec![Uuid::from_u128(u128::from(seq))],
            recipients: Vec::new(),
            digest: None,
            outcome: if seq % 3 == 0 {
                Outcome::Denied
            } else {
                Outcome::Allowed
            },
        },
    }
}

/// `value` reduced into `0..=max` (for turning arbitrary numbers into sizes and indexes).
#[must_use]
pub fn bounded(value: u64, max: u64) -> u64 {
    value % max.saturating_add(1).max(1)
}
