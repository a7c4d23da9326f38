//! Verification of the whole audit log from the stored rows.

use bluelamp_audit::{LogVerifier, VerifyError, VerifyReport, VerifyingKey};
use bluelamp_store::Store;

/// Rows read per round trip.
const VERIFY_BATCH: u32 = 20_000;

/// Why the log did not verify.
#[derive(Debug, thiserror::Error)]
pub enum VerifyFailure {
    /// The log was altered: the error names the first bad entry or checkpoint.
    #[error("audit log is not intact: {0}")]
    Tampered(#[from] VerifyError),
    /// The store could not be read.
    #[error("could not read the audit log: {0}")]
    Store(#[from] bluelamp_store::StoreError),
}

/// Recomputes the Merkle tree from every stored entry, checks every checkpoint's signature
/// and root, and reports the first bad entry. `progress` is called with (entries read, total).
pub async fn verify_audit_log(
    store: &dyn Store,
    key: &VerifyingKey,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<VerifyReport, VerifyFailure> {
    let checkpoints = store.checkpoints().await?;
    let total = store.audit_size().await?;
    let mut verifier = LogVerifier::new(*key).with_checkpoints(checkpoints);
    let mut next = 0_u64;
    let mut read = 0_u64;
    loop {
        let rows = store.audit_rows(next, VERIFY_BATCH).await?;
        let Some(last) = rows.last() else { break };
        next = last.seq.saturating_add(1);
        for row in &rows {
            verifier.push(row.seq, &row.leaf, &row.leaf_hash)?;
        }
        read = read.saturating_add(u64::try_from(rows.len()).unwrap_or(u64::MAX));
        progress(read, total);
    }
    Ok(verifier.finish()?)
}
