//! Every well-formed request over a small universe, for exhaustive checks.

use bluelamp_policy::{
    Action, Classification, NeedToKnow, PrincipalKind, RecordKind, Resource, ResourceKind, Role,
    Subject,
};

/// A reporter who has proved their one-time code.
pub const REPORTER: &str = "reporter:7K3M9QXD2H4";
/// Another reporter.
pub const OTHER_REPORTER: &str = "reporter:9Z2W4PLM8RT";

/// The force every principal belongs to.
pub const HOME: &str = "kent";
/// Another force.
pub const OTHER: &str = "essex";

/// Every well-formed request over a small universe: each principal (staff in
/// each role and clearance), each action with each resource kind it applies
/// to, own and other force, each classification, sensitive or not, reports
/// made by each citizen, purpose present or absent.
pub fn universe() -> Vec<(Subject, Action, Resource, Option<&'static str>)> {
    let classifications = [
        Classification::Official,
        Classification::Secret,
        Classification::TopSecret,
    ];
    let mut subjects = vec![
        Subject::citizen("citizen-1"),
        Subject::citizen("anonymous"),
        Subject::citizen(REPORTER),
        Subject::citizen(OTHER_REPORTER),
        Subject::system("bootstrap"),
    ];
    for role in Role::ALL {
        for clearance in classifications {
            subjects.push(Subject {
                kind: PrincipalKind::Staff,
                id: format!("staff-{role}"),
                role: Some(role),
                force: Some(HOME.to_owned()),
                clearance,
                teams: Vec::new(),
                caveats: Vec::new(),
                competencies: Vec::new(),
            });
        }
        // A member of the team on the access lists below, briefed for LOCSEN.
        subjects.push(
            Subject::staff(
                bluelamp_policy::StaffId::new(),
                role,
                HOME,
                Classification::Official,
            )
            .with_teams(vec![TEAM.to_owned()])
            .with_caveats(vec!["LOCSEN".to_owned()]),
        );
    }
    let mut resources = Vec::new();
    for force in [HOME, OTHER] {
        for classification in classifications {
            for sensitive in [false, true] {
                for kind in RecordKind::ALL {
                    resources.push(Resource::record(
                        kind,
                        "rec-1",
                        force,
                        classification,
                        sensitive,
                    ));
                }
            }
            resources.push(Resource::link("link-1", force, classification));
        }
        // Need-to-know variants of a person and a location (fields included).
        for kind in [RecordKind::Person, RecordKind::Location] {
            for need_to_know in need_to_know_variants() {
                let record =
                    Resource::record(kind, "rec-1", force, Classification::Official, false)
                        .with_need_to_know(need_to_know);
                for category in ["address", "contact", "identifiers"] {
                    resources.push(record.field(category));
                }
                resources.push(record);
            }
        }
        resources.push(Resource::record_collection(force));
        resources.push(Resource::staff_directory(force));
        for reporter in [REPORTER, OTHER_REPORTER, "anonymous", "citizen-1"] {
            resources.push(Resource::report("7K3M9QXD2H4", force, reporter));
        }
    }
    resources.push(Resource::audit_log());
    let mut out = Vec::new();
    for subject in &subjects {
        for action in Action::ALL {
            for resource in resources.iter().filter(|r| applies(action, r.kind)) {
                for purpose in [None, Some("investigation")] {
                    out.push((subject.clone(), action, resource.clone(), purpose));
                }
            }
        }
    }
    out
}

/// The team on the access lists of [`need_to_know_variants`].
pub const TEAM: &str = "team-a";

/// Restricted, caveated, VIP and refuge records, each with and without an access list.
fn need_to_know_variants() -> Vec<NeedToKnow> {
    let mut out = Vec::new();
    for listed in [false, true] {
        let access_teams = if listed {
            vec![TEAM.to_owned()]
        } else {
            Vec::new()
        };
        let base = NeedToKnow {
            access_teams,
            ..NeedToKnow::default()
        };
        out.push(NeedToKnow {
            restricted: true,
            ..base.clone()
        });
        out.push(NeedToKnow {
            caveats: vec!["LOCSEN".to_owned()],
            ..base.clone()
        });
        for flag in ["vip", "refuge_address"] {
            out.push(NeedToKnow {
                flags: vec![flag.to_owned()],
                ..base.clone()
            });
        }
    }
    out
}

/// Whether the schema lets `action` apply to a resource of `kind`.
pub fn applies(action: Action, kind: ResourceKind) -> bool {
    matches!(
        (action, kind),
        (
            Action::CreateRecord | Action::ReadRecord | Action::UpdateRecord | Action::SetHandling,
            ResourceKind::Record(_)
        ) | (Action::ReadField, ResourceKind::Field(_))
            | (
                Action::ListRecords | Action::ReviewRecords,
                ResourceKind::RecordCollection
            )
            | (
                Action::ReviewRecords | Action::DisposeRecord,
                ResourceKind::Record(_)
            )
            | (Action::LinkRecords | Action::ReadLinks, ResourceKind::Link)
            | (
                Action::CreateStaff
                    | Action::ListStaff
                    | Action::ChangeStaffRole
                    | Action::SetStaffTeam
                    | Action::SetStaffVetting
                    | Action::DisableStaff
                    | Action::EnableStaff
                    | Action::UnlockStaff
                    | Action::SetStaffPassword
                    | Action::SetOwnPassword
                    | Action::ResetStaffTotp
                    | Action::CreateTeam
                    | Action::ListTeams
                    | Action::SignIn
                    | Action::SignOut
                    | Action::EnrolTotp
                    | Action::LockStaff
                    | Action::ListColleagues,
                ResourceKind::StaffDirectory
            )
            | (
                Action::ReadAuditLog | Action::VerifyAuditLog,
                ResourceKind::AuditLog
            )
            | (
                Action::SubmitReport
                    | Action::RequestReportCode
                    | Action::TrackReport
                    | Action::MessageReport
                    | Action::UpdateReport
                    | Action::AllocateReport
                    | Action::TakeReport
                    | Action::RecordIncident,
                ResourceKind::Report
            )
    )
}
