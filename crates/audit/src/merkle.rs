//! RFC 6962 / RFC 9162 Merkle tree hashing, the incremental [`Frontier`], and
//! inclusion and consistency proofs (generation and verification).
//!
//! Leaves are hashed as `SHA-256(0x00 || leaf)` and interior nodes as
//! `SHA-256(0x01 || left || right)`, so a leaf can never be passed off as a node.
//! Proof verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2
//! (consistency) and is checked against the transparency-dev test vectors.

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, a node hash or a tree root.
pub type Hash = [u8; 32];

/// The root of the empty tree: the SHA-256 digest of the empty string (RFC 6962 §2.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

const LEAF_PREFIX: u8 = 0x00;
const NODE_PREFIX: u8 = 0x01;

/// Hashes a leaf: `SHA-256(0x00 || leaf)`.
#[must_use]
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([LEAF_PREFIX]);
    hasher.update(leaf);
    hasher.finalize().into()
}

/// Hashes an interior node from its two children: `SHA-256(0x01 || left || right)`.
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([NODE_PREFIX]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// Errors from building or verifying Merkle proofs.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ProofError {
    /// The leaf index is not inside the tree (`index >= size`); this includes
    /// every index in a tree of size 0.
    #[error("leaf index {index} is out of range for tree size {size}")]
    IndexOutOfRange {
        /// The requested leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The proof has the wrong number of hashes for the sizes and index given.
    #[error("wrong proof size: expected {expected} hashes, got {got}")]
    WrongProofSize {
        /// The number of hashes the proof must have.
        expected: u64,
        /// The number of hashes it has.
        got: u64,
    },
    /// The proof does not lead to the expected root (or, for a consistency
    /// proof, does not reproduce the first root).
    #[error("root mismatch: the proof does not lead to the expected root")]
    RootMismatch,
    /// The second tree is smaller than the first.
    #[error("tree size decreased from {size1} to {size2}")]
    SizeDecrease {
        /// The first (older) tree size.
        size1: u64,
        /// The second (newer) tree size.
        size2: u64,
    },
    /// A consistency proof between different sizes must not be empty.
    #[error("empty consistency proof between different tree sizes")]
    EmptyProofNotAllowed,
    /// A consistency proof from the empty tree to a non-empty one proves nothing
    /// and is rejected (as in RFC 9162, which requires `0 < size1`).
    #[error("consistency from the empty tree to size {size2} is meaningless")]
    ConsistencyFromEmptyTree {
        /// The non-zero second tree size.
        size2: u64,
    },
    /// Proof generation was asked for a tree larger than the leaves supplied.
    #[error("tree size {size} exceeds the {available} leaves supplied")]
    SizeBeyondLeaves {
        /// The requested tree size.
        size: u64,
        /// The number of leaves supplied.
        available: u64,
    },
    /// A frontier's hashes do not match its size (one hash per set bit of the size).
    #[error("invalid frontier: size {size} needs {expected} hashes, got {got}")]
    InvalidFrontier {
        /// The claimed tree size.
        size: u64,
        /// The number of hashes that size needs.
        expected: u64,
        /// The number of hashes given.
        got: u64,
    },
}

/// The Merkle Tree Hash (MTH) of a list of leaf hashes, per RFC 6962 §2.1,
/// for any size including 0 (which gives [`EMPTY_ROOT`]).
///
/// This is the direct recursive definition (split at the largest power of two
/// below the size); [`Frontier`] computes the same root incrementally.
#[must_use]
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => EMPTY_ROOT,
        [only] => *only,
        _ => {
            let (left, right) = split(leaves);
            node_hash(&root_of(left), &root_of(right))
        }
    }
}

/// Splits `leaves` (at least two of them) at `k`, the largest power of two
/// strictly below its length, as RFC 6962 does.
fn split(leaves: &[Hash]) -> (&[Hash], &[Hash]) {
    let k = leaves
        .len()
        .checked_sub(1)
        .and_then(usize::checked_ilog2)
        .and_then(|bits| 1_usize.checked_shl(bits))
        .unwrap_or(0);
    leaves.split_at_checked(k).unwrap_or((&[], leaves))
}

/// The compact range of a log from leaf 0: the roots of the perfect subtrees
/// that make up the tree, one per set bit of its size, largest first.
///
/// It uses O(log n) memory, appends in amortised O(1) hashes and gives the root
/// of everything pushed so far in O(log n).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

impl Frontier {
    /// An empty frontier (size 0, root [`EMPTY_ROOT`]).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a frontier from its size and its subtree roots (as returned by
    /// [`Frontier::hashes`]), for example to resume appending after a restart.
    ///
    /// # Errors
    /// [`ProofError::InvalidFrontier`] if the number of hashes is not the number
    /// of set bits of `size`.
    pub fn from_parts(size: u64, hashes: Vec<Hash>) -> Result<Self, ProofError> {
        let expected = u64::from(size.count_ones());
        let got = len_u64(&hashes);
        if expected != got {
            return Err(ProofError::InvalidFrontier {
                size,
                expected,
                got,
            });
        }
        Ok(Self { size, hashes })
    }

    /// Appends the next leaf hash.
    pub fn push(&mut self, leaf_hash: Hash) {
        let mut hash = leaf_hash;
        let mut carry = self.size;
        // Every trailing set bit of the old size is a perfect subtree of the
        // same height as `hash`: merge them, like a binary counter's carry.
        while carry & 1 == 1 {
            match self.hashes.pop() {
                Some(left) => hash = node_hash(&left, &hash),
                None => break,
            }
            carry >>= 1;
        }
        self.hashes.push(hash);
        self.size = self.size.saturating_add(1);
    }

    /// The number of leaves pushed.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The subtree roots, largest (leftmost) first.
    #[must_use]
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The root of the tree of all pushed leaves; equals [`root_of`] over them.
    #[must_use]
    pub fn root(&self) -> Hash {
        let mut subtrees = self.hashes.iter().rev();
        match subtrees.next() {
            None => EMPTY_ROOT,
            Some(last) => subtrees.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }
}

fn len_u64<T>(items: &[T]) -> u64 {
    u64::try_from(items.len()).unwrap_or(u64::MAX)
}

fn to_usize(value: u64, available: usize) -> Result<usize, ProofError> {
    usize::try_from(value).map_err(|_| ProofError::SizeBeyondLeaves {
        size: value,
        available: len_u64_usize(available),
    })
}

fn len_u64_usize(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// The first `size` leaves, or an error if fewer were supplied.
fn prefix(leaves: &[Hash], size: u64) -> Result<&[Hash], ProofError> {
    let n = to_usize(size, leaves.len())?;
    leaves.get(..n).ok_or(ProofError::SizeBeyondLeaves {
        size,
        available: len_u64(leaves),
    })
}

/// The inclusion proof (audit path, RFC 6962 §2.1.1) for the leaf at `index`
/// in the tree made of the first `size` of `leaves`, lowest level first.
///
/// # Errors
/// [`ProofError::SizeBeyondLeaves`] if `size > leaves.len()`;
/// [`ProofError::IndexOutOfRange`] if `index >= size`.
pub fn inclusion_proof(leaves: &[Hash], index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
    let tree = prefix(leaves, size)?;
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let index = to_usize(index, leaves.len())?;
    let mut proof = Vec::new();
    audit_path(index, tree, &mut proof);
    Ok(proof)
}

/// `PATH(m, D[n])` from RFC 6962 §2.1.1, appended to `out` bottom-up.
fn audit_path(index: usize, tree: &[Hash], out: &mut Vec<Hash>) {
    if tree.len() < 2 {
        return;
    }
    let (left, right) = split(tree);
    match index.checked_sub(left.len()) {
        None => {
            audit_path(index, left, out);
            out.push(root_of(right));
        }
        Some(in_right) => {
            audit_path(in_right, right, out);
            out.push(root_of(left));
        }
    }
}

/// The consistency proof (RFC 6962 §2.1.2) that the tree of the first `size2`
/// leaves extends the tree of the first `size1` leaves.
///
/// Equal sizes give an empty proof.
///
/// # Errors
/// [`ProofError::SizeBeyondLeaves`] if `size2 > leaves.len()`;
/// [`ProofError::SizeDecrease`] if `size1 > size2`;
/// [`ProofError::ConsistencyFromEmptyTree`] if `size1 == 0 < size2`.
pub fn consistency_proof(leaves: &[Hash], size1: u64, size2: u64) -> Result<Vec<Hash>, ProofError> {
    let tree = prefix(leaves, size2)?;
    if size1 > size2 {
        return Err(ProofError::SizeDecrease { size1, size2 });
    }
    if size1 == size2 {
        return Ok(Vec::new());
    }
    if size1 == 0 {
        return Err(ProofError::ConsistencyFromEmptyTree { size2 });
    }
    let m = to_usize(size1, leaves.len())?;
    let mut proof = Vec::new();
    subproof(m, tree, true, &mut proof);
    Ok(proof)
}

/// `SUBPROOF(m, D[n], b)` from RFC 6962 §2.1.2, appended to `out`.
fn subproof(m: usize, tree: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    if m == tree.len() {
        if !complete {
            out.push(root_of(tree));
        }
        return;
    }
    let (left, right) = split(tree);
    match m.checked_sub(left.len()) {
        Some(in_right) if in_right > 0 => {
            subproof(in_right, right, false, out);
            out.push(root_of(left));
        }
        _ => {
            subproof(m, left, complete, out);
            out.push(root_of(right));
        }
    }
}

/// The number of significant bits of `x` (Go's `bits.Len64`).
fn bit_len(x: u64) -> u32 {
    u64::BITS.saturating_sub(x.leading_zeros())
}

/// Splits the proof for leaf `index` in a tree of `size` into its inner part
/// (below the level where the paths to `index` and `size - 1` diverge) and its
/// border part (left siblings on the right border above that), returning the
/// two lengths.
fn decompose(index: u64, size: u64) -> (u32, u32) {
    let inner = bit_len(index ^ size.saturating_sub(1));
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner, border)
}

/// Hashes `seed` up through `proof`, taking left or right siblings by the bits of `index`.
fn chain_inner(seed: Hash, proof: &[Hash], index: u64) -> Hash {
    let mut bits = index;
    proof.iter().fold(seed, |acc, sibling| {
        let next = if bits & 1 == 0 {
            node_hash(&acc, sibling)
        } else {
            node_hash(sibling, &acc)
        };
        bits >>= 1;
        next
    })
}

/// Like [`chain_inner`] but only takes the left siblings (the smaller tree's view).
fn chain_inner_right(seed: Hash, proof: &[Hash], index: u64) -> Hash {
    let mut bits = index;
    proof.iter().fold(seed, |acc, sibling| {
        let next = if bits & 1 == 1 {
            node_hash(sibling, &acc)
        } else {
            acc
        };
        bits >>= 1;
        next
    })
}

/// Hashes `seed` with left siblings along the right border of the tree.
fn chain_border_right(seed: Hash, proof: &[Hash]) -> Hash {
    proof
        .iter()
        .fold(seed, |acc, sibling| node_hash(sibling, &acc))
}

fn check_len(proof: &[Hash], expected: u64) -> Result<(), ProofError> {
    let got = len_u64(proof);
    if got == expected {
        Ok(())
    } else {
        Err(ProofError::WrongProofSize { expected, got })
    }
}

fn split_proof(proof: &[Hash], at: u32) -> Result<(&[Hash], &[Hash]), ProofError> {
    usize::try_from(at)
        .ok()
        .and_then(|at| proof.split_at_checked(at))
        .ok_or(ProofError::WrongProofSize {
            expected: u64::from(at),
            got: len_u64(proof),
        })
}

/// Verifies that `leaf_hash` is the leaf at `index` of the tree of `size`
/// leaves whose root is `root`, using an inclusion proof (RFC 9162 §2.1.3.2).
///
/// # Errors
/// [`ProofError::IndexOutOfRange`] if `index >= size` (so always for size 0),
/// [`ProofError::WrongProofSize`] if the proof length is not the one the index
/// and size require, [`ProofError::RootMismatch`] if it leads elsewhere.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (inner, border) = decompose(index, size);
    check_len(proof, u64::from(inner).saturating_add(u64::from(border)))?;
    let (inner_proof, border_proof) = split_proof(proof, inner)?;
    let computed = chain_border_right(chain_inner(*leaf_hash, inner_proof, index), border_proof);
    if &computed == root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// Verifies that the tree of `size2` leaves with root `root2` extends the tree
/// of `size1` leaves with root `root1`, using a consistency proof
/// (RFC 9162 §2.1.4.2).
///
/// Equal sizes need an empty proof and equal roots (for size 0 both roots must
/// be [`EMPTY_ROOT`]). A proof from the empty tree to a larger one is rejected,
/// as RFC 9162 requires `0 < size1`.
///
/// # Errors
/// [`ProofError::SizeDecrease`], [`ProofError::ConsistencyFromEmptyTree`],
/// [`ProofError::EmptyProofNotAllowed`], [`ProofError::WrongProofSize`] or
/// [`ProofError::RootMismatch`].
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if size2 < size1 {
        return Err(ProofError::SizeDecrease { size1, size2 });
    }
    if size1 == size2 {
        check_len(proof, 0)?;
        let roots_ok = root1 == root2 && (size1 != 0 || root1 == &EMPTY_ROOT);
        return if roots_ok {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if size1 == 0 {
        return Err(ProofError::ConsistencyFromEmptyTree { size2 });
    }
    if proof.is_empty() {
        return Err(ProofError::EmptyProofNotAllowed);
    }

    // The proof is that of leaf size1 - 1 in the tree of size2, less the levels
    // below the largest perfect subtree ending at size1, whose root seeds it.
    let (inner, border) = decompose(size1.saturating_sub(1), size2);
    let shift = size1.trailing_zeros();
    let inner = inner.saturating_sub(shift);
    // Unless the first tree is itself that perfect subtree (whose root the
    // verifier knows), the proof starts with the subtree's root.
    let seeded_by_root1 = size1.is_power_of_two();
    let start = u64::from(!seeded_by_root1);
    let expected = start
        .saturating_add(u64::from(inner))
        .saturating_add(u64::from(border));
    check_len(proof, expected)?;
    let (seed, rest) = if seeded_by_root1 {
        (*root1, proof)
    } else {
        match proof.split_first() {
            Some((first, rest)) => (*first, rest),
            None => return Err(ProofError::EmptyProofNotAllowed),
        }
    };
    let (inner_proof, border_proof) = split_proof(rest, inner)?;
    let mask = size1.saturating_sub(1).checked_shr(shift).unwrap_or(0);

    let hash1 = chain_border_right(chain_inner_right(seed, inner_proof, mask), border_proof);
    if &hash1 != root1 {
        return Err(ProofError::RootMismatch);
    }
    let hash2 = chain_border_right(chain_inner(seed, inner_proof, mask), border_proof);
    if &hash2 != root2 {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight leaves of RFC 6962's reference test tree.
    fn rfc_leaves() -> Vec<Hash> {
        let raw: [&[u8]; 8] = [
            b"",
            &[0x00],
            &[0x10],
            &[0x20, 0x21],
            &[0x30, 0x31],
            &[0x40, 0x41, 0x42, 0x43],
            &[0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
            &[
                0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d,
                0x6e, 0x6f,
            ],
        ];
        raw.iter().map(|l| leaf_hash(l)).collect()
    }

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        let digest: Hash = Sha256::digest(b"").into();
        assert_eq!(EMPTY_ROOT, digest);
        assert_eq!(root_of(&[]), EMPTY_ROOT);
        assert_eq!(Frontier::new().root(), EMPTY_ROOT);
    }

    #[test]
    fn rfc6962_reference_roots() {
        let leaves = rfc_leaves();
        let expected = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        let mut frontier = Frontier::new();
        for (i, want) in expected.iter().enumerate() {
            frontier.push(leaves[i]);
            assert_eq!(hex::encode(root_of(&leaves[..=i])), *want, "size {}", i + 1);
            assert_eq!(
                hex::encode(frontier.root()),
                *want,
                "frontier size {}",
                i + 1
            );
        }
    }

    #[test]
    fn frontier_round_trips_through_parts() {
        let mut frontier = Frontier::new();
        for leaf in rfc_leaves().into_iter().take(7) {
            frontier.push(leaf);
        }
        assert_eq!(frontier.hashes().len(), 3);
        let rebuilt = Frontier::from_parts(frontier.size(), frontier.hashes().to_vec()).unwrap();
        assert_eq!(rebuilt, frontier);
        assert_eq!(
            Frontier::from_parts(7, vec![EMPTY_ROOT]),
            Err(ProofError::InvalidFrontier {
                size: 7,
                expected: 3,
                got: 1
            })
        );
    }

    #[test]
    fn rfc6962_reference_proofs() {
        let leaves = rfc_leaves();
        let root8 = root_of(&leaves);
        let proof = inclusion_proof(&leaves, 0, 8).unwrap();
        assert_eq!(proof.len(), 3);
        assert_eq!(
            hex::encode(proof[0]),
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
        );
        verify_inclusion(&leaves[0], 0, 8, &proof, &root8).unwrap();

        let proof = consistency_proof(&leaves, 6, 8).unwrap();
        assert_eq!(
            proof.iter().map(hex::encode).collect::<Vec<_>>(),
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        );
        verify_consistency(6, 8, &root_of(&leaves[..6]), &root8, &proof).unwrap();
    }

    #[test]
    fn edge_cases() {
        let leaves = rfc_leaves();
        assert_eq!(
            verify_inclusion(&leaves[0], 0, 0, &[], &EMPTY_ROOT),
            Err(ProofError::IndexOutOfRange { index: 0, size: 0 })
        );
        assert_eq!(
            inclusion_proof(&leaves, 0, 9),
            Err(ProofError::SizeBeyondLeaves {
                size: 9,
                available: 8
            })
        );
        assert_eq!(
            inclusion_proof(&leaves, 3, 3),
            Err(ProofError::IndexOutOfRange { index: 3, size: 3 })
        );
        verify_consistency(0, 0, &EMPTY_ROOT, &EMPTY_ROOT, &[]).unwrap();
        assert_eq!(
            verify_consistency(0, 0, &leaves[0], &leaves[0], &[]),
            Err(ProofError::RootMismatch)
        );
        assert_eq!(
            verify_consistency(0, 3, &EMPTY_ROOT, &leaves[0], &[]),
            Err(ProofError::ConsistencyFromEmptyTree { size2: 3 })
        );
        assert_eq!(
            verify_consistency(3, 2, &leaves[0], &leaves[0], &[]),
            Err(ProofError::SizeDecrease { size1: 3, size2: 2 })
        );
        assert_eq!(
            verify_consistency(2, 3, &leaves[0], &leaves[1], &[]),
            Err(ProofError::EmptyProofNotAllowed)
        );
        assert_eq!(
            verify_consistency(2, 2, &leaves[0], &leaves[0], &[leaves[1]]),
            Err(ProofError::WrongProofSize {
                expected: 0,
                got: 1
            })
        );
        assert_eq!(consistency_proof(&leaves, 4, 4), Ok(vec![]));
        assert_eq!(
            consistency_proof(&leaves, 0, 4),
            Err(ProofError::ConsistencyFromEmptyTree { size2: 4 })
        );
    }
}
