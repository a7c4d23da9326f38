//! Property tests of the witness: an honest, growing log is always accepted; a second root for
//! a size already seen is always a split view; a forked history or an altered proof is always
//! refused and leaves the witness where it was.

use bluelamp_audit::{
    Checkpoint, CheckpointSigner, Hash, SignedCheckpoint, Witness, WitnessError, Witnessed,
    consistency_proof, leaf_hash, root_of,
};
use chrono::DateTime;
use proptest::prelude::*;

const ORIGIN: &str = "bluelamp.example/audit";

fn tree(n: u64, salt: u64) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("leaf {salt} {i}").as_bytes()))
        .collect()
}

fn prefix(leaves: &[Hash], size: u64) -> &[Hash] {
    leaves
        .get(..usize::try_from(size).unwrap_or(usize::MAX))
        .unwrap_or(leaves)
}

fn signed(signer: &CheckpointSigner, root: Hash, size: u64) -> SignedCheckpoint {
    signer.sign(Checkpoint {
        origin: ORIGIN.to_owned(),
        size,
        root,
        time: DateTime::from_timestamp_micros(1_795_788_000_123_456).unwrap_or_default(),
    })
}

fn flip(hash: &mut Hash, bit: usize) {
    let bit = bit % 256;
    if let Some(byte) = hash.get_mut(bit / 8) {
        *byte ^= 1 << (bit % 8);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn an_honest_growing_log_is_always_accepted(
        n in 1_u64..300,
        salt: u64,
        steps in proptest::collection::vec(0_u64..300, 1..12),
    ) {
        let signer = CheckpointSigner::generate();
        let leaves = tree(n, salt);
        let mut sizes: Vec<u64> = steps.iter().map(|s| 1 + s % n).collect();
        sizes.sort_unstable();
        let mut witness = Witness::new(signer.verifying_key(), ORIGIN);
        let mut held: Option<u64> = None;
        for size in sizes {
            let checkpoint = signed(&signer, root_of(prefix(&leaves, size)), size);
            let proof = match held {
                Some(from) => consistency_proof(&leaves, from, size).unwrap(),
                None => Vec::new(),
            };
            let outcome = witness.offer(&checkpoint, &proof).unwrap();
            let expected = match held {
                None => Witnessed::First,
                Some(from) if from == size => Witnessed::Same,
                Some(from) => Witnessed::Grew { from, to: size },
            };
            prop_assert_eq!(outcome, expected);
            held = Some(size);
            prop_assert_eq!(witness.latest().map(|c| c.checkpoint.size), held);
        }
    }

    #[test]
    fn another_root_for_a_seen_size_is_a_split_view(
        n in 1_u64..300,
        salt: u64,
        bit: usize,
    ) {
        let signer = CheckpointSigner::generate();
        let root = root_of(&tree(n, salt));
        let accepted = signed(&signer, root, n);
        let mut witness = Witness::starting_from(signer.verifying_key(), accepted.clone()).unwrap();
        let mut other = root;
        flip(&mut other, bit);
        let result = witness.offer(&signed(&signer, other, n), &[]);
        prop_assert_eq!(
            result,
            Err(WitnessError::SplitView { size: n, accepted: root, offered: other })
        );
        prop_assert_eq!(witness.latest(), Some(&accepted));
    }

    #[test]
    fn forks_and_altered_proofs_are_refused(
        n in 2_u64..300,
        salt: u64,
        size1_seed: u64,
        size2_seed: u64,
        which: usize,
        bit: usize,
    ) {
        let signer = CheckpointSigner::generate();
        let leaves = tree(n, salt);
        let size2 = 2 + size2_seed % (n - 1);
        let size1 = 1 + size1_seed % (size2 - 1);
        let accepted = signed(&signer, root_of(prefix(&leaves, size1)), size1);
        let mut witness = Witness::starting_from(signer.verifying_key(), accepted.clone()).unwrap();
        let offered = signed(&signer, root_of(prefix(&leaves, size2)), size2);

        let mut proof = consistency_proof(&leaves, size1, size2).unwrap();
        let at = which % proof.len();
        if let Some(hash) = proof.get_mut(at) {
            flip(hash, bit);
        }
        let altered = witness.offer(&offered, &proof);
        prop_assert!(
            matches!(altered, Err(WitnessError::Inconsistent { .. })),
            "altered proof: {:?}", altered
        );

        // The same sizes on a history rewritten before size1.
        let mut forked = leaves.clone();
        let rewritten = usize::try_from(size1_seed % size1).unwrap();
        if let Some(leaf) = forked.get_mut(rewritten) {
            *leaf = leaf_hash(b"rewritten");
        }
        let fork = signed(&signer, root_of(prefix(&forked, size2)), size2);
        let fork_proof = consistency_proof(&forked, size1, size2).unwrap();
        let refused = witness.offer(&fork, &fork_proof);
        prop_assert!(
            matches!(refused, Err(WitnessError::Inconsistent { .. })),
            "fork: {:?}", refused
        );
        prop_assert_eq!(witness.latest(), Some(&accepted));

        // The honest proof is still accepted afterwards.
        let honest = consistency_proof(&leaves, size1, size2).unwrap();
        prop_assert_eq!(
            witness.offer(&offered, &honest),
            Ok(Witnessed::Grew { from: size1, to: size2 })
        );
    }
}
