//! Migration 0007 indexes the audit entries an older build stored.

use std::sync::Arc;

use bluelamp_store::conformance::{
    backfilled_index_finds_the_old_entries, entries_before_the_index, leaf_rows,
};
use bluelamp_store_sqlite::SqliteStore;
use bluelamp_store_sqlite::testing::database_at_version;

#[tokio::test]
async fn the_audit_index_migration_indexes_existing_entries() -> anyhow::Result<()> {
    let dir = database_at_version(6).await?;
    let records = [uuid::Uuid::now_v7(), uuid::Uuid::now_v7()];
    let entries = entries_before_the_index(records)?;
    let mut rows = Vec::new();
    for (seq, leaf, hash) in leaf_rows(&entries) {
        rows.push(format!("({seq}, X'{}', X'{}')", hex(&leaf), hex(&hash)));
    }
    // A row that is not an entry at all (as after tampering) does not stop the migration.
    rows.push(format!(
        "({}, X'00ff', X'{}')",
        entries.len(),
        hex(&[0; 32])
    ));
    dir.execute_raw(&format!(
        "INSERT INTO audit_entries (seq, leaf, leaf_hash) VALUES {}",
        rows.join(",")
    ))
    .await?;
    let store = SqliteStore::open(&dir.database_path()).await?;
    backfilled_index_finds_the_old_entries(Arc::new(store), &entries, records).await
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
