//! Triage of online reports: the queue with its NCRS recording clock, the THRIVE assessment
//! with a response grade, the decision not to record a crime; what the reporter sees of it.

use anyhow::{Context as _, ensure};
use bluelamp_app::{AppError, Assessment, PoliceUpdate, Principal};
use bluelamp_audit::LogKind;
use bluelamp_domain::report::ReportStatus;
use bluelamp_domain::values::{FreeText, Purpose};
use bluelamp_policy::Role;

use crate::harness::{FORCE, Harness};
use crate::reports::crime_report;

fn assessment(grade: &str) -> anyhow::Result<Assessment> {
    Ok(Assessment {
        grade: grade.to_owned(),
        threat: None,
        harm: Some(FreeText::parse("Loss of a bicycle worth about £600")?),
        risk: FreeText::parse("Low: the offender has left; no threat to the victim")?,
        investigation: Some(FreeText::parse("CCTV at the library rack")?),
        vulnerability: None,
        engagement: Some(FreeText::parse("Victim prefers e-mail")?),
    })
}

pub async fn triage_queue_shows_the_recording_clock_and_flags_breaches(
    h: &Harness,
) -> anyhow::Result<()> {
    let first = h
        .app
        .submit_report(crime_report("key-triage-000000001", "one@example.com")?)
        .await?
        .reference;
    let second = h
        .app
        .submit_report(crime_report("key-triage-000000002", "two@example.com")?)
        .await?
        .reference;
    let handler = h.staff("ch1", Role::ContactHandler, FORCE).await?;
    let purpose = Purpose::parse("triage of online reports")?;
    let queue = h.app.report_queue(&handler, None, &purpose).await?;
    ensure!(queue.len() == 2, "{queue:?}");
    ensure!(queue.iter().all(|item| !item.is_breached()));
    let item = queue
        .iter()
        .find(|item| item.reference == first)
        .context("the first report is queued")?;
    let (deadline, _) = item.recording.context("a recording clock")?;
    ensure!(
        deadline - item.submitted_at == chrono::Duration::hours(24),
        "the NCRS limit is 24 hours: {deadline} vs {}",
        item.submitted_at
    );
    ensure!(item.type_label.is_some(), "{item:?}");

    // One report is decided in time; a day later the other is flagged as a breach.
    h.app
        .update_report(
            &handler,
            &second,
            PoliceUpdate::CrimeRecorded {
                crime_number: "LE/2026/000002".to_owned(),
            },
        )
        .await?;
    h.clock.advance(chrono::Duration::hours(25));
    let queue = h.app.report_queue(&handler, None, &purpose).await?;
    let breached: Vec<_> = queue.iter().filter(|item| item.is_breached()).collect();
    ensure!(
        breached.len() == 1 && breached.first().map(|item| &item.reference) == Some(&first),
        "{queue:?}"
    );
    let recorded = queue
        .iter()
        .find(|item| item.reference == second)
        .context("second")?;
    ensure!(
        recorded.recording.is_none(),
        "a recorded crime has no clock"
    );
    // Filtered by status.
    let received = h
        .app
        .report_queue(&handler, Some(ReportStatus::Received), &purpose)
        .await?;
    ensure!(received.len() == 1, "{received:?}");

    // The queue is for operational staff of the force, with a purpose.
    for (name, role, force) in [
        ("admin1", Role::Administrator, FORCE),
        ("met1", Role::Officer, "metropolitan"),
    ] {
        let outsider = h.staff(name, role, force).await?;
        let error = h
            .app
            .report_queue(&outsider, None, &purpose)
            .await
            .err()
            .context("expected a refusal")?;
        ensure!(
            matches!(error, AppError::Forbidden { .. }),
            "{name}: {error}"
        );
    }
    let reporter = Principal::reporter(&first);
    let error = h
        .app
        .report_queue(&reporter, None, &purpose)
        .await
        .err()
        .context("a reporter cannot list the queue")?;
    ensure!(matches!(error, AppError::Forbidden { .. }), "{error}");
    Ok(())
}

pub async fn assessment_and_not_a_crime_are_kept_from_the_reporter(
    h: &Harness,
) -> anyhow::Result<()> {
    let reference = h
        .app
        .submit_report(crime_report("key-triage-000000003", "three@example.com")?)
        .await?
        .reference;
    let handler = h.staff("ch2", Role::ContactHandler, FORCE).await?;
    let before = h.audit().await?.len();

    // An unknown grade is refused and stores nothing.
    let error = h
        .app
        .assess_report(&handler, &reference, assessment("grade-9")?)
        .await
        .err()
        .context("expected an unknown grade to be refused")?;
    ensure!(
        matches!(&error, AppError::Invalid { field, .. } if field == "grade"),
        "{error}"
    );
    ensure!(
        h.audit().await?.len() == before,
        "a refused assessment was audited"
    );

    h.app
        .assess_report(&handler, &reference, assessment("scheduled")?)
        .await?;
    let purpose = Purpose::parse("triage of online reports")?;
    let queue = h.app.report_queue(&handler, None, &purpose).await?;
    let item = queue.first().context("queued")?;
    ensure!(item.status == ReportStatus::BeingAssessed, "{item:?}");
    ensure!(
        item.grade
            .as_deref()
            .is_some_and(|grade| grade.contains("Scheduled")),
        "{item:?}"
    );

    h.app
        .decide_not_a_crime(
            &handler,
            &reference,
            FreeText::parse("The bicycle was found borrowed by a family member; no crime in law")?,
        )
        .await?;
    let queue = h.app.report_queue(&handler, None, &purpose).await?;
    ensure!(
        queue.first().is_some_and(|item| item.recording.is_none()),
        "the decision stops the clock: {queue:?}"
    );
    // Two alterations audited.
    let entries = h.audit().await?;
    ensure!(
        entries
            .iter()
            .skip(before)
            .filter(|entry| entry.entry.kind == LogKind::Alteration)
            .count()
            == 2
    );
    // Staff see the triage entries; the reporter sees only that it is being assessed.
    let staff_view = h
        .app
        .track_report(
            &handler,
            &reference,
            &Purpose::parse("triage of online reports")?,
        )
        .await?;
    let staff_titles: Vec<&str> = staff_view
        .timeline
        .iter()
        .map(|e| e.title.as_str())
        .collect();
    ensure!(
        staff_titles.len() == 3
            && staff_titles
                .get(1)
                .is_some_and(|title| title.starts_with("Assessed (THRIVE)"))
            && staff_titles
                .get(2)
                .is_some_and(|title| title.starts_with("Not recorded as a crime")),
        "{staff_titles:?}"
    );
    let reporter = Principal::reporter(&reference);
    let view = h
        .app
        .track_report(
            &reporter,
            &reference,
            &Purpose::parse(bluelamp_app::reports::REPORTER_PURPOSE)?,
        )
        .await?;
    let titles: Vec<&str> = view.timeline.iter().map(|e| e.title.as_str()).collect();
    ensure!(titles == ["Report received"], "{titles:?}");
    ensure!(view.status == ReportStatus::BeingAssessed);

    // A closed report takes no more triage; "not a crime" after a crime number is refused.
    h.app
        .update_report(
            &handler,
            &reference,
            PoliceUpdate::Outcome {
                code: "no-further-action".to_owned(),
                note: None,
            },
        )
        .await?;
    let error = h
        .app
        .assess_report(&handler, &reference, assessment("priority")?)
        .await
        .err()
        .context("a closed report takes no more triage")?;
    ensure!(
        matches!(&error, AppError::Invalid { field, .. } if field == "status"),
        "{error}"
    );
    let officer = h.staff("pc1", Role::Officer, FORCE).await?;
    let other = h
        .app
        .submit_report(crime_report("key-triage-000000004", "four@example.com")?)
        .await?
        .reference;
    h.app
        .update_report(
            &officer,
            &other,
            PoliceUpdate::CrimeRecorded {
                crime_number: "LE/2026/000004".to_owned(),
            },
        )
        .await?;
    let error = h
        .app
        .decide_not_a_crime(&officer, &other, FreeText::parse("changed my mind")?)
        .await
        .err()
        .context("expected a refusal")?;
    ensure!(
        matches!(&error, AppError::Invalid { field, .. } if field == "decision"),
        "{error}"
    );
    // An analyst may look at the queue but not change a report.
    let analyst = h.staff("an1", Role::Analyst, FORCE).await?;
    h.app.report_queue(&analyst, None, &purpose).await?;
    let error = h
        .app
        .assess_report(&analyst, &other, assessment("priority")?)
        .await
        .err()
        .context("analysts do not triage")?;
    ensure!(matches!(error, AppError::Forbidden { .. }), "{error}");
    Ok(())
}
