//! Triage of online reports by police staff: the queue, with each report's NCRS recording
//! clock (24 hours from registration, from reference data); the THRIVE assessment with the
//! force's response grade; and the decision not to record a crime, with its reason.
//!
//! What triage decides is police information, not the reporter's: it is kept in the report's
//! `details` under `"triage"` and on the timeline as entries the reporter never sees (see
//! [`is_internal`]). The reporter sees only that the report is being assessed.

use bluelamp_audit::{LogKind, Outcome};
use bluelamp_domain::ncrs::RecordingState;
use bluelamp_domain::report::{ReportKind, ReportReference, ReportStatus};
use bluelamp_domain::values::{FreeText, Purpose};
use bluelamp_policy::{Action, Resource};
use bluelamp_store::{ReportRow, ReportUpdateRow, StoreError};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Principal};

/// The most reports one queue page shows.
pub const QUEUE_LIMIT: u32 = 500;

/// Timeline entry kinds that only staff see: triage decisions, allocation to a team, tasks,
/// the reason for closing and the report a duplicate was linked to.
const INTERNAL_KINDS: [&str; 7] = [
    "assessment",
    "recording_decision",
    "allocation",
    "task",
    "task_completed",
    "closure",
    "duplicate",
];

/// Whether a timeline entry of `kind` is police-only (never shown to the reporter).
pub fn is_internal(kind: &str) -> bool {
    INTERNAL_KINDS.contains(&kind)
}

/// A THRIVE assessment (Threat, Harm, Risk, Investigation, Vulnerability, Engagement) and the
/// response grade it leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// The response grade's code in the force's reference data (`refdata/response_grades.csv`).
    pub grade: String,
    /// What threat there is.
    pub threat: Option<FreeText>,
    /// What harm has been or may be done.
    pub harm: Option<FreeText>,
    /// How likely the harm is (the R that drives the grade); required.
    pub risk: FreeText,
    /// What investigation is needed.
    pub investigation: Option<FreeText>,
    /// Whether anyone is vulnerable, and how.
    pub vulnerability: Option<FreeText>,
    /// How the police will engage with the reporter.
    pub engagement: Option<FreeText>,
}

impl Assessment {
    fn to_json(&self) -> Value {
        let text = |field: &Option<FreeText>| field.as_ref().map(|value| value.as_str().to_owned());
        json!({
            "grade": self.grade,
            "threat": text(&self.threat),
            "harm": text(&self.harm),
            "risk": self.risk.as_str(),
            "investigation": text(&self.investigation),
            "vulnerability": text(&self.vulnerability),
            "engagement": text(&self.engagement),
        })
    }
}

/// One report in the triage queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueItem {
    /// The reference.
    pub reference: ReportReference,
    /// The journey it came through.
    pub kind: ReportKind,
    /// The type of report, as the public chose it.
    pub type_label: Option<String>,
    /// Where it has got to.
    pub status: ReportStatus,
    /// When it was received (the incident's registration).
    pub submitted_at: DateTime<Utc>,
    /// The crime number, once recorded.
    pub crime_number: Option<String>,
    /// The response grade's label, once assessed.
    pub grade: Option<String>,
    /// The NCRS recording clock while no recording decision has been made: when the decision
    /// is due and whether that time has passed. `None` once decided (or closed).
    pub recording: Option<(DateTime<Utc>, RecordingState)>,
}

impl QueueItem {
    /// Whether the recording decision is overdue (an NCRS breach to show supervisors).
    pub fn is_breached(&self) -> bool {
        matches!(self.recording, Some((_, RecordingState::Breached { .. })))
    }
}

/// The resource a queue request is decided on: the force's reports as a whole (no reporter
/// can hold it).
fn queue_resource(force: &str) -> Resource {
    Resource::report("queue", force.to_owned(), "reporter:queue")
}

/// Whether a recording decision has been made for `row`.
pub(crate) fn recording_decided(row: &ReportRow) -> bool {
    row.crime_number.is_some()
        || row.status == ReportStatus::Closed.as_str()
        || row
            .details
            .pointer("/triage/recording")
            .is_some_and(|decision| !decision.is_null())
}

impl App {
    /// The triage queue: the force's online reports, newest first, optionally with one
    /// status, each with its recording clock. Staff with a purpose (pre-filled by the
    /// workspace, e.g. "triage of online reports"); the queue shows no personal data, so
    /// reading it is authorised but not a consultation in the s.62 log.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn report_queue(
        &self,
        who: &Principal,
        status: Option<ReportStatus>,
        purpose: &Purpose,
    ) -> Result<Vec<QueueItem>, AppError> {
        let inner = &self.inner;
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::TrackReport,
            purpose: Some(purpose.as_str()),
            records: Vec::new(),
        };
        inner
            .authorise(who, &queue_resource(&inner.force), &facts)
            .await?;
        let mut tx = inner.store.begin().await?;
        let rows = match tx
            .list_reports(status.map(ReportStatus::as_str), QUEUE_LIMIT)
            .await
        {
            Ok(rows) => rows,
            Err(error) => return abandon(tx, error.into()).await,
        };
        tx.rollback().await?;
        let now = inner.clock.now();
        let today = now.date_naive();
        rows.iter()
            .map(|row| {
                let (reference, kind, status, type_label) =
                    crate::casework::row_basics(inner, row, today)?;
                let grade = row
                    .details
                    .pointer("/triage/assessment/grade")
                    .and_then(Value::as_str)
                    .map(|code| {
                        inner
                            .refdata
                            .response_grade(code, today)
                            .map_or_else(|| code.to_owned(), |grade| grade.label)
                    });
                let recording = if recording_decided(row) {
                    None
                } else {
                    inner
                        .refdata
                        .recording_clock(row.submitted_at)
                        .map(|clock| (clock.deadline(), clock.state(now)))
                };
                Ok(QueueItem {
                    reference,
                    kind,
                    type_label,
                    status,
                    submitted_at: row.submitted_at,
                    crime_number: row.crime_number.clone(),
                    grade,
                    recording,
                })
            })
            .collect()
    }

    /// Records a THRIVE assessment and response grade for a report; a report not yet looked
    /// at becomes "being assessed" (which its reporter sees). Audited as s.62 alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn assess_report(
        &self,
        who: &Principal,
        reference: &ReportReference,
        assessment: Assessment,
    ) -> Result<(), AppError> {
        let today = self.inner.clock.now().date_naive();
        if self
            .inner
            .refdata
            .response_grade(&assessment.grade, today)
            .is_none()
        {
            return Err(AppError::invalid(
                "grade",
                "unknown_code",
                format!(
                    "'{}' is not one of the force's response grades on {today}",
                    assessment.grade
                ),
            ));
        }
        let data = assessment.to_json();
        self.triage_change(who, reference, "assessment", data.clone(), |row| {
            set_triage(row, "assessment", data);
            if row.status == ReportStatus::Received.as_str() {
                row.status = ReportStatus::BeingAssessed.as_str().to_owned();
            }
            Ok(())
        })
        .await
    }

    /// Records the decision that a report is not a crime (NCRS: the reasons must show the
    /// standard was not breached). Stops the recording clock. Audited as s.62 alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn decide_not_a_crime(
        &self,
        who: &Principal,
        reference: &ReportReference,
        reason: FreeText,
    ) -> Result<(), AppError> {
        let data = json!({ "decision": "not_a_crime", "reason": reason.as_str() });
        self.triage_change(who, reference, "recording_decision", data.clone(), |row| {
            if row.crime_number.is_some() {
                return Err(AppError::invalid(
                    "decision",
                    "already_recorded",
                    "this report is already recorded as a crime",
                ));
            }
            set_triage(row, "recording", data);
            Ok(())
        })
        .await
    }

    /// One triage change: authorise `report.update`, apply `change` to the report row, add a
    /// police-only timeline entry of `kind` holding `data`, audit, commit.
    async fn triage_change(
        &self,
        who: &Principal,
        reference: &ReportReference,
        kind: &str,
        mut data: Value,
        change: impl FnOnce(&mut ReportRow) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let (mut tx, mut row, facts) = inner
            .begin_report_action(who, reference, |row| AuditFacts {
                kind: LogKind::Alteration,
                action: Action::UpdateReport,
                purpose: None,
                records: vec![*row.event_id.as_uuid()],
            })
            .await?;
        if row.status == ReportStatus::Closed.as_str() {
            let closed = AppError::invalid("status", "closed", "this report is closed");
            return abandon(tx, closed).await;
        }
        if let Err(error) = change(&mut row) {
            return abandon(tx, error).await;
        }
        if let Some(object) = data.as_object_mut() {
            object.insert("status".to_owned(), Value::from(row.status.clone()));
        }
        row.updated_at = now;
        let entry = ReportUpdateRow {
            id: Uuid::now_v7(),
            reference: row.reference.clone(),
            at: now,
            kind: kind.to_owned(),
            author: "police".to_owned(),
            author_name: Some(who.display_name.clone()),
            text: None,
            data,
        };
        let audit = inner.audit_entry(who, &facts, Outcome::Allowed);
        let stored = async {
            tx.insert_report_update(&entry).await?;
            tx.update_report(&row).await?;
            tx.append_audit(&[audit]).await?;
            Ok::<(), StoreError>(())
        }
        .await;
        if let Err(error) = stored {
            return abandon(tx, error.into()).await;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Sets `details.triage.<key>` to `value`, making the objects on the way.
pub(crate) fn set_triage(row: &mut ReportRow, key: &str, value: Value) {
    set_detail(row, "triage", key, value);
}

/// Sets `details.<section>.<key>` to `value`, making the objects on the way.
pub(crate) fn set_detail(row: &mut ReportRow, section: &str, key: &str, value: Value) {
    if !row.details.is_object() {
        row.details = json!({});
    }
    if let Some(details) = row.details.as_object_mut() {
        let triage = details.entry(section).or_insert_with(|| json!({}));
        if !triage.is_object() {
            *triage = json!({});
        }
        if let Some(triage) = triage.as_object_mut() {
            triage.insert(key.to_owned(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{is_internal, set_triage};

    #[test]
    fn triage_entries_are_internal_and_reporter_entries_are_not() {
        assert!(is_internal("assessment"));
        assert!(is_internal("recording_decision"));
        for hidden in [
            "allocation",
            "task",
            "task_completed",
            "closure",
            "duplicate",
        ] {
            assert!(is_internal(hidden), "{hidden}");
        }
        for shown in [
            "received", "status", "message", "outcome", "evidence", "closed", "linked",
        ] {
            assert!(!is_internal(shown), "{shown}");
        }
    }

    #[test]
    fn triage_details_are_merged_not_replaced() {
        let mut row = bluelamp_store::ReportRow {
            reference: "X".to_owned(),
            kind: "crime".to_owned(),
            status: "received".to_owned(),
            event_id: bluelamp_domain::ids::RecordId::new(),
            reporter_id: None,
            contact_email: None,
            idempotency_key: "k".to_owned(),
            submitted_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            crime_number: None,
            officer: None,
            outcome: None,
            details: json!({ "report_type": "theft-bicycle" }),
        };
        set_triage(&mut row, "assessment", json!({ "grade": "priority" }));
        set_triage(&mut row, "recording", json!({ "decision": "not_a_crime" }));
        assert_eq!(
            row.details,
            json!({
                "report_type": "theft-bicycle",
                "triage": {
                    "assessment": { "grade": "priority" },
                    "recording": { "decision": "not_a_crime" }
                }
            })
        );
    }
}
