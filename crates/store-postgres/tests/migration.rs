//! Migration 0007 indexes the audit entries an older build stored.

use std::sync::Arc;

use bluelamp_store::conformance::{
    backfilled_index_finds_the_old_entries, entries_before_the_index, leaf_rows,
};
use bluelamp_store_postgres::PgStore;
use bluelamp_store_postgres::testing::database_at_version;

#[tokio::test]
async fn the_audit_index_migration_indexes_existing_entries() -> anyhow::Result<()> {
    let db = database_at_version(6).await?;
    let records = [uuid::Uuid::now_v7(), uuid::Uuid::now_v7()];
    let entries = entries_before_the_index(records)?;
    let mut rows = Vec::new();
    for (seq, leaf, hash) in leaf_rows(&entries) {
        rows.push(format!(
            "({seq}, '\\x{}'::bytea, '\\x{}'::bytea)",
            hex(&leaf),
            hex(&hash)
        ));
    }
    // Rows that are not entries (as after tampering): not UTF-8, and JSON of another shape.
    let count = entries.len();
    rows.push(format!(
        "({count}, '\\x00ff'::bytea, '\\x{}'::bytea)",
        hex(&[0; 32])
    ));
    rows.push(format!(
        "({}, convert_to('{{\"at\":\"yesterday\"}}', 'UTF8'), '\\x{}'::bytea)",
        count + 1,
        hex(&[0; 32])
    ));
    db.execute_raw(&format!(
        "INSERT INTO audit_entries (seq, leaf, leaf_hash) VALUES {}; \
         UPDATE audit_head SET next_seq = {};",
        rows.join(","),
        count + 2
    ))
    .await?;
    let store = PgStore::connect_with(db.connect_options()).await?;
    let result =
        backfilled_index_finds_the_old_entries(Arc::new(store.clone()), &entries, records).await;
    store.close().await;
    result
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
