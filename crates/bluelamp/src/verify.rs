//! `bluelamp audit verify`: recompute the audit log's Merkle tree from the stored entries and
//! check every signed checkpoint.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, bail};
use bluelamp_app::VerifyFailure;
use bluelamp_audit::{CheckpointSigner, VerifyError, VerifyingKey};

use crate::config::{Config, DatabaseTarget};
use crate::node;
use crate::progress;
use crate::serve::say;

/// Verifies the configured store's audit log. Exit status 0 when intact, 1 (naming the first
/// bad entry) when not.
pub async fn run(config: &Config, key_file: Option<&Path>) -> anyhow::Result<ExitCode> {
    let key = match key_file {
        Some(path) => load_public_key(path)?,
        None => public_key_of_signing_key(&config.signing_key_path())?,
    };
    let target = config.database()?;
    if let DatabaseTarget::Sqlite(path) = &target
        && !path.is_file()
    {
        bail!(
            "there is no audit log to verify: {} does not exist",
            path.display()
        );
    }
    let store = node::open_store(&target).await?;
    let bar = progress::bar(0, "verifying");
    let started = Instant::now();
    let mut on_progress = |read: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(read);
    };
    let outcome = bluelamp_app::verify_audit_log(&*store, &key, &mut on_progress).await;
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    match outcome {
        Ok(report) => {
            say(&format!(
                "audit log intact: {} entries, root {}, {} checkpoints checked ({:.2} s)",
                report.entries,
                hex::encode(report.root),
                report.checkpoints_checked,
                elapsed.as_secs_f64()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            say(&format!("AUDIT LOG NOT INTACT: {failure}"))?;
            say(&describe_first_bad(&failure))?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Reads a public key in PEM (SubjectPublicKeyInfo) form.
pub fn load_public_key(path: &Path) -> anyhow::Result<VerifyingKey> {
    let pem = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the public key {}", path.display()))?;
    bluelamp_audit::verifying_key_from_pem(&pem).with_context(|| {
        format!(
            "{} is not an Ed25519 public key in PEM form",
            path.display()
        )
    })
}

/// Derives the public key from the signing key file (which must exist: verifying never
/// generates a key).
pub fn public_key_of_signing_key(path: &Path) -> anyhow::Result<VerifyingKey> {
    let pem = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the signing key {} (give the public key with --key)",
            path.display()
        )
    })?;
    let signer = CheckpointSigner::from_pkcs8_pem(&pem)
        .with_context(|| format!("{} is not a signing key in PEM form", path.display()))?;
    Ok(signer.verifying_key())
}

/// The line that names the first bad entry (or checkpoint) of a failed verification.
fn describe_first_bad(failure: &VerifyFailure) -> String {
    let VerifyFailure::Tampered(error) = failure else {
        return "first bad entry: unknown (the audit log could not be read)".to_owned();
    };
    match error {
        VerifyError::Gap { expected_seq, .. } => format!("first bad entry: {expected_seq}"),
        VerifyError::Duplicate { seq }
        | VerifyError::OutOfOrder { seq }
        | VerifyError::LeafHashMismatch { seq }
        | VerifyError::Undecodable { seq, .. } => format!("first bad entry: {seq}"),
        VerifyError::EmbeddedSeqMismatch { position, .. } => format!("first bad entry: {position}"),
        VerifyError::RootMismatch {
            checkpoint_size,
            last_good_checkpoint_size,
        } => format!(
            "first bad entry: between {} and {} (the entries no longer match a signed checkpoint)",
            last_good_checkpoint_size.unwrap_or(0),
            checkpoint_size.saturating_sub(1)
        ),
        VerifyError::CheckpointBeyondLog {
            checkpoint_size,
            log_size,
        } => format!(
            "first bad entry: {log_size} (missing: a checkpoint covers {checkpoint_size} entries)"
        ),
        VerifyError::BadSignature { size }
        | VerifyError::InvalidCheckpoint { size, .. }
        | VerifyError::OriginMismatch { size, .. } => {
            format!("first bad checkpoint: the one of size {size}")
        }
    }
}
