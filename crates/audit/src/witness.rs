//! A witness: an independent party that follows the log's signed checkpoints and vouches that
//! the log only grew.
//!
//! A signature alone does not stop a log from showing different histories to different
//! people (a *split view*, TEL-05). A [`Witness`] keeps the last checkpoint it accepted and
//! accepts a newer one only when its signature verifies and a consistency proof shows that
//! the tree it accepted is a prefix of the new one. Two different roots signed for the same
//! size cannot both be honest: that is reported as [`WitnessError::SplitView`], separately
//! from a proof that merely fails ([`WitnessError::Inconsistent`]).
//!
//! The first checkpoint a witness sees is taken on trust (it has nothing to compare it with),
//! unless the witness was started from one it already trusts ([`Witness::starting_from`]).

use crate::checkpoint::{CheckpointError, SignedCheckpoint};
use crate::merkle::{Hash, ProofError, verify_consistency};
use ed25519_dalek::VerifyingKey;

/// Why a witness refused a checkpoint. The witness's state is unchanged by a refusal.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum WitnessError {
    /// The checkpoint's signature (or key id) does not verify with the log's key.
    #[error("checkpoint signature does not verify: {0}")]
    Signature(CheckpointError),
    /// The checkpoint names another log.
    #[error("checkpoint is for log {found:?}, not {expected:?}")]
    WrongOrigin {
        /// The origin the witness follows.
        expected: String,
        /// The origin on the checkpoint.
        found: String,
    },
    /// The log signed two different roots for the same size: it shows different histories
    /// to different readers (TEL-05).
    #[error("split view: the log signed two different roots for size {size}")]
    SplitView {
        /// The tree size both checkpoints claim.
        size: u64,
        /// The root the witness accepted for that size.
        accepted: Hash,
        /// The other root offered for it.
        offered: Hash,
    },
    /// The consistency proof between the accepted checkpoint and the offered one does not
    /// verify: the offered tree does not extend the accepted one (or the proof is wrong).
    #[error(
        "checkpoint of size {offered} is not consistent with the accepted size {accepted}: {error}"
    )]
    Inconsistent {
        /// The size of the checkpoint the witness holds.
        accepted: u64,
        /// The size of the checkpoint offered.
        offered: u64,
        /// Why the proof failed.
        error: ProofError,
    },
}

/// What a witness did with a checkpoint it did not refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Witnessed {
    /// The first checkpoint this witness has seen, taken on trust; it is now the latest.
    First,
    /// A larger tree that extends the accepted one; it is now the latest.
    Grew {
        /// The size accepted before.
        from: u64,
        /// The size accepted now.
        to: u64,
    },
    /// The same size and root as the accepted checkpoint (perhaps signed at another time);
    /// the witness keeps the one it had.
    Same,
    /// A smaller tree that the accepted one extends (the proof runs from the offered
    /// checkpoint to the accepted one); the witness keeps the one it had.
    Older,
}

/// Follows one log: holds the last checkpoint it accepted.
#[derive(Debug, Clone)]
pub struct Witness {
    key: VerifyingKey,
    origin: String,
    latest: Option<SignedCheckpoint>,
}

impl Witness {
    /// A witness of the log `origin` signed with `key`, that has seen nothing yet.
    #[must_use]
    pub fn new(key: VerifyingKey, origin: impl Into<String>) -> Witness {
        Witness {
            key,
            origin: origin.into(),
            latest: None,
        }
    }

    /// A witness that already trusts `checkpoint` (checked with `key`); its origin is the
    /// log it follows.
    ///
    /// # Errors
    /// [`WitnessError::Signature`] if the checkpoint does not verify.
    pub fn starting_from(
        key: VerifyingKey,
        checkpoint: SignedCheckpoint,
    ) -> Result<Witness, WitnessError> {
        checkpoint.verify(&key).map_err(WitnessError::Signature)?;
        Ok(Witness {
            key,
            origin: checkpoint.checkpoint.origin.clone(),
            latest: Some(checkpoint),
        })
    }

    /// The last checkpoint accepted, if any.
    #[must_use]
    pub fn latest(&self) -> Option<&SignedCheckpoint> {
        self.latest.as_ref()
    }

    /// The origin of the log this witness follows.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Offers a checkpoint with the consistency proof between it and the accepted one: from
    /// the accepted size to the offered size when the log grew, from the offered size to the
    /// accepted one when it is older, and empty for the same size (or for the first
    /// checkpoint, when there is nothing to prove).
    ///
    /// # Errors
    /// [`WitnessError::Signature`], [`WitnessError::WrongOrigin`],
    /// [`WitnessError::SplitView`] or [`WitnessError::Inconsistent`]; the witness keeps the
    /// checkpoint it had.
    pub fn offer(
        &mut self,
        offered: &SignedCheckpoint,
        proof: &[Hash],
    ) -> Result<Witnessed, WitnessError> {
        offered.verify(&self.key).map_err(WitnessError::Signature)?;
        if offered.checkpoint.origin != self.origin {
            return Err(WitnessError::WrongOrigin {
                expected: self.origin.clone(),
                found: offered.checkpoint.origin.clone(),
            });
        }
        let Some(latest) = &self.latest else {
            self.latest = Some(offered.clone());
            return Ok(Witnessed::First);
        };
        let (held, new) = (&latest.checkpoint, &offered.checkpoint);
        if held.size == new.size && held.root != new.root {
            return Err(WitnessError::SplitView {
                size: held.size,
                accepted: held.root,
                offered: new.root,
            });
        }
        let inconsistent = |error| WitnessError::Inconsistent {
            accepted: held.size,
            offered: new.size,
            error,
        };
        if held.size == 0 && new.size > 0 {
            // Every log extends the empty one; there is nothing to prove.
            if !proof.is_empty() {
                return Err(inconsistent(ProofError::WrongProofSize {
                    expected: 0,
                    got: u64::try_from(proof.len()).unwrap_or(u64::MAX),
                }));
            }
            self.latest = Some(offered.clone());
            return Ok(Witnessed::Grew {
                from: 0,
                to: new.size,
            });
        }
        if new.size < held.size {
            verify_consistency(new.size, held.size, &new.root, &held.root, proof)
                .map_err(inconsistent)?;
            return Ok(Witnessed::Older);
        }
        verify_consistency(held.size, new.size, &held.root, &new.root, proof)
            .map_err(inconsistent)?;
        if new.size == held.size {
            return Ok(Witnessed::Same);
        }
        let from = held.size;
        self.latest = Some(offered.clone());
        Ok(Witnessed::Grew { from, to: new.size })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::checkpoint::{Checkpoint, CheckpointSigner};
    use crate::merkle::{consistency_proof, leaf_hash, root_of};

    const ORIGIN: &str = "bluelamp.example/audit";

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    fn checkpoint(signer: &CheckpointSigner, leaves: &[Hash], size: u64) -> SignedCheckpoint {
        let prefix = leaves
            .get(..usize::try_from(size).unwrap_or(usize::MAX))
            .unwrap_or(leaves);
        signer.sign(Checkpoint {
            origin: ORIGIN.to_owned(),
            size,
            root: root_of(prefix),
            time: Utc::now(),
        })
    }

    #[test]
    fn follows_a_growing_log() {
        let signer = CheckpointSigner::generate();
        let all = leaves(20);
        let mut witness = Witness::new(signer.verifying_key(), ORIGIN);
        assert_eq!(
            witness.offer(&checkpoint(&signer, &all, 3), &[]),
            Ok(Witnessed::First)
        );
        let proof = consistency_proof(&all, 3, 11).unwrap();
        assert_eq!(
            witness.offer(&checkpoint(&signer, &all, 11), &proof),
            Ok(Witnessed::Grew { from: 3, to: 11 })
        );
        assert_eq!(witness.latest().map(|c| c.checkpoint.size), Some(11));
        assert_eq!(
            witness.offer(&checkpoint(&signer, &all, 11), &[]),
            Ok(Witnessed::Same)
        );
        let back = consistency_proof(&all, 5, 11).unwrap();
        assert_eq!(
            witness.offer(&checkpoint(&signer, &all, 5), &back),
            Ok(Witnessed::Older)
        );
        assert_eq!(witness.latest().map(|c| c.checkpoint.size), Some(11));
    }

    #[test]
    fn the_empty_log_is_extended_by_any_log() {
        let signer = CheckpointSigner::generate();
        let all = leaves(5);
        let mut witness = Witness::new(signer.verifying_key(), ORIGIN);
        assert_eq!(
            witness.offer(&checkpoint(&signer, &all, 0), &[]),
            Ok(Witnessed::First)
        );
        assert!(matches!(
            witness.offer(&checkpoint(&signer, &all, 5), &[all[0]]),
            Err(WitnessError::Inconsistent { .. })
        ));
        assert_eq!(
            witness.offer(&checkpoint(&signer, &all, 5), &[]),
            Ok(Witnessed::Grew { from: 0, to: 5 })
        );
    }

    #[test]
    fn two_roots_for_one_size_are_a_split_view() {
        let signer = CheckpointSigner::generate();
        let honest = leaves(8);
        let mut forked = honest.clone();
        forked[5] = leaf_hash(b"rewritten");
        let accepted = checkpoint(&signer, &honest, 8);
        let mut witness = Witness::starting_from(signer.verifying_key(), accepted.clone()).unwrap();
        let other = checkpoint(&signer, &forked, 8);
        assert_eq!(
            witness.offer(&other, &[]),
            Err(WitnessError::SplitView {
                size: 8,
                accepted: accepted.checkpoint.root,
                offered: other.checkpoint.root,
            })
        );
        assert_eq!(witness.latest(), Some(&accepted));
    }

    #[test]
    fn refusals_keep_the_accepted_checkpoint() {
        let signer = CheckpointSigner::generate();
        let all = leaves(16);
        let first = checkpoint(&signer, &all, 4);
        let mut witness = Witness::starting_from(signer.verifying_key(), first.clone()).unwrap();

        let stranger = CheckpointSigner::generate();
        assert!(matches!(
            witness.offer(&checkpoint(&stranger, &all, 9), &[]),
            Err(WitnessError::Signature(_))
        ));

        let mut elsewhere = checkpoint(&signer, &all, 9).checkpoint;
        elsewhere.origin = "another/log".to_owned();
        assert!(matches!(
            witness.offer(&signer.sign(elsewhere), &[]),
            Err(WitnessError::WrongOrigin { .. })
        ));

        let mut proof = consistency_proof(&all, 4, 9).unwrap();
        proof[0][0] ^= 1;
        assert!(matches!(
            witness.offer(&checkpoint(&signer, &all, 9), &proof),
            Err(WitnessError::Inconsistent {
                accepted: 4,
                offered: 9,
                ..
            })
        ));
        // A fork at a larger size: consistent proof material does not exist for it.
        let mut forked = all.clone();
        forked[1] = leaf_hash(b"rewritten");
        let fork_proof = consistency_proof(&forked, 4, 9).unwrap();
        assert!(matches!(
            witness.offer(&checkpoint(&signer, &forked, 9), &fork_proof),
            Err(WitnessError::Inconsistent { .. })
        ));
        assert_eq!(witness.latest(), Some(&first));
    }
}
