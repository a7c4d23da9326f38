//! Online reports through the gate: submission, idempotency, one-time codes, tracking,
//! messages both ways and police updates.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context as _, ensure};
use bluelamp_app::{AppError, CodeRequest, EvidenceReceipt, NewReport, PoliceUpdate, Principal};
use bluelamp_audit::{LogKind, Outcome};
use bluelamp_domain::ids::RecordKind;
use bluelamp_domain::location::{Address, Location};
use bluelamp_domain::object::{Object, Vehicle};
use bluelamp_domain::person::{ContactDetails, Person};
use bluelamp_domain::record::RecordBody;
use bluelamp_domain::report::{ReportKind, ReportReference, ReportStatus};
use bluelamp_domain::values::{
    DateOfBirth, EmailAddress, FreeText, PersonName, Postcode, Purpose, Vrm,
};
use bluelamp_policy::Role;
use serde_json::json;

use crate::harness::{FORCE, Harness};

fn reporter(email: &str) -> anyhow::Result<Person> {
    let mut person = Person::named(PersonName::new(vec!["Alex".to_owned()], "Morgan")?);
    person.date_of_birth = Some(DateOfBirth::parse("1980-04-05")?);
    person.contact = ContactDetails {
        email: Some(EmailAddress::parse(email)?),
        phone: None,
        address: None,
    };
    Ok(person)
}

fn place() -> anyhow::Result<Location> {
    let address = Address::new(
        vec!["1 High Street".to_owned()],
        Some("Leicester".to_owned()),
        Some(Postcode::parse("LE1 6ZG")?),
    )?;
    Ok(Location::new(Some(address), None, None)?)
}

fn photo(n: u8) -> EvidenceReceipt {
    EvidenceReceipt {
        blob_key: format!("evidence/test/{n}"),
        file_name: format!("photo-{n}.jpg"),
        media_type: "image/jpeg".to_owned(),
        size_bytes: 5_000_000,
        sha256: format!("{:064x}", u64::from(n) + 1),
        metadata: BTreeMap::from([("gps".to_owned(), "52.6369,-1.1398".to_owned())]),
    }
}

/// A full crime report: a bicycle theft with a suspect, a witness and a photo.
pub fn crime_report(key: &str, email: &str) -> anyhow::Result<NewReport> {
    let mut suspect = Person::named(PersonName::new(vec!["Unknown".to_owned()], "Unknown")?);
    suspect.description = Some(FreeText::parse("Tall, grey hoodie, on a red bike")?);
    let witness = Person::named(PersonName::new(vec!["Jo".to_owned()], "Bloggs")?);
    Ok(NewReport {
        kind: ReportKind::Crime,
        idempotency_key: key.to_owned(),
        report_type: Some("theft-bicycle".to_owned()),
        summary: FreeText::parse("My bike was taken from the rack outside the library.")?,
        occurred_from: chrono::Utc::now() - chrono::Duration::hours(3),
        occurred_to: None,
        place: Some(place()?),
        reporter: Some(reporter(email)?),
        reporter_is_victim: true,
        victim: None,
        witnesses: vec![witness],
        suspects: vec![suspect],
        vehicles: Vec::new(),
        property: Vec::new(),
        evidence: vec![photo(1)],
        details: json!({ "support": ["victim-support"], "contact_preference": "email" }),
    })
}

pub async fn submitted_report_lands_as_pole_records_in_one_audited_transaction(
    h: &Harness,
) -> anyhow::Result<()> {
    let before = h.audit().await?.len();
    let submitted = h
        .app
        .submit_report(crime_report("key-0000000000000001", "alex@example.com")?)
        .await?;
    ensure!(submitted.first_time && submitted.trackable);
    // event, place, reporter, witness, suspect, evidence
    ensure!(
        h.record_count().await? == 6,
        "records: {}",
        h.record_count().await?
    );
    let mut tx = h.store.begin().await?;
    let records = tx.list_records(None, None, 100).await?;
    let row = tx
        .report_by_reference(submitted.reference.compact())
        .await?
        .context("report row")?;
    let links = tx.links_of(row.event_id).await?;
    tx.rollback().await?;
    ensure!(row.status == "received");
    ensure!(row.contact_email.as_deref() == Some("alex@example.com"));
    for record in &records {
        ensure!(record.provenance.channel.to_string() == "online_report");
        ensure!(record.marking.classification().to_string() == "OFFICIAL");
    }
    let evidence = records
        .iter()
        .find_map(|record| match &record.body {
            RecordBody::Object(Object::Evidence(file)) => Some(file.clone()),
            _ => None,
        })
        .context("evidence record")?;
    ensure!(
        evidence.metadata.contains_key("gps"),
        "metadata kept with the evidence"
    );
    // reporting person + victim (same person), witness, suspect, place, exhibit
    ensure!(links.len() == 6, "links: {}", links.len());
    let entries = h.audit().await?;
    let new: Vec<_> = entries.iter().skip(before).collect();
    ensure!(
        new.len() == 2,
        "one report entry and one per evidence file: {}",
        new.len()
    );
    let report_entry = &new.first().context("entry")?.entry;
    let evidence_entry = &new.get(1).context("entry")?.entry;
    ensure!(report_entry.kind == LogKind::Collection);
    ensure!(report_entry.action == "report.submit");
    ensure!(report_entry.records.len() == 6);
    ensure!(report_entry.actor == "citizen:anonymous");
    let digest = format!("sha256:{:064x}", 2);
    ensure!(evidence_entry.digest.as_deref() == Some(digest.as_str()));
    Ok(())
}

pub async fn repeated_submission_makes_one_report(h: &Harness) -> anyhow::Result<()> {
    let report = crime_report("key-0000000000000002", "alex@example.com")?;
    let (first, second) = tokio::join!(
        h.app.submit_report(report.clone()),
        h.app.submit_report(report.clone())
    );
    let (first, second) = (first?, second?);
    ensure!(first.reference == second.reference);
    ensure!(first.first_time != second.first_time, "exactly one made it");
    let third = h.app.submit_report(report).await?;
    ensure!(third.reference == first.reference && !third.first_time);
    ensure!(h.record_count().await? == 6);
    Ok(())
}

pub async fn invalid_report_stores_nothing(h: &Harness) -> anyhow::Result<()> {
    let mut report = crime_report("key-0000000000000003", "alex@example.com")?;
    report.report_type = Some("road-phone".to_owned());
    let error = h
        .app
        .submit_report(report)
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(&error, AppError::Invalid { field, .. } if field == "report_type"),
        "{error}"
    );
    let mut report = crime_report("key-0000000000000004", "alex@example.com")?;
    report.occurred_from = chrono::Utc::now() + chrono::Duration::days(2);
    let error = h
        .app
        .submit_report(report)
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(
            &error,
            AppError::Invalid {
                code: "in_future",
                ..
            }
        ),
        "{error}"
    );
    ensure!(h.record_count().await? == 0);
    ensure!(h.audit().await?.is_empty());
    Ok(())
}

pub async fn operation_snap_rules_are_enforced(h: &Harness) -> anyhow::Result<()> {
    let snap = |key: &str| -> anyhow::Result<NewReport> {
        let mut report = crime_report(key, "driver@example.com")?;
        report.kind = ReportKind::RoadTraffic;
        report.report_type = Some("road-phone".to_owned());
        report.reporter_is_victim = false;
        report.suspects = Vec::new();
        report.witnesses = Vec::new();
        report.vehicles = vec![Vehicle {
            vrm: Vrm::parse("AB12 CDE")?,
            make: None,
            model: None,
            colour: None,
        }];
        report.evidence = vec![EvidenceReceipt {
            media_type: "video/mp4".to_owned(),
            file_name: "dashcam.mp4".to_owned(),
            ..photo(2)
        }];
        report.details = json!({ "statement_willing": true, "clip_within_limits": true });
        Ok(report)
    };
    let mut late = snap("key-snap-000000000001")?;
    late.occurred_from = chrono::Utc::now() - chrono::Duration::days(8);
    let error = h
        .app
        .submit_report(late)
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(
            &error,
            AppError::Invalid {
                code: "too_late",
                ..
            }
        ),
        "{error}"
    );
    let mut no_vrm = snap("key-snap-000000000002")?;
    no_vrm.vehicles.clear();
    let error = h
        .app
        .submit_report(no_vrm)
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(&error, AppError::Invalid { field, .. } if field == "vehicles"),
        "{error}"
    );
    let mut young = snap("key-snap-000000000003")?;
    if let Some(person) = young.reporter.as_mut() {
        let seventeen = chrono::Utc::now().date_naive() - chrono::Duration::days(17 * 365);
        person.date_of_birth = Some(DateOfBirth::new(seventeen)?);
    }
    let error = h
        .app
        .submit_report(young)
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(
            &error,
            AppError::Invalid {
                code: "too_young",
                ..
            }
        ),
        "{error}"
    );
    let mut unwilling = snap("key-snap-000000000004")?;
    unwilling.details = json!({ "clip_within_limits": true });
    let error = h
        .app
        .submit_report(unwilling)
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(&error, AppError::Invalid { field, .. } if field == "statement_willing"),
        "{error}"
    );
    ensure!(h.record_count().await? == 0);
    let made = h.app.submit_report(snap("key-snap-000000000005")?).await?;
    ensure!(made.first_time);
    let mut tx = h.store.begin().await?;
    let vehicles = tx.list_records(Some(RecordKind::Object), None, 100).await?;
    tx.rollback().await?;
    ensure!(vehicles.iter().any(|record| matches!(&record.body, RecordBody::Object(Object::Vehicle(v)) if v.vrm.to_string() == "AB12 CDE")));
    Ok(())
}

async fn code_from_mail(h: &Harness, to: &str) -> anyhow::Result<String> {
    let mail = h
        .sink
        .wait_for(to, Duration::from_secs(10))
        .await
        .context("no e-mail arrived")?;
    let code = mail
        .text
        .split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 6)
        .context("no code in the e-mail")?;
    Ok(code.to_owned())
}

pub async fn one_time_code_opens_the_report_once(h: &Harness) -> anyhow::Result<()> {
    let submitted = h
        .app
        .submit_report(crime_report("key-0000000000000005", "sam@example.com")?)
        .await?;
    let reference = submitted.reference;
    ensure!(h.app.request_report_code(&reference).await? == CodeRequest::Sent);
    let code = code_from_mail(h, "sam@example.com").await?;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let error = h
        .app
        .verify_report_code(&reference, wrong)
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(
            &error,
            AppError::Invalid {
                code: "code_wrong",
                ..
            }
        ),
        "{error}"
    );
    let denied = h.audit().await?;
    ensure!(
        denied
            .last()
            .is_some_and(|e| e.entry.outcome == Outcome::Denied)
    );
    let reporter = h.app.verify_report_code(&reference, &code).await?;
    ensure!(reporter.actor_id() == format!("citizen:reporter:{}", reference.compact()));
    let purpose = Purpose::parse(bluelamp_app::reports::REPORTER_PURPOSE)?;
    let view = h.app.track_report(&reporter, &reference, &purpose).await?;
    ensure!(view.status == ReportStatus::Received);
    ensure!(view.timeline.len() == 1);
    ensure!(
        view.timeline
            .first()
            .is_some_and(|entry| entry.files.len() == 1)
    );
    let replay = h
        .app
        .verify_report_code(&reference, &code)
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(
            &replay,
            AppError::Invalid {
                code: "code_used",
                ..
            }
        ),
        "{replay}"
    );
    // Someone else's reference: the reporter principal may not follow it.
    let other = h
        .app
        .submit_report(crime_report("key-0000000000000006", "kim@example.com")?)
        .await?;
    let error = h
        .app
        .track_report(&reporter, &other.reference, &purpose)
        .await
        .err()
        .context("expected an error")?;
    ensure!(matches!(error, AppError::Forbidden { .. }), "{error}");
    Ok(())
}

pub async fn expired_and_locked_codes_are_refused(h: &Harness) -> anyhow::Result<()> {
    let submitted = h
        .app
        .submit_report(crime_report("key-0000000000000007", "lee@example.com")?)
        .await?;
    let reference = submitted.reference;
    h.app.request_report_code(&reference).await?;
    let code = code_from_mail(h, "lee@example.com").await?;
    h.clock.advance(chrono::Duration::minutes(16));
    let error = h
        .app
        .verify_report_code(&reference, &code)
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(
            &error,
            AppError::Invalid {
                code: "code_expired",
                ..
            }
        ),
        "{error}"
    );
    h.app.request_report_code(&reference).await?;
    let mut fresh = code_from_mail(h, "lee@example.com").await?;
    for _ in 0..10 {
        if fresh != code {
            break;
        }
        fresh = code_from_mail(h, "lee@example.com").await?;
    }
    let wrong = if fresh == "999999" {
        "999998"
    } else {
        "999999"
    };
    for _ in 0..5 {
        let _ = h.app.verify_report_code(&reference, wrong).await;
    }
    let error = h
        .app
        .verify_report_code(&reference, &fresh)
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(
            &error,
            AppError::Invalid {
                code: "code_locked",
                ..
            }
        ),
        "{error}"
    );
    // Unknown references get the same answer shape as known ones, and no mail.
    let unknown = ReportReference::from_random(42);
    ensure!(h.app.request_report_code(&unknown).await? == CodeRequest::UnknownReport);
    let error = h
        .app
        .verify_report_code(&unknown, "123456")
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(
            &error,
            AppError::Invalid {
                code: "code_wrong",
                ..
            }
        ),
        "{error}"
    );
    // Codes per hour are limited.
    for _ in 0..3 {
        h.app.request_report_code(&reference).await?;
    }
    let error = h
        .app
        .request_report_code(&reference)
        .await
        .err()
        .context("expected an error")?;
    ensure!(matches!(error, AppError::RateLimited { .. }), "{error}");
    Ok(())
}

pub async fn police_updates_and_messages_reach_the_timeline(h: &Harness) -> anyhow::Result<()> {
    let submitted = h
        .app
        .submit_report(crime_report("key-0000000000000008", "pat@example.com")?)
        .await?;
    let reference = submitted.reference;
    let officer = h.staff("pc2741", Role::Officer, FORCE).await?;
    h.app
        .update_report(&officer, &reference, PoliceUpdate::Assessing)
        .await?;
    h.app
        .update_report(
            &officer,
            &reference,
            PoliceUpdate::CrimeRecorded {
                crime_number: "LE/2026/001234".to_owned(),
            },
        )
        .await?;
    h.app
        .update_report(
            &officer,
            &reference,
            PoliceUpdate::Message {
                text: FreeText::parse("We have found CCTV of the rack.")?,
            },
        )
        .await?;
    let bad = h
        .app
        .update_report(
            &officer,
            &reference,
            PoliceUpdate::Outcome {
                code: "made-up".to_owned(),
                note: None,
            },
        )
        .await
        .err()
        .context("expected an error")?;
    ensure!(
        matches!(&bad, AppError::Invalid { field, .. } if field == "outcome"),
        "{bad}"
    );
    h.app
        .update_report(
            &officer,
            &reference,
            PoliceUpdate::Outcome {
                code: "unable-to-prosecute".to_owned(),
                note: None,
            },
        )
        .await?;
    let reporter = Principal::reporter(&reference);
    h.app
        .add_to_report(
            &reporter,
            &reference,
            Some(FreeText::parse("Thank you. Here is another photo.")?),
            vec![photo(3)],
        )
        .await?;
    let purpose = Purpose::parse(bluelamp_app::reports::REPORTER_PURPOSE)?;
    let view = h.app.track_report(&reporter, &reference, &purpose).await?;
    ensure!(view.status == ReportStatus::Closed);
    ensure!(view.crime_number.as_deref() == Some("LE/2026/001234"));
    let outcome = view.outcome.context("outcome")?;
    ensure!(
        outcome.explanation.contains("not enough evidence"),
        "{}",
        outcome.explanation
    );
    let titles: Vec<&str> = view
        .timeline
        .iter()
        .map(|entry| entry.title.as_str())
        .collect();
    ensure!(
        titles
            == [
                "Report received",
                "Being assessed",
                "Crime recorded: crime number LE/2026/001234",
                "Message from the police",
                "Outcome: Unable to prosecute suspect",
                "You sent a message",
            ],
        "{titles:?}"
    );
    // The message to the reporter is a disclosure to them; status changes are alterations.
    let entries = h.audit().await?;
    ensure!(entries.iter().any(|e| e.entry.kind == LogKind::Disclosure
        && e.entry.recipients == [format!("reporter:{}", reference.compact())]));
    ensure!(
        entries
            .iter()
            .filter(|e| e.entry.kind == LogKind::Alteration)
            .count()
            == 3
    );
    // Another force's officer and an administrator are refused.
    let outsider = h.staff("met1", Role::Officer, "metropolitan").await?;
    let error = h
        .app
        .update_report(&outsider, &reference, PoliceUpdate::Assessing)
        .await
        .err()
        .context("expected an error")?;
    ensure!(matches!(error, AppError::Forbidden { .. }), "{error}");
    let admin = h.staff("admin1", Role::Administrator, FORCE).await?;
    let error = h
        .app
        .track_report(&admin, &reference, &purpose)
        .await
        .err()
        .context("expected an error")?;
    ensure!(matches!(error, AppError::Forbidden { .. }), "{error}");
    Ok(())
}

pub async fn anonymous_information_is_accepted_without_a_reporter(
    h: &Harness,
) -> anyhow::Result<()> {
    let report = NewReport {
        kind: ReportKind::Information,
        idempotency_key: "key-info-00000000001".to_owned(),
        report_type: None,
        summary: FreeText::parse("Cars are being broken into on Mill Lane most nights.")?,
        occurred_from: chrono::Utc::now(),
        occurred_to: None,
        place: None,
        reporter: None,
        reporter_is_victim: false,
        victim: None,
        witnesses: Vec::new(),
        suspects: Vec::new(),
        vehicles: Vec::new(),
        property: Vec::new(),
        evidence: Vec::new(),
        details: json!({ "anonymous": true }),
    };
    let submitted = h.app.submit_report(report).await?;
    ensure!(!submitted.trackable);
    ensure!(h.app.request_report_code(&submitted.reference).await? == CodeRequest::NoEmail);
    ensure!(h.record_count().await? == 1);
    Ok(())
}

pub async fn staff_record_incidents_reported_by_phone_into_the_queue(
    h: &Harness,
) -> anyhow::Result<()> {
    let handler = h.staff("ch.phone", Role::ContactHandler, FORCE).await?;
    let before = h.audit().await?.len();
    let mut input = crime_report("key-phone-000000000001", "caller@example.com")?;
    input.evidence = Vec::new();
    let made = h
        .app
        .record_incident(&handler, input.clone(), bluelamp_app::ReceivedBy::Phone)
        .await?;
    ensure!(made.first_time && made.trackable);
    // The same form sent twice makes one report.
    let again = h
        .app
        .record_incident(&handler, input, bluelamp_app::ReceivedBy::Phone)
        .await?;
    ensure!(!again.first_time && again.reference == made.reference);
    let entries = h.audit().await?;
    let new: Vec<_> = entries.iter().skip(before).collect();
    ensure!(new.len() == 1, "one collection entry: {}", new.len());
    let entry = &new.first().context("entry")?.entry;
    ensure!(entry.kind == LogKind::Collection && entry.action == "report.record");
    ensure!(entry.actor == handler.actor_id());
    let mut tx = h.store.begin().await?;
    let records = tx.list_records(None, None, 100).await?;
    tx.rollback().await?;
    ensure!(
        records
            .iter()
            .all(|record| record.provenance.channel.to_string() == "staff_entry"),
        "entered by staff"
    );
    // It is in the triage queue with its recording clock, and its timeline says how it came.
    let purpose = Purpose::parse("triage of reports")?;
    let queue = h.app.report_queue(&handler, None, &purpose).await?;
    let item = queue
        .iter()
        .find(|item| item.reference == made.reference)
        .context("in the queue")?;
    ensure!(item.recording.is_some(), "the recording clock runs");
    let view = h
        .app
        .track_report(&handler, &made.reference, &purpose)
        .await?;
    let received = view.timeline.first().context("received entry")?;
    ensure!(
        received.title == "Report received by phone",
        "{}",
        received.title
    );
    ensure!(received.author_name.as_deref() == Some("Test ch.phone"));

    // Analysts and administrators may not record incidents; the refusal is audited and
    // nothing is stored.
    for (name, role) in [
        ("an.phone", Role::Analyst),
        ("ad.phone", Role::Administrator),
    ] {
        let refused_by = h.staff(name, role, FORCE).await?;
        let records_before = h.record_count().await?;
        let refused = h
            .app
            .record_incident(
                &refused_by,
                crime_report(&format!("key-refused-{name}"), "x@example.com")?,
                bluelamp_app::ReceivedBy::FrontCounter,
            )
            .await;
        ensure!(
            matches!(refused, Err(AppError::Forbidden { .. })),
            "{role:?}: {refused:?}"
        );
        ensure!(h.record_count().await? == records_before);
        let last = h.audit().await?;
        let last = &last.last().context("entry")?.entry;
        ensure!(last.outcome == Outcome::Denied && last.action == "report.record");
    }
    Ok(())
}
