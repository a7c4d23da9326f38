//! `Witness::offer` fed arbitrary checkpoints and proofs never panics, and:
//!
//! - a refusal never changes the checkpoint the witness holds;
//! - whatever it holds was signed by the trusted key over a true root of the honest log
//!   (it never accepts a fork, a forged root or a stranger's signature);
//! - offered the honest checkpoint of a size it holds with another root, it reports a split
//!   view;
//! - the honest checkpoint of a larger size with its honest proof is always accepted.
#![no_main]

use arbitrary::Arbitrary;
use bluelamp_audit::{
    Checkpoint, Hash, SignedCheckpoint, Witness, WitnessError, Witnessed, consistency_proof,
    leaf_hash, root_of,
};
use bluelamp_fuzz::{bounded, fixed_signer, fixed_time, other_signer};
use libfuzzer_sys::fuzz_target;

const ORIGIN: &str = "bluelamp.example/audit";
const MAX_LEAVES: u64 = 256;
const MAX_OFFERS: usize = 16;

#[derive(Arbitrary, Debug)]
enum Offer {
    /// The honest checkpoint of a size with the honest proof from the held size.
    Honest { size: u16 },
    /// The honest checkpoint with the proof altered at one bit.
    AlteredProof { size: u16, at: u8, bit: u8 },
    /// A checkpoint of a forked history (one leaf rewritten) with its own proof.
    Fork { size: u16, leaf: u16 },
    /// The trusted key over any root and size, with any proof.
    AnyRoot {
        size: u64,
        root: Hash,
        proof: Vec<Hash>,
    },
    /// The honest checkpoint signed by another key.
    Stranger { size: u16 },
}

#[derive(Arbitrary, Debug)]
struct Input {
    leaves: u16,
    salt: u8,
    offers: Vec<Offer>,
}

fn signed(size: u64, root: Hash) -> SignedCheckpoint {
    fixed_signer().sign(Checkpoint {
        origin: ORIGIN.to_owned(),
        size,
        root,
        time: fixed_time(),
    })
}

fn prefix(leaves: &[Hash], size: u64) -> &[Hash] {
    &leaves[..usize::try_from(size).expect("size fits")]
}

fuzz_target!(|input: Input| {
    let n = 1 + bounded(u64::from(input.leaves), MAX_LEAVES - 1);
    let honest: Vec<Hash> = (0..n)
        .map(|i| leaf_hash(&[&[input.salt][..], &i.to_le_bytes()[..]].concat()))
        .collect();
    let key = fixed_signer().verifying_key();
    let mut witness = Witness::new(key, ORIGIN);
    let size_of = |size: u16| 1 + bounded(u64::from(size), n - 1);
    // The proof from what the witness holds to `size` (or back from it), for `leaves`.
    let proof_for = |witness: &Witness, leaves: &[Hash], size: u64| -> Vec<Hash> {
        match witness.latest() {
            None => Vec::new(),
            Some(held) => {
                let held = held.checkpoint.size;
                let (from, to) = if size >= held {
                    (held, size)
                } else {
                    (size, held)
                };
                consistency_proof(leaves, from, to).unwrap_or_default()
            }
        }
    };

    let is_honest = |checkpoint: &SignedCheckpoint| {
        checkpoint.checkpoint.size <= n
            && checkpoint.checkpoint.root == root_of(prefix(&honest, checkpoint.checkpoint.size))
    };

    for offer in input.offers.into_iter().take(MAX_OFFERS) {
        let before = witness.latest().cloned();
        let held_honest = before.as_ref().is_none_or(|held| is_honest(held));
        let (checkpoint, proof) = match offer {
            Offer::Honest { size } => {
                let size = size_of(size);
                let proof = proof_for(&witness, &honest, size);
                let checkpoint = signed(size, root_of(prefix(&honest, size)));
                let held = before.as_ref().map(|c| c.checkpoint.size);
                let result = witness.offer(&checkpoint, &proof);
                if !held_honest {
                    // Trusted first, a forged checkpoint makes the honest log look forked.
                    assert!(
                        result.is_err() || result == Ok(Witnessed::Same),
                        "{result:?}"
                    );
                    continue;
                }
                match held {
                    None => assert_eq!(result, Ok(Witnessed::First)),
                    Some(from) if size > from => {
                        assert_eq!(result, Ok(Witnessed::Grew { from, to: size }));
                    }
                    Some(from) if size == from => assert_eq!(result, Ok(Witnessed::Same)),
                    Some(_) => assert_eq!(result, Ok(Witnessed::Older)),
                }
                continue;
            }
            Offer::AlteredProof { size, at, bit } => {
                let size = size_of(size);
                let mut proof = proof_for(&witness, &honest, size);
                if !proof.is_empty() {
                    let at = usize::from(at) % proof.len();
                    proof[at][usize::from(bit / 8 % 32)] ^= 1 << (bit % 8);
                }
                (signed(size, root_of(prefix(&honest, size))), proof)
            }
            Offer::Fork { size, leaf } => {
                let size = size_of(size);
                let mut forked = honest.clone();
                // Rewrite a leaf the witness has already seen (any, when it has seen nothing):
                // rewriting one beyond it would be an honest extension of what it holds.
                let seen = before
                    .as_ref()
                    .map_or(size, |held| held.checkpoint.size.min(size));
                if seen == 0 {
                    continue;
                }
                let at = usize::try_from(bounded(u64::from(leaf), seen - 1)).expect("fits");
                forked[at] = leaf_hash(b"rewritten");
                let proof = proof_for(&witness, &forked, size);
                (signed(size, root_of(prefix(&forked, size))), proof)
            }
            Offer::AnyRoot { size, root, proof } => (signed(size, root), proof),
            Offer::Stranger { size } => {
                let size = size_of(size);
                let checkpoint = other_signer().sign(Checkpoint {
                    origin: ORIGIN.to_owned(),
                    size,
                    root: root_of(prefix(&honest, size)),
                    time: fixed_time(),
                });
                let result = witness.offer(&checkpoint, &[]);
                assert!(
                    matches!(result, Err(WitnessError::Signature(_))),
                    "{result:?}"
                );
                assert_eq!(witness.latest(), before.as_ref());
                continue;
            }
        };
        let result = witness.offer(&checkpoint, &proof);
        if result.is_err() {
            assert_eq!(
                witness.latest(),
                before.as_ref(),
                "a refusal changed the witness"
            );
        }
        if let (Some(held), Err(WitnessError::SplitView { size, .. })) = (&before, &result) {
            assert_eq!(*size, held.checkpoint.size);
        }
        // A root of the honest log at the held size, offered by anything else, is a split view.
        if let Some(held) = &before
            && held.checkpoint.size == checkpoint.checkpoint.size
            && held.checkpoint.root != checkpoint.checkpoint.root
        {
            assert!(
                matches!(result, Err(WitnessError::SplitView { .. })),
                "{result:?}"
            );
        }
        // The witness trusts the first checkpoint it sees; once it holds an honest one,
        // everything it accepts after is honest (a forged root would need a proof that hashes
        // to it, and a fork rewrites a leaf it has seen).
        if let (Some(_), Some(now)) = (&before, witness.latest())
            && held_honest
        {
            assert!(
                is_honest(now),
                "accepted a checkpoint that is not the honest log's"
            );
        }
    }
});
