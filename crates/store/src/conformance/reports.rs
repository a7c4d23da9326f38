//! Online reports: round trips, unique references and idempotency keys, updates, listing,
//! timelines, one-time codes and the audit rule for every report write.

use std::sync::Arc;

use anyhow::{Context as _, bail, ensure};
use bluelamp_domain::ids::RecordId;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::{audit, commit, fixtures, insert_committed};
use crate::{OneTimeCodeRow, ReportRow, ReportUpdateRow, Store, StoreError};

/// Stores a fresh event and reporter in one audited transaction; returns their ids.
async fn stored_records(store: &Arc<dyn Store>) -> anyhow::Result<(RecordId, RecordId)> {
    let records = fixtures::report_records()?;
    insert_committed(store, &records.all()).await?;
    Ok((records.event.id, records.reporter.id))
}

/// Inserts `reports` in one audited transaction.
async fn insert_reports_committed(
    store: &Arc<dyn Store>,
    reports: &[ReportRow],
) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    for report in reports {
        tx.insert_report(report)
            .await
            .with_context(|| format!("insert_report {}", report.reference))?;
    }
    audit(&mut tx, "report.create").await?;
    commit(tx, "insert reports").await
}

/// Reads one report by reference in a fresh transaction (rolled back).
async fn read_report(store: &Arc<dyn Store>, reference: &str) -> anyhow::Result<Option<ReportRow>> {
    let mut tx = store.begin().await?;
    let report = tx.report_by_reference(reference).await?;
    tx.rollback().await?;
    Ok(report)
}

/// Reads one report by idempotency key in a fresh transaction (rolled back).
async fn read_report_by_key(
    store: &Arc<dyn Store>,
    key: &str,
) -> anyhow::Result<Option<ReportRow>> {
    let mut tx = store.begin().await?;
    let report = tx.report_by_idempotency_key(key).await?;
    tx.rollback().await?;
    Ok(report)
}

/// Reads a report's timeline in a fresh transaction (rolled back).
async fn read_timeline(
    store: &Arc<dyn Store>,
    reference: &str,
) -> anyhow::Result<Vec<ReportUpdateRow>> {
    let mut tx = store.begin().await?;
    let timeline = tx.report_updates(reference).await?;
    tx.rollback().await?;
    Ok(timeline)
}

/// Reads a report's latest one-time code in a fresh transaction (rolled back).
async fn read_latest_code(
    store: &Arc<dyn Store>,
    reference: &str,
) -> anyhow::Result<Option<OneTimeCodeRow>> {
    let mut tx = store.begin().await?;
    let code = tx.latest_one_time_code(reference).await?;
    tx.rollback().await?;
    Ok(code)
}

/// `time` plus `micros` microseconds.
fn plus_micros(time: DateTime<Utc>, micros: i64) -> anyhow::Result<DateTime<Utc>> {
    time.checked_add_signed(Duration::microseconds(micros))
        .context("fixture time out of range")
}

/// A whole second, so that times with and without fractions can be compared.
fn whole_second() -> anyhow::Result<DateTime<Utc>> {
    DateTime::from_timestamp(1_795_000_000, 0).context("fixture time out of range")
}

/// A report with every optional field filled in, and one with every optional field empty,
/// come back exactly as inserted (times to the microsecond, details JSON equal), inside the
/// writing transaction and after commit, by reference and by idempotency key.
pub async fn report_round_trip_full_and_empty(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let full = fixtures::report(event, reporter)?;
    let empty = fixtures::anonymous_report(event)?;
    ensure!(
        full.submitted_at != fixtures::report_as_stored(&full).submitted_at,
        "the fixture time has no sub-microsecond part"
    );

    let mut tx = store.begin().await?;
    for report in [&full, &empty] {
        tx.insert_report(report).await?;
        let read_back = tx.report_by_reference(&report.reference).await?;
        ensure!(
            read_back == Some(fixtures::report_as_stored(report)),
            "report {} not readable as written in its own transaction: {read_back:?}",
            report.reference
        );
    }
    audit(&mut tx, "report.create").await?;
    commit(tx, "insert reports").await?;

    for report in [&full, &empty] {
        let expected = fixtures::report_as_stored(report);
        let stored = read_report(&store, &report.reference).await?;
        ensure!(
            stored.as_ref() == Some(&expected),
            "report did not round-trip:\n stored {stored:?}\n wrote  {expected:?}"
        );
        let details = stored.map(|stored| stored.details);
        ensure!(
            details.as_ref() == Some(&report.details),
            "details JSON differs: {details:?}"
        );
        let by_key = read_report_by_key(&store, &report.idempotency_key).await?;
        ensure!(
            by_key == Some(expected),
            "report not found by its idempotency key: {by_key:?}"
        );
    }
    Ok(())
}

/// A second report with a reference already taken fails with `AlreadyExists` naming the
/// reference; the stored report is unchanged and the transaction stays usable.
pub async fn duplicate_report_reference_is_already_exists(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let original = fixtures::report(event, reporter)?;
    insert_reports_committed(&store, std::slice::from_ref(&original)).await?;

    let mut duplicate = fixtures::anonymous_report(event)?;
    duplicate.reference.clone_from(&original.reference);
    let other = fixtures::report(event, reporter)?;
    let mut tx = store.begin().await?;
    match tx.insert_report(&duplicate).await {
        Err(StoreError::AlreadyExists { what: "report", id }) => {
            ensure!(id == original.reference, "AlreadyExists names {id}");
        }
        other => bail!("a duplicate reference gave {other:?}, expected AlreadyExists"),
    }
    tx.insert_report(&other)
        .await
        .context("insert after a failed insert")?;
    audit(&mut tx, "report.create").await?;
    commit(tx, "after a duplicate reference").await?;

    ensure!(
        read_report(&store, &original.reference).await?
            == Some(fixtures::report_as_stored(&original)),
        "the original report changed"
    );
    ensure!(
        read_report_by_key(&store, &duplicate.idempotency_key)
            .await?
            .is_none(),
        "the duplicate's idempotency key was stored"
    );
    ensure!(
        read_report(&store, &other.reference).await?.is_some(),
        "the report inserted after the failure was lost"
    );
    Ok(())
}

/// A second report with an idempotency key already used fails with `AlreadyExists` naming the
/// key; nothing of it is stored and the key still finds the first report.
pub async fn duplicate_idempotency_key_is_already_exists(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let original = fixtures::report(event, reporter)?;
    insert_reports_committed(&store, std::slice::from_ref(&original)).await?;

    let mut duplicate = fixtures::report(event, reporter)?;
    duplicate
        .idempotency_key
        .clone_from(&original.idempotency_key);
    let mut tx = store.begin().await?;
    match tx.insert_report(&duplicate).await {
        Err(StoreError::AlreadyExists { what: "report", id }) => {
            ensure!(id == original.idempotency_key, "AlreadyExists names {id}");
        }
        other => bail!("a duplicate idempotency key gave {other:?}, expected AlreadyExists"),
    }
    ensure!(
        tx.report_by_reference(&duplicate.reference)
            .await?
            .is_none(),
        "the duplicate was stored"
    );
    audit(&mut tx, "report.create").await?;
    commit(tx, "after a duplicate key").await?;

    let by_key = read_report_by_key(&store, &original.idempotency_key).await?;
    ensure!(
        by_key == Some(fixtures::report_as_stored(&original)),
        "the key no longer finds the first report: {by_key:?}"
    );
    ensure!(
        read_report(&store, &duplicate.reference).await?.is_none(),
        "the duplicate was stored"
    );
    Ok(())
}

/// `report_by_idempotency_key` finds the report made with each key and nothing for an unknown
/// key; `report_by_reference` finds nothing for an unknown reference.
pub async fn report_by_idempotency_key_finds_the_report(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let first = fixtures::report(event, reporter)?;
    let second = fixtures::anonymous_report(event)?;
    insert_reports_committed(&store, &[first.clone(), second.clone()]).await?;

    let mut tx = store.begin().await?;
    for report in [&first, &second] {
        let found = tx
            .report_by_idempotency_key(&report.idempotency_key)
            .await?;
        ensure!(
            found == Some(fixtures::report_as_stored(report)),
            "key {} found {found:?}",
            report.idempotency_key
        );
    }
    ensure!(
        tx.report_by_idempotency_key("idem-never-used")
            .await?
            .is_none(),
        "an unknown key found a report"
    );
    ensure!(
        tx.report_by_idempotency_key(&first.reference)
            .await?
            .is_none(),
        "a reference was accepted as an idempotency key"
    );
    ensure!(
        tx.report_by_reference("NOSUCHREF00").await?.is_none(),
        "an unknown reference found a report"
    );
    ensure!(
        tx.report_by_reference(&first.idempotency_key)
            .await?
            .is_none(),
        "an idempotency key was accepted as a reference"
    );
    commit(tx, "reads only").await?;
    Ok(())
}

/// A report about an event, or by a reporter, that is not a stored record fails with
/// `NotFound` naming that record; nothing is stored and the transaction stays usable.
pub async fn report_for_missing_record_is_not_found(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let missing = RecordId::new();
    let no_event = fixtures::report(missing, reporter)?;
    let no_reporter = fixtures::report(event, missing)?;
    let anonymous_no_event = fixtures::anonymous_report(missing)?;
    let valid = fixtures::report(event, reporter)?;

    let mut tx = store.begin().await?;
    for (case, report) in [
        ("missing event", &no_event),
        ("missing reporter", &no_reporter),
        ("anonymous, missing event", &anonymous_no_event),
    ] {
        match tx.insert_report(report).await {
            Err(StoreError::NotFound { what: "record", id }) => {
                ensure!(
                    id == missing.to_string(),
                    "{case}: NotFound names {id}, not {missing}"
                );
            }
            other => bail!("{case}: gave {other:?}, expected NotFound"),
        }
        ensure!(
            tx.report_by_reference(&report.reference).await?.is_none(),
            "{case}: the report was stored"
        );
    }
    tx.insert_report(&valid)
        .await
        .context("insert after a missing record")?;
    audit(&mut tx, "report.create").await?;
    commit(tx, "after missing records").await?;

    for report in [&no_event, &no_reporter, &anonymous_no_event] {
        ensure!(
            read_report_by_key(&store, &report.idempotency_key)
                .await?
                .is_none(),
            "a report about a missing record was stored"
        );
    }
    ensure!(
        read_report(&store, &valid.reference).await?.is_some(),
        "the valid report was lost"
    );
    Ok(())
}

/// `update_report` writes status, updated_at, crime number, officer, outcome, details and
/// contact e-mail (setting them and clearing them) and leaves kind, event, reporter,
/// idempotency key and submission time as they were.
pub async fn update_report_changes_only_the_mutable_fields(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let (event, _reporter) = stored_records(&store).await?;
    let (other_event, other_reporter) = stored_records(&store).await?;
    let original = fixtures::anonymous_report(event)?;
    insert_reports_committed(&store, std::slice::from_ref(&original)).await?;

    // Every field set; the immutable ones changed too, which the store must ignore.
    let filled = fixtures::report(other_event, other_reporter)?;
    let attempt = ReportRow {
        reference: original.reference.clone(),
        status: "crime_recorded".to_owned(),
        updated_at: plus_micros(original.updated_at, 86_400_000_123)?,
        ..filled.clone()
    };
    let expected = fixtures::report_as_stored(&ReportRow {
        status: attempt.status.clone(),
        updated_at: attempt.updated_at,
        crime_number: attempt.crime_number.clone(),
        officer: attempt.officer.clone(),
        outcome: attempt.outcome.clone(),
        details: attempt.details.clone(),
        contact_email: attempt.contact_email.clone(),
        ..original.clone()
    });
    ensure!(
        attempt.kind != original.kind
            && attempt.event_id != original.event_id
            && attempt.reporter_id != original.reporter_id
            && attempt.idempotency_key != original.idempotency_key,
        "the fixture does not change the immutable fields"
    );
    let mut tx = store.begin().await?;
    tx.update_report(&attempt).await?;
    let in_tx = tx.report_by_reference(&original.reference).await?;
    ensure!(
        in_tx.as_ref() == Some(&expected),
        "update not visible in its own transaction: {in_tx:?}"
    );
    audit(&mut tx, "report.update").await?;
    commit(tx, "fill every field").await?;
    let stored = read_report(&store, &original.reference).await?;
    ensure!(
        stored.as_ref() == Some(&expected),
        "after setting every field:\n stored   {stored:?}\n expected {expected:?}"
    );
    ensure!(
        read_report_by_key(&store, &attempt.idempotency_key)
            .await?
            .is_none(),
        "update_report changed the idempotency key"
    );

    // Every optional field cleared again.
    let cleared = ReportRow {
        status: "closed".to_owned(),
        updated_at: plus_micros(attempt.updated_at, 1)?,
        crime_number: None,
        officer: None,
        outcome: None,
        contact_email: None,
        details: json!({ "closed": { "reason": "no further action", "ŵ": [true, null] } }),
        ..expected.clone()
    };
    let mut tx = store.begin().await?;
    tx.update_report(&cleared).await?;
    audit(&mut tx, "report.update").await?;
    commit(tx, "clear every field").await?;
    let stored = read_report(&store, &original.reference).await?;
    ensure!(
        stored == Some(fixtures::report_as_stored(&cleared)),
        "after clearing every field: {stored:?}"
    );
    Ok(())
}

/// Updating a report that does not exist fails with `NotFound` naming its reference and
/// stores nothing.
pub async fn update_missing_report_is_not_found(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let report = fixtures::report(event, reporter)?;
    let mut tx = store.begin().await?;
    match tx.update_report(&report).await {
        Err(StoreError::NotFound { what: "report", id }) => {
            ensure!(id == report.reference, "NotFound names {id}");
        }
        other => bail!("update of a missing report gave {other:?}"),
    }
    audit(&mut tx, "report.update").await?;
    commit(tx, "after a failed update").await?;
    ensure!(
        read_report(&store, &report.reference).await?.is_none(),
        "update created a report"
    );
    Ok(())
}

/// `list_reports` gives the newest submission first (equal times by reference), to the
/// microsecond (times with and without fractions of a second, and times equal once truncated),
/// filters by status and stops at the limit.
pub async fn list_reports_newest_first_with_status_and_limit(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let base = whole_second()?;
    let sub_micro = |micros: i64, nanos: i64| -> anyhow::Result<DateTime<Utc>> {
        plus_micros(base, micros)?
            .checked_add_signed(Duration::nanoseconds(nanos))
            .context("fixture time out of range")
    };
    // (reference, status, submitted_at)
    let plan = [
        ("R-WHOLE", "received", sub_micro(0, 0)?),
        ("R-1US", "crime_recorded", sub_micro(1, 0)?),
        ("R-HALF", "received", sub_micro(500_000, 0)?),
        ("R-2S", "crime_recorded", sub_micro(2_000_000, 0)?),
        ("R-TIE-B", "received", sub_micro(123_456, 700)?),
        ("R-TIE-A", "crime_recorded", sub_micro(123_456, 100)?),
        ("R-EARLY", "closed", sub_micro(-3_600_000_000, 999)?),
        ("R-NEXT-SEC", "received", sub_micro(999_999, 999)?),
    ];
    let mut reports = Vec::with_capacity(plan.len());
    for (reference, status, submitted_at) in plan {
        let mut report = fixtures::report(event, reporter)?;
        reference.clone_into(&mut report.reference);
        status.clone_into(&mut report.status);
        report.submitted_at = submitted_at;
        reports.push(report);
    }
    insert_reports_committed(&store, &reports).await?;

    let mut expected: Vec<ReportRow> = reports.iter().map(fixtures::report_as_stored).collect();
    expected.sort_by(|a, b| {
        b.submitted_at
            .cmp(&a.submitted_at)
            .then_with(|| a.reference.cmp(&b.reference))
    });
    let order = |rows: &[ReportRow]| -> Vec<String> {
        rows.iter().map(|row| row.reference.clone()).collect()
    };
    ensure!(
        order(&expected)
            == [
                "R-2S",
                "R-NEXT-SEC",
                "R-HALF",
                "R-TIE-A",
                "R-TIE-B",
                "R-1US",
                "R-WHOLE",
                "R-EARLY"
            ],
        "the test's own expectation is wrong: {:?}",
        order(&expected)
    );

    let mut tx = store.begin().await?;
    let all = tx.list_reports(None, 100).await?;
    ensure!(
        all == expected,
        "unfiltered list is not newest first: {:?}",
        order(&all)
    );
    let first_three = tx.list_reports(None, 3).await?;
    ensure!(
        first_three.as_slice() == expected.get(..3).unwrap_or_default(),
        "limit 3 gave {:?}",
        order(&first_three)
    );
    for status in ["received", "crime_recorded", "closed"] {
        let wanted: Vec<ReportRow> = expected
            .iter()
            .filter(|report| report.status == status)
            .cloned()
            .collect();
        let listed = tx.list_reports(Some(status), 100).await?;
        ensure!(
            listed == wanted,
            "status {status} gave {:?}",
            order(&listed)
        );
        let one = tx.list_reports(Some(status), 1).await?;
        ensure!(
            one.as_slice() == wanted.get(..1).unwrap_or_default(),
            "status {status} with limit 1 gave {:?}",
            order(&one)
        );
    }
    ensure!(
        tx.list_reports(Some("no-such-status"), 100)
            .await?
            .is_empty(),
        "an unknown status listed reports"
    );
    ensure!(
        tx.list_reports(None, 0).await?.is_empty(),
        "limit 0 returned reports"
    );
    commit(tx, "reads only").await?;
    Ok(())
}

/// A report's timeline comes back in id order whatever the order of insertion and of the
/// entries' own times, with every field as written, and holds only that report's entries.
pub async fn report_timeline_in_id_order(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let report = fixtures::report(event, reporter)?;
    let other = fixtures::anonymous_report(event)?;
    insert_reports_committed(&store, &[report.clone(), other.clone()]).await?;

    // Ids in creation order; times running backwards, so only id order sorts them.
    let mut updates = Vec::new();
    for index in 0..4_i64 {
        let mut update = fixtures::report_update(&report.reference)?;
        update.at = plus_micros(update.at, -index)?;
        updates.push(update);
    }
    if let Some(bare) = updates.get_mut(1) {
        "received".clone_into(&mut bare.kind);
        "system".clone_into(&mut bare.author);
        bare.author_name = None;
        bare.text = None;
        bare.data = json!({});
    }
    if let Some(message) = updates.get_mut(2) {
        "message".clone_into(&mut message.kind);
        "reporter".clone_into(&mut message.author);
        message.author_name = None;
        message.text = Some("I've remembered the van was white — ‘Ford’, I think.".to_owned());
        message.data = json!({ "records": [RecordId::new(), RecordId::new()] });
    }
    let other_update = fixtures::report_update(&other.reference)?;

    let mut tx = store.begin().await?;
    for index in [2_usize, 0, 3, 1] {
        let update = updates.get(index).context("no such update")?;
        tx.insert_report_update(update).await?;
    }
    tx.insert_report_update(&other_update).await?;
    audit(&mut tx, "report.update").await?;
    commit(tx, "insert timeline").await?;

    let mut expected: Vec<ReportUpdateRow> = updates
        .iter()
        .map(fixtures::report_update_as_stored)
        .collect();
    expected.sort_by_key(|update| update.id);
    let timeline = read_timeline(&store, &report.reference).await?;
    ensure!(
        timeline == expected,
        "timeline is not every entry in id order:\n got      {timeline:?}\n expected {expected:?}"
    );
    let other_timeline = read_timeline(&store, &other.reference).await?;
    ensure!(
        other_timeline == [fixtures::report_update_as_stored(&other_update)],
        "the other report's timeline: {other_timeline:?}"
    );
    ensure!(
        read_timeline(&store, "NOSUCHREF00").await?.is_empty(),
        "a missing report has a timeline"
    );
    Ok(())
}

/// A timeline entry for a missing report fails with `NotFound` naming the reference; one with
/// an id already used fails with `AlreadyExists`; neither is stored and the transaction stays
/// usable.
pub async fn report_update_for_missing_report_or_duplicate_id_fails(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let report = fixtures::report(event, reporter)?;
    insert_reports_committed(&store, std::slice::from_ref(&report)).await?;
    let first = fixtures::report_update(&report.reference)?;

    let mut tx = store.begin().await?;
    tx.insert_report_update(&first).await?;
    let orphan = fixtures::report_update("NOSUCHREF00")?;
    match tx.insert_report_update(&orphan).await {
        Err(StoreError::NotFound { what: "report", id }) => {
            ensure!(id == "NOSUCHREF00", "NotFound names {id}");
        }
        other => bail!("an entry for a missing report gave {other:?}"),
    }
    let duplicate = ReportUpdateRow {
        text: Some("a different text".to_owned()),
        ..fixtures::report_update(&report.reference)?
    };
    let duplicate = ReportUpdateRow {
        id: first.id,
        ..duplicate
    };
    match tx.insert_report_update(&duplicate).await {
        Err(StoreError::AlreadyExists {
            what: "report update",
            id,
        }) => {
            ensure!(id == first.id.to_string(), "AlreadyExists names {id}");
        }
        other => bail!("a duplicate entry id gave {other:?}"),
    }
    let second = fixtures::report_update(&report.reference)?;
    tx.insert_report_update(&second)
        .await
        .context("insert after failed inserts")?;
    audit(&mut tx, "report.update").await?;
    commit(tx, "after failed timeline inserts").await?;

    let timeline = read_timeline(&store, &report.reference).await?;
    let expected = [
        fixtures::report_update_as_stored(&first),
        fixtures::report_update_as_stored(&second),
    ];
    ensure!(
        timeline == expected,
        "timeline after failures: {timeline:?}"
    );
    ensure!(
        read_timeline(&store, "NOSUCHREF00").await?.is_empty(),
        "the orphan entry was stored"
    );
    Ok(())
}

/// The latest one-time code is the one issued last (equal times: the highest id), and
/// `count_one_time_codes_since` counts codes issued at or after a time, to the microsecond,
/// for one report only.
pub async fn one_time_codes_latest_and_count_since(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let report = fixtures::report(event, reporter)?;
    let other = fixtures::anonymous_report(event)?;
    insert_reports_committed(&store, &[report.clone(), other.clone()]).await?;

    let mut tx = store.begin().await?;
    ensure!(
        tx.latest_one_time_code(&report.reference).await?.is_none(),
        "a report without codes has a latest code"
    );
    ensure!(
        tx.count_one_time_codes_since(&report.reference, fixtures::report_time()?)
            .await?
            == 0,
        "a report without codes counts codes"
    );
    tx.rollback().await?;

    // Issued at t, t + 1 min and t + 2 min (inserted out of order); t has sub-microsecond
    // parts.
    let t = fixtures::report_time()?;
    let minute = 60_000_000;
    let at_t = fixtures::one_time_code(&report.reference, t);
    let at_1 = fixtures::one_time_code(&report.reference, plus_micros(t, minute)?);
    let at_2 = fixtures::one_time_code(&report.reference, plus_micros(t, 2 * minute)?);
    let other_code = fixtures::one_time_code(&other.reference, plus_micros(t, 3 * minute)?);
    let mut tx = store.begin().await?;
    for code in [&at_1, &at_2, &at_t, &other_code] {
        tx.insert_one_time_code(code).await?;
    }
    audit(&mut tx, "report.code").await?;
    commit(tx, "insert codes").await?;

    let latest = read_latest_code(&store, &report.reference).await?;
    ensure!(
        latest == Some(fixtures::one_time_code_as_stored(&at_2)),
        "latest code is {latest:?}"
    );

    // Equal times once truncated to the microsecond: the higher id is the latest, even when
    // its time before truncation was the earlier one.
    let tied = fixtures::anonymous_report(event)?;
    insert_reports_committed(&store, std::slice::from_ref(&tied)).await?;
    let base = fixtures::report_as_stored(&tied).submitted_at;
    let tie_low = fixtures::one_time_code(&tied.reference, base + Duration::nanoseconds(900));
    let tie_high = fixtures::one_time_code(&tied.reference, base + Duration::nanoseconds(100));
    ensure!(tie_low.id < tie_high.id, "fixture ids are not increasing");
    let mut tx = store.begin().await?;
    tx.insert_one_time_code(&tie_high).await?;
    tx.insert_one_time_code(&tie_low).await?;
    audit(&mut tx, "report.code").await?;
    commit(tx, "insert tied codes").await?;
    let latest = read_latest_code(&store, &tied.reference).await?;
    ensure!(
        latest == Some(fixtures::one_time_code_as_stored(&tie_high)),
        "with equal times the latest code is {latest:?}"
    );

    let mut tx = store.begin().await?;
    for (since, expected, case) in [
        (plus_micros(t, -1)?, 3_u32, "a microsecond before the first"),
        (
            t,
            3,
            "the first code's own time, sub-microsecond parts and all",
        ),
        (
            fixtures::one_time_code_as_stored(&at_t).created_at,
            3,
            "the first code's stored time",
        ),
        (plus_micros(t, 1)?, 2, "a microsecond after the first"),
        (plus_micros(t, minute)?, 2, "the second code's time"),
        (plus_micros(t, 2 * minute)?, 1, "the last code's time"),
        (plus_micros(t, 2 * minute + 1)?, 0, "after the last code"),
    ] {
        let count = tx
            .count_one_time_codes_since(&report.reference, since)
            .await?;
        ensure!(count == expected, "since {case}: counted {count}");
    }
    ensure!(
        tx.count_one_time_codes_since(&other.reference, t).await? == 1,
        "the other report's codes are counted wrongly"
    );
    ensure!(
        tx.count_one_time_codes_since("NOSUCHREF00", t).await? == 0,
        "a missing report counts codes"
    );
    ensure!(
        tx.latest_one_time_code("NOSUCHREF00").await?.is_none(),
        "a missing report has a latest code"
    );
    commit(tx, "reads only").await?;
    Ok(())
}

/// `update_one_time_code` records failed attempts (up to `u32::MAX`) and the time of use, and
/// nothing else; a missing code is `NotFound`. A code for a missing report is `NotFound` and
/// a code id already used is `AlreadyExists`.
pub async fn one_time_code_updates_and_errors(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let report = fixtures::report(event, reporter)?;
    insert_reports_committed(&store, std::slice::from_ref(&report)).await?;
    let code = fixtures::one_time_code(&report.reference, fixtures::report_time()?);

    let mut tx = store.begin().await?;
    tx.insert_one_time_code(&code).await?;
    match tx
        .insert_one_time_code(&fixtures::one_time_code(
            "NOSUCHREF00",
            fixtures::report_time()?,
        ))
        .await
    {
        Err(StoreError::NotFound { what: "report", id }) => {
            ensure!(id == "NOSUCHREF00", "NotFound names {id}");
        }
        other => bail!("a code for a missing report gave {other:?}"),
    }
    let duplicate = tx.insert_one_time_code(&code).await;
    ensure!(
        matches!(duplicate, Err(StoreError::AlreadyExists { .. })),
        "a duplicate code id gave {duplicate:?}"
    );
    audit(&mut tx, "report.code").await?;
    commit(tx, "insert a code").await?;

    // A failed attempt; the other fields in the row passed are ignored.
    let failed = OneTimeCodeRow {
        failed_attempts: 2,
        code_hash: [0x11; 32],
        expires_at: plus_micros(code.expires_at, 1_000_000)?,
        ..code.clone()
    };
    let mut tx = store.begin().await?;
    tx.update_one_time_code(&failed).await?;
    audit(&mut tx, "report.code.failed").await?;
    commit(tx, "failed attempts").await?;
    let stored = read_latest_code(&store, &report.reference).await?;
    let expected = fixtures::one_time_code_as_stored(&OneTimeCodeRow {
        failed_attempts: 2,
        ..code.clone()
    });
    ensure!(
        stored.as_ref() == Some(&expected),
        "after failed attempts: {stored:?}"
    );

    let used_at = fixtures::report_time()?
        .checked_add_signed(Duration::nanoseconds(60_000_000_777))
        .context("fixture time out of range")?;
    let used = OneTimeCodeRow {
        used_at: Some(used_at),
        failed_attempts: u32::MAX,
        ..code.clone()
    };
    let mut tx = store.begin().await?;
    tx.update_one_time_code(&used).await?;
    audit(&mut tx, "report.code.used").await?;
    commit(tx, "use").await?;
    let stored = read_latest_code(&store, &report.reference).await?;
    ensure!(
        stored == Some(fixtures::one_time_code_as_stored(&used)),
        "after use: {stored:?}"
    );

    let missing = fixtures::one_time_code(&report.reference, fixtures::report_time()?);
    let mut tx = store.begin().await?;
    match tx.update_one_time_code(&missing).await {
        Err(StoreError::NotFound {
            what: "one-time code",
            id,
        }) => {
            ensure!(id == missing.id.to_string(), "NotFound names {id}");
        }
        other => bail!("update of a missing code gave {other:?}"),
    }
    audit(&mut tx, "report.code.used").await?;
    commit(tx, "after a failed update").await?;
    let mut tx = store.begin().await?;
    let count = tx
        .count_one_time_codes_since(&report.reference, fixtures::report_time()?)
        .await?;
    tx.rollback().await?;
    ensure!(
        count == 1,
        "the failed update stored a code ({count} codes)"
    );
    Ok(())
}

/// Every report write (report, update, timeline entry, one-time code, code update) without an
/// audit entry is refused at commit with `UnauditedWrite` and leaves nothing behind; a
/// transaction that only reads reports commits without one.
pub async fn unaudited_report_writes_are_refused_and_nothing_persisted(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let existing = fixtures::report(event, reporter)?;
    insert_reports_committed(&store, std::slice::from_ref(&existing)).await?;
    let code = fixtures::one_time_code(&existing.reference, fixtures::report_time()?);
    let mut tx = store.begin().await?;
    tx.insert_one_time_code(&code).await?;
    audit(&mut tx, "report.code").await?;
    commit(tx, "insert a code").await?;
    let audit_size = store.audit_size().await?;

    let new_report = fixtures::anonymous_report(event)?;
    let changed = ReportRow {
        status: "closed".to_owned(),
        outcome: Some("no-further-action".to_owned()),
        ..existing.clone()
    };
    let update = fixtures::report_update(&existing.reference)?;
    let new_code = fixtures::one_time_code(
        &existing.reference,
        plus_micros(fixtures::report_time()?, 1)?,
    );
    let used_code = OneTimeCodeRow {
        used_at: Some(fixtures::report_time()?),
        failed_attempts: 1,
        ..code.clone()
    };

    for write in [
        "insert_report",
        "update_report",
        "insert_report_update",
        "insert_one_time_code",
        "update_one_time_code",
    ] {
        let mut tx = store.begin().await?;
        match write {
            "insert_report" => tx.insert_report(&new_report).await?,
            "update_report" => tx.update_report(&changed).await?,
            "insert_report_update" => tx.insert_report_update(&update).await?,
            "insert_one_time_code" => tx.insert_one_time_code(&new_code).await?,
            _ => tx.update_one_time_code(&used_code).await?,
        }
        let result = tx.commit().await;
        ensure!(
            matches!(result, Err(StoreError::UnauditedWrite)),
            "{write} without audit: commit gave {result:?}"
        );
    }

    let mut tx = store.begin().await?;
    ensure!(
        tx.report_by_reference(&new_report.reference)
            .await?
            .is_none(),
        "unaudited report persisted"
    );
    ensure!(
        tx.report_by_idempotency_key(&new_report.idempotency_key)
            .await?
            .is_none(),
        "unaudited report persisted (by key)"
    );
    let stored = tx.report_by_reference(&existing.reference).await?;
    ensure!(
        stored == Some(fixtures::report_as_stored(&existing)),
        "unaudited report update persisted: {stored:?}"
    );
    ensure!(
        tx.report_updates(&existing.reference).await?.is_empty(),
        "unaudited timeline entry persisted"
    );
    let latest = tx.latest_one_time_code(&existing.reference).await?;
    ensure!(
        latest == Some(fixtures::one_time_code_as_stored(&code)),
        "unaudited code insert or update persisted: {latest:?}"
    );
    let listed = tx.list_reports(None, 10).await?;
    ensure!(listed.len() == 1, "{} reports listed", listed.len());
    // Reads alone need no audit entry.
    commit(tx, "reads only").await?;
    ensure!(
        store.audit_size().await? == audit_size,
        "the audit log changed"
    );
    Ok(())
}

/// Rolling back (or dropping) a transaction that wrote a report, its timeline and its codes
/// leaves none of them.
pub async fn report_rollback_leaves_nothing(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let (event, reporter) = stored_records(&store).await?;
    let existing = fixtures::anonymous_report(event)?;
    insert_reports_committed(&store, std::slice::from_ref(&existing)).await?;
    let audit_size = store.audit_size().await?;

    let report = fixtures::report(event, reporter)?;
    let update = fixtures::report_update(&report.reference)?;
    let code = fixtures::one_time_code(&report.reference, fixtures::report_time()?);
    let changed = ReportRow {
        status: "closed".to_owned(),
        ..existing.clone()
    };
    let existing_update = fixtures::report_update(&existing.reference)?;
    let existing_code = fixtures::one_time_code(&existing.reference, fixtures::report_time()?);
    for ending in ["rollback", "drop"] {
        let mut tx = store.begin().await?;
        tx.insert_report(&report).await?;
        tx.insert_report_update(&update).await?;
        tx.insert_one_time_code(&code).await?;
        tx.update_one_time_code(&OneTimeCodeRow {
            failed_attempts: 1,
            ..code.clone()
        })
        .await?;
        tx.update_report(&changed).await?;
        tx.insert_report_update(&existing_update).await?;
        tx.insert_one_time_code(&existing_code).await?;
        audit(&mut tx, "report.create").await?;
        if ending == "rollback" {
            tx.rollback().await?;
        } else {
            drop(tx);
        }

        let mut tx = store.begin().await?;
        ensure!(
            tx.report_by_reference(&report.reference).await?.is_none(),
            "{ending}: the report persisted"
        );
        ensure!(
            tx.report_by_idempotency_key(&report.idempotency_key)
                .await?
                .is_none(),
            "{ending}: the idempotency key persisted"
        );
        let stored = tx.report_by_reference(&existing.reference).await?;
        ensure!(
            stored == Some(fixtures::report_as_stored(&existing)),
            "{ending}: the update persisted: {stored:?}"
        );
        for reference in [&report.reference, &existing.reference] {
            ensure!(
                tx.report_updates(reference).await?.is_empty(),
                "{ending}: a timeline entry persisted"
            );
            ensure!(
                tx.latest_one_time_code(reference).await?.is_none(),
                "{ending}: a one-time code persisted"
            );
        }
        let listed = tx.list_reports(None, 10).await?;
        ensure!(
            listed == [fixtures::report_as_stored(&existing)],
            "{ending}: listed {listed:?}"
        );
        tx.rollback().await?;
        ensure!(
            store.audit_size().await? == audit_size,
            "{ending}: the audit entry persisted"
        );
    }

    // The same rows can still be written afterwards.
    let mut tx = store.begin().await?;
    tx.insert_report(&report).await?;
    tx.insert_report_update(&update).await?;
    tx.insert_one_time_code(&code).await?;
    audit(&mut tx, "report.create").await?;
    commit(tx, "after rollback").await?;
    ensure!(
        read_report(&store, &report.reference).await? == Some(fixtures::report_as_stored(&report)),
        "the report written after the rollback is missing"
    );
    Ok(())
}
