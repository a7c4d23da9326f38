//! Casework: what staff do to take an online report from triage to its outcome.
//!
//! * [`App::staff_report`] — everything about one report on one page ([`StaffReportView`]),
//!   police-only entries included; a consultation with its purpose.
//! * [`App::record_crime`] — records the report as a crime with a Home Office classification
//!   and a crime number issued by the system (see [`App::record_crime`] for its format).
//! * [`App::allocate_report`] ([`Allocation`]), [`App::colleagues`],
//!   [`App::allocation_teams`] and [`App::my_work`] ([`WorkItem`]).
//! * [`App::add_task`], [`App::complete_task`] and [`App::record_victims_code_trigger`]:
//!   tasks with due dates, and the Victims' Code deadlines (from
//!   `refdata/victims_code_deadlines.csv`, on the England and Wales working calendar). A
//!   message to the reporter completes the report's open Victims' Code tasks.
//! * [`App::close_report`] and [`App::link_duplicate`].
//!
//! Every change is `report.update` (allocation: `report.allocate`, or `report.take` for
//! oneself), audited as an s.62 alteration naming the report's event record. What staff
//! decide stays police-only: the reporter sees the crime number, the officer's name, that
//! the report was closed or linked to another, never the reasons, tasks or other reports.

use std::collections::HashMap;

use bluelamp_audit::{LogKind, Outcome};
use bluelamp_domain::calendar::{end_of_london_day, london_date};
use bluelamp_domain::handling::FieldCategory;
use bluelamp_domain::ids::StaffId;
use bluelamp_domain::link::LinkRole;
use bluelamp_domain::marking::Classification;
use bluelamp_domain::ncrs::RecordingState;
use bluelamp_domain::offence::HoClassCode;
use bluelamp_domain::record::{Record, RecordBody};
use bluelamp_domain::report::{ReportKind, ReportReference, ReportStatus};
use bluelamp_domain::values::{FreeText, Purpose};
use bluelamp_domain::victims_code::{VictimsCodeDeadline, VictimsCodeError};
use bluelamp_policy::{Action, PrincipalKind, Resource, ResourceKind, Role};
use bluelamp_store::{
    ReportAllocationRow, ReportRow, ReportTaskRow, ReportUpdateRow, StaffRow, StoreError, StoreTx,
};
use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::gate::{AuditFacts, abandon};
use crate::reports::{Author, FileSummary, OutcomeView, timeline_entry};
use crate::triage::{is_internal, recording_decided, set_detail, set_triage};
use crate::{App, AppError, Inner, Principal, Team};

/// The Victims' Code deadline started when a crime is recorded and after each update to the
/// victim (`refdata/victims_code_deadlines.csv`).
pub const MONTHLY_UPDATE: &str = "update-monthly";

/// Longest task title, in characters.
pub const TASK_TITLE_MAX_CHARS: usize = 200;

/// The roles that handle reports and may be allocated one.
const OPERATIONAL_ROLES: [Role; 4] = [
    Role::ContactHandler,
    Role::Officer,
    Role::Investigator,
    Role::Supervisor,
];

/// Who a report is allocated to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allocation {
    /// One officer (an active operational account of the force).
    Officer(StaffId),
    /// One team.
    Team(Uuid),
}

/// Who a report is allocated to, with the names to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationView {
    /// The officer, when allocated to one.
    pub officer: Option<StaffId>,
    /// The officer's display name.
    pub officer_name: Option<String>,
    /// The team, when allocated to one.
    pub team: Option<Uuid>,
    /// The team's name.
    pub team_name: Option<String>,
    /// When it was allocated.
    pub allocated_at: DateTime<Utc>,
}

/// A THRIVE assessment as recorded (see [`crate::Assessment`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssessmentView {
    /// The response grade's code.
    pub grade: String,
    /// The response grade's label (the code if it is no longer in the reference data).
    pub grade_label: String,
    /// Threat.
    pub threat: Option<String>,
    /// Harm.
    pub harm: Option<String>,
    /// Risk.
    pub risk: Option<String>,
    /// Investigation.
    pub investigation: Option<String>,
    /// Vulnerability.
    pub vulnerability: Option<String>,
    /// Engagement.
    pub engagement: Option<String>,
}

/// What was decided about recording a crime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionKind {
    /// Recorded as a crime ([`App::record_crime`]).
    Crime,
    /// Not a crime ([`App::decide_not_a_crime`]).
    NotACrime,
}

/// The recording decision (NCRS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordingDecisionView {
    /// Crime or not a crime.
    pub kind: DecisionKind,
    /// The reason given for not recording a crime.
    pub reason: Option<String>,
    /// The Home Office classification code of a recorded crime.
    pub classification: Option<String>,
    /// The offence it names.
    pub classification_label: Option<String>,
}

/// What the reporter told us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReporterAccount {
    /// What happened, in their words.
    pub description: String,
    /// When it happened (or started), as given.
    pub occurred_from: DateTime<Utc>,
    /// When it ended, if given.
    pub occurred_to: Option<DateTime<Utc>>,
    /// Where it happened, as given (address lines, town, postcode, or a description).
    pub place: Option<String>,
    /// The reporter's name; `None` for anonymous information.
    pub reporter_name: Option<String>,
    /// The reporter's e-mail address.
    pub email: Option<String>,
    /// The reporter's telephone number.
    pub phone: Option<String>,
    /// The reporter's postal address.
    pub address: Option<String>,
}

/// One timeline entry as staff see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffTimelineEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// What kind of entry (`received`, `status`, `message`, `assessment`, `task`, …).
    pub kind: String,
    /// Who.
    pub author: Author,
    /// The author's name as shown.
    pub author_name: Option<String>,
    /// The heading.
    pub title: String,
    /// Words under it (a message, a reason).
    pub text: Option<String>,
    /// Files added.
    pub files: Vec<FileSummary>,
    /// Whether the reporter sees this entry (police-only entries are `false`).
    pub reporter_sees: bool,
}

/// What kind of task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// A piece of work staff set.
    Task,
    /// A Victims' Code deadline.
    VictimsCode,
}

impl TaskKind {
    /// The stored name (`task`, `victims_code`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Task => "task",
            Self::VictimsCode => "victims_code",
        }
    }
}

/// A task on a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskView {
    /// Its id.
    pub id: Uuid,
    /// Task or Victims' Code deadline.
    pub kind: TaskKind,
    /// The Victims' Code deadline's code, for a Victims' Code task.
    pub code: Option<String>,
    /// What is to be done.
    pub title: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Who is to do it.
    pub assignee: Option<StaffId>,
    /// Their display name.
    pub assignee_name: Option<String>,
    /// When it was set.
    pub created_at: DateTime<Utc>,
    /// When it was done; `None` while open.
    pub completed_at: Option<DateTime<Utc>>,
    /// How it was done.
    pub completion_note: Option<String>,
    /// Open and past its due time.
    pub overdue: bool,
}

/// Everything a member of staff needs on one report's page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffReportView {
    /// The reference.
    pub reference: ReportReference,
    /// The journey it came through.
    pub kind: ReportKind,
    /// The type of report as the public chose it.
    pub type_label: Option<String>,
    /// Where it has got to.
    pub status: ReportStatus,
    /// When it was received.
    pub submitted_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The crime number, once recorded.
    pub crime_number: Option<String>,
    /// The officer's name as the reporter sees it.
    pub officer: Option<String>,
    /// Who it is allocated to.
    pub allocation: Option<AllocationView>,
    /// The NCRS recording clock while no recording decision is made: the deadline and
    /// whether it has passed. `None` once decided (or closed).
    pub recording: Option<(DateTime<Utc>, RecordingState)>,
    /// The THRIVE assessment, once made.
    pub assessment: Option<AssessmentView>,
    /// The recording decision, once made.
    pub decision: Option<RecordingDecisionView>,
    /// What the reporter told us.
    pub account: ReporterAccount,
    /// The report this one was closed as a duplicate of.
    pub duplicate_of: Option<ReportReference>,
    /// Every timeline entry, police-only ones included, oldest first.
    pub timeline: Vec<StaffTimelineEntry>,
    /// Tasks, open and completed, in the order they were set.
    pub tasks: Vec<TaskView>,
    /// The outcome, once closed with one.
    pub outcome: Option<OutcomeView>,
}

/// One report in a member of staff's work list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkItem {
    /// The reference.
    pub reference: ReportReference,
    /// The type of report.
    pub type_label: Option<String>,
    /// Where it has got to.
    pub status: ReportStatus,
    /// When it was received.
    pub submitted_at: DateTime<Utc>,
    /// The crime number, once recorded.
    pub crime_number: Option<String>,
    /// Who it is allocated to (the caller or the caller's team).
    pub allocation: AllocationView,
    /// The earliest due time of its open tasks.
    pub next_due: Option<DateTime<Utc>>,
    /// Whether any open task is past its due time.
    pub overdue: bool,
}

/// A colleague work can be allocated to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Colleague {
    /// The account.
    pub id: StaffId,
    /// Name shown.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Their team.
    pub team: Option<Uuid>,
    /// Their team's name.
    pub team_name: Option<String>,
}

/// Parses the stored reference, kind and status of a report row, with its type's label.
pub(crate) fn row_basics(
    inner: &Inner,
    row: &ReportRow,
    today: NaiveDate,
) -> Result<(ReportReference, ReportKind, ReportStatus, Option<String>), AppError> {
    let reference = ReportReference::parse(&row.reference)
        .map_err(|error| AppError::Internal(format!("stored reference: {error}")))?;
    let kind = row
        .kind
        .parse::<ReportKind>()
        .map_err(|error| AppError::Internal(error.to_string()))?;
    let status = row
        .status
        .parse::<ReportStatus>()
        .map_err(|error| AppError::Internal(error.to_string()))?;
    let type_label = row
        .details
        .get("report_type")
        .and_then(Value::as_str)
        .and_then(|code| inner.refdata.online_report_types.get(code, today))
        .map(|entry| entry.label.clone());
    Ok((reference, kind, status, type_label))
}

/// A string at `pointer` in `value`.
fn text_at(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The stored form of a task kind.
fn task_kind(stored: &str) -> Result<TaskKind, AppError> {
    match stored {
        "task" => Ok(TaskKind::Task),
        "victims_code" => Ok(TaskKind::VictimsCode),
        other => Err(AppError::Internal(format!("unknown task kind {other}"))),
    }
}

/// Whether `role` (stored) is one that handles reports.
fn is_operational(role: &str) -> bool {
    role.parse::<Role>()
        .is_ok_and(|role| OPERATIONAL_ROLES.contains(&role))
}

/// The caller's staff id, if the caller is staff.
fn staff_id_of(who: &Principal) -> Option<StaffId> {
    if who.subject.kind == PrincipalKind::Staff {
        who.subject.id.parse().ok()
    } else {
        None
    }
}

/// A police-only or reporter-visible timeline entry written by `who` now.
fn police_entry(
    who: &Principal,
    row: &ReportRow,
    at: DateTime<Utc>,
    kind: &str,
    text: Option<String>,
    data: Value,
) -> ReportUpdateRow {
    ReportUpdateRow {
        id: Uuid::now_v7(),
        reference: row.reference.clone(),
        at,
        kind: kind.to_owned(),
        author: "police".to_owned(),
        author_name: Some(who.display_name.clone()),
        text,
        data,
    }
}

/// The error for a change to a closed report.
fn closed_error() -> AppError {
    AppError::invalid("status", "closed", "this report is closed")
}

/// A place as the reporter gave it, in one line.
fn place_text(record: &Record) -> Option<String> {
    let RecordBody::Location(location) = &record.body else {
        return None;
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(address) = location.address() {
        parts.extend(address.lines().iter().cloned());
        parts.extend(address.town().map(str::to_owned));
        parts.extend(
            address
                .postcode()
                .map(|postcode| postcode.as_str().to_owned()),
        );
    }
    if let Some(description) = location.description() {
        parts.push(description.as_str().to_owned());
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(", "))
    }
}

impl Inner {
    /// The Victims' Code task for deadline `code` started by an event at `at`.
    fn victims_code_task(
        &self,
        who: &Principal,
        reference: &str,
        code: &str,
        at: DateTime<Utc>,
        enhanced: bool,
    ) -> Result<ReportTaskRow, VictimsCodeError> {
        let due_at = self.refdata.victims_code_due(code, at, enhanced)?;
        let deadline =
            VictimsCodeDeadline::find(&self.refdata.victims_code_deadlines, code, london_date(at))?;
        Ok(ReportTaskRow {
            id: Uuid::now_v7(),
            reference: reference.to_owned(),
            kind: TaskKind::VictimsCode.as_str().to_owned(),
            code: Some(code.to_owned()),
            title: deadline.label,
            due_at,
            assignee: None,
            created_at: self.clock.now(),
            created_by: who.actor_id(),
            completed_at: None,
            completed_by: None,
            completion_note: None,
        })
    }

    /// Completes every open Victims' Code task of a report (the victim was told) and, for a
    /// recorded crime still open, starts the next monthly update. Called inside the
    /// transaction of a message to the reporter.
    pub(crate) async fn victim_updated(
        &self,
        tx: &mut Box<dyn StoreTx>,
        who: &Principal,
        row: &ReportRow,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let tasks = tx.report_tasks(&row.reference).await?;
        for mut task in tasks {
            if task.kind == TaskKind::VictimsCode.as_str() && task.completed_at.is_none() {
                task.completed_at = Some(now);
                task.completed_by = Some(who.actor_id());
                task.completion_note = Some("the victim was sent a message".to_owned());
                tx.update_report_task(&task).await?;
            }
        }
        if row.crime_number.is_some() && row.status != ReportStatus::Closed.as_str() {
            let next = self
                .victims_code_task(who, &row.reference, MONTHLY_UPDATE, now, false)
                .map_err(|error| AppError::Internal(error.to_string()))?;
            tx.insert_report_task(&next).await?;
        }
        Ok(())
    }

    /// The staff directory resource of this deployment.
    fn directory(&self) -> Resource {
        self.resource(
            ResourceKind::StaffDirectory,
            "staff".to_owned(),
            Classification::Official,
            false,
        )
    }

    /// Opens the transaction of a change to a report: authorises `action` (an alteration
    /// naming the report's event) and refuses a closed report unless `allow_closed`.
    async fn begin_change(
        &self,
        who: &Principal,
        reference: &ReportReference,
        action: Action,
        allow_closed: bool,
    ) -> Result<(Box<dyn StoreTx>, ReportRow, AuditFacts<'static>), AppError> {
        let (tx, row, facts) = self
            .begin_report_action(who, reference, |row| AuditFacts {
                kind: LogKind::Alteration,
                action,
                purpose: None,
                records: vec![*row.event_id.as_uuid()],
            })
            .await?;
        if !allow_closed && row.status == ReportStatus::Closed.as_str() {
            return abandon(tx, closed_error()).await;
        }
        Ok((tx, row, facts))
    }

    /// Ends a change begun with [`Inner::begin_change`]: when `done` holds the timeline entries
    /// (and the value to return), stores them and the row, audits and commits; otherwise
    /// rolls back and returns the error.
    async fn finish_change<T>(
        &self,
        who: &Principal,
        mut tx: Box<dyn StoreTx>,
        mut row: ReportRow,
        facts: &AuditFacts<'_>,
        done: Result<(Vec<ReportUpdateRow>, T), AppError>,
    ) -> Result<T, AppError> {
        let (entries, value) = match done {
            Ok(done) => done,
            Err(error) => return abandon(tx, error).await,
        };
        row.updated_at = self.clock.now();
        let audit = self.audit_entry(who, facts, Outcome::Allowed);
        let stored = async {
            for entry in &entries {
                tx.insert_report_update(entry).await?;
            }
            tx.update_report(&row).await?;
            tx.append_audit(&[audit]).await?;
            Ok::<(), StoreError>(())
        }
        .await;
        if let Err(error) = stored {
            return abandon(tx, error.into()).await;
        }
        tx.commit().await?;
        Ok(value)
    }

    /// The names of accounts, by id, read in the transaction.
    async fn staff_names(
        tx: &mut Box<dyn StoreTx>,
        ids: Vec<StaffId>,
    ) -> Result<HashMap<StaffId, String>, StoreError> {
        let mut names = HashMap::new();
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id)
                && let Some(staff) = tx.staff_by_id(id).await?
            {
                slot.insert(staff.display_name);
            }
        }
        Ok(names)
    }
}

/// An allocation with the names to show.
fn allocation_view(
    row: &ReportAllocationRow,
    staff: &HashMap<StaffId, String>,
    teams: &HashMap<Uuid, String>,
) -> AllocationView {
    AllocationView {
        officer: row.staff_id,
        officer_name: row.staff_id.and_then(|id| staff.get(&id).cloned()),
        team: row.team_id,
        team_name: row.team_id.and_then(|id| teams.get(&id).cloned()),
        allocated_at: row.allocated_at,
    }
}

/// A task with the names to show.
fn task_view(
    task: &ReportTaskRow,
    staff: &HashMap<StaffId, String>,
    now: DateTime<Utc>,
) -> Result<TaskView, AppError> {
    Ok(TaskView {
        id: task.id,
        kind: task_kind(&task.kind)?,
        code: task.code.clone(),
        title: task.title.clone(),
        due_at: task.due_at,
        assignee: task.assignee,
        assignee_name: task.assignee.and_then(|id| staff.get(&id).cloned()),
        created_at: task.created_at,
        completed_at: task.completed_at,
        completion_note: task.completion_note.clone(),
        overdue: task.completed_at.is_none() && task.due_at < now,
    })
}

/// Checks that account `staff` may be given work: an active account of `force` with an
/// operational role.
fn check_operational(
    staff: Option<StaffRow>,
    force: &str,
    field: &str,
) -> Result<StaffRow, AppError> {
    let staff = staff.ok_or_else(|| {
        AppError::invalid(field, "unknown_officer", "there is no such member of staff")
    })?;
    if !staff.active || staff.force != force || !is_operational(&staff.role) {
        return Err(AppError::invalid(
            field,
            "not_operational",
            format!(
                "{} cannot be given reports: only active officers, investigators, supervisors and contact handlers of the force can",
                staff.display_name
            ),
        ));
    }
    Ok(staff)
}

impl App {
    /// Everything a member of staff needs on one report's page: the report, its allocation,
    /// the recording clock, the triage assessment and recording decision, what the reporter
    /// told us (the event, the place and the reporter's name and contact details), the whole
    /// timeline with police-only entries, the tasks and the outcome. Operational staff and
    /// analysts of the force (`report.track`, never administrators, never a reporter).
    /// Audited as an s.62 consultation with the purpose, naming the event and the
    /// reporter's person record.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn staff_report(
        &self,
        who: &Principal,
        reference: &ReportReference,
        purpose: &Purpose,
    ) -> Result<StaffReportView, AppError> {
        let inner = &self.inner;
        if who.subject.kind != PrincipalKind::Staff {
            let facts = AuditFacts {
                kind: LogKind::Consultation,
                action: Action::TrackReport,
                purpose: Some(purpose.as_str()),
                records: Vec::new(),
            };
            return Err(inner.refuse(who, &facts).await);
        }
        let (mut tx, row, facts) = inner
            .begin_report_action(who, reference, |row| AuditFacts {
                kind: LogKind::Consultation,
                action: Action::TrackReport,
                purpose: Some(purpose.as_str()),
                records: std::iter::once(row.event_id)
                    .chain(row.reporter_id)
                    .map(|id| *id.as_uuid())
                    .collect(),
            })
            .await?;
        let loaded = async {
            let updates = tx.report_updates(&row.reference).await?;
            let tasks = tx.report_tasks(&row.reference).await?;
            let allocation = tx.report_allocation(&row.reference).await?;
            let event = tx.get_record(row.event_id).await?;
            let reporter = match row.reporter_id {
                Some(id) => tx.get_record(id).await?,
                None => None,
            };
            let mut place = None;
            for link in tx.links_of(row.event_id).await? {
                if link.role() == LinkRole::OccurredAt && link.from() == row.event_id {
                    place = tx.get_record(link.to()).await?;
                    break;
                }
            }
            let staff_ids: Vec<StaffId> = allocation
                .iter()
                .filter_map(|allocation| allocation.staff_id)
                .chain(tasks.iter().filter_map(|task| task.assignee))
                .collect();
            let staff = Inner::staff_names(&mut tx, staff_ids).await?;
            let teams: HashMap<Uuid, String> = tx
                .list_teams()
                .await?
                .into_iter()
                .map(|team| (team.id, team.name))
                .collect();
            Ok::<_, StoreError>((
                updates, tasks, allocation, event, reporter, place, staff, teams,
            ))
        }
        .await;
        let (updates, tasks, allocation, event, reporter, place, staff, teams) = match loaded {
            Ok(loaded) => loaded,
            Err(error) => return abandon(tx, error.into()).await,
        };
        inner.audit_and_commit(who, tx, &facts).await?;
        let redact = |record: Option<Record>| {
            record.map(|mut record| {
                inner.redact(who, &mut record, purpose.as_str());
                record
            })
        };
        let (reporter, place) = (redact(reporter), redact(place));
        let contact_withheld = reporter
            .as_ref()
            .is_some_and(|record| record.withheld.contains(&FieldCategory::Contact));

        let now = inner.clock.now();
        let today = now.date_naive();
        let (reference, kind, status, type_label) = row_basics(inner, &row, today)?;
        let Some(RecordBody::Event(event)) = event.map(|record| record.body) else {
            return Err(AppError::Internal("report event missing".to_owned()));
        };
        let reporter = reporter.and_then(|record| match record.body {
            RecordBody::Person(person) => Some(person),
            _ => None,
        });
        let account = ReporterAccount {
            description: event.summary().as_str().to_owned(),
            occurred_from: event.occurred_from(),
            occurred_to: event.occurred_to(),
            place: place.as_ref().and_then(place_text),
            reporter_name: reporter.as_ref().map(|person| person.name.to_string()),
            email: reporter
                .as_ref()
                .and_then(|person| person.contact.email.as_ref())
                .map(|email| email.as_str().to_owned())
                .or_else(|| {
                    (!contact_withheld)
                        .then(|| row.contact_email.clone())
                        .flatten()
                }),
            phone: reporter
                .as_ref()
                .and_then(|person| person.contact.phone.as_ref())
                .map(|phone| phone.as_str().to_owned()),
            address: reporter
                .as_ref()
                .and_then(|person| person.contact.address.as_ref())
                .map(|address| address.as_str().to_owned()),
        };
        let assessment = row
            .details
            .pointer("/triage/assessment")
            .filter(|value| value.is_object())
            .map(|value| {
                let grade = text_at(value, "/grade").unwrap_or_default();
                AssessmentView {
                    grade_label: inner
                        .refdata
                        .response_grade(&grade, today)
                        .map_or_else(|| grade.clone(), |found| found.label),
                    grade,
                    threat: text_at(value, "/threat"),
                    harm: text_at(value, "/harm"),
                    risk: text_at(value, "/risk"),
                    investigation: text_at(value, "/investigation"),
                    vulnerability: text_at(value, "/vulnerability"),
                    engagement: text_at(value, "/engagement"),
                }
            });
        let decision = row
            .details
            .pointer("/triage/recording")
            .filter(|value| value.is_object())
            .map(|value| {
                let classification = text_at(value, "/classification");
                RecordingDecisionView {
                    kind: if text_at(value, "/decision").as_deref() == Some("crime") {
                        DecisionKind::Crime
                    } else {
                        DecisionKind::NotACrime
                    },
                    reason: text_at(value, "/reason"),
                    classification_label: classification
                        .as_deref()
                        .and_then(|code| HoClassCode::parse(code).ok())
                        .and_then(|code| inner.refdata.ho_offence(&code, today))
                        .map(|offence| offence.offence),
                    classification,
                }
            });
        let recording = if recording_decided(&row) {
            None
        } else {
            inner
                .refdata
                .recording_clock(row.submitted_at)
                .map(|clock| (clock.deadline(), clock.state(now)))
        };
        let outcome = row.outcome.as_ref().map(|code| OutcomeView {
            code: code.clone(),
            label: inner
                .refdata
                .outcome_categories
                .get(code, today)
                .map_or_else(|| code.clone(), |entry| entry.label.clone()),
            explanation: inner
                .refdata
                .outcome_explanation(code, today)
                .unwrap_or("")
                .to_owned(),
        });
        let duplicate_of = text_at(&row.details, "/casework/duplicate_of")
            .and_then(|compact| ReportReference::parse(&compact).ok());
        let timeline = updates
            .iter()
            .map(|update| {
                let shown = timeline_entry(&inner.refdata, update, today);
                StaffTimelineEntry {
                    at: shown.at,
                    kind: shown.kind,
                    author: shown.author,
                    author_name: shown.author_name,
                    title: shown.title,
                    text: shown.text,
                    files: shown.files,
                    reporter_sees: !is_internal(&update.kind),
                }
            })
            .collect();
        let tasks = tasks
            .iter()
            .map(|task| task_view(task, &staff, now))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StaffReportView {
            reference,
            kind,
            type_label,
            status,
            submitted_at: row.submitted_at,
            updated_at: row.updated_at,
            crime_number: row.crime_number.clone(),
            officer: row.officer.clone(),
            allocation: allocation
                .as_ref()
                .map(|allocation| allocation_view(allocation, &staff, &teams)),
            recording,
            assessment,
            decision,
            account,
            duplicate_of,
            timeline,
            tasks,
            outcome,
        })
    }

    /// Records a report as a crime with Home Office classification `classification`
    /// (`refdata/ho_offence_classifications.csv`; a notifiable offence) and returns the crime
    /// number issued for it.
    ///
    /// The crime number is `{PNC force code}/{YYYY}/{NNNNNN}`: the force's PNC code from
    /// `refdata/police_forces.csv`, the year (London time) it is recorded, and the next number
    /// of that force's sequence for the year, zero-padded to six digits (e.g.
    /// `33/2026/000001`). The number is taken inside the recording transaction, so the
    /// sequence has no gaps and no number is issued twice, on either backend.
    ///
    /// Refused (`invalid`) when the report is closed, already recorded, or was decided not
    /// to be a crime. Stops the recording clock; the reporter sees "Crime recorded" with the
    /// number; staff also see the classification. Starts the Victims' Code monthly update
    /// ([`MONTHLY_UPDATE`]) as a task. Audited as an s.62 alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn record_crime(
        &self,
        who: &Principal,
        reference: &ReportReference,
        classification: &str,
    ) -> Result<String, AppError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let today = london_date(now);
        let code = HoClassCode::parse(classification)
            .map_err(|error| AppError::invalid("classification", "invalid", error.to_string()))?;
        let offence = inner.refdata.ho_offence(&code, today).ok_or_else(|| {
            AppError::invalid(
                "classification",
                "unknown_code",
                format!(
                    "'{}' is not a Home Office offence classification in force on {today}",
                    code.as_str()
                ),
            )
        })?;
        if !offence.notifiable {
            return Err(AppError::invalid(
                "classification",
                "not_notifiable",
                format!(
                    "'{}' ({}) is not a notifiable offence, so it is not recorded as a crime",
                    code.as_str(),
                    offence.offence
                ),
            ));
        }
        let pnc_code = inner
            .refdata
            .forces
            .get(&inner.force, today)
            .and_then(|force| force.attribute("pnc_code"))
            .map(str::to_owned)
            .ok_or_else(|| AppError::Internal(format!("force {} has no PNC code", inner.force)))?;
        let year = today.year();
        let force = inner.force.clone();
        let (mut tx, mut row, facts) = inner
            .begin_change(who, reference, Action::UpdateReport, false)
            .await?;
        let done = async {
            let (tx, row) = (&mut tx, &mut row);
            if row.crime_number.is_some() {
                return Err(AppError::invalid(
                    "status",
                    "already_recorded",
                    "this report is already recorded as a crime",
                ));
            }
            if text_at(&row.details, "/triage/recording/decision").as_deref() == Some("not_a_crime")
            {
                return Err(AppError::invalid(
                    "decision",
                    "not_a_crime_decided",
                    "this report was decided not to be a crime; change that decision first",
                ));
            }
            let sequence = tx.next_crime_sequence(&force, year).await?;
            let number = format!("{pnc_code}/{year}/{sequence:06}");
            row.status = ReportStatus::CrimeRecorded.as_str().to_owned();
            row.crime_number = Some(number.clone());
            set_triage(
                row,
                "recording",
                json!({
                    "decision": "crime",
                    "classification": code.as_str(),
                    "crime_number": number,
                }),
            );
            let task = inner
                .victims_code_task(who, &row.reference, MONTHLY_UPDATE, now, false)
                .map_err(|error| AppError::Internal(error.to_string()))?;
            tx.insert_report_task(&task).await?;
            let entries = vec![
                police_entry(
                    who,
                    row,
                    now,
                    "status",
                    None,
                    json!({ "status": row.status, "crime_number": number }),
                ),
                police_entry(
                    who,
                    row,
                    now,
                    "recording_decision",
                    None,
                    json!({
                        "decision": "crime",
                        "classification": code.as_str(),
                        "offence": offence.offence,
                        "crime_number": number,
                        "status": row.status,
                    }),
                ),
            ];
            Ok::<_, AppError>((entries, number))
        }
        .await;
        inner.finish_change(who, tx, row, &facts, done).await
    }

    /// Allocates a report to an officer (an active account of the force with an operational
    /// role) or to a team. Contact handlers and supervisors allocate to anyone
    /// (`report.allocate`); officers and investigators may only take a report themselves
    /// (`report.take`, asked when the officer is the caller). Allocating an officer shows
    /// their name to the reporter ("Officer assigned"), as
    /// [`PoliceUpdate::OfficerAssigned`](crate::PoliceUpdate::OfficerAssigned) does; a team
    /// is police-only. Audited as an s.62 alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn allocate_report(
        &self,
        who: &Principal,
        reference: &ReportReference,
        to: Allocation,
    ) -> Result<(), AppError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let action = match to {
            Allocation::Officer(id) if staff_id_of(who) == Some(id) => Action::TakeReport,
            _ => Action::AllocateReport,
        };
        let force = inner.force.clone();
        let (mut tx, mut row, facts) = inner.begin_change(who, reference, action, false).await?;
        let done = async {
            let (tx, row) = (&mut tx, &mut row);
            let mut allocation = ReportAllocationRow {
                reference: row.reference.clone(),
                staff_id: None,
                team_id: None,
                allocated_at: now,
                allocated_by: who.actor_id(),
            };
            let entry = match to {
                Allocation::Officer(id) => {
                    let staff = check_operational(tx.staff_by_id(id).await?, &force, "to")?;
                    allocation.staff_id = Some(id);
                    row.status = ReportStatus::OfficerAssigned.as_str().to_owned();
                    row.officer = Some(staff.display_name.clone());
                    police_entry(
                        who,
                        row,
                        now,
                        "status",
                        None,
                        json!({ "status": row.status, "officer": staff.display_name }),
                    )
                }
                Allocation::Team(id) => {
                    let team = tx
                        .list_teams()
                        .await?
                        .into_iter()
                        .find(|team| team.id == id)
                        .ok_or_else(|| {
                            AppError::invalid("to", "unknown_team", "there is no such team")
                        })?;
                    allocation.team_id = Some(id);
                    police_entry(
                        who,
                        row,
                        now,
                        "allocation",
                        None,
                        json!({ "team_id": id.to_string(), "team_name": team.name }),
                    )
                }
            };
            tx.put_report_allocation(&allocation).await?;
            Ok::<_, AppError>((vec![entry], ()))
        }
        .await;
        inner.finish_change(who, tx, row, &facts, done).await
    }

    /// The active operational staff of the caller's force (contact handlers, officers,
    /// investigators, supervisors), by name, for allocation pickers. Operational staff only
    /// (`staff.colleagues`; administrators use [`App::list_staff`]). Audited as an s.62
    /// consultation naming every account returned.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn colleagues(&self, who: &Principal) -> Result<Vec<Colleague>, AppError> {
        let inner = &self.inner;
        let mut facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ListColleagues,
            purpose: None,
            records: Vec::new(),
        };
        inner.authorise(who, &inner.directory(), &facts).await?;
        let mut tx = inner.store.begin().await?;
        let loaded = async {
            Ok::<_, StoreError>((
                tx.list_staff().await?,
                tx.list_staff_identities().await?,
                tx.list_teams().await?,
            ))
        }
        .await;
        let (staff, identities, teams) = match loaded {
            Ok(loaded) => loaded,
            Err(error) => return abandon(tx, error.into()).await,
        };
        let team_of: HashMap<StaffId, Uuid> = identities
            .into_iter()
            .filter_map(|identity| identity.team_id.map(|team| (identity.staff_id, team)))
            .collect();
        let team_names: HashMap<Uuid, String> =
            teams.into_iter().map(|team| (team.id, team.name)).collect();
        let mut colleagues: Vec<Colleague> = staff
            .into_iter()
            .filter(|row| row.active && row.force == inner.force)
            .filter_map(|row| {
                let role = row.role.parse::<Role>().ok()?;
                if !OPERATIONAL_ROLES.contains(&role) {
                    return None;
                }
                let team = team_of.get(&row.id).copied();
                Some(Colleague {
                    id: row.id,
                    display_name: row.display_name,
                    role,
                    team,
                    team_name: team.and_then(|id| team_names.get(&id).cloned()),
                })
            })
            .collect();
        colleagues.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        facts.records = colleagues.iter().map(|c| *c.id.as_uuid()).collect();
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(colleagues)
    }

    /// Every team, by name, for allocation pickers (`staff.colleagues`). Teams hold no
    /// personal data, so an allowed listing appends no entry (a refusal is audited).
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn allocation_teams(&self, who: &Principal) -> Result<Vec<Team>, AppError> {
        let inner = &self.inner;
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ListColleagues,
            purpose: None,
            records: Vec::new(),
        };
        inner.authorise(who, &inner.directory(), &facts).await?;
        let mut tx = inner.store.begin().await?;
        let teams = tx.list_teams().await;
        tx.rollback().await?;
        Ok(teams?
            .into_iter()
            .map(|row| Team {
                id: row.id,
                name: row.name,
                created_at: row.created_at,
            })
            .collect())
    }

    /// The open (not closed) reports allocated to the caller or to the caller's team, most
    /// urgent first: those with an overdue task, then by the earliest open task, then the
    /// oldest. Staff with a purpose (`report.track` on the force's reports); like the
    /// triage queue it shows no personal data, so it is authorised but not a consultation
    /// in the s.62 log.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn my_work(
        &self,
        who: &Principal,
        purpose: &Purpose,
    ) -> Result<Vec<WorkItem>, AppError> {
        let inner = &self.inner;
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::TrackReport,
            purpose: Some(purpose.as_str()),
            records: Vec::new(),
        };
        let Some(me) = staff_id_of(who) else {
            return Err(inner.refuse(who, &facts).await);
        };
        let queue = Resource::report("queue", inner.force.clone(), "reporter:queue");
        inner.authorise(who, &queue, &facts).await?;
        let mut tx = inner.store.begin().await?;
        let loaded = async {
            let team = tx
                .staff_identity(me)
                .await?
                .and_then(|identity| identity.team_id);
            let reports = tx.open_reports_allocated_to(me, team).await?;
            let mut with_tasks = Vec::with_capacity(reports.len());
            for (row, allocation) in reports {
                let tasks = tx.report_tasks(&row.reference).await?;
                with_tasks.push((row, allocation, tasks));
            }
            let staff_ids: Vec<StaffId> = with_tasks
                .iter()
                .filter_map(|(_, allocation, _)| allocation.staff_id)
                .collect();
            let staff = Inner::staff_names(&mut tx, staff_ids).await?;
            let teams: HashMap<Uuid, String> = tx
                .list_teams()
                .await?
                .into_iter()
                .map(|team| (team.id, team.name))
                .collect();
            Ok::<_, StoreError>((with_tasks, staff, teams))
        }
        .await;
        let (reports, staff, teams) = match loaded {
            Ok(loaded) => loaded,
            Err(error) => return abandon(tx, error.into()).await,
        };
        tx.rollback().await?;
        let now = inner.clock.now();
        let today = now.date_naive();
        let mut items = reports
            .iter()
            .map(|(row, allocation, tasks)| {
                let (reference, _, status, type_label) = row_basics(inner, row, today)?;
                let next_due = tasks
                    .iter()
                    .filter(|task| task.completed_at.is_none())
                    .map(|task| task.due_at)
                    .min();
                Ok(WorkItem {
                    reference,
                    type_label,
                    status,
                    submitted_at: row.submitted_at,
                    crime_number: row.crime_number.clone(),
                    allocation: allocation_view(allocation, &staff, &teams),
                    next_due,
                    overdue: next_due.is_some_and(|due| due < now),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        items.sort_by(|a, b| {
            b.overdue
                .cmp(&a.overdue)
                .then_with(|| match (a.next_due, b.next_due) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                })
                .then_with(|| a.submitted_at.cmp(&b.submitted_at))
        });
        Ok(items)
    }

    /// Sets a task on a report: what is to be done (1 to 200 characters), the day it is due
    /// (today or later; due at the end of that day, London time) and, optionally, who is to
    /// do it (an active operational account of the force). Returns the task's id. Audited as
    /// an s.62 alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn add_task(
        &self,
        who: &Principal,
        reference: &ReportReference,
        title: FreeText,
        due: NaiveDate,
        assignee: Option<StaffId>,
    ) -> Result<Uuid, AppError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let today = london_date(now);
        let chars = title.as_str().chars().count();
        if chars > TASK_TITLE_MAX_CHARS {
            return Err(AppError::invalid(
                "title",
                "too_long",
                format!(
                    "a task is at most {TASK_TITLE_MAX_CHARS} characters; it is {chars} characters"
                ),
            ));
        }
        if due < today {
            return Err(AppError::invalid(
                "due",
                "in_past",
                format!("the due date must be today ({today}) or later"),
            ));
        }
        let due_at = end_of_london_day(due)
            .map_err(|error| AppError::invalid("due", "out_of_range", error.to_string()))?;
        let force = inner.force.clone();
        let (mut tx, mut row, facts) = inner
            .begin_change(who, reference, Action::UpdateReport, false)
            .await?;
        let done = async {
            let (tx, row) = (&mut tx, &mut row);
            if let Some(id) = assignee {
                check_operational(tx.staff_by_id(id).await?, &force, "assignee")?;
            }
            let task = ReportTaskRow {
                id: Uuid::now_v7(),
                reference: row.reference.clone(),
                kind: TaskKind::Task.as_str().to_owned(),
                code: None,
                title: title.as_str().to_owned(),
                due_at,
                assignee,
                created_at: now,
                created_by: who.actor_id(),
                completed_at: None,
                completed_by: None,
                completion_note: None,
            };
            tx.insert_report_task(&task).await?;
            let entry = task_entry(who, row, now, "task", &task);
            Ok::<_, AppError>((vec![entry], task.id))
        }
        .await;
        inner.finish_change(who, tx, row, &facts, done).await
    }

    /// Marks a task of a report done (`not_found` for a task not on this report; `invalid`
    /// if it is already done). Audited as an s.62 alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn complete_task(
        &self,
        who: &Principal,
        reference: &ReportReference,
        task_id: Uuid,
    ) -> Result<(), AppError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let (mut tx, mut row, facts) = inner
            .begin_change(who, reference, Action::UpdateReport, true)
            .await?;
        let done = async {
            let (tx, row) = (&mut tx, &mut row);
            let mut task = tx
                .report_tasks(&row.reference)
                .await?
                .into_iter()
                .find(|task| task.id == task_id)
                .ok_or_else(|| AppError::NotFound {
                    what: "task",
                    id: task_id.to_string(),
                })?;
            if task.completed_at.is_some() {
                return Err(AppError::invalid(
                    "task",
                    "already_completed",
                    "this task is already done",
                ));
            }
            task.completed_at = Some(now);
            task.completed_by = Some(who.actor_id());
            tx.update_report_task(&task).await?;
            let entry = task_entry(who, row, now, "task_completed", &task);
            Ok::<_, AppError>((vec![entry], ()))
        }
        .await;
        inner.finish_change(who, tx, row, &facts, done).await
    }

    /// Records an event that starts a Victims' Code deadline (`trigger_code` from
    /// `refdata/victims_code_deadlines.csv`, e.g. `suspect-arrested`) that happened at `at`,
    /// for a victim entitled to enhanced rights or not: makes a Victims' Code task titled
    /// with the deadline's label, due as the Victims' Code says on the England and Wales
    /// working calendar. Returns the task's id. Audited as an s.62 alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn record_victims_code_trigger(
        &self,
        who: &Principal,
        reference: &ReportReference,
        trigger_code: &str,
        at: DateTime<Utc>,
        enhanced: bool,
    ) -> Result<Uuid, AppError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        if at > now + chrono::Duration::minutes(5) {
            return Err(AppError::invalid(
                "at",
                "in_future",
                "the time it happened must be now or in the past",
            ));
        }
        let task = inner
            .victims_code_task(who, "", trigger_code, at, enhanced)
            .map_err(|error| match error {
                VictimsCodeError::UnknownTrigger { code, on } => AppError::invalid(
                    "trigger",
                    "unknown_code",
                    format!("'{code}' is not a Victims' Code deadline in force on {on}"),
                ),
                other => AppError::invalid("at", "out_of_range", other.to_string()),
            })?;
        let (mut tx, mut row, facts) = inner
            .begin_change(who, reference, Action::UpdateReport, false)
            .await?;
        let done = async {
            let (tx, row) = (&mut tx, &mut row);
            let task = ReportTaskRow {
                reference: row.reference.clone(),
                ..task
            };
            tx.insert_report_task(&task).await?;
            let entry = task_entry(who, row, now, "task", &task);
            Ok::<_, AppError>((vec![entry], task.id))
        }
        .await;
        inner.finish_change(who, tx, row, &facts, done).await
    }

    /// Closes a report that is not recorded as a crime (a recorded crime is closed with an
    /// outcome: [`PoliceUpdate::Outcome`](crate::PoliceUpdate::Outcome)). The reason is kept
    /// police-only; the reporter sees "Report closed". Audited as an s.62 alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn close_report(
        &self,
        who: &Principal,
        reference: &ReportReference,
        reason: FreeText,
    ) -> Result<(), AppError> {
        let now = self.inner.clock.now();
        let (tx, mut row, facts) = self
            .inner
            .begin_change(who, reference, Action::UpdateReport, false)
            .await?;
        let done = async {
            let row = &mut row;
            if row.crime_number.is_some() {
                return Err(AppError::invalid(
                    "status",
                    "recorded_crime",
                    "this report is recorded as a crime: close it with an outcome",
                ));
            }
            row.status = ReportStatus::Closed.as_str().to_owned();
            set_detail(
                row,
                "casework",
                "closure",
                json!({ "reason": reason.as_str() }),
            );
            let entries = vec![
                police_entry(
                    who,
                    row,
                    now,
                    "closed",
                    None,
                    json!({ "status": row.status }),
                ),
                police_entry(
                    who,
                    row,
                    now,
                    "closure",
                    Some(reason.as_str().to_owned()),
                    json!({ "status": row.status }),
                ),
            ];
            Ok::<_, AppError>((entries, ()))
        }
        .await;
        self.inner.finish_change(who, tx, row, &facts, done).await
    }

    /// Closes a report as a duplicate of another existing, different report `of`. The
    /// reporter sees only that it was linked to another report the police are already
    /// dealing with — never the other reference, which may be someone else's report; staff
    /// see it ([`StaffReportView::duplicate_of`]) and the reason. Audited as an s.62
    /// alteration naming both reports' events.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn link_duplicate(
        &self,
        who: &Principal,
        reference: &ReportReference,
        of: &ReportReference,
        reason: FreeText,
    ) -> Result<(), AppError> {
        let inner = &self.inner;
        if of.compact() == reference.compact() {
            return Err(AppError::invalid(
                "of",
                "same_report",
                "a report cannot be a duplicate of itself",
            ));
        }
        let now = inner.clock.now();
        let (mut tx, mut row, mut facts) = inner
            .begin_report_action(who, reference, |row| AuditFacts {
                kind: LogKind::Alteration,
                action: Action::UpdateReport,
                purpose: None,
                records: vec![*row.event_id.as_uuid()],
            })
            .await?;
        if row.status == ReportStatus::Closed.as_str() {
            return abandon(tx, closed_error()).await;
        }
        let other = match tx.report_by_reference(of.compact()).await {
            Ok(Some(other)) => other,
            Ok(None) => {
                let unknown =
                    AppError::invalid("of", "unknown_report", format!("there is no report {of}"));
                return abandon(tx, unknown).await;
            }
            Err(error) => return abandon(tx, error.into()).await,
        };
        facts.records.push(*other.event_id.as_uuid());
        row.status = ReportStatus::Closed.as_str().to_owned();
        row.updated_at = now;
        set_detail(&mut row, "casework", "duplicate_of", json!(other.reference));
        let entries = [
            police_entry(
                who,
                &row,
                now,
                "linked",
                None,
                json!({ "status": row.status }),
            ),
            police_entry(
                who,
                &row,
                now,
                "duplicate",
                Some(reason.as_str().to_owned()),
                json!({ "status": row.status, "duplicate_of": other.reference }),
            ),
        ];
        let audit = inner.audit_entry(who, &facts, Outcome::Allowed);
        let stored = async {
            for entry in &entries {
                tx.insert_report_update(entry).await?;
            }
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

/// The police-only timeline entry of a task set or done.
fn task_entry(
    who: &Principal,
    row: &ReportRow,
    at: DateTime<Utc>,
    kind: &str,
    task: &ReportTaskRow,
) -> ReportUpdateRow {
    police_entry(
        who,
        row,
        at,
        kind,
        None,
        json!({
            "task_id": task.id.to_string(),
            "task_kind": task.kind,
            "code": task.code,
            "title": task.title,
            "due_at": task.due_at.to_rfc3339(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_report_handling_roles_are_operational() {
        for role in ["contact_handler", "officer", "investigator", "supervisor"] {
            assert!(is_operational(role), "{role}");
        }
        for role in [
            "analyst",
            "information_manager",
            "administrator",
            "sergeant",
        ] {
            assert!(!is_operational(role), "{role}");
        }
    }

    #[test]
    fn task_kinds_round_trip() {
        for kind in [TaskKind::Task, TaskKind::VictimsCode] {
            assert_eq!(task_kind(kind.as_str()).ok(), Some(kind));
        }
        assert!(task_kind("chore").is_err());
    }
}
