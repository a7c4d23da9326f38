//! Brief overview: the security-critical maths of Bluelamp's append-only audit
//! log (DPA 2018 s.62 logging). No I/O, no async, no database.
//!
//! - [`Entry`] / [`NewEntry`]: one log entry (ids, [`LogKind`], purpose,
//!   [`Outcome`], hashes; never personal content) and its canonical leaf bytes.
//! - Merkle tree per RFC 6962 / RFC 9162: [`leaf_hash`], [`node_hash`],
//!   [`root_of`], the incremental [`Frontier`], and inclusion and consistency
//!   proofs ([`inclusion_proof`], [`consistency_proof`], [`verify_inclusion`],
//!   [`verify_consistency`], failing with [`ProofError`]).
//! - [`Checkpoint`] / [`SignedCheckpoint`]: Ed25519-signed commitments to the
//!   log's size and root, made by a [`CheckpointSigner`], in a signed-note text form.
//! - [`LogVerifier`]: streams every stored row, recomputes hashes and the root at
//!   each checkpoint, and names the first bad entry ([`VerifyError`]) or
//!   returns a [`VerifyReport`].
//! - [`Witness`]: follows the signed checkpoints, accepting a newer one only with a
//!   consistency proof, and reports a split view (two roots for one size) as its own
//!   error ([`WitnessError`]).
//!
//! Entry `seq`s are 0-based and equal the leaf index in the tree.
//!
//! ```
//! use bluelamp_audit::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let signer = CheckpointSigner::generate();
//! let mut frontier = Frontier::new();
//! let mut rows = Vec::new();
//! for seq in 0..3 {
//!     let entry = Entry {
//!         seq,
//!         entry: NewEntry {
//!             at: truncate_to_micros(chrono::Utc::now()),
//!             actor: "system".into(),
//!             kind: LogKind::Consultation,
//!             action: "record.read".into(),
//!             purpose: Some("example".into()),
//!             records: vec![uuid::Uuid::now_v7()],
//!             recipients: vec![],
//!             digest: None,
//!             outcome: Outcome::Allowed,
//!         },
//!     };
//!     let bytes = entry.leaf_bytes();
//!     assert_eq!(Entry::from_leaf_bytes(&bytes)?, entry);
//!     frontier.push(leaf_hash(&bytes));
//!     rows.push((seq, bytes, entry.leaf_hash()));
//! }
//! let checkpoint = signer.sign(Checkpoint {
//!     origin: "bluelamp.example/audit".into(),
//!     size: frontier.size(),
//!     root: frontier.root(),
//!     time: chrono::Utc::now(),
//! });
//! let text = checkpoint.to_text();
//!
//! let mut verifier = LogVerifier::new(signer.verifying_key())
//!     .with_checkpoints(vec![SignedCheckpoint::parse(&text)?]);
//! for (seq, bytes, hash) in &rows {
//!     verifier.push(*seq, bytes, hash)?;
//! }
//! let report = verifier.finish()?;
//! assert_eq!((report.entries, report.latest_checkpoint_size), (3, Some(3)));
//!
//! let hashes: Vec<Hash> = rows.iter().map(|r| r.2).collect();
//! let proof = inclusion_proof(&hashes, 1, 3)?;
//! verify_inclusion(&hashes[1], 1, 3, &proof, &report.root)?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod checkpoint;
mod entry;
mod merkle;
mod verifier;
mod witness;

pub use checkpoint::{
    Checkpoint, CheckpointError, CheckpointSigner, KeyError, SIGNATURE_NAME, SignedCheckpoint,
    key_id, verifying_key_from_pem, verifying_key_to_pem,
};
pub use ed25519_dalek::VerifyingKey;
pub use entry::{
    Entry, EntryError, LEAF_VERSION, LogKind, NewEntry, Outcome, UnknownLogKind,
    format_canonical_time, parse_canonical_time, truncate_to_micros,
};
pub use merkle::{
    EMPTY_ROOT, Frontier, Hash, ProofError, consistency_proof, inclusion_proof, leaf_hash,
    node_hash, root_of, verify_consistency, verify_inclusion,
};
pub use verifier::{LogVerifier, VerifyError, VerifyReport};
pub use witness::{Witness, WitnessError, Witnessed};
