//! Property tests: the frontier against the recursive definition, proofs
//! generated and verified in random trees, tampering rejected, and the
//! canonical entry and checkpoint encodings.

use bluelamp_audit::{
    Checkpoint, CheckpointSigner, EMPTY_ROOT, Entry, Frontier, Hash, LogKind, NewEntry, Outcome,
    ProofError, SignedCheckpoint, consistency_proof, inclusion_proof, leaf_hash, root_of,
    verify_consistency, verify_inclusion,
};
use chrono::DateTime;
use proptest::prelude::*;
use uuid::Uuid;

fn tree(n: usize, salt: u64) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("leaf {salt} {i}").as_bytes()))
        .collect()
}

#[expect(
    clippy::indexing_slicing,
    reason = "test helper: bit is reduced modulo 256"
)]
fn flip(hash: &mut Hash, bit: usize) {
    let bit = bit % 256;
    hash[bit / 8] ^= 1 << (bit % 8);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn frontier_matches_root_of_at_every_size(n in 0_usize..300, salt: u64) {
        let leaves = tree(n, salt);
        let mut frontier = Frontier::new();
        prop_assert_eq!(frontier.root(), EMPTY_ROOT);
        for (i, leaf) in leaves.iter().enumerate() {
            frontier.push(*leaf);
            prop_assert_eq!(frontier.size(), u64::try_from(i + 1).unwrap());
            prop_assert_eq!(frontier.root(), root_of(&leaves[..=i]));
            prop_assert_eq!(u32::try_from(frontier.hashes().len()).unwrap(), (i + 1).count_ones());
        }
        let resumed = Frontier::from_parts(frontier.size(), frontier.hashes().to_vec()).unwrap();
        prop_assert_eq!(resumed, frontier);
    }

    #[test]
    fn every_inclusion_proof_in_small_trees_verifies(n in 1_usize..40, salt: u64) {
        let leaves = tree(n, salt);
        for size in 1..=n {
            let root = root_of(&leaves[..size]);
            for index in 0..size {
                let (i, s) = (u64::try_from(index).unwrap(), u64::try_from(size).unwrap());
                let proof = inclusion_proof(&leaves, i, s).unwrap();
                prop_assert_eq!(verify_inclusion(&leaves[index], i, s, &proof, &root), Ok(()));
            }
        }
    }

    #[test]
    fn every_consistency_proof_in_small_trees_verifies(n in 1_usize..40, salt: u64) {
        let leaves = tree(n, salt);
        for size2 in 1..=n {
            let root2 = root_of(&leaves[..size2]);
            for size1 in 1..=size2 {
                let root1 = root_of(&leaves[..size1]);
                let (s1, s2) = (u64::try_from(size1).unwrap(), u64::try_from(size2).unwrap());
                let proof = consistency_proof(&leaves, s1, s2).unwrap();
                prop_assert_eq!(verify_consistency(s1, s2, &root1, &root2, &proof), Ok(()));
            }
        }
    }

    #[test]
    fn tampered_inclusion_proofs_are_rejected(
        size in 1_u64..2000,
        index_seed: u64,
        other_seed: u64,
        which: usize,
        bit: usize,
        salt: u64,
    ) {
        let leaves = tree(usize::try_from(size).unwrap(), salt);
        let index = index_seed % size;
        let root = root_of(&leaves);
        let leaf = leaves[usize::try_from(index).unwrap()];
        let proof = inclusion_proof(&leaves, index, size).unwrap();
        prop_assert_eq!(verify_inclusion(&leaf, index, size, &proof, &root), Ok(()));

        if !proof.is_empty() {
            let mut bad = proof.clone();
            let at = which % bad.len();
            flip(&mut bad[at], bit);
            prop_assert!(verify_inclusion(&leaf, index, size, &bad, &root).is_err());
            let mut short = proof.clone();
            short.pop();
            prop_assert!(
                matches!(
                    verify_inclusion(&leaf, index, size, &short, &root),
                    Err(ProofError::WrongProofSize { .. })
                ),
                "truncated proof"
            );
        }
        let mut long = proof.clone();
        long.push(root);
        prop_assert!(verify_inclusion(&leaf, index, size, &long, &root).is_err());

        let mut bad_leaf = leaf;
        flip(&mut bad_leaf, bit);
        prop_assert!(verify_inclusion(&bad_leaf, index, size, &proof, &root).is_err());
        let mut bad_root = root;
        flip(&mut bad_root, bit);
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &bad_root).is_err());

        let other = other_seed % size;
        if other != index {
            prop_assert!(verify_inclusion(&leaf, other, size, &proof, &root).is_err());
        }
        // (A different size can legitimately accept the same proof: an RFC 6962
        // root does not commit to the tree size; the signed checkpoint does.)
        prop_assert!(verify_inclusion(&leaf, size, size, &proof, &root).is_err());
    }

    #[test]
    fn tampered_consistency_proofs_are_rejected(
        size2 in 2_u64..2000,
        size1_seed: u64,
        which: usize,
        bit: usize,
        salt: u64,
    ) {
        let leaves = tree(usize::try_from(size2).unwrap(), salt);
        let size1 = 1 + size1_seed % (size2 - 1);
        let root1 = root_of(&leaves[..usize::try_from(size1).unwrap()]);
        let root2 = root_of(&leaves);
        let proof = consistency_proof(&leaves, size1, size2).unwrap();
        prop_assert!(!proof.is_empty());
        prop_assert_eq!(verify_consistency(size1, size2, &root1, &root2, &proof), Ok(()));

        let mut bad = proof.clone();
        let at = which % bad.len();
        flip(&mut bad[at], bit);
        prop_assert!(verify_consistency(size1, size2, &root1, &root2, &bad).is_err());

        let mut short = proof.clone();
        short.pop();
        prop_assert!(verify_consistency(size1, size2, &root1, &root2, &short).is_err());
        let mut long = proof.clone();
        long.push(root1);
        prop_assert!(verify_consistency(size1, size2, &root1, &root2, &long).is_err());

        let mut bad_root1 = root1;
        flip(&mut bad_root1, bit);
        prop_assert!(verify_consistency(size1, size2, &bad_root1, &root2, &proof).is_err());
        let mut bad_root2 = root2;
        flip(&mut bad_root2, bit);
        prop_assert!(verify_consistency(size1, size2, &root1, &bad_root2, &proof).is_err());
        prop_assert!(verify_consistency(size1, size2, &root2, &root1, &proof).is_err());
        prop_assert!(verify_consistency(size2, size1, &root1, &root2, &proof).is_err());
        prop_assert!(verify_consistency(size1, size2, &root1, &root2, &[]).is_err());
    }
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z:._0-9-]{0,24}",
        any::<String>(),
        "[\"\\\\\u{0}-\u{1f}\u{7f}é€😀]{0,8}",
    ]
}

prop_compose! {
    fn any_entry()(
        seq: u64,
        // Whole microseconds from 0001-01-01 to 9999-12-31.
        micros in -62_135_596_800_000_000_i64..253_402_300_800_000_000,
        actor in any_text(),
        kind in proptest::sample::select(LogKind::ALL.to_vec()),
        action in any_text(),
        purpose in proptest::option::of(any_text()),
        records in proptest::collection::vec(any::<u128>(), 0..4),
        recipients in proptest::collection::vec(any_text(), 0..3),
        digest in proptest::option::of(any_text()),
        denied: bool,
    ) -> Entry {
        Entry {
            seq,
            entry: NewEntry {
                at: DateTime::from_timestamp_micros(micros).unwrap_or_default(),
                actor,
                kind,
                action,
                purpose,
                records: records.into_iter().map(Uuid::from_u128).collect(),
                recipients,
                digest,
                outcome: if denied { Outcome::Denied } else { Outcome::Allowed },
            },
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn entries_round_trip_canonically(entry in any_entry()) {
        let bytes = entry.leaf_bytes();
        let decoded = Entry::from_leaf_bytes(&bytes).unwrap();
        prop_assert_eq!(&decoded, &entry);
        prop_assert_eq!(decoded.leaf_bytes(), bytes.clone());
        prop_assert_eq!(entry.leaf_hash(), leaf_hash(&bytes));

        // An independent JSON parser reads the same values.
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        prop_assert_eq!(value["seq"].as_u64(), Some(entry.seq));
        prop_assert_eq!(value["actor"].as_str(), Some(entry.entry.actor.as_str()));
        prop_assert_eq!(value["purpose"].as_str(), entry.entry.purpose.as_deref());
        prop_assert_eq!(value["kind"].as_str(), Some(entry.entry.kind.as_str()));
    }

    #[test]
    fn mutated_leaf_bytes_never_decode_non_canonically(
        entry in any_entry(),
        at: usize,
        byte: u8,
        delete: bool,
    ) {
        let mut bytes = entry.leaf_bytes();
        let at = at % bytes.len();
        if delete {
            bytes.remove(at);
        } else {
            bytes[at] = byte;
        }
        if let Ok(decoded) = Entry::from_leaf_bytes(&bytes) {
            prop_assert_eq!(decoded.leaf_bytes(), bytes);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn signed_checkpoints_round_trip_and_reject_any_mutation(
        origin in "[a-z./-]{1,30}",
        size: u64,
        root: [u8; 32],
        secs in 0_i64..253_402_300_799,
        nanos in 0_u32..1_000_000_000,
        at: usize,
        byte: u8,
    ) {
        let signer = CheckpointSigner::generate();
        let key = signer.verifying_key();
        let time = DateTime::from_timestamp(secs, nanos).unwrap();
        let signed = signer.sign(Checkpoint { origin, size, root, time });
        let text = signed.to_text();
        let parsed = SignedCheckpoint::parse(&text).unwrap();
        prop_assert_eq!(&parsed, &signed);
        prop_assert_eq!(parsed.verify(&key), Ok(()));

        let mut bytes = text.clone().into_bytes();
        let at = at % bytes.len();
        prop_assume!(bytes[at] != byte);
        bytes[at] = byte;
        if let Ok(mutated) = String::from_utf8(bytes) {
            let accepted = SignedCheckpoint::parse(&mutated).and_then(|c| c.verify(&key));
            prop_assert!(accepted.is_err(), "accepted mutated checkpoint {mutated:?}");
        }
    }
}
