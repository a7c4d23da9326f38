//! Records: round trips, duplicates, updates and listing.

use std::sync::Arc;

use anyhow::{Context as _, bail, ensure};
use bluelamp_domain::ids::{LinkId, RecordId, RecordKind};

use super::{ALL_KINDS, audit, commit, fixtures, insert_committed, read_record};
use crate::{Store, StoreError};

/// A record of each kind comes back exactly as inserted (full serde equality), inside the
/// writing transaction and after commit.
pub async fn record_round_trip_each_kind(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let records = ALL_KINDS
        .into_iter()
        .map(fixtures::record)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut tx = store.begin().await?;
    for record in &records {
        tx.insert_record(record).await?;
        let read_back = tx.get_record(record.id).await?;
        ensure!(
            read_back.as_ref() == Some(record),
            "{} not readable in its own transaction",
            record.kind().as_str()
        );
    }
    audit(&mut tx, "record.create").await?;
    commit(tx, "insert one record of each kind").await?;

    for (kind, record) in ALL_KINDS.into_iter().zip(&records) {
        let stored = read_record(&store, record.id).await?;
        ensure!(
            stored.as_ref() == Some(record),
            "{} record did not round-trip:\n stored {stored:?}\n wrote  {record:?}",
            kind.as_str()
        );
        let stored_json = serde_json::to_value(&stored)?;
        let written_json = serde_json::to_value(Some(record))?;
        ensure!(
            stored_json == written_json,
            "{} JSON differs",
            kind.as_str()
        );
        ensure!(
            stored.map(|record| record.kind()) == Some(kind),
            "stored record has the wrong kind"
        );
    }
    Ok(())
}

/// Reading an id that was never stored gives `None`, not an error.
pub async fn missing_record_is_none(store: Arc<dyn Store>) -> anyhow::Result<()> {
    ensure!(
        read_record(&store, RecordId::new()).await?.is_none(),
        "found a record never stored"
    );
    let mut tx = store.begin().await?;
    ensure!(
        tx.get_link(LinkId::new()).await?.is_none(),
        "found a link never stored"
    );
    ensure!(
        tx.links_of(RecordId::new()).await?.is_empty(),
        "links of a missing record"
    );
    tx.rollback().await?;
    Ok(())
}

/// Inserting a record whose id exists fails with `AlreadyExists` and leaves the stored one.
pub async fn duplicate_record_is_already_exists(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let original = fixtures::record(RecordKind::Person)?;
    insert_committed(&store, std::slice::from_ref(&original)).await?;

    let mut duplicate = fixtures::record(RecordKind::Object)?;
    duplicate.id = original.id;
    let mut tx = store.begin().await?;
    match tx.insert_record(&duplicate).await {
        Err(StoreError::AlreadyExists { what: "record", id }) => {
            ensure!(id == original.id.to_string(), "AlreadyExists names {id}");
        }
        other => bail!("duplicate insert gave {other:?}, expected AlreadyExists"),
    }
    tx.rollback().await?;
    ensure!(
        read_record(&store, original.id).await? == Some(original),
        "the original record changed"
    );
    Ok(())
}

/// After an insert fails on a duplicate, the same transaction can still write and commit
/// (PostgreSQL would otherwise abort the whole transaction on the first error).
pub async fn failed_insert_leaves_transaction_usable(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let first = fixtures::record(RecordKind::Person)?;
    let second = fixtures::record(RecordKind::Event)?;
    let mut tx = store.begin().await?;
    tx.insert_record(&first).await?;
    let duplicate = tx.insert_record(&first).await;
    ensure!(
        matches!(duplicate, Err(StoreError::AlreadyExists { .. })),
        "duplicate in the same transaction gave {duplicate:?}"
    );
    tx.insert_record(&second)
        .await
        .context("insert after a failed insert")?;
    audit(&mut tx, "record.create").await?;
    commit(tx, "after a failed insert").await?;
    ensure!(
        read_record(&store, first.id).await?.is_some(),
        "first record lost"
    );
    ensure!(
        read_record(&store, second.id).await?.is_some(),
        "second record lost"
    );
    Ok(())
}

/// `update_record` replaces the stored record.
pub async fn update_record_replaces_it(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let original = fixtures::record(RecordKind::Location)?;
    insert_committed(&store, std::slice::from_ref(&original)).await?;

    let updated = fixtures::changed(&original)?;
    ensure!(
        updated != original,
        "fixtures::changed did not change the record"
    );
    let mut tx = store.begin().await?;
    tx.update_record(&updated).await?;
    audit(&mut tx, "record.update").await?;
    commit(tx, "update").await?;
    let stored = read_record(&store, original.id).await?;
    ensure!(stored == Some(updated), "update not stored: {stored:?}");
    Ok(())
}

/// Updating a record that does not exist fails with `NotFound` and stores nothing.
pub async fn update_missing_record_is_not_found(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let record = fixtures::record(RecordKind::Person)?;
    let mut tx = store.begin().await?;
    match tx.update_record(&record).await {
        Err(StoreError::NotFound { what: "record", id }) => {
            ensure!(id == record.id.to_string(), "NotFound names {id}");
        }
        other => bail!("update of a missing record gave {other:?}"),
    }
    audit(&mut tx, "record.update").await?;
    commit(tx, "after a failed update").await?;
    ensure!(
        read_record(&store, record.id).await?.is_none(),
        "update created a record"
    );
    Ok(())
}

/// `list_records` filters by kind, orders by id and pages with `after` and `limit`.
pub async fn list_records_by_kind_with_paging(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let kinds = [
        RecordKind::Person,
        RecordKind::Object,
        RecordKind::Person,
        RecordKind::Event,
        RecordKind::Object,
        RecordKind::Person,
    ];
    let records = kinds
        .into_iter()
        .map(fixtures::record)
        .collect::<anyhow::Result<Vec<_>>>()?;
    insert_committed(&store, &records).await?;

    let mut by_id = records.clone();
    by_id.sort_by_key(|record| *record.id.as_uuid());
    let persons: Vec<_> = by_id
        .iter()
        .filter(|record| record.kind() == RecordKind::Person)
        .cloned()
        .collect();

    let mut tx = store.begin().await?;
    let all = tx.list_records(None, None, 100).await?;
    ensure!(
        all == by_id,
        "unfiltered list is not every record in id order"
    );

    let first_page = tx.list_records(Some(RecordKind::Person), None, 2).await?;
    ensure!(
        first_page.as_slice() == persons.get(..2).unwrap_or_default(),
        "first page"
    );
    let last_of_first = first_page.last().context("first page is empty")?.id;
    let second_page = tx
        .list_records(Some(RecordKind::Person), Some(last_of_first), 2)
        .await?;
    ensure!(
        second_page.as_slice() == persons.get(2..).unwrap_or_default(),
        "second page"
    );
    let last = second_page.last().context("second page is empty")?.id;
    let past_end = tx
        .list_records(Some(RecordKind::Person), Some(last), 2)
        .await?;
    ensure!(past_end.is_empty(), "a page past the end is not empty");

    let unfiltered_after = tx.list_records(None, Some(last_of_first), 100).await?;
    let expected_after: Vec<_> = by_id
        .iter()
        .filter(|record| record.id.as_uuid() > last_of_first.as_uuid())
        .cloned()
        .collect();
    ensure!(
        unfiltered_after == expected_after,
        "unfiltered page after an id"
    );

    ensure!(
        tx.list_records(Some(RecordKind::Location), None, 100)
            .await?
            .is_empty(),
        "listed locations where there are none"
    );
    ensure!(
        tx.list_records(None, None, 0).await?.is_empty(),
        "limit 0 returned rows"
    );
    tx.rollback().await?;
    Ok(())
}
