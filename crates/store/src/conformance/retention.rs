//! MoPI review and disposal: due reviews by date, the review log, erasure of a record with its
//! search keys and links, and tombstones.

use std::sync::Arc;

use anyhow::{Context as _, ensure};
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::record::Record;
use bluelamp_domain::search::query_keys;
use chrono::{Duration, NaiveDate, TimeZone as _, Utc};

use super::{audit, commit, fixtures, insert_committed, read_record};
use crate::{DisposalRow, ReportRow, RetentionReviewRow, Store, StoreError};

fn date(text: &str) -> anyhow::Result<NaiveDate> {
    text.parse().with_context(|| format!("bad date {text}"))
}

/// A fixture record of `kind` due for review on `next_review`.
fn due_on(kind: RecordKind, next_review: &str) -> anyhow::Result<Record> {
    let mut record = fixtures::record(kind)?;
    record.retention.next_review = date(next_review)?;
    Ok(record)
}

fn ids(records: &[Record]) -> Vec<RecordId> {
    records.iter().map(|record| record.id).collect()
}

/// Records due on or before a date are listed, the longest overdue first; the kind filter and
/// the limit hold; records not yet due are not listed.
pub async fn due_reviews_by_date_kind_and_limit(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let late = due_on(RecordKind::Person, "2024-03-01")?;
    let today = due_on(RecordKind::Event, "2026-11-27")?;
    let earlier = due_on(RecordKind::Person, "2025-01-15")?;
    let future = due_on(RecordKind::Person, "2026-11-28")?;
    insert_committed(
        &store,
        &[today.clone(), future.clone(), late.clone(), earlier.clone()],
    )
    .await?;
    let on = date("2026-11-27")?;
    let mut tx = store.begin().await?;
    let all = tx.due_reviews(on, None, 10).await?;
    let people = tx.due_reviews(on, Some(RecordKind::Person), 10).await?;
    let first = tx.due_reviews(on, None, 1).await?;
    let none = tx.due_reviews(date("2020-01-01")?, None, 10).await?;
    tx.rollback().await?;
    ensure!(
        ids(&all) == [late.id, earlier.id, today.id],
        "due on {on}: {:?}",
        ids(&all)
    );
    ensure!(
        all.first() == Some(&late),
        "a due record does not round-trip"
    );
    ensure!(
        ids(&people) == [late.id, earlier.id],
        "people due: {:?}",
        ids(&people)
    );
    ensure!(ids(&first) == [late.id], "limit 1: {:?}", ids(&first));
    ensure!(none.is_empty(), "due in 2020: {:?}", ids(&none));
    Ok(())
}

/// Review decisions round-trip in id order (times to the microsecond); a duplicate id is
/// `AlreadyExists`; writing one without an audit entry cannot commit.
pub async fn review_log_round_trip_and_audit_rule(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let record = fixtures::record(RecordKind::Person)?;
    insert_committed(&store, std::slice::from_ref(&record)).await?;
    let decided_at = Utc
        .with_ymd_and_hms(2026, 11, 27, 10, 15, 30)
        .single()
        .context("time")?
        + Duration::nanoseconds(123_456_789);
    let retain = RetentionReviewRow {
        id: uuid::Uuid::now_v7(),
        record_id: record.id,
        decided_at,
        decided_by: "staff:0190a1b2-0000-7000-8000-000000000009".to_owned(),
        decision: "retain".to_owned(),
        reason: "Intelligence links to an active investigation; NRAC: risk of harm".to_owned(),
        next_review: Some(date("2032-11-27")?),
    };
    let dispose = RetentionReviewRow {
        id: uuid::Uuid::now_v7(),
        decision: "dispose".to_owned(),
        reason: "No NRAC concern after the clear period".to_owned(),
        next_review: None,
        ..retain.clone()
    };
    let mut tx = store.begin().await?;
    tx.insert_review(&retain).await?;
    tx.insert_review(&dispose).await?;
    let duplicate = tx.insert_review(&retain).await;
    ensure!(
        matches!(duplicate, Err(StoreError::AlreadyExists { .. })),
        "duplicate review: {duplicate:?}"
    );
    audit(&mut tx, "record.review").await?;
    commit(tx, "insert reviews").await?;

    let mut tx = store.begin().await?;
    let stored = tx.reviews_of(record.id).await?;
    let other = tx.reviews_of(RecordId::new()).await?;
    tx.rollback().await?;
    let micros = Utc
        .timestamp_micros(decided_at.timestamp_micros())
        .single()
        .context("micros")?;
    let expected: Vec<RetentionReviewRow> = [retain, dispose]
        .into_iter()
        .map(|review| RetentionReviewRow {
            decided_at: micros,
            ..review
        })
        .collect();
    ensure!(stored == expected, "reviews read back: {stored:?}");
    ensure!(other.is_empty(), "another record has reviews: {other:?}");

    let mut tx = store.begin().await?;
    tx.insert_review(&RetentionReviewRow {
        id: uuid::Uuid::now_v7(),
        ..expected.first().context("a review")?.clone()
    })
    .await?;
    let refused = tx.commit().await;
    ensure!(
        matches!(refused, Err(StoreError::UnauditedWrite)),
        "an unaudited review committed: {refused:?}"
    );
    Ok(())
}

/// Erasing a record removes its row, its search keys and every link at either end, and takes
/// it off a report it was the reporting person of; the other records stay whole. Erasing a
/// report's event is `InUse`, a missing record `NotFound`. Tombstones round-trip; a second one
/// for the same record is `AlreadyExists`.
pub async fn erase_record_removes_keys_and_links(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let person = fixtures::record(RecordKind::Person)?;
    let location = fixtures::record(RecordKind::Location)?;
    let records = fixtures::report_records()?;
    insert_committed(
        &store,
        &[
            person.clone(),
            location.clone(),
            records.event.clone(),
            records.reporter.clone(),
        ],
    )
    .await?;
    let to_event = fixtures::link(person.id, records.event.id)?;
    let from_location = fixtures::link(location.id, person.id)?;
    let kept = fixtures::link(location.id, records.event.id)?;
    let report: ReportRow = fixtures::report(records.event.id, person.id)?;
    let mut tx = store.begin().await?;
    for link in [&to_event, &from_location, &kept] {
        tx.insert_link(link).await?;
    }
    tx.insert_report(&report).await?;
    audit(&mut tx, "link.create").await?;
    commit(tx, "links and report").await?;

    let mut tx = store.begin().await?;
    let erased = tx.erase_record(person.id).await?;
    ensure!(
        erased.links_removed == 2,
        "links removed: {}",
        erased.links_removed
    );
    let missing = tx.erase_record(RecordId::new()).await;
    ensure!(
        matches!(missing, Err(StoreError::NotFound { what: "record", .. })),
        "erasing a missing record: {missing:?}"
    );
    let seqs = audit(&mut tx, "record.dispose").await?;
    let disposal = DisposalRow {
        record_id: person.id,
        kind: RecordKind::Person,
        classification: "OFFICIAL".to_owned(),
        sensitive: true,
        retention_group: "G2".to_owned(),
        disposed_at: Utc
            .with_ymd_and_hms(2026, 11, 27, 11, 0, 0)
            .single()
            .context("time")?,
        disposed_by: "staff:0190a1b2-0000-7000-8000-000000000009".to_owned(),
        reason: "No NRAC concern".to_owned(),
        links_removed: erased.links_removed,
        audit_seq: *seqs.first().context("a sequence number")?,
    };
    tx.insert_disposal(&disposal).await?;
    let again = tx.insert_disposal(&disposal).await;
    ensure!(
        matches!(again, Err(StoreError::AlreadyExists { .. })),
        "a second tombstone: {again:?}"
    );
    commit(tx, "erase").await?;

    ensure!(
        read_record(&store, person.id).await?.is_none(),
        "the erased record is still readable"
    );
    let mut tx = store.begin().await?;
    let found = tx
        .search_keys(&query_keys("Alex Smyth").keys, None, 10)
        .await?;
    let links_of_event = tx.links_of(records.event.id).await?;
    let links_of_location = tx.links_of(location.id).await?;
    let gone_links = [
        tx.get_link(to_event.id()).await?,
        tx.get_link(from_location.id()).await?,
    ];
    let stored_report = tx.report_by_reference(&report.reference).await?;
    let tombstone = tx.disposal(person.id).await?;
    let no_tombstone = tx.disposal(location.id).await?;
    let in_use = tx.erase_record(records.event.id).await;
    tx.rollback().await?;
    ensure!(
        found.iter().all(|hit| hit.id != person.id),
        "search still finds the erased person: {found:?}"
    );
    ensure!(
        links_of_event == [kept.clone()] && links_of_location == [kept],
        "links left: {links_of_event:?} {links_of_location:?}"
    );
    ensure!(
        gone_links.iter().all(Option::is_none),
        "removed links still read"
    );
    let stored_report = stored_report.context("the report is gone")?;
    ensure!(
        stored_report.reporter_id.is_none() && stored_report.event_id == records.event.id,
        "the report still names its erased reporter: {stored_report:?}"
    );
    ensure!(
        tombstone.as_ref() == Some(&disposal),
        "tombstone read back: {tombstone:?}"
    );
    ensure!(no_tombstone.is_none(), "a tombstone for a live record");
    ensure!(
        matches!(in_use, Err(StoreError::InUse { what: "record", .. })),
        "erasing a report's event: {in_use:?}"
    );
    ensure!(
        read_record(&store, location.id).await? == Some(location),
        "another record changed"
    );
    Ok(())
}
