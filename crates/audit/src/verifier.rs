//! The streaming log verifier: recomputes every leaf hash and the Merkle root
//! at every checkpoint, in O(log n) memory, naming the first bad entry.

use std::collections::VecDeque;

use ed25519_dalek::VerifyingKey;

use crate::checkpoint::{CheckpointError, SignedCheckpoint};
use crate::entry::Entry;
use crate::merkle::{Frontier, Hash, leaf_hash};

/// Why a log failed verification. Each variant names the first bad entry or checkpoint.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    /// A stored seq was skipped: entries were removed.
    #[error("gap in the log: expected seq {expected_seq}, found seq {found_seq}")]
    Gap {
        /// The seq that should come next.
        expected_seq: u64,
        /// The seq that came instead.
        found_seq: u64,
    },
    /// The previous stored seq came again: an entry was inserted (or duplicated).
    #[error("seq {seq} is a duplicate")]
    Duplicate {
        /// The repeated seq.
        seq: u64,
    },
    /// A stored seq went further backwards: entries were inserted or reordered.
    #[error("seq {seq} is out of order")]
    OutOfOrder {
        /// The backward seq.
        seq: u64,
    },
    /// The entry's content claims another position: entries were reordered.
    #[error("entry at position {position} claims seq {embedded}")]
    EmbeddedSeqMismatch {
        /// The position (stored seq) the entry is at.
        position: u64,
        /// The seq written inside its leaf bytes.
        embedded: u64,
    },
    /// The stored leaf hash is not the hash of the stored bytes: content was altered.
    #[error("leaf hash mismatch at seq {seq}: the entry was altered")]
    LeafHashMismatch {
        /// The seq of the altered entry.
        seq: u64,
    },
    /// The leaf bytes are not a canonical entry.
    #[error("entry at seq {seq} cannot be decoded: {reason}")]
    Undecodable {
        /// The seq of the bad entry.
        seq: u64,
        /// Why it cannot be decoded.
        reason: String,
    },
    /// A checkpoint's signature does not verify with the verifier's key.
    #[error("bad signature on checkpoint of size {size}")]
    BadSignature {
        /// The checkpoint's size.
        size: u64,
    },
    /// A checkpoint is unusable before its signature is even checked: it names
    /// another key id, or its content is invalid.
    #[error("invalid checkpoint of size {size}: {reason}")]
    InvalidCheckpoint {
        /// The checkpoint's size.
        size: u64,
        /// What is wrong with it.
        reason: CheckpointError,
    },
    /// A checkpoint names another log.
    #[error("checkpoint of size {size} has origin {found:?}, expected {expected:?}")]
    OriginMismatch {
        /// The checkpoint's size.
        size: u64,
        /// The origin the verifier was told to expect.
        expected: String,
        /// The checkpoint's origin.
        found: String,
    },
    /// The log's root at a checkpoint's size differs from the signed root: the
    /// first bad entry is in `(last_good_checkpoint_size, checkpoint_size]`
    /// (seqs `last_good..checkpoint_size`, 0-based).
    #[error(
        "root mismatch at checkpoint of size {checkpoint_size}; last good checkpoint size {last_good_checkpoint_size:?}"
    )]
    RootMismatch {
        /// The size of the checkpoint whose root differs.
        checkpoint_size: u64,
        /// The largest checkpoint size that matched, if any.
        last_good_checkpoint_size: Option<u64>,
    },
    /// A checkpoint is larger than the log: entries were removed from the tail.
    #[error("checkpoint of size {checkpoint_size} is beyond the log of size {log_size}")]
    CheckpointBeyondLog {
        /// The (smallest) checkpoint size beyond the log.
        checkpoint_size: u64,
        /// The number of entries in the log.
        log_size: u64,
    },
}

/// What a successful verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// The number of entries verified.
    pub entries: u64,
    /// The Merkle root of all of them.
    pub root: Hash,
    /// How many checkpoints were verified.
    pub checkpoints_checked: u64,
    /// The size of the largest verified checkpoint, if any.
    pub latest_checkpoint_size: Option<u64>,
}

/// Verifies a stored log as it streams past, with O(log n) memory.
///
/// Give it the checkpoints up front ([`LogVerifier::with_checkpoints`]), push
/// every stored row in seq order ([`LogVerifier::push`]), then call
/// [`LogVerifier::finish`]. Seqs are 0-based leaf indexes. Each checkpoint is
/// checked (signature, then root) as soon as the pushed size reaches its size.
/// After an error the verifier keeps returning that error.
#[derive(Debug, Clone)]
pub struct LogVerifier {
    key: VerifyingKey,
    origin: Option<String>,
    frontier: Frontier,
    pending: VecDeque<SignedCheckpoint>,
    checkpoints_checked: u64,
    last_good: Option<u64>,
    failed: Option<VerifyError>,
}

impl LogVerifier {
    /// A verifier that checks checkpoint signatures against `key`.
    #[must_use]
    pub fn new(key: VerifyingKey) -> Self {
        Self {
            key,
            origin: None,
            frontier: Frontier::new(),
            pending: VecDeque::new(),
            checkpoints_checked: 0,
            last_good: None,
            failed: None,
        }
    }

    /// Adds checkpoints to check (in any order; they are sorted by size).
    /// Call it before pushing entries: a checkpoint smaller than the size
    /// already pushed can no longer be checked and fails as a root mismatch.
    #[must_use]
    pub fn with_checkpoints(mut self, checkpoints: Vec<SignedCheckpoint>) -> Self {
        self.pending.extend(checkpoints);
        self.pending
            .make_contiguous()
            .sort_by_key(|c| c.checkpoint.size);
        self
    }

    /// Requires every checkpoint to name this origin.
    #[must_use]
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// The number of entries pushed so far.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// Feeds the next stored row: its stored seq, stored leaf bytes and stored leaf hash.
    ///
    /// # Errors
    /// The first problem found, as a [`VerifyError`]; checked in the order
    /// seq, leaf hash, decoding, embedded seq, then any checkpoint now due.
    pub fn push(
        &mut self,
        stored_seq: u64,
        leaf_bytes: &[u8],
        stored_leaf_hash: &Hash,
    ) -> Result<(), VerifyError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let result = self.push_inner(stored_seq, leaf_bytes, stored_leaf_hash);
        self.remember(result)
    }

    fn push_inner(
        &mut self,
        stored_seq: u64,
        leaf_bytes: &[u8],
        stored_leaf_hash: &Hash,
    ) -> Result<(), VerifyError> {
        // Checkpoints of size 0 are due before any entry.
        self.check_due()?;
        let expected_seq = self.frontier.size();
        if stored_seq < expected_seq {
            return Err(if stored_seq.saturating_add(1) == expected_seq {
                VerifyError::Duplicate { seq: stored_seq }
            } else {
                VerifyError::OutOfOrder { seq: stored_seq }
            });
        }
        if stored_seq > expected_seq {
            return Err(VerifyError::Gap {
                expected_seq,
                found_seq: stored_seq,
            });
        }
        let hash = leaf_hash(leaf_bytes);
        if &hash != stored_leaf_hash {
            return Err(VerifyError::LeafHashMismatch { seq: stored_seq });
        }
        let entry = Entry::from_leaf_bytes(leaf_bytes).map_err(|e| VerifyError::Undecodable {
            seq: stored_seq,
            reason: e.to_string(),
        })?;
        if entry.seq != stored_seq {
            return Err(VerifyError::EmbeddedSeqMismatch {
                position: stored_seq,
                embedded: entry.seq,
            });
        }
        self.frontier.push(hash);
        self.check_due()
    }

    /// Checks every pending checkpoint whose size is the current size.
    fn check_due(&mut self) -> Result<(), VerifyError> {
        let size = self.frontier.size();
        while let Some(next) = self.pending.front() {
            if next.checkpoint.size > size {
                break;
            }
            let cp = &next.checkpoint;
            next.verify(&self.key).map_err(|reason| match reason {
                CheckpointError::BadSignature => VerifyError::BadSignature { size: cp.size },
                reason => VerifyError::InvalidCheckpoint {
                    size: cp.size,
                    reason,
                },
            })?;
            if let Some(expected) = &self.origin
                && expected != &cp.origin
            {
                return Err(VerifyError::OriginMismatch {
                    size: cp.size,
                    expected: expected.clone(),
                    found: cp.origin.clone(),
                });
            }
            // Sizes below the current one cannot occur: every size is checked
            // as it is reached, and size 0 before the first entry.
            if cp.size != size || cp.root != self.frontier.root() {
                return Err(VerifyError::RootMismatch {
                    checkpoint_size: cp.size,
                    last_good_checkpoint_size: self.last_good,
                });
            }
            self.last_good = Some(cp.size);
            self.checkpoints_checked = self.checkpoints_checked.saturating_add(1);
            self.pending.pop_front();
        }
        Ok(())
    }

    fn remember(&mut self, result: Result<(), VerifyError>) -> Result<(), VerifyError> {
        if let Err(err) = &result {
            self.failed = Some(err.clone());
        }
        result
    }

    /// Ends the stream: checks any checkpoints still due and that none is
    /// beyond the log, and reports what was verified.
    ///
    /// # Errors
    /// The first problem found, notably [`VerifyError::CheckpointBeyondLog`].
    pub fn finish(mut self) -> Result<VerifyReport, VerifyError> {
        if let Some(err) = self.failed.take() {
            return Err(err);
        }
        self.check_due()?;
        let log_size = self.frontier.size();
        if let Some(beyond) = self.pending.front() {
            return Err(VerifyError::CheckpointBeyondLog {
                checkpoint_size: beyond.checkpoint.size,
                log_size,
            });
        }
        Ok(VerifyReport {
            entries: log_size,
            root: self.frontier.root(),
            checkpoints_checked: self.checkpoints_checked,
            latest_checkpoint_size: self.last_good,
        })
    }
}
