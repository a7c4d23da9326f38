//! Runs every transparency-dev/merkle proof vector in shared/data/merkle-vectors:
//! each happy path must be accepted and each `wantErr` case rejected.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bluelamp_audit::{
    Hash, consistency_proof, inclusion_proof, leaf_hash, root_of, verify_consistency,
    verify_inclusion,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InclusionProbe {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConsistencyProbe {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

fn vectors_dir() -> PathBuf {
    let shared = std::env::var_os("BLUELAMP_SHARED_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    shared.join("data/merkle-vectors")
}

#[expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helper: a failure is a test failure"
)]
fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read vectors dir {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "json") {
            out.push(path);
        }
    }
}

/// Decodes a base64 leaf hash, which must be exactly 32 bytes: the reference
/// verifier rejects any other length up front, and our typed API cannot even
/// express one, so such a case is rejected here, before the verifier.
#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is a test failure"
)]
fn exact_hash(b64: &str) -> Option<Hash> {
    Hash::try_from(STANDARD.decode(b64).unwrap().as_slice()).ok()
}

/// Decodes a base64 root or proof node into a [`Hash`].
///
/// The vectors come from a library whose hashes are byte slices compared for
/// equality, and some cases use roots or proof nodes that are not 32 bytes
/// ("WrongRoot", "don't care 1", empty garbage), including one happy path.
/// Such a value is mapped to a distinct 32-byte stand-in (a domain-separated
/// SHA-256 of its bytes), so that the verifier itself must accept or reject
/// the case.
#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is a test failure"
)]
fn hash(b64: &str) -> Hash {
    let bytes = STANDARD.decode(b64).unwrap();
    match <Hash>::try_from(bytes.as_slice()) {
        Ok(h) => h,
        Err(_) => {
            let mut hasher = Sha256::new();
            hasher.update(b"bluelamp test stand-in for a non-32-byte value:");
            hasher.update(&bytes);
            hasher.finalize().into()
        }
    }
}

fn proof(p: Option<&Vec<String>>) -> Vec<Hash> {
    p.map(|v| v.iter().map(|h| hash(h)).collect())
        .unwrap_or_default()
}

/// The eight leaves of RFC 6962's reference tree, from which the vectors are built.
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
fn every_vector_is_accepted_or_rejected_as_expected() {
    let dir = vectors_dir();
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    files.sort();

    let leaves = rfc_leaves();
    let mut failures = Vec::new();
    let (mut accepted, mut rejected, mut regenerated) = (0_u32, 0_u32, 0_u32);
    let mut rejected_up_front = 0_u32;
    for file in &files {
        let rel = file
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(file).unwrap();
        let is_reference_happy_path = rel.ends_with("happy-path.json");
        let (want_err, desc, result) = if rel.starts_with("inclusion") {
            let p: InclusionProbe =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let proof = proof(p.proof.as_ref());
            let Some(leaf) = exact_hash(&p.leaf_hash) else {
                if p.want_err {
                    rejected_up_front += 1;
                } else {
                    failures.push(format!(
                        "{rel}: happy path with a leaf hash of the wrong length"
                    ));
                }
                continue;
            };
            let result = verify_inclusion(&leaf, p.leaf_idx, p.tree_size, &proof, &hash(&p.root));
            if is_reference_happy_path {
                // Our own proof generation must reproduce the published proof.
                let size = usize::try_from(p.tree_size).unwrap();
                assert_eq!(hash(&p.root), root_of(&leaves[..size]), "{rel}: root");
                let ours = inclusion_proof(&leaves, p.leaf_idx, p.tree_size).unwrap();
                assert_eq!(ours, proof, "{rel}: generated proof differs");
                regenerated += 1;
            }
            (p.want_err, p.desc, result)
        } else if rel.starts_with("consistency") {
            let p: ConsistencyProbe =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let proof = proof(p.proof.as_ref());
            let result =
                verify_consistency(p.size1, p.size2, &hash(&p.root1), &hash(&p.root2), &proof);
            if is_reference_happy_path {
                let size2 = usize::try_from(p.size2).unwrap();
                assert_eq!(hash(&p.root2), root_of(&leaves[..size2]), "{rel}: root2");
                let ours = consistency_proof(&leaves, p.size1, p.size2).unwrap();
                assert_eq!(ours, proof, "{rel}: generated proof differs");
                regenerated += 1;
            }
            (p.want_err, p.desc, result)
        } else {
            continue;
        };
        match (want_err, result) {
            (false, Ok(())) => accepted += 1,
            (true, Err(_)) => rejected += 1,
            (false, Err(e)) => failures.push(format!("{rel} ({desc}): rejected valid proof: {e}")),
            (true, Ok(())) => failures.push(format!("{rel} ({desc}): accepted a bad proof")),
        }
    }

    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let checked = accepted + rejected + rejected_up_front;
    assert!(
        checked > 100,
        "only {checked} vector files found under {}",
        dir.display()
    );
    assert!(accepted >= 10, "only {accepted} happy paths");
    assert_eq!(regenerated, 10, "reference happy paths regenerated");
    assert!(
        rejected_up_front <= 11,
        "{rejected_up_front} rejected before verification"
    );
    println!(
        "{checked} vectors: {accepted} accepted, {rejected} rejected by the verifier, \
         {rejected_up_front} rejected for a leaf hash of the wrong length"
    );
}
