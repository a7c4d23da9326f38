//! The request vocabulary: who asks ([`Subject`]), to do what ([`Action`]),
//! to which thing ([`Resource`]), why (purpose), and the answer ([`Decision`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use bluelamp_domain::ids::{RecordKind, StaffId};
use bluelamp_domain::marking::Classification;

/// A staff role. A member of staff acts under exactly one role at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Takes calls and front-counter reports; creates and consults records.
    ContactHandler,
    /// A police officer.
    Officer,
    /// A detective or investigator.
    Investigator,
    /// A sergeant, inspector or team lead.
    Supervisor,
    /// An intelligence or performance analyst.
    Analyst,
    /// Information management: disclosure, data quality, review, audit.
    InformationManager,
    /// Manages staff accounts; does not consult records.
    Administrator,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Self; 7] = [
        Self::ContactHandler,
        Self::Officer,
        Self::Investigator,
        Self::Supervisor,
        Self::Analyst,
        Self::InformationManager,
        Self::Administrator,
    ];

    /// The role's snake_case name, as used in policies (`principal.role`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ContactHandler => "contact_handler",
            Self::Officer => "officer",
            Self::Investigator => "investigator",
            Self::Supervisor => "supervisor",
            Self::Analyst => "analyst",
            Self::InformationManager => "information_manager",
            Self::Administrator => "administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`Role`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown staff role `{0}`")]
pub struct ParseRoleError(pub String);

impl FromStr for Role {
    type Err = ParseRoleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| ParseRoleError(s.to_owned()))
    }
}

/// What kind of principal is asking.
///
/// Deliberately not `#[non_exhaustive]`: when `Partner` arrives every match on
/// this type should fail to compile until it handles partners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    /// A member of police staff (`Bluelamp::Staff`).
    Staff,
    /// A member of the public (`Bluelamp::Citizen`).
    Citizen,
    /// The platform itself: bootstrap, seeding, background workers (`Bluelamp::System`).
    System,
}

/// The principal of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// What kind of principal this is.
    pub kind: PrincipalKind,
    /// The principal's stable, never-recycled identifier.
    pub id: String,
    /// The role a member of staff is acting under (required for staff; a
    /// staff subject without one is denied).
    pub role: Option<Role>,
    /// The force a member of staff belongs to (required for staff; a staff
    /// subject without one is denied).
    pub force: Option<String>,
    /// The principal's security clearance (only staff clearance is used).
    pub clearance: Classification,
    /// The ids of the teams a member of staff belongs to.
    pub teams: Vec<String>,
    /// The controlled handling caveats a member of staff is briefed for.
    pub caveats: Vec<String>,
    /// The competencies a member of staff holds.
    pub competencies: Vec<String>,
}

impl Subject {
    /// A member of staff acting under `role` in `force`.
    #[must_use]
    pub fn staff(
        id: StaffId,
        role: Role,
        force: impl Into<String>,
        clearance: Classification,
    ) -> Self {
        Self {
            kind: PrincipalKind::Staff,
            id: id.to_string(),
            role: Some(role),
            force: Some(force.into()),
            clearance,
            teams: Vec::new(),
            caveats: Vec::new(),
            competencies: Vec::new(),
        }
    }

    /// The same subject in `teams` (team ids).
    #[must_use]
    pub fn with_teams(mut self, teams: Vec<String>) -> Self {
        self.teams = teams;
        self
    }

    /// The same subject briefed for the controlled handling `caveats`.
    #[must_use]
    pub fn with_caveats(mut self, caveats: Vec<String>) -> Self {
        self.caveats = caveats;
        self
    }

    /// The same subject holding `competencies`.
    #[must_use]
    pub fn with_competencies(mut self, competencies: Vec<String>) -> Self {
        self.competencies = competencies;
        self
    }

    /// A member of the public.
    #[must_use]
    pub fn citizen(id: impl Into<String>) -> Self {
        Self {
            kind: PrincipalKind::Citizen,
            id: id.into(),
            role: None,
            force: None,
            clearance: Classification::Official,
            teams: Vec::new(),
            caveats: Vec::new(),
            competencies: Vec::new(),
        }
    }

    /// The platform acting for itself, e.g. `Subject::system("bootstrap")`.
    #[must_use]
    pub fn system(id: impl Into<String>) -> Self {
        Self {
            kind: PrincipalKind::System,
            id: id.into(),
            role: None,
            force: None,
            clearance: Classification::Official,
            teams: Vec::new(),
            caveats: Vec::new(),
            competencies: Vec::new(),
        }
    }
}

/// Something a principal asks to do. Each is a Cedar action `Bluelamp::Action::"<as_str>"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Action {
    /// Create a record (`record.create`).
    #[serde(rename = "record.create")]
    CreateRecord,
    /// Read one record (`record.read`); needs a purpose.
    #[serde(rename = "record.read")]
    ReadRecord,
    /// List or search a force's records (`record.list`); needs a purpose.
    #[serde(rename = "record.list")]
    ListRecords,
    /// Change a record (`record.update`).
    #[serde(rename = "record.update")]
    UpdateRecord,
    /// Link two records (`link.create`).
    #[serde(rename = "link.create")]
    LinkRecords,
    /// Read the links between records (`link.read`); needs a purpose.
    #[serde(rename = "link.read")]
    ReadLinks,
    /// Create a staff account (`staff.create`).
    #[serde(rename = "staff.create")]
    CreateStaff,
    /// Read the audit log (`audit.read`); needs a purpose.
    #[serde(rename = "audit.read")]
    ReadAuditLog,
    /// Verify the audit log's integrity (`audit.verify`).
    #[serde(rename = "audit.verify")]
    VerifyAuditLog,
    /// Make a new online report (`report.submit`).
    #[serde(rename = "report.submit")]
    SubmitReport,
    /// Ask for a one-time code to be e-mailed to the address already on a
    /// report (`report.code`).
    #[serde(rename = "report.code")]
    RequestReportCode,
    /// See a report's status, timeline and messages (`report.track`); needs a purpose.
    #[serde(rename = "report.track")]
    TrackReport,
    /// Add a message, information or evidence to a report (`report.message`).
    #[serde(rename = "report.message")]
    MessageReport,
    /// Police handling of a report: change its status, record a crime number,
    /// assign it, record the outcome (`report.update`).
    #[serde(rename = "report.update")]
    UpdateReport,
    /// See the force's staff accounts and their state (`staff.list`).
    #[serde(rename = "staff.list")]
    ListStaff,
    /// Change a staff account's role (`staff.role`).
    #[serde(rename = "staff.role")]
    ChangeStaffRole,
    /// Put a staff account in a team, or in none (`staff.team`).
    #[serde(rename = "staff.team")]
    SetStaffTeam,
    /// Disable a staff account, ending its sessions (`staff.disable`).
    #[serde(rename = "staff.disable")]
    DisableStaff,
    /// Enable a disabled staff account (`staff.enable`).
    #[serde(rename = "staff.enable")]
    EnableStaff,
    /// Release a staff account locked after failed sign-ins (`staff.unlock`).
    #[serde(rename = "staff.unlock")]
    UnlockStaff,
    /// Set another staff account's password (`staff.password`).
    #[serde(rename = "staff.password")]
    SetStaffPassword,
    /// Change one's own password (`staff.password.own`).
    #[serde(rename = "staff.password.own")]
    SetOwnPassword,
    /// Remove a staff account's second factor so that it enrols again at its next
    /// sign-in (`staff.totp.reset`).
    #[serde(rename = "staff.totp.reset")]
    ResetStaffTotp,
    /// Create a team (`team.create`).
    #[serde(rename = "team.create")]
    CreateTeam,
    /// See the force's teams (`team.list`).
    #[serde(rename = "team.list")]
    ListTeams,
    /// A sign-in attempt (`staff.sign_in`). Audit only: authentication is not a
    /// policy decision and no policy permits it.
    #[serde(rename = "staff.sign_in")]
    SignIn,
    /// A sign-out (`staff.sign_out`). Audit only, like [`Action::SignIn`].
    #[serde(rename = "staff.sign_out")]
    SignOut,
    /// Enrolment of a second factor (`staff.totp`). Audit only, like
    /// [`Action::SignIn`].
    #[serde(rename = "staff.totp")]
    EnrolTotp,
    /// An account locked after too many failed sign-ins (`staff.lock`). Audit
    /// only, like [`Action::SignIn`].
    #[serde(rename = "staff.lock")]
    LockStaff,
    /// Allocate a report to any officer or team of the force (`report.allocate`).
    #[serde(rename = "report.allocate")]
    AllocateReport,
    /// Take a report: allocate it to oneself (`report.take`). The application asks with
    /// this action only when the officer allocated is the caller.
    #[serde(rename = "report.take")]
    TakeReport,
    /// See the force's operational staff and teams, to allocate work
    /// (`staff.colleagues`).
    #[serde(rename = "staff.colleagues")]
    ListColleagues,
    /// Record an incident reported by phone, at a front counter or in person, as a report
    /// in the triage queue (`report.record`).
    #[serde(rename = "report.record")]
    RecordIncident,
    /// MoPI review: see the records due for review, record a decision to retain one, and
    /// read the deletion certificate of one disposed of (`record.review`).
    #[serde(rename = "record.review")]
    ReviewRecords,
    /// Dispose of a record under MoPI: erase its personal content, keeping a tombstone
    /// (`record.dispose`).
    #[serde(rename = "record.dispose")]
    DisposeRecord,
    /// Read one protected category of a record's fields: its addresses, contact details or
    /// identifiers (`field.read`); needs a purpose. Denied categories are withheld.
    #[serde(rename = "field.read")]
    ReadField,
    /// Set a record's need-to-know handling: restriction, access list and flags
    /// (`record.handle`).
    #[serde(rename = "record.handle")]
    SetHandling,
    /// Record a staff account's vetting: clearance and controlled caveats (`staff.vetting`).
    #[serde(rename = "staff.vetting")]
    SetStaffVetting,
}

impl Action {
    /// Every action, in declaration order.
    pub const ALL: [Self; 38] = [
        Self::CreateRecord,
        Self::ReadRecord,
        Self::ListRecords,
        Self::UpdateRecord,
        Self::LinkRecords,
        Self::ReadLinks,
        Self::CreateStaff,
        Self::ReadAuditLog,
        Self::VerifyAuditLog,
        Self::SubmitReport,
        Self::RequestReportCode,
        Self::TrackReport,
        Self::MessageReport,
        Self::UpdateReport,
        Self::ListStaff,
        Self::ChangeStaffRole,
        Self::SetStaffTeam,
        Self::DisableStaff,
        Self::EnableStaff,
        Self::UnlockStaff,
        Self::SetStaffPassword,
        Self::SetOwnPassword,
        Self::ResetStaffTotp,
        Self::CreateTeam,
        Self::ListTeams,
        Self::SignIn,
        Self::SignOut,
        Self::EnrolTotp,
        Self::LockStaff,
        Self::AllocateReport,
        Self::TakeReport,
        Self::ListColleagues,
        Self::RecordIncident,
        Self::ReviewRecords,
        Self::DisposeRecord,
        Self::ReadField,
        Self::SetHandling,
        Self::SetStaffVetting,
    ];

    /// The action's id in the Cedar schema, e.g. `"record.read"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CreateRecord => "record.create",
            Self::ReadRecord => "record.read",
            Self::ListRecords => "record.list",
            Self::UpdateRecord => "record.update",
            Self::LinkRecords => "link.create",
            Self::ReadLinks => "link.read",
            Self::CreateStaff => "staff.create",
            Self::ReadAuditLog => "audit.read",
            Self::VerifyAuditLog => "audit.verify",
            Self::SubmitReport => "report.submit",
            Self::RequestReportCode => "report.code",
            Self::TrackReport => "report.track",
            Self::MessageReport => "report.message",
            Self::UpdateReport => "report.update",
            Self::ListStaff => "staff.list",
            Self::ChangeStaffRole => "staff.role",
            Self::SetStaffTeam => "staff.team",
            Self::DisableStaff => "staff.disable",
            Self::EnableStaff => "staff.enable",
            Self::UnlockStaff => "staff.unlock",
            Self::SetStaffPassword => "staff.password",
            Self::SetOwnPassword => "staff.password.own",
            Self::ResetStaffTotp => "staff.totp.reset",
            Self::CreateTeam => "team.create",
            Self::ListTeams => "team.list",
            Self::SignIn => "staff.sign_in",
            Self::SignOut => "staff.sign_out",
            Self::EnrolTotp => "staff.totp",
            Self::LockStaff => "staff.lock",
            Self::AllocateReport => "report.allocate",
            Self::TakeReport => "report.take",
            Self::ListColleagues => "staff.colleagues",
            Self::RecordIncident => "report.record",
            Self::ReviewRecords => "record.review",
            Self::DisposeRecord => "record.dispose",
            Self::ReadField => "field.read",
            Self::SetHandling => "record.handle",
            Self::SetStaffVetting => "staff.vetting",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`Action`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown action `{0}`")]
pub struct ParseActionError(pub String);

impl FromStr for Action {
    type Err = ParseActionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|action| action.as_str() == s)
            .ok_or_else(|| ParseActionError(s.to_owned()))
    }
}

/// What kind of thing a request is about; each is a Cedar entity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// One record of the given kind (`Bluelamp::Record`; needs a force).
    Record(RecordKind),
    /// A force's records as a whole, for listing (`Bluelamp::RecordCollection`; needs a force).
    RecordCollection,
    /// A link between two records (`Bluelamp::Link`; needs a force; its
    /// classification is the higher of the two records').
    Link,
    /// A force's staff directory (`Bluelamp::StaffDirectory`; needs a force).
    StaffDirectory,
    /// The audit log (`Bluelamp::AuditLog`).
    AuditLog,
    /// An online report made by a member of the public; its id is the report
    /// reference (`Bluelamp::Report`; needs a force and a reporter).
    Report,
    /// One protected category of the fields of a record of the given kind
    /// (`Bluelamp::Field`; needs a force and a [`Resource::category`]); its id is the
    /// record's id.
    Field(RecordKind),
}

/// The need-to-know attributes of a record (and of its fields): what beyond force and
/// classification decides who may see it. Empty (the default) for other resources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedToKnow {
    /// The controlled handling caveats of its marking: only staff briefed for every one
    /// of them may see it.
    pub caveats: Vec<String>,
    /// Whether the record is restricted to its access list.
    pub restricted: bool,
    /// The access list: staff ids.
    pub access_staff: Vec<String>,
    /// The access list: team ids.
    pub access_teams: Vec<String>,
    /// Sensitivity flags, e.g. `vip`, `refuge_address`.
    pub flags: Vec<String>,
}

/// The resource of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// What kind of thing this is.
    pub kind: ResourceKind,
    /// Its stable identifier (a record id, a force code for a collection, ...).
    pub id: String,
    /// The owning force (required for records, collections, links, staff
    /// directories and reports; such a resource without one is denied).
    pub force: Option<String>,
    /// Its classification (used for records and links).
    pub classification: Classification,
    /// The OFFICIAL-SENSITIVE handling caveat (used for records).
    pub sensitive: bool,
    /// The citizen principal id of the member of the public who made the
    /// report, e.g. `reporter:7K3M9QXD2H4` (required for reports; a report
    /// without one is denied; ignored for other kinds).
    pub reporter: Option<String>,
    /// Need-to-know attributes (records and fields; empty for other kinds).
    pub need_to_know: NeedToKnow,
    /// The protected field category, e.g. `address` (required for fields; ignored for
    /// other kinds).
    pub category: Option<String>,
}

impl Resource {
    /// One record.
    #[must_use]
    pub fn record(
        kind: RecordKind,
        id: impl Into<String>,
        force: impl Into<String>,
        classification: Classification,
        sensitive: bool,
    ) -> Self {
        Self {
            kind: ResourceKind::Record(kind),
            id: id.into(),
            force: Some(force.into()),
            classification,
            sensitive,
            reporter: None,
            need_to_know: NeedToKnow::default(),
            category: None,
        }
    }

    /// A force's records as a whole; its id is the force code.
    #[must_use]
    pub fn record_collection(force: impl Into<String>) -> Self {
        let force = force.into();
        Self {
            kind: ResourceKind::RecordCollection,
            id: force.clone(),
            force: Some(force),
            classification: Classification::Official,
            sensitive: false,
            reporter: None,
            need_to_know: NeedToKnow::default(),
            category: None,
        }
    }

    /// A link between records of `force`, classified as the higher of the two.
    #[must_use]
    pub fn link(
        id: impl Into<String>,
        force: impl Into<String>,
        classification: Classification,
    ) -> Self {
        Self {
            kind: ResourceKind::Link,
            id: id.into(),
            force: Some(force.into()),
            classification,
            sensitive: false,
            reporter: None,
            need_to_know: NeedToKnow::default(),
            category: None,
        }
    }

    /// A force's staff directory; its id is the force code.
    #[must_use]
    pub fn staff_directory(force: impl Into<String>) -> Self {
        let force = force.into();
        Self {
            kind: ResourceKind::StaffDirectory,
            id: force.clone(),
            force: Some(force),
            classification: Classification::Official,
            sensitive: false,
            reporter: None,
            need_to_know: NeedToKnow::default(),
            category: None,
        }
    }

    /// The audit log.
    #[must_use]
    pub fn audit_log() -> Self {
        Self {
            kind: ResourceKind::AuditLog,
            id: "audit-log".to_owned(),
            force: None,
            classification: Classification::Official,
            sensitive: false,
            reporter: None,
            need_to_know: NeedToKnow::default(),
            category: None,
        }
    }

    /// An online report with reference `reference`, handled by `force`, made
    /// by the citizen whose principal id is `reporter` (`reporter:<REFERENCE>`).
    /// Reports are OFFICIAL and not sensitive.
    #[must_use]
    pub fn report(
        reference: impl Into<String>,
        force: impl Into<String>,
        reporter: impl Into<String>,
    ) -> Self {
        Self {
            kind: ResourceKind::Report,
            id: reference.into(),
            force: Some(force.into()),
            classification: Classification::Official,
            sensitive: false,
            reporter: Some(reporter.into()),
            need_to_know: NeedToKnow::default(),
            category: None,
        }
    }

    /// The same resource with need-to-know attributes.
    #[must_use]
    pub fn with_need_to_know(mut self, need_to_know: NeedToKnow) -> Self {
        self.need_to_know = need_to_know;
        self
    }

    /// The protected field `category` (e.g. `address`) of this record: same id, force,
    /// classification and need-to-know attributes. For another kind of resource, a field
    /// resource that the engine denies (it has no record kind).
    #[must_use]
    pub fn field(&self, category: impl Into<String>) -> Self {
        let kind = match self.kind {
            ResourceKind::Record(kind) | ResourceKind::Field(kind) => ResourceKind::Field(kind),
            other => other,
        };
        Self {
            kind,
            category: Some(category.into()),
            ..self.clone()
        }
    }
}

/// One question for the engine: may `subject` do `action` to `resource`, for `purpose`?
#[derive(Debug, Clone, Copy)]
pub struct AccessRequest<'a> {
    /// Who asks.
    pub subject: &'a Subject,
    /// What they ask to do.
    pub action: Action,
    /// What they ask to do it to.
    pub resource: &'a Resource,
    /// Why. `None`, an empty or an all-whitespace purpose all count as no purpose.
    pub purpose: Option<&'a str>,
}

/// The engine's answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Decision {
    /// Whether the request may proceed. False unless a permit matched, no
    /// forbid matched and nothing errored.
    pub allowed: bool,
    /// The `@id`s of the policies that determined the decision, sorted: the
    /// matching permits when allowed, the matching forbids when denied by a
    /// forbid, empty under default deny (no permit matched) or on error.
    pub determining_policies: Vec<String>,
    /// Why the request could not be evaluated cleanly (malformed request,
    /// policy evaluation errors). Any error denies.
    pub errors: Vec<String>,
}

impl Decision {
    /// A denial caused by an error, with no determining policy.
    pub(crate) fn error(message: String) -> Self {
        Self {
            allowed: false,
            determining_policies: Vec::new(),
            errors: vec![message],
        }
    }
}
