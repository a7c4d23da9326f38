//! Online reports from the public: submit, follow with an e-mailed one-time code, exchange
//! messages, add information or evidence later; and the police side that moves a report on.
//!
//! A report's content becomes POLE records (the event, the place, the reporting person,
//! victim, witnesses, suspects, vehicles, property and evidence files, with their links) with
//! provenance "online report" and classification OFFICIAL, stored with the report row, its
//! first timeline entry and the s.62 collection entries in one transaction. The idempotency
//! key the submitter's session carries makes a repeated submission (a double click, a
//! refresh) return the report already made.

use std::collections::BTreeMap;
use std::time::Duration;

use bluelamp_audit::{LogKind, NewEntry, Outcome};
use bluelamp_domain::event::{CategorySlug, Event, EventKind};
use bluelamp_domain::ids::{LinkId, RecordId};
use bluelamp_domain::link::{Link, LinkRole};
use bluelamp_domain::location::Location;
use bluelamp_domain::marking::Marking;
use bluelamp_domain::object::{EvidenceFile, Object, Property, Vehicle};
use bluelamp_domain::person::Person;
use bluelamp_domain::provenance::{Channel, LawfulBasis, Provenance};
use bluelamp_domain::record::{Record, RecordBody};
use bluelamp_domain::report::{ReportKind, ReportReference, ReportStatus};
use bluelamp_domain::retention::{Retention, RetentionGroup};
use bluelamp_domain::values::{FreeText, Purpose};
use bluelamp_policy::{Action, PrincipalKind, Resource};
use bluelamp_store::{OneTimeCodeRow, ReportRow, ReportUpdateRow, StoreError, StoreTx};
use chrono::{DateTime, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Inner, Principal, validate};

/// The lawful basis of everything collected through the portal.
const LAW_ENFORCEMENT: &str = "dpa2018-part3-law-enforcement";

/// The purpose written when a reporter consults their own report.
pub const REPORTER_PURPOSE: &str = "reporter following their own report";

/// Limits of the one-time codes that open a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSettings {
    /// How long a code works after it is sent.
    pub code_ttl: Duration,
    /// Wrong attempts a code survives; one more and it stops working.
    pub code_attempts: u32,
    /// Codes that may be sent for one report in an hour.
    pub codes_per_hour: u32,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            code_ttl: Duration::from_secs(15 * 60),
            code_attempts: 5,
            codes_per_hour: 5,
        }
    }
}

/// A file already received into the blob store, to be recorded as evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceReceipt {
    /// Where the bytes are kept.
    pub blob_key: String,
    /// The file name the device gave (sanitised).
    pub file_name: String,
    /// The media type found from the content, e.g. `image/jpeg`.
    pub media_type: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// SHA-256 of the bytes as received, lower-case hex.
    pub sha256: String,
    /// Metadata read from the file (kept for investigators, never shown publicly).
    pub metadata: BTreeMap<String, String>,
}

/// Everything a member of the public gave in one report journey, already parsed into domain
/// values by the web layer. The application checks the rules that need reference data or the
/// clock (the type of report, Operation Snap's limits, dates not in the future).
#[derive(Clone, Debug)]
pub struct NewReport {
    /// Which journey.
    pub kind: ReportKind,
    /// One key per started report (from the submitter's session).
    pub idempotency_key: String,
    /// The type of report: a code of the `online_report_types` list for this journey. For
    /// information it may be `None` (the list's `information` entry is used).
    pub report_type: Option<String>,
    /// What happened, in their words.
    pub summary: FreeText,
    /// When it happened (or started).
    pub occurred_from: DateTime<Utc>,
    /// When it ended, if it went on.
    pub occurred_to: Option<DateTime<Utc>>,
    /// Where it happened; required except for information.
    pub place: Option<Location>,
    /// The person reporting; `None` only for anonymous information.
    pub reporter: Option<Person>,
    /// Whether the reporter is the victim.
    pub reporter_is_victim: bool,
    /// A victim other than the reporter.
    pub victim: Option<Person>,
    /// Witnesses.
    pub witnesses: Vec<Person>,
    /// Suspects, usually described rather than named.
    pub suspects: Vec<Person>,
    /// Vehicles involved (for footage of a driving offence: the offending vehicle).
    pub vehicles: Vec<Vehicle>,
    /// Property stolen or damaged.
    pub property: Vec<Property>,
    /// Files received as evidence.
    pub evidence: Vec<EvidenceReceipt>,
    /// Answers that are not POLE content (support needs, contact preferences,
    /// confirmations), as a JSON object.
    pub details: serde_json::Value,
}

/// What [`App::submit_report`] gives back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmittedReport {
    /// The reference to quote.
    pub reference: ReportReference,
    /// `false` when this submission repeated one already made (nothing new was stored).
    pub first_time: bool,
    /// Whether the reporter gave an e-mail address, so can follow the report online.
    pub trackable: bool,
}

/// The answer to a request for a one-time code. The web layer shows the same words for every
/// variant, so nobody can learn which references exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeRequest {
    /// A code was sent to the address on the report.
    Sent,
    /// The report has no e-mail address.
    NoEmail,
    /// There is no such report.
    UnknownReport,
}

/// Something the police do to a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoliceUpdate {
    /// Someone has started assessing it.
    Assessing,
    /// Recorded as a crime with this crime number.
    CrimeRecorded {
        /// The crime number, e.g. `LE/2026/001234`.
        crime_number: String,
    },
    /// An officer was assigned; the name is shown to the reporter.
    OfficerAssigned {
        /// E.g. "PC 2741 Patel".
        officer: String,
    },
    /// A message to the reporter.
    Message {
        /// The words.
        text: FreeText,
    },
    /// Closed with a data.police.uk outcome category.
    Outcome {
        /// The outcome category slug.
        code: String,
        /// An optional note to the reporter.
        note: Option<FreeText>,
    },
}

/// How a report that staff record reached the police.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceivedBy {
    /// A telephone call (101 or 999).
    Phone,
    /// At a police station's front counter.
    FrontCounter,
    /// In person, to an officer.
    InPerson,
}

impl ReceivedBy {
    /// Every way, in the order the form lists them.
    pub const ALL: [Self; 3] = [Self::Phone, Self::FrontCounter, Self::InPerson];

    /// The stored name: `phone`, `front_counter`, `in_person`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::FrontCounter => "front_counter",
            Self::InPerson => "in_person",
        }
    }

    /// How it came, within a sentence: "by phone", "at a front counter", "in person".
    pub const fn words(self) -> &'static str {
        match self {
            Self::Phone => "by phone",
            Self::FrontCounter => "at a front counter",
            Self::InPerson => "in person",
        }
    }

    /// Words for people: "By phone", "At a front counter", "In person to an officer".
    pub const fn label(self) -> &'static str {
        match self {
            Self::Phone => "By phone",
            Self::FrontCounter => "At a front counter",
            Self::InPerson => "In person to an officer",
        }
    }
}

impl std::str::FromStr for ReceivedBy {
    type Err = AppError;

    fn from_str(text: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|how| how.as_str() == text)
            .ok_or_else(|| {
                AppError::invalid(
                    "received_by",
                    "unknown_code",
                    "choose how the report was received",
                )
            })
    }
}

/// Who wrote a timeline entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Author {
    /// The reporter.
    Reporter,
    /// The police.
    Police,
    /// Bluelamp itself.
    System,
}

/// A file listed on the reporter's timeline (never its metadata).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSummary {
    /// File name.
    pub file_name: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size_bytes: u64,
}

/// One entry on a report's timeline, as the reporter sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// `received`, `status`, `message`, `information`, `evidence` or `outcome`.
    pub kind: String,
    /// Who.
    pub author: Author,
    /// The author's name as shown, if any.
    pub author_name: Option<String>,
    /// The heading shown, e.g. "Crime recorded".
    pub title: String,
    /// Words shown under it.
    pub text: Option<String>,
    /// Files added.
    pub files: Vec<FileSummary>,
}

/// An outcome explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeView {
    /// The outcome category slug.
    pub code: String,
    /// Its name.
    pub label: String,
    /// What it means, in plain English.
    pub explanation: String,
}

/// A report as its reporter (or the police) follow it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportView {
    /// The reference.
    pub reference: ReportReference,
    /// The journey it came through.
    pub kind: ReportKind,
    /// The type of report as named to the public.
    pub type_label: Option<String>,
    /// Where it has got to.
    pub status: ReportStatus,
    /// When it was received.
    pub submitted_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The crime number, once recorded.
    pub crime_number: Option<String>,
    /// The officer dealing with it.
    pub officer: Option<String>,
    /// The outcome, once closed.
    pub outcome: Option<OutcomeView>,
    /// Everything that happened, oldest first.
    pub timeline: Vec<TimelineEntry>,
}

/// The records one submission creates, and the links between them.
struct Bundle {
    records: Vec<Record>,
    links: Vec<Link>,
    event_id: RecordId,
    reporter_id: Option<RecordId>,
    evidence: Vec<(RecordId, String)>,
}

impl Inner {
    fn portal_record(
        &self,
        who: &Principal,
        group: &RetentionGroup,
        body: RecordBody,
    ) -> Result<Record, AppError> {
        let now = self.clock.now();
        let today = now.date_naive();
        let rule = validate::retention_rule(&self.refdata, group, today)?;
        let date_of_birth = match &body {
            RecordBody::Person(person) => person.date_of_birth.as_ref().map(|dob| dob.date()),
            _ => None,
        };
        let lawful_basis = LawfulBasis::parse(LAW_ENFORCEMENT)
            .map_err(|error| AppError::Internal(error.to_string()))?;
        Ok(Record {
            id: RecordId::new(),
            marking: Marking::official(),
            provenance: Provenance {
                // Staff recording a report taken by phone or in person enter it; the public
                // report online.
                channel: if who.subject.kind == PrincipalKind::Staff {
                    Channel::StaffEntry
                } else {
                    Channel::OnlineReport
                },
                lawful_basis,
                recorded_by: who.actor_id(),
                recorded_at: now,
            },
            retention: Retention {
                group: group.clone(),
                clear_period_start: today,
                next_review: bluelamp_domain::retention::next_review_date(
                    &rule,
                    today,
                    date_of_birth,
                ),
            },
            body,
            handling: Default::default(),
            withheld: Vec::new(),
        })
    }

    fn report_resource(&self, row_reference: &str) -> Resource {
        Resource::report(
            row_reference,
            self.force.clone(),
            Principal::reporter_id_of(row_reference),
        )
    }

    /// Checks a new report against the rules that need reference data or the clock, and
    /// returns the report type's entry code, crime category and retention group.
    fn check_report(
        &self,
        input: &NewReport,
    ) -> Result<(String, CategorySlug, RetentionGroup), AppError> {
        let now = self.clock.now();
        let today = now.date_naive();
        let type_code = match (&input.report_type, input.kind) {
            (Some(code), _) => code.clone(),
            (None, ReportKind::Information) => "information".to_owned(),
            (None, _) => {
                return Err(AppError::invalid(
                    "report_type",
                    "required",
                    "choose what you are reporting",
                ));
            }
        };
        let entry = self
            .refdata
            .online_report_types
            .get(&type_code, today)
            .filter(|entry| entry.attribute("journey") == Some(input.kind.as_str()))
            .ok_or_else(|| {
                AppError::invalid(
                    "report_type",
                    "unknown_code",
                    format!("'{type_code}' is not something that can be reported in this form"),
                )
            })?;
        let category = entry
            .attribute("crime_category")
            .and_then(|slug| CategorySlug::parse(slug).ok())
            .ok_or_else(|| {
                AppError::Internal(format!("report type {type_code} has no category"))
            })?;
        let group = entry
            .attribute("retention_group")
            .and_then(|group| RetentionGroup::parse(group).ok())
            .ok_or_else(|| {
                AppError::Internal(format!("report type {type_code} has no retention group"))
            })?;

        let skew = chrono::Duration::minutes(5);
        if input.occurred_from > now + skew {
            return Err(AppError::invalid(
                "when",
                "in_future",
                "the date it happened must be today or in the past",
            ));
        }
        if let Some(to) = input.occurred_to {
            if to > now + skew {
                return Err(AppError::invalid(
                    "when",
                    "in_future",
                    "the date it ended must be today or in the past",
                ));
            }
            if to < input.occurred_from {
                return Err(AppError::invalid(
                    "when",
                    "ends_before_start",
                    "the date it ended must be after the date it started",
                ));
            }
        }
        if input.idempotency_key.len() < 16 || input.idempotency_key.len() > 64 {
            return Err(AppError::invalid(
                "idempotency_key",
                "invalid",
                "the submission key must be 16 to 64 characters",
            ));
        }
        if input.place.is_none() && input.kind != ReportKind::Information {
            return Err(AppError::invalid(
                "where",
                "required",
                "tell us where it happened",
            ));
        }
        if input.reporter.is_none() && input.kind != ReportKind::Information {
            return Err(AppError::invalid(
                "you",
                "required",
                "tell us who you are: only information can be given anonymously",
            ));
        }
        if input.kind == ReportKind::RoadTraffic {
            self.check_operation_snap(input, today)?;
        }
        Ok((type_code, category, group))
    }

    /// Operation Snap: footage within the submission window, the offending vehicle's
    /// registration, a submitter old enough and willing to give a statement.
    fn check_operation_snap(
        &self,
        input: &NewReport,
        today: chrono::NaiveDate,
    ) -> Result<(), AppError> {
        let rule = |code: &str| {
            self.refdata
                .operation_snap_rule(code, today)
                .ok_or_else(|| AppError::Internal(format!("operation snap rule {code} missing")))
        };
        let days = rule("submission-days")?;
        let oldest = today - chrono::Duration::days(i64::from(days));
        if input.occurred_from.date_naive() < oldest {
            return Err(AppError::invalid(
                "when",
                "too_late",
                format!(
                    "footage must be sent within {days} days of the incident; for an older incident call 101"
                ),
            ));
        }
        if input.vehicles.is_empty() {
            return Err(AppError::invalid(
                "vehicles",
                "required",
                "enter the registration number of the vehicle you are reporting",
            ));
        }
        if input.evidence.is_empty() {
            return Err(AppError::invalid(
                "evidence",
                "required",
                "upload the footage of the incident",
            ));
        }
        let minimum_age = rule("minimum-age")?;
        let age = input
            .reporter
            .as_ref()
            .and_then(|person| person.date_of_birth.as_ref())
            .and_then(|dob| dob.age_on(today));
        match age {
            Some(age) if age >= minimum_age => {}
            Some(_) => {
                return Err(AppError::invalid(
                    "you.date_of_birth",
                    "too_young",
                    format!("you must be {minimum_age} or over to send footage"),
                ));
            }
            None => {
                return Err(AppError::invalid(
                    "you.date_of_birth",
                    "required",
                    "enter your date of birth",
                ));
            }
        }
        let confirmed =
            |key: &str| input.details.get(key).and_then(serde_json::Value::as_bool) == Some(true);
        if !confirmed("statement_willing") {
            return Err(AppError::invalid(
                "statement_willing",
                "required",
                "you must be willing to give a witness statement and go to court if needed",
            ));
        }
        if !confirmed("clip_within_limits") {
            let minutes = rule("max-clip-minutes")?;
            return Err(AppError::invalid(
                "clip_within_limits",
                "required",
                format!("confirm the footage is no longer than {minutes} minutes"),
            ));
        }
        Ok(())
    }

    fn build_bundle(
        &self,
        who: &Principal,
        input: &NewReport,
        category: CategorySlug,
        group: &RetentionGroup,
    ) -> Result<Bundle, AppError> {
        let now = self.clock.now();
        let event_kind = match input.kind {
            ReportKind::Crime => EventKind::CrimeReport,
            _ => EventKind::Incident,
        };
        let event = Event::new(
            event_kind,
            input.summary.clone(),
            input.occurred_from,
            input.occurred_to,
            Some(category),
        )
        .map_err(|error| AppError::invalid("when", "ends_before_start", error.to_string()))?;
        let event_record = self.portal_record(who, group, RecordBody::Event(event))?;
        let event_id = event_record.id;
        let mut bundle = Bundle {
            records: vec![event_record],
            links: Vec::new(),
            event_id,
            reporter_id: None,
            evidence: Vec::new(),
        };
        let add = |bundle: &mut Bundle,
                   body: RecordBody,
                   roles: &[LinkRole],
                   to: RecordId,
                   from_event: bool|
         -> Result<RecordId, AppError> {
            let record = self.portal_record(who, group, body)?;
            let id = record.id;
            bundle.records.push(record);
            for role in roles {
                let (from, to) = if from_event { (to, id) } else { (id, to) };
                let link = Link::new(LinkId::new(), from, to, *role, now, None)
                    .map_err(|error| AppError::Internal(error.to_string()))?;
                bundle.links.push(link);
            }
            Ok(id)
        };
        if let Some(place) = &input.place {
            add(
                &mut bundle,
                RecordBody::Location(place.clone()),
                &[LinkRole::OccurredAt],
                event_id,
                true,
            )?;
        }
        if let Some(reporter) = &input.reporter {
            let roles: &[LinkRole] = if input.reporter_is_victim {
                &[LinkRole::ReportingPerson, LinkRole::Victim]
            } else if input.kind == ReportKind::Information {
                &[LinkRole::Informant]
            } else {
                &[LinkRole::ReportingPerson]
            };
            let id = add(
                &mut bundle,
                RecordBody::Person(reporter.clone()),
                roles,
                event_id,
                false,
            )?;
            bundle.reporter_id = Some(id);
        }
        if let Some(victim) = &input.victim {
            add(
                &mut bundle,
                RecordBody::Person(victim.clone()),
                &[LinkRole::Victim],
                event_id,
                false,
            )?;
        }
        for witness in &input.witnesses {
            add(
                &mut bundle,
                RecordBody::Person(witness.clone()),
                &[LinkRole::Witness],
                event_id,
                false,
            )?;
        }
        for suspect in &input.suspects {
            add(
                &mut bundle,
                RecordBody::Person(suspect.clone()),
                &[LinkRole::Suspect],
                event_id,
                false,
            )?;
        }
        for vehicle in &input.vehicles {
            add(
                &mut bundle,
                RecordBody::Object(Object::Vehicle(vehicle.clone())),
                &[LinkRole::Involved],
                event_id,
                false,
            )?;
        }
        for item in &input.property {
            add(
                &mut bundle,
                RecordBody::Object(Object::Property(item.clone())),
                &[LinkRole::Involved],
                event_id,
                false,
            )?;
        }
        for file in &input.evidence {
            let id = add(
                &mut bundle,
                RecordBody::Object(Object::Evidence(evidence_file(file)?)),
                &[LinkRole::Exhibit],
                event_id,
                false,
            )?;
            bundle.evidence.push((id, file.sha256.clone()));
        }
        Ok(bundle)
    }

    /// The audit entry of an evidence file received: its SHA-256 is the start of the chain
    /// of custody.
    fn evidence_entry(
        &self,
        who: &Principal,
        action: Action,
        record: RecordId,
        sha256: &str,
    ) -> NewEntry {
        NewEntry {
            at: self.clock.now(),
            actor: who.actor_id(),
            kind: LogKind::Collection,
            action: action.as_str().to_owned(),
            purpose: None,
            records: vec![*record.as_uuid()],
            recipients: Vec::new(),
            digest: Some(format!("sha256:{sha256}")),
            outcome: Outcome::Allowed,
        }
    }

    /// Opens the transaction of `who` acting on report `reference`: reads the report and asks
    /// the policy about the action `facts_of` describes for it. A missing report is
    /// `NotFound`; a refusal is audited and returned as the error.
    pub(crate) async fn begin_report_action<'a>(
        &self,
        who: &Principal,
        reference: &ReportReference,
        facts_of: impl FnOnce(&ReportRow) -> AuditFacts<'a>,
    ) -> Result<(Box<dyn StoreTx>, ReportRow, AuditFacts<'a>), AppError> {
        let mut tx = self.store.begin().await?;
        let row = match self.load_report(&mut tx, reference).await {
            Ok(Some(row)) => row,
            Ok(None) => {
                let missing = AppError::NotFound {
                    what: "report",
                    id: reference.to_string(),
                };
                return abandon(tx, missing).await;
            }
            Err(error) => return abandon(tx, error).await,
        };
        let facts = facts_of(&row);
        if !self.decide(who, &self.report_resource(&row.reference), &facts) {
            tx.rollback().await?;
            return Err(self.refuse(who, &facts).await);
        }
        Ok((tx, row, facts))
    }

    async fn load_report(
        &self,
        tx: &mut Box<dyn StoreTx>,
        reference: &ReportReference,
    ) -> Result<Option<ReportRow>, AppError> {
        Ok(tx.report_by_reference(reference.compact()).await?)
    }
}

fn evidence_file(file: &EvidenceReceipt) -> Result<EvidenceFile, AppError> {
    let file_name = FreeText::parse(&file.file_name)
        .map_err(|error| AppError::invalid("evidence.file_name", "invalid", error.to_string()))?;
    Ok(EvidenceFile {
        file_name,
        media_type: file.media_type.clone(),
        size_bytes: file.size_bytes,
        sha256: file.sha256.clone(),
        blob_key: file.blob_key.clone(),
        metadata: file.metadata.clone(),
    })
}

fn files_json(files: &[EvidenceReceipt], ids: &[(RecordId, String)]) -> serde_json::Value {
    serde_json::Value::Array(
        files
            .iter()
            .zip(ids)
            .map(|(file, (id, _))| {
                serde_json::json!({
                    "record": id.to_string(),
                    "file_name": file.file_name,
                    "media_type": file.media_type,
                    "size_bytes": file.size_bytes,
                })
            })
            .collect(),
    )
}

/// SHA-256 of a one-time code, bound to its report.
fn code_hash(reference: &ReportReference, code: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"bluelamp-one-time-code\0");
    hasher.update(reference.compact().as_bytes());
    hasher.update(b"\0");
    hasher.update(code.as_bytes());
    hasher.finalize().into()
}

/// Compares two hashes without an early exit.
fn same_hash(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn new_reference() -> ReportReference {
    ReportReference::from_random(rand::rngs::OsRng.r#gen::<u64>())
}

/// How a stored timeline entry is shown (to its reporter, or to staff).
pub(crate) fn timeline_entry(
    refdata: &bluelamp_domain::refdata::ReferenceData,
    row: &ReportUpdateRow,
    today: chrono::NaiveDate,
) -> TimelineEntry {
    let author = match row.author.as_str() {
        "reporter" => Author::Reporter,
        "police" => Author::Police,
        _ => Author::System,
    };
    let data = &row.data;
    let text_of = |key: &str| {
        data.get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let title = match row.kind.as_str() {
        "received" => match text_of("received_by").and_then(|how| how.parse::<ReceivedBy>().ok()) {
            Some(how) => format!("Report received {}", how.words()),
            None => "Report received".to_owned(),
        },
        "status" => match text_of("status").and_then(|s| s.parse::<ReportStatus>().ok()) {
            Some(ReportStatus::BeingAssessed) => "Being assessed".to_owned(),
            Some(ReportStatus::CrimeRecorded) => format!(
                "Crime recorded{}",
                text_of("crime_number")
                    .map(|n| format!(": crime number {n}"))
                    .unwrap_or_default()
            ),
            Some(ReportStatus::OfficerAssigned) => format!(
                "Officer assigned{}",
                text_of("officer")
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ),
            Some(status) => status.label().to_owned(),
            None => "Update".to_owned(),
        },
        "message" => match author {
            Author::Reporter => "You sent a message".to_owned(),
            _ => "Message from the police".to_owned(),
        },
        "information" => "You added information".to_owned(),
        "assessment" => format!(
            "Assessed (THRIVE){}",
            text_of("grade")
                .map(|grade| {
                    let label = refdata
                        .response_grade(&grade, today)
                        .map_or(grade, |found| found.label);
                    format!(": {label}")
                })
                .unwrap_or_default()
        ),
        "recording_decision" if text_of("decision").as_deref() == Some("crime") => format!(
            "Recorded as a crime{}{}",
            text_of("classification")
                .map(|code| format!(": HO {code}"))
                .unwrap_or_default(),
            text_of("offence")
                .map(|offence| format!(" {offence}"))
                .unwrap_or_default()
        ),
        "recording_decision" => format!(
            "Not recorded as a crime{}",
            text_of("reason")
                .map(|reason| format!(": {reason}"))
                .unwrap_or_default()
        ),
        "allocation" => format!(
            "Allocated to {}",
            text_of("team_name").unwrap_or_else(|| "a team".to_owned())
        ),
        "task" => format!("Task added: {}", text_of("title").unwrap_or_default()),
        "task_completed" => format!("Task completed: {}", text_of("title").unwrap_or_default()),
        "closed" => "Report closed".to_owned(),
        "closure" => "Reason for closing".to_owned(),
        "linked" => "Linked to another report we are already dealing with".to_owned(),
        "duplicate" => format!(
            "Duplicate of report {}",
            text_of("duplicate_of").unwrap_or_default()
        ),
        "evidence" => "Evidence added".to_owned(),
        "outcome" => {
            let code = text_of("outcome").unwrap_or_default();
            let label = refdata
                .outcome_categories
                .get(&code, today)
                .map_or(code.clone(), |entry| entry.label.clone());
            format!("Outcome: {label}")
        }
        other => other.to_owned(),
    };
    let files = data
        .get("files")
        .and_then(serde_json::Value::as_array)
        .map(|files| {
            files
                .iter()
                .map(|file| FileSummary {
                    file_name: file
                        .get("file_name")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                    media_type: file
                        .get("media_type")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                    size_bytes: file
                        .get("size_bytes")
                        .and_then(serde_json::Value::as_u64)
                        .unwrap_or(0),
                })
                .collect()
        })
        .unwrap_or_default();
    TimelineEntry {
        at: row.at,
        kind: row.kind.clone(),
        author,
        author_name: row.author_name.clone(),
        title,
        text: row.text.clone(),
        files,
    }
}

impl Principal {
    /// A member of the public who has not proved who they are (making a report, asking for a
    /// code).
    pub fn anonymous_citizen() -> Principal {
        Principal {
            subject: bluelamp_policy::Subject::citizen("anonymous"),
            display_name: "member of the public".to_owned(),
        }
    }

    /// The reporter of `reference`, once they have proved it with a one-time code.
    pub fn reporter(reference: &ReportReference) -> Principal {
        Principal {
            subject: bluelamp_policy::Subject::citizen(Self::reporter_id_of(reference.compact())),
            display_name: format!("reporter of {reference}"),
        }
    }

    /// The citizen principal id of the reporter of the report with this compact reference.
    pub(crate) fn reporter_id_of(compact: &str) -> String {
        format!("reporter:{compact}")
    }
}

impl App {
    /// Makes a report from an online journey: every record, link, evidence file, the report
    /// row and its first timeline entry in one transaction, audited as s.62 collection (one
    /// entry for the report, one per evidence file carrying its SHA-256). A submission whose
    /// idempotency key was already used returns the report it made.
    #[tracing::instrument(skip_all, fields(kind = %input.kind))]
    pub async fn submit_report(&self, input: NewReport) -> Result<SubmittedReport, AppError> {
        self.make_report(&Principal::anonymous_citizen(), input, None)
            .await
    }

    /// A member of staff records an incident or crime reported to them by phone, at a front
    /// counter or in person (`report.record`: operational staff of the force). It becomes a
    /// report like an online one — same checks, same records and links (entered by staff),
    /// same reference, which the caller can follow online when they gave an e-mail address —
    /// and joins the triage queue with its recording clock. The received entry names the
    /// member of staff and how it was received. Repeating the same `idempotency_key` (a
    /// form sent twice) gives back the report already made. Audited as s.62 collection.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn record_incident(
        &self,
        who: &Principal,
        input: NewReport,
        received_by: ReceivedBy,
    ) -> Result<SubmittedReport, AppError> {
        self.make_report(who, input, Some(received_by)).await
    }

    /// Makes a report: online by the public (`received_by` `None`) or recorded by staff.
    async fn make_report(
        &self,
        who: &Principal,
        input: NewReport,
        received_by: Option<ReceivedBy>,
    ) -> Result<SubmittedReport, AppError> {
        let inner = &self.inner;
        let who = who.clone();
        let action = if received_by.is_some() {
            Action::RecordIncident
        } else {
            Action::SubmitReport
        };
        let reference = new_reference();
        let mut facts = AuditFacts {
            kind: LogKind::Collection,
            action,
            purpose: None,
            records: Vec::new(),
        };
        // Authorised before the idempotency key is looked up: a caller who may not make
        // reports learns nothing, not even whether a key was used.
        inner
            .authorise(&who, &inner.report_resource(reference.compact()), &facts)
            .await?;
        if let Some(existing) = self.report_by_key(&input.idempotency_key).await? {
            return Ok(existing);
        }
        let (_, category, group) = inner.check_report(&input)?;
        let bundle = inner.build_bundle(&who, &input, category, &group)?;
        facts.records = bundle
            .records
            .iter()
            .map(|record| *record.id.as_uuid())
            .collect();
        let now = inner.clock.now();
        let contact_email = input
            .reporter
            .as_ref()
            .and_then(|person| person.contact.email.as_ref())
            .map(|email| email.as_str().to_owned());
        let trackable = contact_email.is_some();
        let mut details = input.details.clone();
        if let Some(object) = details.as_object_mut() {
            object.insert(
                "report_type".to_owned(),
                serde_json::json!(
                    input
                        .report_type
                        .clone()
                        .unwrap_or_else(|| "information".to_owned())
                ),
            );
            if let Some(how) = received_by {
                object.insert("received_by".to_owned(), serde_json::json!(how.as_str()));
            }
        }
        let row = ReportRow {
            reference: reference.compact().to_owned(),
            kind: input.kind.as_str().to_owned(),
            status: ReportStatus::Received.as_str().to_owned(),
            event_id: bundle.event_id,
            reporter_id: bundle.reporter_id,
            contact_email,
            idempotency_key: input.idempotency_key.clone(),
            submitted_at: now,
            updated_at: now,
            crime_number: None,
            officer: None,
            outcome: None,
            details,
        };
        let received = ReportUpdateRow {
            id: Uuid::now_v7(),
            reference: row.reference.clone(),
            at: now,
            kind: "received".to_owned(),
            author: if received_by.is_some() {
                "police"
            } else {
                "system"
            }
            .to_owned(),
            author_name: received_by.map(|_| who.display_name.clone()),
            text: None,
            data: serde_json::json!({
                "files": files_json(&input.evidence, &bundle.evidence),
                "received_by": received_by.map(ReceivedBy::as_str),
            }),
        };
        let mut tx = inner.store.begin().await?;
        let stored = async {
            for record in &bundle.records {
                tx.insert_record(record).await?;
            }
            for link in &bundle.links {
                tx.insert_link(link).await?;
            }
            tx.insert_report(&row).await?;
            tx.insert_report_update(&received).await?;
            let mut entries = vec![inner.audit_entry(&who, &facts, Outcome::Allowed)];
            for (id, sha256) in &bundle.evidence {
                entries.push(inner.evidence_entry(&who, action, *id, sha256));
            }
            tx.append_audit(&entries).await?;
            Ok::<(), StoreError>(())
        }
        .await;
        match stored {
            Ok(()) => {}
            Err(StoreError::AlreadyExists { what: "report", .. }) => {
                // A concurrent submission with the same key won the race.
                tx.rollback().await?;
                return match self.report_by_key(&input.idempotency_key).await? {
                    Some(existing) => Ok(existing),
                    None => Err(AppError::Conflict {
                        what: "report",
                        id: reference.to_string(),
                    }),
                };
            }
            Err(error) => return abandon(tx, error.into()).await,
        }
        match tx.commit().await {
            Ok(()) => {}
            Err(StoreError::AlreadyExists { what: "report", .. }) => {
                return match self.report_by_key(&input.idempotency_key).await? {
                    Some(existing) => Ok(existing),
                    None => Err(AppError::Conflict {
                        what: "report",
                        id: reference.to_string(),
                    }),
                };
            }
            Err(error) => return Err(error.into()),
        }
        Ok(SubmittedReport {
            reference,
            first_time: true,
            trackable,
        })
    }

    async fn report_by_key(&self, key: &str) -> Result<Option<SubmittedReport>, AppError> {
        let mut tx = self.inner.store.begin().await?;
        let found = tx.report_by_idempotency_key(key).await;
        tx.rollback().await?;
        match found? {
            Some(row) => {
                let reference = ReportReference::parse(&row.reference)
                    .map_err(|error| AppError::Internal(format!("stored reference: {error}")))?;
                Ok(Some(SubmittedReport {
                    reference,
                    first_time: false,
                    trackable: row.contact_email.is_some(),
                }))
            }
            None => Ok(None),
        }
    }

    /// Sends a one-time code to the e-mail address on a report, so that its reporter can open
    /// it. At most [`ReportSettings::codes_per_hour`] codes per report per hour. Issuing is
    /// audited (the address on the report was consulted to send it).
    #[tracing::instrument(skip_all)]
    pub async fn request_report_code(
        &self,
        reference: &ReportReference,
    ) -> Result<CodeRequest, AppError> {
        let inner = &self.inner;
        let who = Principal::anonymous_citizen();
        let now = inner.clock.now();
        let mut tx = inner.store.begin().await?;
        let row = match inner.load_report(&mut tx, reference).await {
            Ok(Some(row)) => row,
            Ok(None) => {
                tx.rollback().await?;
                return Ok(CodeRequest::UnknownReport);
            }
            Err(error) => return abandon(tx, error).await,
        };
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::RequestReportCode,
            purpose: Some("sending the reporter a one-time code"),
            records: row.reporter_id.iter().map(|id| *id.as_uuid()).collect(),
        };
        if !inner.decide(&who, &inner.report_resource(&row.reference), &facts) {
            tx.rollback().await?;
            return Err(inner.refuse(&who, &facts).await);
        }
        let Some(email) = row.contact_email.clone() else {
            tx.rollback().await?;
            return Ok(CodeRequest::NoEmail);
        };
        let hour_ago = now - chrono::Duration::hours(1);
        let recent = match tx
            .count_one_time_codes_since(&row.reference, hour_ago)
            .await
        {
            Ok(count) => count,
            Err(error) => return abandon(tx, error.into()).await,
        };
        if recent >= inner.reports.codes_per_hour {
            tx.rollback().await?;
            return Err(AppError::RateLimited {
                message:
                    "too many codes have been sent for this report; wait an hour and try again"
                        .to_owned(),
            });
        }
        let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
        let ttl = chrono::Duration::from_std(inner.reports.code_ttl)
            .map_err(|error| AppError::Internal(error.to_string()))?;
        let code_row = OneTimeCodeRow {
            id: Uuid::now_v7(),
            reference: row.reference.clone(),
            code_hash: code_hash(reference, &code),
            created_at: now,
            expires_at: now + ttl,
            used_at: None,
            failed_attempts: 0,
        };
        if let Err(error) = tx.insert_one_time_code(&code_row).await {
            return abandon(tx, error.into()).await;
        }
        inner.audit_and_commit(&who, tx, &facts).await?;
        let minutes = inner.reports.code_ttl.as_secs() / 60;
        let text = format!(
            "Your code to open report {reference} is {code}\n\n\
             It expires in {minutes} minutes and works once.\n\n\
             If you did not ask for this code, you can ignore this e-mail: nobody can open your \
             report without it.\n\n\
             In an emergency, call 999. To contact the police otherwise, call 101.\n"
        );
        inner
            .mailer
            .send(&bluelamp_mail::OutgoingMail {
                to: email,
                subject: format!("Your code for report {reference}"),
                text,
            })
            .await
            .map_err(|error| {
                tracing::warn!(error = %error, "sending a one-time code failed");
                AppError::Unavailable(
                    "we could not send the e-mail with your code; try again later".to_owned(),
                )
            })?;
        Ok(CodeRequest::Sent)
    }

    /// Checks a one-time code and, when it is right, returns the reporter principal that may
    /// follow the report. A code works once, until it expires, and stops working after too
    /// many wrong attempts. Every wrong attempt is audited as a refused consultation.
    #[tracing::instrument(skip_all)]
    pub async fn verify_report_code(
        &self,
        reference: &ReportReference,
        code: &str,
    ) -> Result<Principal, AppError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let who = Principal::anonymous_citizen();
        let rejected = |reason: &'static str, message: &str| {
            AppError::invalid("code", reason, message.to_owned())
        };
        let code = code.trim();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(rejected(
                "code_format",
                "the code is the 6 numbers in the e-mail we sent you",
            ));
        }
        let mut tx = inner.store.begin().await?;
        let latest = match tx.latest_one_time_code(reference.compact()).await {
            Ok(latest) => latest,
            Err(error) => return abandon(tx, error.into()).await,
        };
        let Some(mut stored) = latest else {
            tx.rollback().await?;
            return Err(rejected(
                "code_wrong",
                "the code is not right; check the e-mail or ask for a new code",
            ));
        };
        let report_records: Vec<Uuid> = match inner.load_report(&mut tx, reference).await {
            Ok(Some(row)) => row.reporter_id.iter().map(|id| *id.as_uuid()).collect(),
            Ok(None) => Vec::new(),
            Err(error) => return abandon(tx, error).await,
        };
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::TrackReport,
            purpose: Some("reporter opening their report with a one-time code"),
            records: report_records,
        };
        let failure = if stored.used_at.is_some() {
            Some(rejected(
                "code_used",
                "that code has already been used; ask for a new code",
            ))
        } else if stored.expires_at <= now {
            Some(rejected(
                "code_expired",
                "that code has expired; ask for a new code",
            ))
        } else if stored.failed_attempts >= inner.reports.code_attempts {
            Some(rejected(
                "code_locked",
                "too many wrong codes were tried; ask for a new code",
            ))
        } else if !same_hash(&stored.code_hash, &code_hash(reference, code)) {
            stored.failed_attempts = stored.failed_attempts.saturating_add(1);
            Some(rejected(
                "code_wrong",
                "the code is not right; check the e-mail or ask for a new code",
            ))
        } else {
            None
        };
        match failure {
            Some(error) => {
                let recorded = async {
                    tx.update_one_time_code(&stored).await?;
                    tx.append_audit(&[inner.audit_entry(&who, &facts, Outcome::Denied)])
                        .await?;
                    tx.commit().await
                }
                .await;
                recorded?;
                Err(error)
            }
            None => {
                stored.used_at = Some(now);
                if let Err(error) = tx.update_one_time_code(&stored).await {
                    return abandon(tx, error.into()).await;
                }
                let reporter = Principal::reporter(reference);
                inner.audit_and_commit(&reporter, tx, &facts).await?;
                Ok(reporter)
            }
        }
    }

    /// A report with its timeline, for its reporter (after a one-time code) or for police
    /// staff. Audited as s.62 consultation with the purpose given.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn track_report(
        &self,
        who: &Principal,
        reference: &ReportReference,
        purpose: &Purpose,
    ) -> Result<ReportView, AppError> {
        let inner = &self.inner;
        let (mut tx, row, facts) = inner
            .begin_report_action(who, reference, |row| AuditFacts {
                kind: LogKind::Consultation,
                action: Action::TrackReport,
                purpose: Some(purpose.as_str()),
                records: vec![*row.event_id.as_uuid()],
            })
            .await?;
        let updates = match tx.report_updates(&row.reference).await {
            Ok(updates) => updates,
            Err(error) => return abandon(tx, error.into()).await,
        };
        inner.audit_and_commit(who, tx, &facts).await?;
        let today = inner.clock.now().date_naive();
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
            .and_then(serde_json::Value::as_str)
            .and_then(|code| inner.refdata.online_report_types.get(code, today))
            .map(|entry| entry.label.clone());
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
        Ok(ReportView {
            reference: reference.clone(),
            kind,
            type_label,
            status,
            submitted_at: row.submitted_at,
            updated_at: row.updated_at,
            crime_number: row.crime_number.clone(),
            officer: row.officer.clone(),
            outcome,
            // Triage decisions are police information: the reporter never sees them.
            timeline: updates
                .iter()
                .filter(|update| {
                    who.subject.kind != PrincipalKind::Citizen
                        || !crate::triage::is_internal(&update.kind)
                })
                .map(|update| timeline_entry(&inner.refdata, update, today))
                .collect(),
        })
    }

    /// The reporter adds a message, information or evidence to their report. Evidence files
    /// become records linked to the report's event; each is audited with its SHA-256.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn add_to_report(
        &self,
        who: &Principal,
        reference: &ReportReference,
        text: Option<FreeText>,
        evidence: Vec<EvidenceReceipt>,
    ) -> Result<(), AppError> {
        let inner = &self.inner;
        if text.is_none() && evidence.is_empty() {
            return Err(AppError::invalid(
                "message",
                "required",
                "enter a message or choose a file to upload",
            ));
        }
        let now = inner.clock.now();
        let (mut tx, mut row, mut facts) = inner
            .begin_report_action(who, reference, |_| AuditFacts {
                kind: LogKind::Collection,
                action: Action::MessageReport,
                purpose: None,
                records: Vec::new(),
            })
            .await?;
        let group = match tx.get_record(row.event_id).await {
            Ok(Some(event)) => event.retention.group,
            Ok(None) => {
                return abandon(tx, AppError::Internal("report event missing".to_owned())).await;
            }
            Err(error) => return abandon(tx, error.into()).await,
        };
        let mut evidence_ids = Vec::new();
        let mut records = Vec::new();
        let mut links = Vec::new();
        for file in &evidence {
            let body = match evidence_file(file) {
                Ok(body) => body,
                Err(error) => return abandon(tx, error).await,
            };
            let record = match inner.portal_record(
                who,
                &group,
                RecordBody::Object(Object::Evidence(body)),
            ) {
                Ok(record) => record,
                Err(error) => return abandon(tx, error).await,
            };
            let link = match Link::new(
                LinkId::new(),
                record.id,
                row.event_id,
                LinkRole::Exhibit,
                now,
                None,
            ) {
                Ok(link) => link,
                Err(error) => return abandon(tx, AppError::Internal(error.to_string())).await,
            };
            evidence_ids.push((record.id, file.sha256.clone()));
            records.push(record);
            links.push(link);
        }
        facts.records = records.iter().map(|record| *record.id.as_uuid()).collect();
        facts.records.push(*row.event_id.as_uuid());
        let update = ReportUpdateRow {
            id: Uuid::now_v7(),
            reference: row.reference.clone(),
            at: now,
            kind: if text.is_some() {
                "message"
            } else {
                "evidence"
            }
            .to_owned(),
            author: match who.subject.kind {
                bluelamp_policy::PrincipalKind::Citizen => "reporter",
                _ => "police",
            }
            .to_owned(),
            author_name: None,
            text: text.as_ref().map(|text| text.as_str().to_owned()),
            data: serde_json::json!({ "files": files_json(&evidence, &evidence_ids) }),
        };
        row.updated_at = now;
        let stored = async {
            for record in &records {
                tx.insert_record(record).await?;
            }
            for link in &links {
                tx.insert_link(link).await?;
            }
            tx.insert_report_update(&update).await?;
            tx.update_report(&row).await?;
            let mut entries = vec![inner.audit_entry(who, &facts, Outcome::Allowed)];
            for (id, sha256) in &evidence_ids {
                entries.push(inner.evidence_entry(who, Action::MessageReport, *id, sha256));
            }
            tx.append_audit(&entries).await?;
            Ok::<(), StoreError>(())
        }
        .await;
        if let Err(error) = stored {
            return abandon(tx, error.into()).await;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The police move a report on: assess it, record it as a crime, assign an officer, send
    /// the reporter a message, or close it with an outcome. Status changes are audited as
    /// s.62 alteration; a message to the reporter as disclosure to them. A message completes
    /// the report's open Victims' Code tasks (the victim was told) and, for a recorded crime,
    /// starts the next monthly update.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn update_report(
        &self,
        who: &Principal,
        reference: &ReportReference,
        update: PoliceUpdate,
    ) -> Result<(), AppError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let today = now.date_naive();
        let (action, kind) = match update {
            PoliceUpdate::Message { .. } => (Action::MessageReport, LogKind::Disclosure),
            _ => (Action::UpdateReport, LogKind::Alteration),
        };
        let (mut tx, mut row, facts) = inner
            .begin_report_action(who, reference, |row| AuditFacts {
                kind,
                action,
                purpose: None,
                records: vec![*row.event_id.as_uuid()],
            })
            .await?;
        let mut entry = ReportUpdateRow {
            id: Uuid::now_v7(),
            reference: row.reference.clone(),
            at: now,
            kind: "status".to_owned(),
            author: "police".to_owned(),
            author_name: Some(who.display_name.clone()),
            text: None,
            data: serde_json::json!({}),
        };
        let checked: Result<(), AppError> = match &update {
            PoliceUpdate::Assessing => {
                row.status = ReportStatus::BeingAssessed.as_str().to_owned();
                entry.data = serde_json::json!({ "status": row.status });
                Ok(())
            }
            PoliceUpdate::CrimeRecorded { crime_number } => {
                let number = crime_number.trim();
                if number.is_empty()
                    || number.len() > 32
                    || !number
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | ' '))
                {
                    Err(AppError::invalid(
                        "crime_number",
                        "invalid",
                        "a crime number is 1 to 32 letters, digits, '/', '-' or spaces",
                    ))
                } else {
                    row.status = ReportStatus::CrimeRecorded.as_str().to_owned();
                    row.crime_number = Some(number.to_owned());
                    entry.data =
                        serde_json::json!({ "status": row.status, "crime_number": number });
                    Ok(())
                }
            }
            PoliceUpdate::OfficerAssigned { officer } => {
                let name = officer.trim();
                if name.is_empty()
                    || name.chars().count() > 80
                    || name.chars().any(char::is_control)
                {
                    Err(AppError::invalid(
                        "officer",
                        "invalid",
                        "an officer's name is 1 to 80 characters",
                    ))
                } else {
                    row.status = ReportStatus::OfficerAssigned.as_str().to_owned();
                    row.officer = Some(name.to_owned());
                    entry.data = serde_json::json!({ "status": row.status, "officer": name });
                    Ok(())
                }
            }
            PoliceUpdate::Message { text } => {
                entry.kind = "message".to_owned();
                entry.text = Some(text.as_str().to_owned());
                Ok(())
            }
            PoliceUpdate::Outcome { code, note } => {
                if inner.refdata.outcome_categories.contains(code, today) {
                    row.status = ReportStatus::Closed.as_str().to_owned();
                    row.outcome = Some(code.clone());
                    entry.kind = "outcome".to_owned();
                    entry.text = note.as_ref().map(|note| note.as_str().to_owned());
                    entry.data = serde_json::json!({ "status": row.status, "outcome": code });
                    Ok(())
                } else {
                    Err(AppError::invalid(
                        "outcome",
                        "unknown_code",
                        format!("'{code}' is not an outcome category in force on {today}"),
                    ))
                }
            }
        };
        if let Err(error) = checked {
            return abandon(tx, error).await;
        }
        row.updated_at = now;
        let mut audit = inner.audit_entry(who, &facts, Outcome::Allowed);
        if kind == LogKind::Disclosure {
            audit.recipients = vec![Principal::reporter_id_of(&row.reference)];
        }
        if matches!(update, PoliceUpdate::Message { .. }) {
            // The victim was told: their open Victims' Code deadlines are met.
            if let Err(error) = inner.victim_updated(&mut tx, who, &row).await {
                return abandon(tx, error).await;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_hashes_are_bound_to_the_report() {
        let a = ReportReference::from_random(1);
        let b = ReportReference::from_random(2);
        assert_ne!(code_hash(&a, "123456"), code_hash(&b, "123456"));
        assert!(same_hash(
            &code_hash(&a, "123456"),
            &code_hash(&a, "123456")
        ));
        assert!(!same_hash(
            &code_hash(&a, "123456"),
            &code_hash(&a, "123457")
        ));
    }
}
