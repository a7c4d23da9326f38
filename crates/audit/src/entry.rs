//! The audit log entry (the content of a Merkle leaf) and its canonical encoding.
//!
//! An entry never holds personal content: only ids, kinds, purpose text and
//! hashes. Its leaf bytes are a canonical JSON object with a fixed field order
//! and no whitespace, written by hand here (not by a serialiser whose output
//! could change between versions), so the same entry always hashes the same:
//!
//! ```text
//! {"v":1,"seq":7,"at":"2026-11-27T10:00:00.123456Z","actor":"system","kind":"consultation",
//!  "action":"record.read","purpose":null,"records":["0190…"],"recipients":[],"digest":null,
//!  "outcome":"allowed"}
//! ```
//! (shown wrapped; the real bytes are one line).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::merkle::{Hash, leaf_hash};

/// The version of the leaf encoding, written as the `"v"` field.
pub const LEAF_VERSION: u32 = 1;

/// The six DPA 2018 s.62 log kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// Collection of personal data.
    Collection,
    /// Alteration of personal data.
    Alteration,
    /// Consultation (viewing) of personal data.
    Consultation,
    /// Disclosure, including transfer, of personal data.
    Disclosure,
    /// Combination of personal data.
    Combination,
    /// Erasure of personal data.
    Erasure,
}

impl LogKind {
    /// Every kind, in the order of s.62(1).
    pub const ALL: [LogKind; 6] = [
        LogKind::Collection,
        LogKind::Alteration,
        LogKind::Consultation,
        LogKind::Disclosure,
        LogKind::Combination,
        LogKind::Erasure,
    ];

    /// The snake-case name, as used in the leaf encoding and in serde.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            LogKind::Collection => "collection",
            LogKind::Alteration => "alteration",
            LogKind::Consultation => "consultation",
            LogKind::Disclosure => "disclosure",
            LogKind::Combination => "combination",
            LogKind::Erasure => "erasure",
        }
    }
}

impl fmt::Display for LogKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a string that names no [`LogKind`].
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("unknown log kind {0:?}")]
pub struct UnknownLogKind(pub String);

impl FromStr for LogKind {
    type Err = UnknownLogKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LogKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownLogKind(s.to_owned()))
    }
}

/// Whether the logged operation was allowed or denied (denied attempts are logged too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The operation was permitted and carried out.
    Allowed,
    /// The operation was refused.
    Denied,
}

impl Outcome {
    /// The snake-case name, as used in the leaf encoding and in serde.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Formats a time canonically: RFC 3339 in UTC with a `Z` and exactly six
/// fractional digits, truncating anything below a microsecond
/// (e.g. `2026-11-27T10:00:00.123456Z`).
///
/// Years outside 0000–9999 cannot be written in RFC 3339 and so do not
/// round-trip through [`parse_canonical_time`].
#[must_use]
pub fn format_canonical_time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Truncates a time to whole microseconds, the precision of the log, so that
/// an entry round-trips through its leaf bytes exactly.
#[must_use]
pub fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// Parses a time written by [`format_canonical_time`], rejecting any other
/// spelling of it (other offsets, other precisions, lower-case `t` or `z`).
///
/// # Errors
/// A lowercase message if the text is not a canonical time.
pub fn parse_canonical_time(text: &str) -> Result<DateTime<Utc>, String> {
    let parsed = DateTime::parse_from_rfc3339(text)
        .map_err(|e| format!("invalid time {text:?}: {e}"))?
        .with_timezone(&Utc);
    reject_leap_second(&parsed)?;
    if format_canonical_time(&parsed) == text {
        Ok(parsed)
    } else {
        Err(format!("time {text:?} is not in canonical form"))
    }
}

/// Refuses a leap second (`:60`), which chrono keeps as a nanosecond count of a second or
/// more: truncation would move it to the next minute, so the signed or hashed time would differ
/// from the time given.
fn reject_leap_second(at: &DateTime<Utc>) -> Result<(), String> {
    if chrono::Timelike::nanosecond(at) >= 1_000_000_000 {
        Err(format!(
            "time {} is a leap second, which the log does not accept",
            at.format("%Y-%m-%dT%H:%M:%S")
        ))
    } else {
        Ok(())
    }
}

/// Serde helpers that write a time canonically and read any RFC 3339 time,
/// normalised to UTC and truncated to microseconds.
mod canonical_time_serde {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_canonical_time(at))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        let parsed = DateTime::parse_from_rfc3339(&text)
            .map_err(serde::de::Error::custom)?
            .with_timezone(&Utc);
        super::reject_leap_second(&parsed).map_err(serde::de::Error::custom)?;
        Ok(super::truncate_to_micros(parsed))
    }
}

/// What the application asks to append; the store assigns the `seq`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntry {
    /// When it happened; logged to the microsecond (see [`format_canonical_time`]).
    #[serde(with = "canonical_time_serde")]
    pub at: DateTime<Utc>,
    /// Who did it, e.g. `staff:0190…`, `citizen:anonymous`, `system`.
    pub actor: String,
    /// Which s.62 kind of processing it was.
    pub kind: LogKind,
    /// The operation, e.g. `record.create`, `record.read`, `link.create`.
    pub action: String,
    /// The s.62 justification.
    pub purpose: Option<String>,
    /// Ids of the records concerned.
    pub records: Vec<Uuid>,
    /// For disclosures: who received the data.
    pub recipients: Vec<String>,
    /// A digest of evidence, e.g. `sha256:<hex>`.
    pub digest: Option<String>,
    /// Whether the operation was allowed or denied.
    pub outcome: Outcome,
}

/// A stored entry: its position in the log plus the content.
///
/// `seq` is 0-based and equals the entry's leaf index in the Merkle tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The position in the log (0-based leaf index).
    pub seq: u64,
    /// The content.
    pub entry: NewEntry,
}

/// Errors from decoding leaf bytes.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum EntryError {
    /// The bytes are not a JSON object of the leaf's shape.
    #[error("invalid leaf json: {0}")]
    Json(String),
    /// The leaf encoding version is not one this build understands.
    #[error("unsupported leaf version {0}")]
    UnsupportedVersion(u32),
    /// The `at` field is not a canonical time.
    #[error("invalid leaf time: {0}")]
    Time(String),
    /// The bytes decode but are not the canonical encoding of what they hold
    /// (whitespace, field order, escapes, missing `null`s, number or id spelling).
    #[error("leaf bytes are not in canonical form")]
    NonCanonical,
}

/// The decoded shape of leaf bytes, before the canonical check.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LeafFields {
    v: u32,
    seq: u64,
    at: String,
    actor: String,
    kind: LogKind,
    action: String,
    purpose: Option<String>,
    records: Vec<Uuid>,
    recipients: Vec<String>,
    digest: Option<String>,
    outcome: Outcome,
}

impl Entry {
    /// The canonical leaf bytes: a JSON object with the fields `v`, `seq`,
    /// `at`, `actor`, `kind`, `action`, `purpose`, `records`, `recipients`,
    /// `digest`, `outcome` in that order, no whitespace, `null` for absent
    /// options, lowercase hyphenated UUIDs, and minimal string escapes.
    #[must_use]
    pub fn leaf_bytes(&self) -> Vec<u8> {
        let e = &self.entry;
        let mut out = String::with_capacity(192);
        out.push_str("{\"v\":");
        out.push_str(&LEAF_VERSION.to_string());
        out.push_str(",\"seq\":");
        out.push_str(&self.seq.to_string());
        out.push_str(",\"at\":");
        push_json_str(&mut out, &format_canonical_time(&e.at));
        out.push_str(",\"actor\":");
        push_json_str(&mut out, &e.actor);
        out.push_str(",\"kind\":");
        push_json_str(&mut out, e.kind.as_str());
        out.push_str(",\"action\":");
        push_json_str(&mut out, &e.action);
        out.push_str(",\"purpose\":");
        push_json_opt(&mut out, e.purpose.as_deref());
        out.push_str(",\"records\":[");
        for (i, id) in e.records.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(&id.hyphenated().to_string());
            out.push('"');
        }
        out.push_str("],\"recipients\":[");
        for (i, recipient) in e.recipients.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_str(&mut out, recipient);
        }
        out.push_str("],\"digest\":");
        push_json_opt(&mut out, e.digest.as_deref());
        out.push_str(",\"outcome\":");
        push_json_str(&mut out, e.outcome.as_str());
        out.push('}');
        out.into_bytes()
    }

    /// Decodes leaf bytes, accepting only the exact canonical encoding, so that
    /// `Entry::from_leaf_bytes(b)?.leaf_bytes() == b` always holds.
    ///
    /// # Errors
    /// [`EntryError`] if the bytes are not valid JSON of the leaf's shape, have
    /// another version, hold a non-canonical time, or are not canonical.
    pub fn from_leaf_bytes(bytes: &[u8]) -> Result<Entry, EntryError> {
        let fields: LeafFields =
            serde_json::from_slice(bytes).map_err(|e| EntryError::Json(e.to_string()))?;
        if fields.v != LEAF_VERSION {
            return Err(EntryError::UnsupportedVersion(fields.v));
        }
        let at = parse_canonical_time(&fields.at).map_err(EntryError::Time)?;
        let entry = Entry {
            seq: fields.seq,
            entry: NewEntry {
                at,
                actor: fields.actor,
                kind: fields.kind,
                action: fields.action,
                purpose: fields.purpose,
                records: fields.records,
                recipients: fields.recipients,
                digest: fields.digest,
                outcome: fields.outcome,
            },
        };
        if entry.leaf_bytes() == bytes {
            Ok(entry)
        } else {
            Err(EntryError::NonCanonical)
        }
    }

    /// The Merkle leaf hash of [`Entry::leaf_bytes`].
    #[must_use]
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(&self.leaf_bytes())
    }
}

fn push_json_opt(out: &mut String, value: Option<&str>) {
    match value {
        Some(text) => push_json_str(out, text),
        None => out.push_str("null"),
    }
}

/// Writes a JSON string with the minimal escapes: `"` and `\`, the short forms
/// `\b \f \n \r \t`, `\u00xx` (lowercase hex) for other control characters,
/// and every other character as itself in UTF-8.
fn push_json_str(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let code = u32::from(c);
                out.push_str("\\u00");
                for nibble in [code >> 4, code & 0xf] {
                    let digit = usize::try_from(nibble)
                        .ok()
                        .and_then(|i| HEX.get(i))
                        .map_or('0', |b| char::from(*b));
                    out.push(digit);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `checkpoint` fuzz target: a leap second was accepted, then moved to the
    /// next minute by truncation, so the time signed was not the time given.
    #[test]
    fn leap_seconds_are_refused() {
        let error = parse_canonical_time("2026-11-27T10:00:60.000000Z").unwrap_err();
        assert!(error.contains("leap second"), "{error}");
        let json = r#""2026-11-27T10:00:60.000000Z""#;
        assert!(
            serde_json::from_str::<CanonicalTimeProbe>(&format!(r#"{{"at":{json}}}"#)).is_err()
        );
    }

    #[derive(serde::Deserialize)]
    struct CanonicalTimeProbe {
        #[serde(with = "canonical_time_serde")]
        #[expect(dead_code, reason = "only deserialised")]
        at: DateTime<Utc>,
    }

    fn sample() -> Entry {
        Entry {
            seq: 7,
            entry: NewEntry {
                at: parse_canonical_time("2026-11-27T10:00:00.123456Z").unwrap(),
                actor: "staff:0190a1b2".into(),
                kind: LogKind::Disclosure,
                action: "record.disclose".into(),
                purpose: Some("court order \"A\"\n\u{1}é".into()),
                records: vec![Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)],
                recipients: vec!["cps".into(), "court".into()],
                digest: None,
                outcome: Outcome::Allowed,
            },
        }
    }

    #[test]
    fn leaf_bytes_are_the_documented_canonical_json() {
        let bytes = sample().leaf_bytes();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"v":1,"seq":7,"at":"2026-11-27T10:00:00.123456Z","actor":"staff:0190a1b2","kind":"disclosure","action":"record.disclose","purpose":"court order \"A\"\n\u0001é","records":["01900000-0000-7000-8000-000000000001"],"recipients":["cps","court"],"digest":null,"outcome":"allowed"}"#
        );
        assert_eq!(Entry::from_leaf_bytes(&bytes).unwrap(), sample());
        // serde_json agrees it is the same document.
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["purpose"], "court order \"A\"\n\u{1}é");
    }

    #[test]
    fn non_canonical_spellings_are_rejected() {
        let canonical = String::from_utf8(sample().leaf_bytes()).unwrap();
        let variants = [
            canonical.replacen("{\"v\":1,", "{ \"v\":1,", 1),
            canonical.replacen("\"seq\":7", "\"seq\":07", 1),
            canonical.replacen("\"cps\"", "\"\\u0063ps\"", 1),
            canonical.replacen("\\u0001", "\\u0001\\u002f", 1),
            canonical.replacen("0001\"]", "0001\" ]", 1),
            canonical.replacen("000000000001", "00000000000A", 1),
            canonical.replacen(
                "01900000-0000-7000-8000-000000000001",
                "01900000000070008000000000000001",
                1,
            ),
            canonical.replacen(".123456Z", ".123456000Z", 1),
            canonical.replacen(".123456Z", ".123456+00:00", 1),
            canonical.replacen(",\"digest\":null", "", 1),
            canonical.replacen('}', ",\"extra\":1}", 1),
            canonical.replacen("\"v\":1", "\"v\":2", 1),
            format!("{canonical}\n"),
        ];
        for variant in variants {
            assert_ne!(variant, canonical);
            assert!(
                Entry::from_leaf_bytes(variant.as_bytes()).is_err(),
                "accepted {variant}"
            );
        }
        assert_eq!(
            Entry::from_leaf_bytes(canonical.replacen("\"v\":1", "\"v\":2", 1).as_bytes()),
            Err(EntryError::UnsupportedVersion(2))
        );
    }

    #[test]
    fn kinds_parse_and_print() {
        for kind in LogKind::ALL {
            assert_eq!(kind.as_str().parse::<LogKind>(), Ok(kind));
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
        assert_eq!(
            "Collection".parse::<LogKind>(),
            Err(UnknownLogKind("Collection".into()))
        );
    }

    #[test]
    fn new_entry_serde_uses_canonical_time() {
        let mut e = sample().entry;
        e.at = DateTime::parse_from_rfc3339("2026-11-27T11:00:00.123456789+01:00")
            .unwrap()
            .with_timezone(&Utc);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["at"], "2026-11-27T10:00:00.123456Z");
        let back: NewEntry = serde_json::from_value(json).unwrap();
        assert_eq!(back.at, truncate_to_micros(e.at));
    }
}
