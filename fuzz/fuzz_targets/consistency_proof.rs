//! Merkle consistency proofs. Arbitrary (sizes, roots, proof) never make
//! `verify_consistency` or `consistency_proof` panic; a proof generated from random leaves
//! between two sizes always verifies, and altering any proof hash or either root makes it
//! fail.
#![no_main]

use arbitrary::Arbitrary;
use bluelamp_audit::{
    EMPTY_ROOT, Hash, ProofError, consistency_proof, leaf_hash, root_of, verify_consistency,
};
use bluelamp_fuzz::bounded;
use libfuzzer_sys::fuzz_target;

/// Largest tree the generated-proof half builds.
const MAX_LEAVES: u64 = 1024;

#[derive(Arbitrary, Debug)]
struct Input {
    // Fully arbitrary call.
    size1: u64,
    size2: u64,
    root1: Hash,
    root2: Hash,
    proof: Vec<Hash>,
    // Generated proof.
    leaves: Vec<Vec<u8>>,
    extra_leaves: u8,
    size2_seed: u64,
    size1_seed: u64,
    flip: u64,
    bit: u8,
}

fuzz_target!(|input: Input| {
    let _ = verify_consistency(
        input.size1,
        input.size2,
        &input.root1,
        &input.root2,
        &input.proof,
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
    let _ = consistency_proof(&hashes, input.size1, input.size2);

    // The empty tree is consistent only with itself.
    assert_eq!(
        verify_consistency(0, 0, &EMPTY_ROOT, &EMPTY_ROOT, &[]),
        Ok(())
    );
    if n == 0 {
        return;
    }
    let size2 = 1 + bounded(input.size2_seed, n - 1);
    let size1 = 1 + bounded(input.size1_seed, size2 - 1);
    let prefix = |size: u64| &hashes[..usize::try_from(size).expect("size fits")];
    let root1 = root_of(prefix(size1));
    let root2 = root_of(prefix(size2));

    let proof = consistency_proof(&hashes, size1, size2)
        .unwrap_or_else(|e| panic!("no consistency proof from {size1} to {size2}: {e}"));
    assert_eq!(
        verify_consistency(size1, size2, &root1, &root2, &proof),
        Ok(()),
        "generated proof from {size1} to {size2} does not verify"
    );
    assert!(
        verify_consistency(0, size2, &EMPTY_ROOT, &root2, &proof).is_err(),
        "consistency from the empty tree must be refused"
    );

    let mask = 1_u8 << (input.bit % 8);
    let byte = usize::from(input.bit / 8 % 32);
    if proof.is_empty() {
        assert_eq!(size1, size2, "an empty proof between different sizes");
    } else {
        let mut bad = proof.clone();
        let at = usize::try_from(bounded(
            input.flip,
            u64::try_from(bad.len()).unwrap_or(0) - 1,
        ))
        .expect("fits");
        bad[at][byte] ^= mask;
        assert_eq!(
            verify_consistency(size1, size2, &root1, &root2, &bad),
            Err(ProofError::RootMismatch),
            "altered proof hash {at} of {size1}->{size2} still verifies"
        );
        assert!(verify_consistency(size1, size2, &root1, &root2, &proof[1..]).is_err());
        assert!(verify_consistency(size2, size1, &root2, &root1, &proof).is_err());
    }
    let mut longer = proof.clone();
    longer.push(input.root1);
    assert!(verify_consistency(size1, size2, &root1, &root2, &longer).is_err());

    let mut bad_root1 = root1;
    bad_root1[byte] ^= mask;
    assert!(verify_consistency(size1, size2, &bad_root1, &root2, &proof).is_err());
    let mut bad_root2 = root2;
    bad_root2[byte] ^= mask;
    assert!(verify_consistency(size1, size2, &root1, &bad_root2, &proof).is_err());
});
