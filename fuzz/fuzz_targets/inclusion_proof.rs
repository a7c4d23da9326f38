//! Merkle inclusion proofs. Arbitrary (index, size, proof, leaf, root) never make
//! `verify_inclusion` or `inclusion_proof` panic; a proof generated from random leaves always
//! verifies against the tree's root, and altering any proof hash, the leaf or the root makes
//! it fail.
#![no_main]

use arbitrary::Arbitrary;
use bluelamp_audit::{
    Frontier, Hash, ProofError, inclusion_proof, leaf_hash, root_of, verify_inclusion,
};
use bluelamp_fuzz::bounded;
use libfuzzer_sys::fuzz_target;

/// Largest tree the generated-proof half builds.
const MAX_LEAVES: u64 = 1024;

#[derive(Arbitrary, Debug)]
struct Input {
    // Fully arbitrary call.
    index: u64,
    size: u64,
    proof: Vec<Hash>,
    leaf: Hash,
    root: Hash,
    // Generated proof.
    leaves: Vec<Vec<u8>>,
    extra_leaves: u8,
    size_seed: u64,
    index_seed: u64,
    flip: u64,
    bit: u8,
}

fuzz_target!(|input: Input| {
    let _ = verify_inclusion(
        &input.leaf,
        input.index,
        input.size,
        &input.proof,
        &input.root,
    );

    let mut hashes: Vec<Hash> = input.leaves.iter().map(|l| leaf_hash(l)).collect();
    let wanted = u64::try_from(hashes.len())
        .unwrap_or(u64::MAX)
        .saturating_add(u64::from(input.extra_leaves))
        .min(MAX_LEAVES);
    let mut i = 0_u64;
    while u64::try_from(hashes.len()).unwrap_or(u64::MAX) < wanted {
        hashes.push(leaf_hash(&i.to_le_bytes()));
        i += 1;
    }
    hashes.truncate(usize::try_from(MAX_LEAVES).unwrap_or(usize::MAX));
    let n = u64::try_from(hashes.len()).unwrap_or(u64::MAX);

    // Out-of-range requests are errors, not panics.
    let _ = inclusion_proof(&hashes, input.index, input.size);

    if n == 0 {
        assert!(inclusion_proof(&hashes, 0, 0).is_err());
        return;
    }
    let size = 1 + bounded(input.size_seed, n - 1);
    let index = bounded(input.index_seed, size - 1);
    let tree = &hashes[..usize::try_from(size).expect("size fits")];
    let root = root_of(tree);

    let mut frontier = Frontier::new();
    for h in tree {
        frontier.push(*h);
    }
    assert_eq!(
        frontier.root(),
        root,
        "frontier and root_of disagree at size {size}"
    );

    let proof = inclusion_proof(&hashes, index, size)
        .unwrap_or_else(|e| panic!("no proof for index {index} in size {size}: {e}"));
    let leaf = tree[usize::try_from(index).expect("index fits")];
    assert_eq!(
        verify_inclusion(&leaf, index, size, &proof, &root),
        Ok(()),
        "generated proof for index {index} in size {size} does not verify"
    );

    let mask = 1_u8 << (input.bit % 8);
    let byte = usize::from(input.bit / 8 % 32);
    if !proof.is_empty() {
        let mut bad = proof.clone();
        let at = usize::try_from(bounded(
            input.flip,
            u64::try_from(bad.len()).unwrap_or(0) - 1,
        ))
        .expect("fits");
        bad[at][byte] ^= mask;
        assert_eq!(
            verify_inclusion(&leaf, index, size, &bad, &root),
            Err(ProofError::RootMismatch),
            "altered proof hash {at} still verifies"
        );
        // One hash too few, or too many, is the wrong size.
        assert!(verify_inclusion(&leaf, index, size, &proof[1..], &root).is_err());
    }
    let mut longer = proof.clone();
    longer.push(input.leaf);
    assert!(verify_inclusion(&leaf, index, size, &longer, &root).is_err());

    let mut bad_leaf = leaf;
    bad_leaf[byte] ^= mask;
    assert!(verify_inclusion(&bad_leaf, index, size, &proof, &root).is_err());
    let mut bad_root = root;
    bad_root[byte] ^= mask;
    assert!(verify_inclusion(&leaf, index, size, &proof, &bad_root).is_err());
    assert!(verify_inclusion(&leaf, size, size, &proof, &root).is_err());
});
