//! Shared test support: golden cases and request construction.

use bluelamp_policy::{
    AccessRequest, Action, Classification, NeedToKnow, PrincipalKind, RecordKind, Resource,
    ResourceKind, Role, Subject,
};
use serde::Deserialize;

/// The force every case's principal belongs to unless it says otherwise.
pub const HOME: &str = "kent";

/// The reporter of every report case unless it says otherwise.
pub const REPORTER: &str = "reporter:7K3M9QXD2H4";

/// A citizen principal's id unless the case says otherwise (not yet proved
/// any one-time code).
pub const ANONYMOUS: &str = "anonymous";

/// `tests/golden.toml`.
pub const GOLDEN: &str = include_str!("../golden.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldenFile {
    #[serde(rename = "case")]
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceShape {
    Record,
    Collection,
    Link,
    StaffDirectory,
    AuditLog,
    Report,
    /// A protected field category of a record (`category`).
    Field,
}

fn staff() -> PrincipalKind {
    PrincipalKind::Staff
}
fn home() -> String {
    HOME.to_owned()
}
fn official() -> Classification {
    Classification::Official
}
fn event() -> RecordKind {
    RecordKind::Event
}
fn reporter() -> String {
    REPORTER.to_owned()
}

/// One hand-written case. Defaults: a staff principal of force `kent` with
/// OFFICIAL clearance; an OFFICIAL, non-sensitive `event` record of `kent`;
/// no purpose; no error expected. A report is of `kent`, made by
/// [`REPORTER`]; a citizen principal's id is [`ANONYMOUS`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    #[serde(default = "staff")]
    pub principal: PrincipalKind,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default = "home")]
    pub force: String,
    #[serde(default)]
    pub no_force: bool,
    #[serde(default = "official")]
    pub clearance: Classification,
    pub action: Action,
    pub resource: ResourceShape,
    #[serde(default = "event")]
    pub kind: RecordKind,
    #[serde(default = "home")]
    pub resource_force: String,
    #[serde(default)]
    pub resource_no_force: bool,
    #[serde(default = "official")]
    pub classification: Classification,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub purpose: Option<String>,
    /// The report's reporter's citizen id (reports only).
    #[serde(default = "reporter")]
    pub reporter: String,
    /// Drop the report's reporter (a malformed request).
    #[serde(default)]
    pub resource_no_reporter: bool,
    /// The principal's id (citizens only; staff and system ids are derived).
    #[serde(default)]
    pub principal_id: Option<String>,
    /// The principal's team ids.
    #[serde(default)]
    pub teams: Vec<String>,
    /// The controlled caveats the principal is briefed for.
    #[serde(default)]
    pub caveats: Vec<String>,
    /// The record's controlled caveats (records and fields).
    #[serde(default)]
    pub resource_caveats: Vec<String>,
    /// Whether the record is restricted to its access list.
    #[serde(default)]
    pub restricted: bool,
    /// The access list's staff ids (a staff principal's id is `Staff-<role>`).
    #[serde(default)]
    pub access_staff: Vec<String>,
    /// The access list's team ids.
    #[serde(default)]
    pub access_teams: Vec<String>,
    /// The record's flags, e.g. `vip`, `refuge_address`.
    #[serde(default)]
    pub flags: Vec<String>,
    /// The field category (fields only).
    #[serde(default)]
    pub category: Option<String>,
    pub expect: Expect,
    pub policies: Vec<String>,
    #[serde(default)]
    pub error: bool,
}

impl Case {
    pub fn subject(&self) -> Subject {
        Subject {
            kind: self.principal,
            id: match (self.principal, &self.principal_id) {
                (_, Some(id)) => id.clone(),
                (PrincipalKind::Citizen, None) => ANONYMOUS.to_owned(),
                (_, None) => format!(
                    "{:?}-{}",
                    self.principal,
                    self.role.map_or("none", Role::as_str)
                ),
            },
            role: self.role,
            force: (!self.no_force).then(|| self.force.clone()),
            clearance: self.clearance,
            teams: self.teams.clone(),
            caveats: self.caveats.clone(),
            competencies: Vec::new(),
        }
    }

    pub fn resource(&self) -> Resource {
        let kind = match self.resource {
            ResourceShape::Record => ResourceKind::Record(self.kind),
            ResourceShape::Collection => ResourceKind::RecordCollection,
            ResourceShape::Link => ResourceKind::Link,
            ResourceShape::StaffDirectory => ResourceKind::StaffDirectory,
            ResourceShape::AuditLog => ResourceKind::AuditLog,
            ResourceShape::Report => ResourceKind::Report,
            ResourceShape::Field => ResourceKind::Field(self.kind),
        };
        Resource {
            kind,
            id: "res-1".to_owned(),
            force: (!self.resource_no_force && self.resource != ResourceShape::AuditLog)
                .then(|| self.resource_force.clone()),
            classification: self.classification,
            sensitive: self.sensitive,
            reporter: (self.resource == ResourceShape::Report && !self.resource_no_reporter)
                .then(|| self.reporter.clone()),
            need_to_know: NeedToKnow {
                caveats: self.resource_caveats.clone(),
                restricted: self.restricted,
                access_staff: self.access_staff.clone(),
                access_teams: self.access_teams.clone(),
                flags: self.flags.clone(),
            },
            category: self.category.clone(),
        }
    }
}

pub fn golden_cases() -> Result<Vec<Case>, toml::de::Error> {
    toml::from_str::<GoldenFile>(GOLDEN).map(|file| file.cases)
}

/// Build the request for `case` and hand it to `f`.
pub fn with_request<T>(case: &Case, f: impl FnOnce(&AccessRequest<'_>) -> T) -> T {
    let subject = case.subject();
    let resource = case.resource();
    f(&AccessRequest {
        subject: &subject,
        action: case.action,
        resource: &resource,
        purpose: case.purpose.as_deref(),
    })
}
