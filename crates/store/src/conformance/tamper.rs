//! Tampering by an attacker with database access.

use std::sync::Arc;

use anyhow::{Context as _, ensure};

use super::{TamperAccess, check_audit_log, commit, fixtures};
use crate::Store;

/// With its triggers in place the audit log refuses `UPDATE` and `DELETE`, even from a client
/// that bypasses the store.
pub async fn audit_entries_refuse_update_and_delete(
    store: Arc<dyn Store>,
    access: &dyn TamperAccess,
) -> anyhow::Result<()> {
    let entries = fixtures::audit_entries("guarded", 3);
    let mut tx = store.begin().await?;
    tx.append_audit(&entries).await?;
    commit(tx, "append").await?;

    let update = access
        .execute_raw(
            "UPDATE audit_entries SET leaf = (SELECT leaf FROM audit_entries WHERE seq = 0) \
             WHERE seq = 1",
        )
        .await;
    ensure!(
        update.is_err(),
        "UPDATE of audit_entries was allowed: {update:?}"
    );
    let delete = access
        .execute_raw("DELETE FROM audit_entries WHERE seq = 2")
        .await;
    ensure!(
        delete.is_err(),
        "DELETE from audit_entries was allowed: {delete:?}"
    );
    check_audit_log(&store, &entries).await
}

/// Once an attacker drops the triggers and edits the log, `audit_rows` shows the damage exactly
/// as stored (a gap, a leaf that no longer matches its hash) for the verifier to find.
pub async fn audit_rows_show_tampering_exactly_as_stored(
    store: Arc<dyn Store>,
    access: &dyn TamperAccess,
) -> anyhow::Result<()> {
    let entries = fixtures::audit_entries("tampered", 5);
    let mut tx = store.begin().await?;
    tx.append_audit(&entries).await?;
    commit(tx, "append").await?;

    access.drop_append_only_triggers().await?;
    let deleted = access
        .execute_raw("DELETE FROM audit_entries WHERE seq = 2")
        .await?;
    ensure!(deleted == 1, "the delete removed {deleted} rows");
    let updated = access
        .execute_raw(
            "UPDATE audit_entries SET leaf = (SELECT leaf FROM audit_entries WHERE seq = 0) \
             WHERE seq = 1",
        )
        .await?;
    ensure!(updated == 1, "the update changed {updated} rows");

    let rows = store.audit_rows(0, 10).await?;
    let seqs: Vec<u64> = rows.iter().map(|row| row.seq).collect();
    ensure!(seqs == [0, 1, 3, 4], "rows after deleting seq 2: {seqs:?}");
    let row_one = rows.get(1).context("row 1 missing")?;
    let row_zero = rows.first().context("row 0 missing")?;
    ensure!(
        row_one.leaf == row_zero.leaf,
        "the tampered leaf was not returned as stored"
    );
    ensure!(
        row_one.leaf_hash != bluelamp_audit::leaf_hash(&row_one.leaf),
        "the tampered row's stored hash was recomputed"
    );
    Ok(())
}
