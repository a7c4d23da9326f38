//! Conversions every backend needs between the store's types and database values: integer
//! ranges, stored hashes, classification codes, and the numbering of new audit entries.

use bluelamp_audit::{Entry, Hash, NewEntry};
use bluelamp_domain::marking::Classification;

use crate::{StoreError, StoreResult};

/// Converts a sequence number or size for binding; values past `i64::MAX` cannot be stored.
pub fn i64_from_u64(value: u64, what: &str) -> StoreResult<i64> {
    i64::try_from(value)
        .map_err(|_| StoreError::Database(format!("{what} {value} is out of range")))
}

/// Converts a stored integer back; a negative value means the data is corrupt.
pub fn u64_from_i64(value: i64, what: &str) -> StoreResult<u64> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value} is negative")))
}

/// The classification as its wire code (`OFFICIAL`, `SECRET`, `TOP_SECRET`).
pub fn classification_code(classification: Classification) -> StoreResult<String> {
    match serde_json::to_value(classification) {
        Ok(serde_json::Value::String(code)) => Ok(code),
        other => Err(StoreError::Database(format!(
            "classification does not encode as a string: {other:?}"
        ))),
    }
}

/// A 32-byte hash from a stored blob.
pub fn hash_from_bytes(bytes: Vec<u8>, column: &str) -> StoreResult<Hash> {
    <[u8; 32]>::try_from(bytes).map_err(|bytes| {
        StoreError::Corrupt(format!(
            "column {column}: {} bytes, expected 32",
            bytes.len()
        ))
    })
}

/// One audit row ready to insert.
pub struct AuditRowToInsert {
    /// The sequence number, as stored.
    pub seq: i64,
    /// The canonical leaf bytes.
    pub leaf: Vec<u8>,
    /// The RFC 6962 leaf hash of `leaf`.
    pub leaf_hash: Hash,
}

/// Numbers `entries` from `first_seq` and computes their leaves; returns the rows and the
/// assigned sequence numbers.
pub fn number_audit_entries(
    first_seq: u64,
    entries: &[NewEntry],
) -> StoreResult<(Vec<AuditRowToInsert>, Vec<u64>)> {
    let mut rows = Vec::with_capacity(entries.len());
    let mut seqs = Vec::with_capacity(entries.len());
    let mut seq = first_seq;
    for new_entry in entries {
        let entry = Entry {
            seq,
            entry: new_entry.clone(),
        };
        let leaf = entry.leaf_bytes();
        let leaf_hash = bluelamp_audit::leaf_hash(&leaf);
        rows.push(AuditRowToInsert {
            seq: i64_from_u64(seq, "audit sequence number")?,
            leaf,
            leaf_hash,
        });
        seqs.push(seq);
        seq = seq
            .checked_add(1)
            .ok_or_else(|| StoreError::Database("audit sequence number overflow".to_owned()))?;
    }
    Ok((rows, seqs))
}
