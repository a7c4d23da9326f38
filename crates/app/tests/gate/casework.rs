//! Casework through the gate: the staff report page, crime recording with system-issued
//! crime numbers, allocation and "my work", tasks and Victims' Code deadlines, closing and
//! linking duplicates.

use anyhow::{Context as _, ensure};
use bluelamp_app::{
    Allocation, AppError, Assessment, DecisionKind, PoliceUpdate, Principal, TaskKind,
};
use bluelamp_audit::{Entry, LogKind, Outcome};
use bluelamp_domain::ids::StaffId;
use bluelamp_domain::report::{ReportReference, ReportStatus};
use bluelamp_domain::values::{FreeText, Purpose};
use bluelamp_policy::Role;
use bluelamp_store::ReportRow;
use chrono::Datelike as _;

use crate::harness::{FORCE, Harness};
use crate::reports::crime_report;

/// The purpose staff give to open a report.
fn purpose() -> anyhow::Result<Purpose> {
    Ok(Purpose::parse("investigation of an online report")?)
}

/// A new report with a unique idempotency key.
async fn new_report(h: &Harness, n: u32) -> anyhow::Result<ReportReference> {
    Ok(h.app
        .submit_report(crime_report(
            &format!("key-casework-{n:08}"),
            &format!("victim{n}@example.com"),
        )?)
        .await?
        .reference)
}

/// The stored row of a report.
async fn row(h: &Harness, reference: &ReportReference) -> anyhow::Result<ReportRow> {
    let mut tx = h.store.begin().await?;
    let row = tx.report_by_reference(reference.compact()).await?;
    tx.rollback().await?;
    row.context("report row")
}

/// The number of timeline entries and tasks of a report, to check nothing was stored.
async fn footprint(h: &Harness, reference: &ReportReference) -> anyhow::Result<(usize, usize)> {
    let mut tx = h.store.begin().await?;
    let updates = tx.report_updates(reference.compact()).await?;
    let tasks = tx.report_tasks(reference.compact()).await?;
    tx.rollback().await?;
    Ok((updates.len(), tasks.len()))
}

/// The audit entries appended since `before`.
async fn since(h: &Harness, before: usize) -> anyhow::Result<Vec<Entry>> {
    Ok(h.audit().await?.into_iter().skip(before).collect())
}

/// Compiles only if `value` is `Send` (the web layer runs use cases on a multi-threaded
/// runtime).
fn assert_send<T: Send>(_: &T) {}

/// The staff id of a staff principal.
fn id_of(who: &Principal) -> anyhow::Result<StaffId> {
    Ok(who.subject.id.parse()?)
}

/// Checks that `result` is a refusal and that exactly one denied entry of `action` was
/// appended since `before`.
async fn refused<T: std::fmt::Debug>(
    h: &Harness,
    before: usize,
    action: &str,
    result: Result<T, AppError>,
) -> anyhow::Result<()> {
    let error = result.err().context("expected a refusal")?;
    ensure!(matches!(error, AppError::Forbidden { .. }), "{error}");
    let entries = since(h, before).await?;
    ensure!(
        entries.len() == 1
            && entries.iter().all(|entry| entry.entry.outcome == Outcome::Denied
                && entry.entry.action == action),
        "{entries:?}"
    );
    Ok(())
}

/// Checks that `result` is `invalid` on `field` and that nothing was stored or audited.
async fn invalid<T: std::fmt::Debug>(
    h: &Harness,
    before: (usize, (usize, usize)),
    reference: &ReportReference,
    field: &str,
    result: Result<T, AppError>,
) -> anyhow::Result<()> {
    let error = result
        .err()
        .context("expected invalid input to be refused")?;
    ensure!(
        matches!(&error, AppError::Invalid { field: found, .. } if found == field),
        "expected invalid {field}: {error:?}"
    );
    ensure!(
        h.audit().await?.len() == before.0,
        "invalid input was audited"
    );
    ensure!(
        footprint(h, reference).await? == before.1,
        "invalid input stored something"
    );
    Ok(())
}

/// The audit size and a report's footprint now.
async fn snapshot(
    h: &Harness,
    reference: &ReportReference,
) -> anyhow::Result<(usize, (usize, usize))> {
    Ok((h.audit().await?.len(), footprint(h, reference).await?))
}

pub async fn staff_report_shows_everything_and_is_audited_once(h: &Harness) -> anyhow::Result<()> {
    let reference = new_report(h, 1).await?;
    let handler = h.staff("cw-ch1", Role::ContactHandler, FORCE).await?;
    h.app
        .assess_report(
            &handler,
            &reference,
            Assessment {
                grade: "scheduled".to_owned(),
                threat: None,
                harm: Some(FreeText::parse("Loss of a bicycle")?),
                risk: FreeText::parse("Low")?,
                investigation: None,
                vulnerability: None,
                engagement: None,
            },
        )
        .await?;
    let stored = row(h, &reference).await?;
    let officer = h.staff("cw-pc1", Role::Officer, FORCE).await?;
    let before = h.audit().await?.len();
    let view = h
        .app
        .staff_report(&officer, &reference, &purpose()?)
        .await?;

    // One consultation with the purpose, naming the event and the reporter.
    let entries = since(h, before).await?;
    let [entry] = entries.as_slice() else {
        anyhow::bail!("expected one entry: {entries:?}");
    };
    ensure!(entry.entry.kind == LogKind::Consultation && entry.entry.action == "report.track");
    ensure!(entry.entry.outcome == Outcome::Allowed);
    ensure!(entry.entry.purpose.as_deref() == Some("investigation of an online report"));
    let expected: Vec<uuid::Uuid> = std::iter::once(stored.event_id)
        .chain(stored.reporter_id)
        .map(|id| *id.as_uuid())
        .collect();
    ensure!(entry.entry.records == expected, "{:?}", entry.entry.records);

    // What the reporter told us.
    ensure!(view.reference == reference);
    ensure!(
        view.status == ReportStatus::BeingAssessed,
        "{:?}",
        view.status
    );
    ensure!(view.type_label.is_some());
    ensure!(
        view.account.description == "My bike was taken from the rack outside the library.",
        "{:?}",
        view.account
    );
    ensure!(view.account.reporter_name.as_deref() == Some("Alex Morgan"));
    ensure!(view.account.email.as_deref() == Some("victim1@example.com"));
    ensure!(
        view.account
            .place
            .as_deref()
            .is_some_and(|place| place.contains("1 High Street") && place.contains("LE1 6ZG")),
        "{:?}",
        view.account.place
    );
    // Triage, clock, timeline with police-only entries marked.
    let assessment = view.assessment.as_ref().context("assessment")?;
    ensure!(assessment.grade == "scheduled" && assessment.grade_label.contains("Scheduled"));
    ensure!(assessment.risk.as_deref() == Some("Low"));
    ensure!(view.decision.is_none() && view.recording.is_some());
    ensure!(view.allocation.is_none() && view.tasks.is_empty() && view.outcome.is_none());
    let kinds: Vec<(&str, bool)> = view
        .timeline
        .iter()
        .map(|entry| (entry.kind.as_str(), entry.reporter_sees))
        .collect();
    ensure!(
        kinds == [("received", true), ("assessment", false)],
        "{kinds:?}"
    );

    // Administrators never, reporters never (it shows police-only entries), analysts yes.
    let admin = h.staff("cw-admin1", Role::Administrator, FORCE).await?;
    let before = h.audit().await?.len();
    let result = h.app.staff_report(&admin, &reference, &purpose()?).await;
    refused(h, before, "report.track", result).await?;
    let reporter = Principal::reporter(&reference);
    let before = h.audit().await?.len();
    let result = h.app.staff_report(&reporter, &reference, &purpose()?).await;
    refused(h, before, "report.track", result).await?;
    let other_force = h.staff("cw-met1", Role::Officer, "metropolitan").await?;
    let before = h.audit().await?.len();
    let result = h
        .app
        .staff_report(&other_force, &reference, &purpose()?)
        .await;
    refused(h, before, "report.track", result).await?;
    let analyst = h.staff("cw-an1", Role::Analyst, FORCE).await?;
    h.app
        .staff_report(&analyst, &reference, &purpose()?)
        .await?;
    Ok(())
}

pub async fn crimes_get_consecutive_system_issued_numbers(h: &Harness) -> anyhow::Result<()> {
    let first = new_report(h, 11).await?;
    let second = new_report(h, 12).await?;
    let handler = h.staff("cw-ch2", Role::ContactHandler, FORCE).await?;
    let year = bluelamp_domain::calendar::london_date(chrono::Utc::now()).year();

    // Unknown and malformed classifications store nothing.
    for (code, field) in [
        ("999Z", "classification"),
        ("not a code!", "classification"),
    ] {
        let before = snapshot(h, &first).await?;
        let result = h.app.record_crime(&handler, &first, code).await;
        invalid(h, before, &first, field, result).await?;
    }

    let before = h.audit().await?.len();
    let recording = h.app.record_crime(&handler, &first, "49");
    assert_send(&recording);
    let one = recording.await?;
    let two = h.app.record_crime(&handler, &second, "8L").await?;
    ensure!(one == format!("33/{year}/000001"), "{one}");
    ensure!(two == format!("33/{year}/000002"), "{two}");
    let entries = since(h, before).await?;
    ensure!(
        entries.len() == 2
            && entries
                .iter()
                .all(|entry| entry.entry.kind == LogKind::Alteration
                    && entry.entry.action == "report.update"
                    && entry.entry.outcome == Outcome::Allowed),
        "{entries:?}"
    );
    let stored = row(h, &first).await?;
    ensure!(stored.crime_number.as_deref() == Some(one.as_str()));
    ensure!(stored.status == "crime_recorded");

    // Already recorded: refused, nothing stored.
    let before = snapshot(h, &first).await?;
    let result = h.app.record_crime(&handler, &first, "49").await;
    invalid(h, before, &first, "status", result).await?;

    // Decided not a crime: refused until the decision is changed.
    let third = new_report(h, 13).await?;
    h.app
        .decide_not_a_crime(&handler, &third, FreeText::parse("No offence disclosed")?)
        .await?;
    let before = snapshot(h, &third).await?;
    let result = h.app.record_crime(&handler, &third, "49").await;
    invalid(h, before, &third, "decision", result).await?;

    // The reporter sees the number, never the classification.
    let view = h
        .app
        .track_report(
            &Principal::reporter(&first),
            &first,
            &Purpose::parse(bluelamp_app::reports::REPORTER_PURPOSE)?,
        )
        .await?;
    let titles: Vec<&str> = view.timeline.iter().map(|e| e.title.as_str()).collect();
    ensure!(
        titles
            == [
                "Report received".to_owned(),
                format!("Crime recorded: crime number {one}")
            ],
        "{titles:?}"
    );
    // Staff see the decision and the monthly Victims' Code update.
    let staff = h.app.staff_report(&handler, &first, &purpose()?).await?;
    let decision = staff.decision.as_ref().context("decision")?;
    ensure!(decision.kind == DecisionKind::Crime);
    ensure!(decision.classification.as_deref() == Some("49"));
    ensure!(decision.classification_label.as_deref() == Some("Other theft"));
    ensure!(staff.recording.is_none(), "recording stops the clock");
    let [task] = staff.tasks.as_slice() else {
        anyhow::bail!("expected the monthly update task: {:?}", staff.tasks);
    };
    ensure!(task.kind == TaskKind::VictimsCode && task.code.as_deref() == Some("update-monthly"));
    ensure!(!task.overdue && task.completed_at.is_none());
    ensure!(
        staff
            .timeline
            .iter()
            .any(|entry| entry.kind == "recording_decision" && !entry.reporter_sees)
    );

    // Analysts do not record crimes.
    let analyst = h.staff("cw-an2", Role::Analyst, FORCE).await?;
    let fourth = new_report(h, 14).await?;
    let stored_before = (footprint(h, &fourth).await?, row(h, &fourth).await?);
    let before = h.audit().await?.len();
    let result = h.app.record_crime(&analyst, &fourth, "49").await;
    refused(h, before, "report.update", result).await?;
    ensure!(
        (footprint(h, &fourth).await?, row(h, &fourth).await?) == stored_before,
        "a refused recording stored something"
    );

    // Recording at the same time never issues a number twice.
    let fifth = new_report(h, 15).await?;
    let (a, b) = tokio::join!(
        h.app.record_crime(&handler, &fourth, "49"),
        h.app.record_crime(&handler, &fifth, "49"),
    );
    let mut numbers = vec![a?, b?];
    numbers.sort();
    ensure!(
        numbers == [format!("33/{year}/000003"), format!("33/{year}/000004")],
        "{numbers:?}"
    );
    // Recording one report twice at once: one wins, the other is refused, no number is lost.
    let sixth = new_report(h, 16).await?;
    let (a, b) = tokio::join!(
        h.app.record_crime(&handler, &sixth, "49"),
        h.app.record_crime(&handler, &sixth, "49"),
    );
    let (won, lost) = match (a, b) {
        (Ok(number), Err(error)) | (Err(error), Ok(number)) => (number, error),
        other => anyhow::bail!("expected one recording to win: {other:?}"),
    };
    ensure!(won == format!("33/{year}/000005"), "{won}");
    ensure!(
        matches!(
            &lost,
            AppError::Invalid {
                code: "already_recorded",
                ..
            }
        ),
        "{lost:?}"
    );
    let seventh = new_report(h, 17).await?;
    let next = h.app.record_crime(&handler, &seventh, "49").await?;
    ensure!(next == format!("33/{year}/000006"), "{next}");
    Ok(())
}

pub async fn allocation_follows_roles_and_fills_my_work(h: &Harness) -> anyhow::Result<()> {
    let r1 = new_report(h, 21).await?;
    let r2 = new_report(h, 22).await?;
    let r3 = new_report(h, 23).await?;
    let handler = h.staff("cw-ch3", Role::ContactHandler, FORCE).await?;
    let pc = h.staff("cw-pc3", Role::Officer, FORCE).await?;
    let investigator = h.staff("cw-inv3", Role::Investigator, FORCE).await?;
    let admin = h.staff("cw-admin3", Role::Administrator, FORCE).await?;
    let analyst = h.staff("cw-an3", Role::Analyst, FORCE).await?;
    let team = h.app.create_team(&admin, "Burglary team").await?;
    h.app
        .set_team(&admin, id_of(&investigator)?, Some(team.name.clone()))
        .await?;

    // A contact handler allocates an officer: the reporter sees the name.
    let before = h.audit().await?.len();
    let allocating = h
        .app
        .allocate_report(&handler, &r1, Allocation::Officer(id_of(&pc)?));
    assert_send(&allocating);
    allocating.await?;
    assert_send(&h.app.my_work(&pc, &purpose()?));
    assert_send(&h.app.colleagues(&pc));
    let entries = since(h, before).await?;
    ensure!(
        entries.len() == 1
            && entries.iter().all(|e| e.entry.action == "report.allocate"
                && e.entry.kind == LogKind::Alteration),
        "{entries:?}"
    );
    let stored = row(h, &r1).await?;
    ensure!(
        stored.officer.as_deref() == Some("Test cw-pc3") && stored.status == "officer_assigned"
    );
    let view = h
        .app
        .track_report(
            &Principal::reporter(&r1),
            &r1,
            &Purpose::parse(bluelamp_app::reports::REPORTER_PURPOSE)?,
        )
        .await?;
    ensure!(
        view.timeline
            .last()
            .is_some_and(|entry| entry.title == "Officer assigned: Test cw-pc3"),
        "{:?}",
        view.timeline
    );

    // An officer takes a report; they may not hand one to someone else.
    let before = h.audit().await?.len();
    h.app
        .allocate_report(&pc, &r2, Allocation::Officer(id_of(&pc)?))
        .await?;
    let entries = since(h, before).await?;
    ensure!(
        entries
            .iter()
            .map(|e| e.entry.action.as_str())
            .collect::<Vec<_>>()
            == ["report.take"],
        "{entries:?}"
    );
    let stored_before = (footprint(h, &r3).await?, row(h, &r3).await?);
    let before = h.audit().await?.len();
    let result = h
        .app
        .allocate_report(&pc, &r3, Allocation::Officer(id_of(&investigator)?))
        .await;
    refused(h, before, "report.allocate", result).await?;
    ensure!(
        (footprint(h, &r3).await?, row(h, &r3).await?) == stored_before,
        "a refused allocation stored something"
    );
    let mut tx = h.store.begin().await?;
    let allocation = tx.report_allocation(r3.compact()).await?;
    tx.rollback().await?;
    ensure!(allocation.is_none(), "{allocation:?}");
    let before = h.audit().await?.len();
    let result = h
        .app
        .allocate_report(&pc, &r3, Allocation::Team(team.id))
        .await;
    refused(h, before, "report.allocate", result).await?;
    let before = h.audit().await?.len();
    let result = h
        .app
        .allocate_report(&analyst, &r3, Allocation::Officer(id_of(&analyst)?))
        .await;
    refused(h, before, "report.take", result).await?;

    // Only active operational staff of the force, and existing teams.
    for (to, field) in [
        (Allocation::Officer(id_of(&admin)?), "to"),
        (Allocation::Officer(id_of(&analyst)?), "to"),
        (Allocation::Officer(StaffId::new()), "to"),
        (Allocation::Team(uuid::Uuid::now_v7()), "to"),
    ] {
        let before = snapshot(h, &r3).await?;
        let result = h.app.allocate_report(&handler, &r3, to).await;
        invalid(h, before, &r3, field, result).await?;
    }
    h.app
        .allocate_report(&handler, &r3, Allocation::Team(team.id))
        .await?;
    ensure!(
        row(h, &r3).await?.officer.is_none(),
        "a team is not shown to the reporter"
    );

    // My work: the officer's own reports; the investigator's team's.
    let work = h.app.my_work(&pc, &purpose()?).await?;
    let refs: Vec<&ReportReference> = work.iter().map(|item| &item.reference).collect();
    ensure!(
        refs.len() == 2 && refs.contains(&&r1) && refs.contains(&&r2),
        "{work:?}"
    );
    let team_work = h.app.my_work(&investigator, &purpose()?).await?;
    ensure!(
        team_work.len() == 1
            && team_work.first().is_some_and(|item| item.reference == r3
                && item.allocation.team_name.as_deref() == Some("Burglary team")),
        "{team_work:?}"
    );
    // The most urgent first: an overdue task puts r2 on top.
    let today = bluelamp_domain::calendar::london_date(h.app_now());
    h.app
        .add_task(&pc, &r2, FreeText::parse("Visit the victim")?, today, None)
        .await?;
    h.clock.advance(chrono::Duration::days(2));
    let work = h.app.my_work(&pc, &purpose()?).await?;
    ensure!(
        work.first()
            .is_some_and(|item| item.reference == r2 && item.overdue),
        "{work:?}"
    );
    // Closed reports leave the list.
    h.app
        .close_report(
            &handler,
            &r2,
            FreeText::parse("Resolved by words of advice")?,
        )
        .await?;
    let work = h.app.my_work(&pc, &purpose()?).await?;
    ensure!(work.len() == 1, "{work:?}");

    // Colleagues: operational staff of the force, audited; not for administrators.
    let before = h.audit().await?.len();
    let colleagues = h.app.colleagues(&pc).await?;
    let names: Vec<&str> = colleagues.iter().map(|c| c.display_name.as_str()).collect();
    ensure!(
        names == ["Test cw-ch3", "Test cw-inv3", "Test cw-pc3"],
        "{names:?}"
    );
    ensure!(
        colleagues
            .iter()
            .any(|c| c.team_name.as_deref() == Some("Burglary team"))
    );
    let entries = since(h, before).await?;
    ensure!(
        entries.len() == 1
            && entries
                .iter()
                .all(|e| e.entry.kind == LogKind::Consultation && e.entry.records.len() == 3),
        "{entries:?}"
    );
    let before = h.audit().await?.len();
    let result = h.app.my_work(&admin, &purpose()?).await;
    refused(h, before, "report.track", result).await?;
    let before = h.audit().await?.len();
    let result = h.app.my_work(&Principal::reporter(&r1), &purpose()?).await;
    refused(h, before, "report.track", result).await?;
    let teams = h.app.allocation_teams(&handler).await?;
    ensure!(teams.len() == 1, "{teams:?}");
    let before = h.audit().await?.len();
    let result = h.app.colleagues(&admin).await;
    refused(h, before, "staff.colleagues", result).await?;
    Ok(())
}

pub async fn tasks_and_victims_code_deadlines(h: &Harness) -> anyhow::Result<()> {
    let reference = new_report(h, 31).await?;
    let pc = h.staff("cw-pc4", Role::Officer, FORCE).await?;
    let now = h.app_now();
    let today = bluelamp_domain::calendar::london_date(now);

    // A Victims' Code trigger makes a task due as the reference data says.
    let before = h.audit().await?.len();
    let triggering =
        h.app
            .record_victims_code_trigger(&pc, &reference, "suspect-arrested", now, false);
    assert_send(&triggering);
    let arrested = triggering.await?;
    assert_send(&h.app.staff_report(&pc, &reference, &purpose()?));
    assert_send(&h.app.complete_task(&pc, &reference, uuid::Uuid::nil()));
    assert_send(
        &h.app
            .add_task(&pc, &reference, FreeText::parse("x")?, today, None),
    );
    let enhanced = h
        .app
        .record_victims_code_trigger(&pc, &reference, "suspect-arrested", now, true)
        .await?;
    ensure!(since(h, before).await?.len() == 2);
    let standard_due = h
        .app
        .refdata()
        .victims_code_due("suspect-arrested", now, false)?;
    let enhanced_due = h
        .app
        .refdata()
        .victims_code_due("suspect-arrested", now, true)?;
    // Bad input stores nothing.
    let before = snapshot(h, &reference).await?;
    let result = h
        .app
        .record_victims_code_trigger(&pc, &reference, "suspect-abducted", now, false)
        .await;
    invalid(h, before, &reference, "trigger", result).await?;
    let before = snapshot(h, &reference).await?;
    let result = h
        .app
        .add_task(
            &pc,
            &reference,
            FreeText::parse("Too late")?,
            today - chrono::Duration::days(1),
            None,
        )
        .await;
    invalid(h, before, &reference, "due", result).await?;

    let chase = h
        .app
        .add_task(
            &pc,
            &reference,
            FreeText::parse("Ask the library for CCTV")?,
            today + chrono::Duration::days(3),
            Some(id_of(&pc)?),
        )
        .await?;
    let view = h.app.staff_report(&pc, &reference, &purpose()?).await?;
    let task = |id: uuid::Uuid| view.tasks.iter().find(|task| task.id == id);
    let standard = task(arrested).context("standard")?;
    ensure!(standard.title == "Tell the victim a suspect has been arrested");
    ensure!(
        standard.due_at.timestamp_micros() == standard_due.timestamp_micros(),
        "{} vs {standard_due}",
        standard.due_at
    );
    ensure!(
        task(enhanced)
            .is_some_and(|t| t.due_at.timestamp_micros() == enhanced_due.timestamp_micros())
    );
    let chase_view = task(chase).context("chase")?;
    ensure!(chase_view.kind == TaskKind::Task);
    ensure!(chase_view.assignee_name.as_deref() == Some("Test cw-pc4"));

    // Completing a task: once; unknown tasks are not found.
    h.app.complete_task(&pc, &reference, chase).await?;
    let before = snapshot(h, &reference).await?;
    let result = h.app.complete_task(&pc, &reference, chase).await;
    invalid(h, before, &reference, "task", result).await?;
    let error = h
        .app
        .complete_task(&pc, &reference, uuid::Uuid::now_v7())
        .await
        .err()
        .context("unknown task")?;
    ensure!(matches!(error, AppError::NotFound { .. }), "{error}");

    // Past its due time a task is overdue; a message to the victim meets the Victims' Code.
    h.clock.advance(chrono::Duration::days(10));
    let view = h.app.staff_report(&pc, &reference, &purpose()?).await?;
    ensure!(
        view.tasks.iter().filter(|task| task.overdue).count() == 2,
        "{:?}",
        view.tasks
    );
    h.app
        .update_report(
            &pc,
            &reference,
            PoliceUpdate::Message {
                text: FreeText::parse("We have arrested someone.")?,
            },
        )
        .await?;
    let view = h.app.staff_report(&pc, &reference, &purpose()?).await?;
    ensure!(
        view.tasks
            .iter()
            .filter(|task| task.kind == TaskKind::VictimsCode)
            .all(|task| task.completed_at.is_some()
                && task.completion_note.as_deref() == Some("the victim was sent a message")),
        "{:?}",
        view.tasks
    );
    ensure!(view.tasks.iter().all(|task| !task.overdue));
    // The reporter sees the message, never the tasks.
    let reporter_view = h
        .app
        .track_report(
            &Principal::reporter(&reference),
            &reference,
            &Purpose::parse(bluelamp_app::reports::REPORTER_PURPOSE)?,
        )
        .await?;
    ensure!(
        reporter_view
            .timeline
            .iter()
            .all(|entry| !entry.kind.starts_with("task")),
        "{:?}",
        reporter_view.timeline
    );
    Ok(())
}

pub async fn closing_and_duplicates_keep_police_information_back(
    h: &Harness,
) -> anyhow::Result<()> {
    let r1 = new_report(h, 41).await?;
    let r2 = new_report(h, 42).await?;
    let r3 = new_report(h, 43).await?;
    let handler = h.staff("cw-ch5", Role::ContactHandler, FORCE).await?;
    let reporter_purpose = Purpose::parse(bluelamp_app::reports::REPORTER_PURPOSE)?;

    let before = h.audit().await?.len();
    let closing = h.app.close_report(
        &handler,
        &r1,
        FreeText::parse("Reporter withdrew: a misunderstanding")?,
    );
    assert_send(&closing);
    closing.await?;
    assert_send(
        &h.app
            .link_duplicate(&handler, &r2, &r3, FreeText::parse("x")?),
    );
    ensure!(since(h, before).await?.len() == 1);
    let view = h
        .app
        .track_report(&Principal::reporter(&r1), &r1, &reporter_purpose)
        .await?;
    ensure!(view.status == ReportStatus::Closed);
    ensure!(
        view.timeline
            .iter()
            .map(|e| e.title.as_str())
            .collect::<Vec<_>>()
            == ["Report received", "Report closed"],
        "{:?}",
        view.timeline
    );
    ensure!(
        view.timeline.iter().all(|e| e.text.is_none()),
        "the reason is police-only"
    );
    let staff = h.app.staff_report(&handler, &r1, &purpose()?).await?;
    ensure!(staff.timeline.iter().any(|e| e.kind == "closure"
        && !e.reporter_sees
        && e.text.as_deref() == Some("Reporter withdrew: a misunderstanding")));
    let before = snapshot(h, &r1).await?;
    let result = h
        .app
        .close_report(&handler, &r1, FreeText::parse("again")?)
        .await;
    invalid(h, before, &r1, "status", result).await?;

    // A recorded crime is closed with an outcome instead.
    h.app.record_crime(&handler, &r3, "49").await?;
    let before = snapshot(h, &r3).await?;
    let result = h
        .app
        .close_report(&handler, &r3, FreeText::parse("no")?)
        .await;
    invalid(h, before, &r3, "status", result).await?;

    // Duplicates: never of itself or of a report that does not exist.
    let before = snapshot(h, &r2).await?;
    let result = h
        .app
        .link_duplicate(&handler, &r2, &r2, FreeText::parse("same")?)
        .await;
    invalid(h, before, &r2, "of", result).await?;
    let before = snapshot(h, &r2).await?;
    let unknown = ReportReference::from_random(42);
    let result = h
        .app
        .link_duplicate(&handler, &r2, &unknown, FreeText::parse("same")?)
        .await;
    invalid(h, before, &r2, "of", result).await?;

    let before = h.audit().await?.len();
    h.app
        .link_duplicate(
            &handler,
            &r2,
            &r3,
            FreeText::parse("Same bicycle, reported twice")?,
        )
        .await?;
    let entries = since(h, before).await?;
    let other = row(h, &r3).await?;
    ensure!(
        entries.len() == 1
            && entries
                .iter()
                .all(|e| e.entry.records.contains(other.event_id.as_uuid())),
        "{entries:?}"
    );
    let view = h
        .app
        .track_report(&Principal::reporter(&r2), &r2, &reporter_purpose)
        .await?;
    ensure!(view.status == ReportStatus::Closed);
    ensure!(
        view.timeline
            .last()
            .is_some_and(|e| e.title == "Linked to another report we are already dealing with"),
        "{:?}",
        view.timeline
    );
    let shown = format!("{view:?}");
    ensure!(
        !shown.contains(r3.compact()) && !shown.contains(&r3.to_string()),
        "the reporter must never see the other reference"
    );
    let staff = h.app.staff_report(&handler, &r2, &purpose()?).await?;
    ensure!(
        staff.duplicate_of.as_ref() == Some(&r3),
        "{:?}",
        staff.duplicate_of
    );
    let before = snapshot(h, &r2).await?;
    let result = h
        .app
        .link_duplicate(&handler, &r2, &r3, FreeText::parse("again")?)
        .await;
    invalid(h, before, &r2, "status", result).await?;
    Ok(())
}
