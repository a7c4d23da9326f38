//! Reading the audit log in pages.

use std::sync::Arc;

use anyhow::ensure;

use super::{check_audit_log, commit, fixtures};
use crate::Store;

/// `audit_rows` pages by `from` and `limit`.
pub async fn audit_rows_paging(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let entries = fixtures::audit_entries("paging", 10);
    let mut tx = store.begin().await?;
    tx.append_audit(&entries).await?;
    commit(tx, "append").await?;

    for (from, limit, expected) in [
        (0_u64, 4_u32, 0..4_u64),
        (4, 4, 4..8),
        (8, 4, 8..10),
        (3, 0, 0..0),
        (10, 4, 0..0),
        (u64::MAX, 4, 0..0),
    ] {
        let rows = store.audit_rows(from, limit).await?;
        let seqs: Vec<u64> = rows.iter().map(|row| row.seq).collect();
        let expected: Vec<u64> = expected.collect();
        ensure!(
            seqs == expected,
            "audit_rows({from}, {limit}) gave {seqs:?}"
        );
    }
    check_audit_log(&store, &entries).await
}
