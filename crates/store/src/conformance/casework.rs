//! Casework: crime number counters (per force and year, gapless, safe under concurrency),
//! unique crime numbers, allocations and tasks.

use std::collections::BTreeSet;
use std::sync::Arc;

use anyhow::{Context as _, bail, ensure};
use bluelamp_audit::truncate_to_micros;
use bluelamp_domain::ids::StaffId;
use chrono::Duration;
use uuid::Uuid;

use super::{audit, commit, fixtures, insert_committed};
use crate::{ReportAllocationRow, ReportRow, ReportTaskRow, Store, StoreError, TeamRow};

/// Concurrent tasks in the counter case.
const COUNTER_TASKS: usize = 8;
/// Transactions per task in the counter case.
const COUNTER_TRANSACTIONS: usize = 10;

/// A stored event and `count` anonymous reports about it; returns the reports.
async fn stored_reports(store: &Arc<dyn Store>, count: usize) -> anyhow::Result<Vec<ReportRow>> {
    let event = fixtures::record(bluelamp_domain::ids::RecordKind::Event)?;
    insert_committed(store, std::slice::from_ref(&event)).await?;
    let mut reports = Vec::with_capacity(count);
    let mut tx = store.begin().await?;
    for _ in 0..count {
        let report = fixtures::anonymous_report(event.id)?;
        tx.insert_report(&report).await?;
        reports.push(report);
    }
    audit(&mut tx, "report.create").await?;
    commit(tx, "insert reports").await?;
    Ok(reports)
}

/// Two staff accounts and a team, stored; returns their ids.
async fn stored_staff_and_team(
    store: &Arc<dyn Store>,
) -> anyhow::Result<(StaffId, StaffId, TeamRow)> {
    let first = fixtures::staff(&format!("cw-{}", Uuid::now_v7().simple()), true)?;
    let second = fixtures::staff(&format!("cw-{}", Uuid::now_v7().simple()), true)?;
    let team = TeamRow {
        id: Uuid::now_v7(),
        name: format!("Team {}", Uuid::now_v7().simple()),
        created_at: truncate_to_micros(fixtures::report_time()?),
    };
    let mut tx = store.begin().await?;
    tx.insert_staff(&first).await?;
    tx.insert_staff(&second).await?;
    tx.insert_team(&team).await?;
    audit(&mut tx, "staff.create").await?;
    commit(tx, "insert staff and team").await?;
    Ok((first.id, second.id, team))
}

/// Takes one number of `force`'s sequence for `year` in its own audited transaction.
async fn take_number(store: &Arc<dyn Store>, force: &str, year: i32) -> anyhow::Result<u64> {
    let mut tx = store.begin().await?;
    let taken = tx.next_crime_sequence(force, year).await?;
    audit(&mut tx, "report.update").await?;
    commit(tx, "take a crime number").await?;
    Ok(taken)
}

/// Each force and year has its own sequence starting at 1; a rolled-back number is taken
/// again (no gaps); taking a number is a write that needs an audit entry.
pub async fn crime_sequences_are_per_force_and_year_and_gapless(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    let first = tx.next_crime_sequence("leicestershire", 2026).await?;
    let second = tx.next_crime_sequence("leicestershire", 2026).await?;
    let other_force = tx.next_crime_sequence("kent", 2026).await?;
    let next_year = tx.next_crime_sequence("leicestershire", 2027).await?;
    audit(&mut tx, "report.update").await?;
    commit(tx, "take numbers").await?;
    ensure!(
        (first, second, other_force, next_year) == (1, 2, 1, 1),
        "sequences: {first}, {second}, kent {other_force}, 2027 {next_year}"
    );

    let mut tx = store.begin().await?;
    let abandoned = tx.next_crime_sequence("leicestershire", 2026).await?;
    tx.rollback().await?;
    ensure!(abandoned == 3, "third number is {abandoned}");
    let again = take_number(&store, "leicestershire", 2026).await?;
    ensure!(
        again == 3,
        "a rolled-back number was not given again: {again}"
    );

    let mut tx = store.begin().await?;
    tx.next_crime_sequence("leicestershire", 2026).await?;
    match tx.commit().await {
        Err(StoreError::UnauditedWrite) => {}
        other => bail!("an unaudited number was committed: {other:?}"),
    }
    let after = take_number(&store, "leicestershire", 2026).await?;
    ensure!(
        after == 4,
        "the refused transaction kept its number: {after}"
    );
    Ok(())
}

/// 8 tasks × 10 transactions take numbers of one sequence at once (every third transaction
/// rolls back): the committed numbers are exactly 1..=N, none twice.
pub async fn concurrent_crime_sequences_never_repeat(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let mut tasks = Vec::with_capacity(COUNTER_TASKS);
    for task in 0..COUNTER_TASKS {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut taken = Vec::new();
            for transaction in 0..COUNTER_TRANSACTIONS {
                let mut tx = store.begin().await?;
                let number = tx.next_crime_sequence("leicestershire", 2026).await?;
                if (task + transaction) % 3 == 0 {
                    tx.rollback().await?;
                } else {
                    audit(&mut tx, "report.update").await?;
                    commit(tx, "concurrent crime number").await?;
                    taken.push(number);
                }
            }
            anyhow::Ok(taken)
        }));
    }
    let mut all = BTreeSet::new();
    let mut count = 0_u64;
    for task in futures::future::join_all(tasks).await {
        for number in task.context("task panicked")?? {
            ensure!(all.insert(number), "crime number {number} was issued twice");
            count += 1;
        }
    }
    let expected: BTreeSet<u64> = (1..=count).collect();
    ensure!(
        all == expected,
        "committed numbers are not exactly 1..={count}: {all:?}"
    );
    Ok(())
}

/// No two reports share a crime number: giving a second report one already used is
/// `AlreadyExists` ("crime number").
pub async fn crime_numbers_are_unique(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let reports = stored_reports(&store, 2).await?;
    let (Some(first), Some(second)) = (reports.first(), reports.get(1)) else {
        bail!("two reports were stored");
    };
    let mut tx = store.begin().await?;
    tx.update_report(&ReportRow {
        crime_number: Some("33/2026/000001".to_owned()),
        ..first.clone()
    })
    .await?;
    audit(&mut tx, "report.update").await?;
    commit(tx, "record the first crime").await?;

    let mut tx = store.begin().await?;
    let result = tx
        .update_report(&ReportRow {
            crime_number: Some("33/2026/000001".to_owned()),
            ..second.clone()
        })
        .await;
    tx.rollback().await?;
    match result {
        Err(StoreError::AlreadyExists {
            what: "crime number",
            ..
        }) => Ok(()),
        other => bail!("a crime number was used twice: {other:?}"),
    }
}

/// Allocations round-trip and replace one another; the open reports of an officer or a team
/// are found (never a closed one); missing reports, accounts and teams are `NotFound`.
pub async fn report_allocations_round_trip_and_list_open_reports(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let reports = stored_reports(&store, 3).await?;
    let (officer, other, team) = stored_staff_and_team(&store).await?;
    let [Some(r1), Some(r2), Some(r3)] = [reports.first(), reports.get(1), reports.get(2)] else {
        bail!("three reports were stored");
    };
    let at = fixtures::report_time()?;
    let allocation =
        |report: &ReportRow, staff: Option<StaffId>, team: Option<Uuid>| ReportAllocationRow {
            reference: report.reference.clone(),
            staff_id: staff,
            team_id: team,
            allocated_at: at,
            allocated_by: "staff:test".to_owned(),
        };
    let first = allocation(r1, Some(officer), None);
    let mut tx = store.begin().await?;
    tx.put_report_allocation(&first).await?;
    tx.put_report_allocation(&allocation(r2, None, Some(team.id)))
        .await?;
    tx.put_report_allocation(&allocation(r3, Some(other), None))
        .await?;
    audit(&mut tx, "report.allocate").await?;
    commit(tx, "allocate").await?;

    let mut tx = store.begin().await?;
    let read = tx.report_allocation(&r1.reference).await?;
    let mine = tx.open_reports_allocated_to(officer, Some(team.id)).await?;
    let theirs = tx.open_reports_allocated_to(other, None).await?;
    tx.rollback().await?;
    let expected = ReportAllocationRow {
        allocated_at: truncate_to_micros(at),
        ..first.clone()
    };
    ensure!(
        read.as_ref() == Some(&expected),
        "allocation read back as {read:?}"
    );
    let references = |found: &[(ReportRow, ReportAllocationRow)]| -> BTreeSet<String> {
        found.iter().map(|(row, _)| row.reference.clone()).collect()
    };
    ensure!(
        references(&mine) == BTreeSet::from([r1.reference.clone(), r2.reference.clone()]),
        "officer and team: {:?}",
        references(&mine)
    );
    ensure!(
        mine.iter()
            .all(|(row, alloc)| row.reference == alloc.reference),
        "each report comes with its own allocation"
    );
    ensure!(
        references(&theirs) == BTreeSet::from([r3.reference.clone()]),
        "other officer: {:?}",
        references(&theirs)
    );

    // Reallocating replaces; a closed report is no longer open work.
    let mut tx = store.begin().await?;
    tx.put_report_allocation(&allocation(r1, None, Some(team.id)))
        .await?;
    tx.update_report(&ReportRow {
        status: "closed".to_owned(),
        ..r2.clone()
    })
    .await?;
    audit(&mut tx, "report.allocate").await?;
    commit(tx, "reallocate and close").await?;
    let mut tx = store.begin().await?;
    let officer_only = tx.open_reports_allocated_to(officer, None).await?;
    let team_work = tx.open_reports_allocated_to(other, Some(team.id)).await?;
    tx.rollback().await?;
    ensure!(officer_only.is_empty(), "{officer_only:?}");
    ensure!(
        references(&team_work) == BTreeSet::from([r1.reference.clone(), r3.reference.clone()]),
        "{:?}",
        references(&team_work)
    );

    // Missing references.
    for (bad, what) in [
        (
            ReportAllocationRow {
                reference: fixtures::report_reference(),
                ..first.clone()
            },
            "report",
        ),
        (allocation(r1, Some(StaffId::new()), None), "staff account"),
        (allocation(r1, None, Some(Uuid::now_v7())), "team"),
    ] {
        let mut tx = store.begin().await?;
        let result = tx.put_report_allocation(&bad).await;
        tx.rollback().await?;
        match result {
            Err(StoreError::NotFound { what: found, .. }) if found == what => {}
            other => bail!("allocation to a missing {what}: {other:?}"),
        }
    }
    // Unaudited.
    let mut tx = store.begin().await?;
    tx.put_report_allocation(&first).await?;
    match tx.commit().await {
        Err(StoreError::UnauditedWrite) => Ok(()),
        other => bail!("an unaudited allocation was committed: {other:?}"),
    }
}

/// Tasks round-trip in id order, record their completion, and check their references.
pub async fn report_tasks_round_trip_complete_and_errors(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let reports = stored_reports(&store, 1).await?;
    let report = reports.first().context("a report was stored")?;
    let (officer, _, _) = stored_staff_and_team(&store).await?;
    let at = fixtures::report_time()?;
    let task = |kind: &str, code: Option<&str>, assignee: Option<StaffId>| ReportTaskRow {
        id: Uuid::now_v7(),
        reference: report.reference.clone(),
        kind: kind.to_owned(),
        code: code.map(str::to_owned),
        title: "Tell the victim — café CCTV".to_owned(),
        due_at: at + Duration::days(28),
        assignee,
        created_at: at,
        created_by: "staff:test".to_owned(),
        completed_at: None,
        completed_by: None,
        completion_note: None,
    };
    let first = task("task", None, Some(officer));
    let second = task("victims_code", Some("update-monthly"), None);
    let mut tx = store.begin().await?;
    tx.insert_report_task(&first).await?;
    tx.insert_report_task(&second).await?;
    audit(&mut tx, "report.update").await?;
    commit(tx, "insert tasks").await?;

    let as_stored = |task: &ReportTaskRow| ReportTaskRow {
        due_at: truncate_to_micros(task.due_at),
        created_at: truncate_to_micros(task.created_at),
        completed_at: task.completed_at.map(truncate_to_micros),
        ..task.clone()
    };
    let mut tx = store.begin().await?;
    let read = tx.report_tasks(&report.reference).await?;
    tx.rollback().await?;
    ensure!(
        read == vec![as_stored(&first), as_stored(&second)],
        "tasks read back as {read:?}"
    );

    let done = ReportTaskRow {
        completed_at: Some(at + Duration::days(1)),
        completed_by: Some("staff:other".to_owned()),
        completion_note: Some("the victim was sent a message".to_owned()),
        ..second.clone()
    };
    let mut tx = store.begin().await?;
    tx.update_report_task(&done).await?;
    audit(&mut tx, "report.update").await?;
    commit(tx, "complete a task").await?;
    let mut tx = store.begin().await?;
    let read = tx.report_tasks(&report.reference).await?;
    tx.rollback().await?;
    ensure!(
        read.get(1) == Some(&as_stored(&done)),
        "completion read back as {read:?}"
    );

    // Errors.
    let mut tx = store.begin().await?;
    let duplicate = tx.insert_report_task(&first).await;
    let missing_report = tx
        .insert_report_task(&ReportTaskRow {
            reference: fixtures::report_reference(),
            ..task("task", None, None)
        })
        .await;
    let missing_assignee = tx
        .insert_report_task(&task("task", None, Some(StaffId::new())))
        .await;
    let missing_task = tx.update_report_task(&task("task", None, None)).await;
    tx.rollback().await?;
    ensure!(
        matches!(
            duplicate,
            Err(StoreError::AlreadyExists { what: "task", .. })
        ),
        "duplicate task id: {duplicate:?}"
    );
    ensure!(
        matches!(
            missing_report,
            Err(StoreError::NotFound { what: "report", .. })
        ),
        "task of a missing report: {missing_report:?}"
    );
    ensure!(
        matches!(
            missing_assignee,
            Err(StoreError::NotFound {
                what: "staff account",
                ..
            })
        ),
        "task for a missing account: {missing_assignee:?}"
    );
    ensure!(
        matches!(missing_task, Err(StoreError::NotFound { what: "task", .. })),
        "completing a missing task: {missing_task:?}"
    );

    let mut tx = store.begin().await?;
    tx.insert_report_task(&task("task", None, None)).await?;
    match tx.commit().await {
        Err(StoreError::UnauditedWrite) => Ok(()),
        other => bail!("an unaudited task was committed: {other:?}"),
    }
}
