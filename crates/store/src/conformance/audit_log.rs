//! The audit log and transactions: gapless numbering, rollback, the unaudited-write refusal
//! and isolation.

use std::sync::Arc;

use anyhow::{Context as _, ensure};
use bluelamp_domain::ids::RecordKind;

use super::{audit, check_audit_log, commit, fixtures, insert_committed, read_record};
use crate::{Store, StoreError};

/// Appends across several transactions (and several calls in one) get 0, 1, 2, … in order.
pub async fn append_audit_is_gapless_across_transactions(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let batches: [&[usize]; 4] = [&[3], &[1], &[2, 2], &[5]];
    let mut expected = Vec::new();
    let mut next = 0_u64;
    for (tx_index, calls) in batches.into_iter().enumerate() {
        let mut tx = store.begin().await?;
        for (call_index, &count) in calls.iter().enumerate() {
            let entries = fixtures::audit_entries(&format!("tx{tx_index}.call{call_index}"), count);
            let seqs = tx.append_audit(&entries).await?;
            let wanted: Vec<u64> = (next..).take(count).collect();
            ensure!(
                seqs == wanted,
                "tx {tx_index} call {call_index}: got {seqs:?}, expected {wanted:?}"
            );
            next = next.saturating_add(u64::try_from(count)?);
            expected.extend(entries);
        }
        commit(tx, "append").await?;
    }
    check_audit_log(&store, &expected).await
}

/// Appending an empty slice assigns nothing and does not count as auditing a write.
pub async fn append_audit_of_nothing_appends_nothing(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    let seqs = tx.append_audit(&[]).await?;
    ensure!(seqs.is_empty(), "empty append returned {seqs:?}");
    tx.insert_record(&fixtures::record(RecordKind::Person)?)
        .await?;
    let result = tx.commit().await;
    ensure!(
        matches!(result, Err(StoreError::UnauditedWrite)),
        "a write audited by an empty append committed: {result:?}"
    );
    ensure!(
        store.audit_size().await? == 0,
        "empty append stored entries"
    );
    Ok(())
}

/// A batch bigger than any backend's per-statement chunk is stored whole and in order.
pub async fn large_audit_batch_is_stored_whole(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let entries = fixtures::audit_entries("bulk", 2_345);
    let (head, tail) = entries.split_at_checked(1).context("no entries")?;
    let mut tx = store.begin().await?;
    let first = tx.append_audit(head).await?;
    let rest = tx.append_audit(tail).await?;
    commit(tx, "bulk append").await?;
    ensure!(first == [0], "first seq {first:?}");
    let wanted: Vec<u64> = (1..2_345).collect();
    ensure!(rest == wanted, "bulk seqs are not 1..2345");
    check_audit_log(&store, &entries).await
}

/// Rolling back discards the transaction's records and audit entries; the next append reuses
/// the sequence numbers.
pub async fn rollback_discards_records_and_audit_entries(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let kept = fixtures::audit_entry("kept");
    let mut tx = store.begin().await?;
    tx.append_audit(std::slice::from_ref(&kept)).await?;
    commit(tx, "first entry").await?;

    let record = fixtures::record(RecordKind::Person)?;
    let mut tx = store.begin().await?;
    tx.insert_record(&record).await?;
    let seqs = tx
        .append_audit(&fixtures::audit_entries("discarded", 2))
        .await?;
    ensure!(
        seqs == [1, 2],
        "seqs in the discarded transaction: {seqs:?}"
    );
    tx.rollback().await?;

    ensure!(
        read_record(&store, record.id).await?.is_none(),
        "rolled-back record persisted"
    );
    ensure!(
        store.audit_size().await? == 1,
        "rolled-back audit entries persisted"
    );

    let after = fixtures::audit_entry("after rollback");
    let mut tx = store.begin().await?;
    let seqs = tx.append_audit(std::slice::from_ref(&after)).await?;
    ensure!(seqs == [1], "the next append after a rollback got {seqs:?}");
    commit(tx, "after rollback").await?;
    check_audit_log(&store, &[kept, after]).await
}

/// Dropping a transaction without commit or rollback rolls it back.
pub async fn dropped_transaction_rolls_back(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let record = fixtures::record(RecordKind::Object)?;
    {
        let mut tx = store.begin().await?;
        tx.insert_record(&record).await?;
        audit(&mut tx, "record.create").await?;
        drop(tx);
    }
    ensure!(
        read_record(&store, record.id).await?.is_none(),
        "dropped transaction persisted"
    );
    ensure!(
        store.audit_size().await? == 0,
        "dropped transaction's audit entry persisted"
    );
    // The store is still usable (the connection went back to the pool clean).
    let mut tx = store.begin().await?;
    let seqs = audit(&mut tx, "after drop").await?;
    commit(tx, "after drop").await?;
    ensure!(
        seqs == [0],
        "append after a dropped transaction got {seqs:?}"
    );
    Ok(())
}

/// Committing a write without an audit entry fails with `UnauditedWrite` and persists nothing,
/// for each kind of write.
pub async fn unaudited_write_is_refused_and_nothing_persisted(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let existing = fixtures::record(RecordKind::Person)?;
    let other = fixtures::record(RecordKind::Event)?;
    insert_committed(&store, &[existing.clone(), other.clone()]).await?;

    let new_record = fixtures::record(RecordKind::Object)?;
    let link = fixtures::link(existing.id, other.id)?;
    let staff = fixtures::staff("unaudited", true)?;
    let changed = fixtures::changed(&existing)?;

    for write in [
        "insert_record",
        "update_record",
        "insert_link",
        "insert_staff",
    ] {
        let mut tx = store.begin().await?;
        match write {
            "insert_record" => tx.insert_record(&new_record).await?,
            "update_record" => tx.update_record(&changed).await?,
            "insert_link" => tx.insert_link(&link).await?,
            _ => tx.insert_staff(&staff).await?,
        }
        let result = tx.commit().await;
        ensure!(
            matches!(result, Err(StoreError::UnauditedWrite)),
            "{write} without audit: commit gave {result:?}"
        );
    }

    ensure!(
        read_record(&store, new_record.id).await?.is_none(),
        "unaudited insert persisted"
    );
    ensure!(
        read_record(&store, existing.id).await? == Some(existing),
        "unaudited update persisted"
    );
    let mut tx = store.begin().await?;
    ensure!(
        tx.get_link(link.id()).await?.is_none(),
        "unaudited link persisted"
    );
    ensure!(
        tx.staff_by_username("unaudited").await?.is_none(),
        "unaudited staff persisted"
    );
    tx.rollback().await?;
    ensure!(store.audit_size().await? == 1, "audit log changed");
    Ok(())
}

/// A transaction that only reads and appends an audit entry (a consultation) commits, and so
/// does one that only reads.
pub async fn audited_read_only_transaction_commits(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let record = fixtures::record(RecordKind::Person)?;
    insert_committed(&store, std::slice::from_ref(&record)).await?;

    let mut tx = store.begin().await?;
    ensure!(
        tx.get_record(record.id).await?.is_some(),
        "record not found"
    );
    audit(&mut tx, "record.read").await?;
    commit(tx, "audited read").await?;

    let mut tx = store.begin().await?;
    ensure!(
        tx.get_record(record.id).await?.is_some(),
        "record not found"
    );
    commit(tx, "plain read").await?;
    ensure!(store.audit_size().await? == 2, "expected two audit entries");
    Ok(())
}

/// Store reads see only committed state.
pub async fn uncommitted_writes_are_invisible_to_store_reads(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let staff = fixtures::staff("uncommitted", true)?;
    let mut tx = store.begin().await?;
    tx.insert_staff(&staff).await?;
    audit(&mut tx, "staff.create").await?;
    ensure!(
        store.audit_size().await? == 0,
        "uncommitted audit entry visible"
    );
    ensure!(
        store.audit_rows(0, 10).await?.is_empty(),
        "uncommitted audit row visible"
    );
    ensure!(
        store
            .staff_by_token_hash(&staff.token_hash)
            .await?
            .is_none(),
        "uncommitted account authenticates"
    );
    commit(tx, "staff").await?;
    ensure!(
        store.audit_size().await? == 1,
        "committed audit entry invisible"
    );
    ensure!(
        store
            .staff_by_token_hash(&staff.token_hash)
            .await?
            .is_some(),
        "committed account does not authenticate"
    );
    Ok(())
}
