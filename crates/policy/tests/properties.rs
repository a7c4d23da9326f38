//! Properties over random requests: default deny, and the shipped forbids'
//! guarantees hold whatever the permits say.

use std::sync::LazyLock;

use bluelamp_policy::{
    AccessRequest, Action, Classification, EMBEDDED_SCHEMA, NeedToKnow, PolicyEngine, PolicyError,
    PrincipalKind, RecordKind, Resource, ResourceKind, Role, Subject,
};
use proptest::prelude::*;
use proptest::sample::select;

fn classification() -> impl Strategy<Value = Classification> {
    select(vec![
        Classification::Official,
        Classification::Secret,
        Classification::TopSecret,
    ])
}

/// Mostly well-known force codes, sometimes anything (quotes, unicode, empty).
fn force() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(vec!["kent", "essex", "met"]).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

/// The reporter of the reports most requests are about.
const REPORTER: &str = "reporter:7K3M9QXD2H4";

/// Mostly the anonymous citizen or one of two reporters, sometimes anything.
fn citizen_id() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(vec!["anonymous", REPORTER, "reporter:9Z2W4PLM8RT"]).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn subject() -> impl Strategy<Value = Subject> {
    (
        select(vec![
            PrincipalKind::Staff,
            PrincipalKind::Citizen,
            PrincipalKind::System,
        ]),
        citizen_id(),
        proptest::option::weighted(0.9, select(Role::ALL.to_vec())),
        proptest::option::weighted(0.9, force()),
        classification(),
    )
        .prop_map(|(kind, id, role, force, clearance)| Subject {
            kind,
            id,
            role,
            force,
            clearance,
            teams: Vec::new(),
            caveats: Vec::new(),
            competencies: Vec::new(),
        })
}

fn resource_kind() -> impl Strategy<Value = ResourceKind> {
    prop_oneof![
        select(RecordKind::ALL.to_vec()).prop_map(ResourceKind::Record),
        Just(ResourceKind::RecordCollection),
        Just(ResourceKind::Link),
        Just(ResourceKind::StaffDirectory),
        Just(ResourceKind::AuditLog),
        Just(ResourceKind::Report),
        select(RecordKind::ALL.to_vec()).prop_map(ResourceKind::Field),
    ]
}

fn resource() -> impl Strategy<Value = Resource> {
    (
        resource_kind(),
        any::<String>(),
        proptest::option::weighted(0.9, force()),
        classification(),
        any::<bool>(),
        proptest::option::weighted(0.9, citizen_id()),
        need_to_know(),
        proptest::option::weighted(
            0.9,
            select(vec!["address", "contact", "identifiers", "other"]),
        ),
    )
        .prop_map(
            |(kind, id, force, classification, sensitive, reporter, need_to_know, category)| {
                Resource {
                    kind,
                    id,
                    force,
                    classification,
                    sensitive,
                    reporter,
                    need_to_know,
                    category: category.map(str::to_owned),
                }
            },
        )
}

fn need_to_know() -> impl Strategy<Value = NeedToKnow> {
    let words = || {
        proptest::collection::vec(
            select(vec!["LOCSEN", "team-a", "vip", "refuge_address", "staff-1"]),
            0..3,
        )
    };
    (words(), any::<bool>(), words(), words(), words()).prop_map(
        |(caveats, restricted, access_staff, access_teams, flags)| NeedToKnow {
            caveats: caveats.into_iter().map(str::to_owned).collect(),
            restricted,
            access_staff: access_staff.into_iter().map(str::to_owned).collect(),
            access_teams: access_teams.into_iter().map(str::to_owned).collect(),
            flags: flags.into_iter().map(str::to_owned).collect(),
        },
    )
}

fn action() -> impl Strategy<Value = Action> {
    select(Action::ALL.to_vec())
}

fn purpose() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        Just(String::new()),
        Just("  ".to_owned()),
        Just("investigation".to_owned()),
        any::<String>(),
    ])
}

static SHIPPED: LazyLock<Result<PolicyEngine, PolicyError>> = LazyLock::new(PolicyEngine::embedded);
static EMPTY: LazyLock<Result<PolicyEngine, PolicyError>> =
    LazyLock::new(|| PolicyEngine::from_sources(EMBEDDED_SCHEMA, ""));

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// With no policies nothing is allowed, and nothing panics.
    #[test]
    fn empty_policy_set_denies_everything(
        subject in subject(),
        action in action(),
        resource in resource(),
        purpose in purpose(),
    ) {
        let engine = EMPTY.as_ref().expect("empty set loads");
        let decision = engine.authorize(&AccessRequest {
            subject: &subject,
            action,
            resource: &resource,
            purpose: purpose.as_deref(),
        });
        prop_assert!(!decision.allowed);
        prop_assert!(decision.determining_policies.is_empty());
    }

    /// The shipped set never panics and any error denies.
    #[test]
    fn shipped_set_fails_closed(
        subject in subject(),
        action in action(),
        resource in resource(),
        purpose in purpose(),
    ) {
        let decision = SHIPPED.as_ref().expect("shipped policies load").authorize(&AccessRequest {
            subject: &subject,
            action,
            resource: &resource,
            purpose: purpose.as_deref(),
        });
        if !decision.errors.is_empty() {
            prop_assert!(!decision.allowed);
        }
    }

    /// Staff never act on another force's resources.
    #[test]
    fn staff_never_cross_force(
        role in select(Role::ALL.to_vec()),
        clearance in classification(),
        action in action(),
        mut resource in resource(),
        purpose in purpose(),
    ) {
        let subject = Subject {
            kind: PrincipalKind::Staff,
            id: "staff-1".to_owned(),
            role: Some(role),
            force: Some("kent".to_owned()),
            clearance,
            teams: Vec::new(),
            caveats: Vec::new(),
            competencies: Vec::new(),
        };
        prop_assume!(resource.kind != ResourceKind::AuditLog, "the audit log has no force");
        resource.force = Some("essex".to_owned());
        let decision = SHIPPED.as_ref().expect("shipped policies load").authorize(&AccessRequest {
            subject: &subject,
            action,
            resource: &resource,
            purpose: purpose.as_deref(),
        });
        prop_assert!(!decision.allowed, "{decision:?}");
    }

    /// Staff never touch records or links above their clearance.
    #[test]
    fn staff_never_exceed_clearance(
        role in select(Role::ALL.to_vec()),
        action in action(),
        kind in select(RecordKind::ALL.to_vec()),
        link in any::<bool>(),
        purpose in purpose(),
    ) {
        let subject = Subject {
            kind: PrincipalKind::Staff,
            id: "staff-1".to_owned(),
            role: Some(role),
            force: Some("kent".to_owned()),
            clearance: Classification::Official,
            teams: Vec::new(),
            caveats: Vec::new(),
            competencies: Vec::new(),
        };
        let resource = if link {
            Resource::link("link-1", "kent", Classification::Secret)
        } else {
            Resource::record(kind, "rec-1", "kent", Classification::TopSecret, false)
        };
        let decision = SHIPPED.as_ref().expect("shipped policies load").authorize(&AccessRequest {
            subject: &subject,
            action,
            resource: &resource,
            purpose: purpose.as_deref(),
        });
        prop_assert!(!decision.allowed, "{decision:?}");
    }

    /// Every consultation without a (non-blank) purpose is denied, for anyone.
    #[test]
    fn consultation_needs_a_purpose(
        subject in subject(),
        action in select(vec![
            Action::ReadRecord,
            Action::ListRecords,
            Action::ReadLinks,
            Action::ReadAuditLog,
            Action::TrackReport,
        ]),
        resource in resource(),
        blank in select(vec![None, Some(""), Some(" \t ")]),
    ) {
        let decision = SHIPPED.as_ref().expect("shipped policies load").authorize(&AccessRequest {
            subject: &subject,
            action,
            resource: &resource,
            purpose: blank,
        });
        prop_assert!(!decision.allowed, "{decision:?}");
    }

    /// Citizens only ever create records, submit reports, ask for a report's
    /// one-time code, and track or message a report they made themselves
    /// (never as the anonymous citizen). They never update reports.
    #[test]
    fn citizens_only_report_and_follow_their_own(
        mut subject in subject(),
        action in action(),
        resource in resource(),
        purpose in purpose(),
    ) {
        subject.kind = PrincipalKind::Citizen;
        let decision = SHIPPED.as_ref().expect("shipped policies load").authorize(&AccessRequest {
            subject: &subject,
            action,
            resource: &resource,
            purpose: purpose.as_deref(),
        });
        if decision.allowed {
            match action {
                Action::CreateRecord => {
                    prop_assert!(matches!(resource.kind, ResourceKind::Record(_)));
                }
                Action::SubmitReport | Action::RequestReportCode => {
                    prop_assert_eq!(resource.kind, ResourceKind::Report);
                }
                Action::TrackReport | Action::MessageReport => {
                    prop_assert_eq!(resource.kind, ResourceKind::Report);
                    prop_assert_eq!(resource.reporter.as_deref(), Some(subject.id.as_str()));
                    prop_assert_ne!(subject.id.as_str(), "anonymous");
                }
                _ => prop_assert!(false, "citizen allowed {action}: {decision:?}"),
            }
        }
    }

    /// A citizen follows (tracks, with a purpose, or messages) a report
    /// exactly when they made it and have proved their code, whatever force
    /// handles it.
    #[test]
    fn reporters_follow_exactly_their_own_reports(
        id in citizen_id(),
        reporter in citizen_id(),
        force in force(),
        action in select(vec![Action::TrackReport, Action::MessageReport]),
    ) {
        let subject = Subject::citizen(id.clone());
        let report = Resource::report("7K3M9QXD2H4", force, reporter.clone());
        let decision = SHIPPED.as_ref().expect("shipped policies load").authorize(&AccessRequest {
            subject: &subject,
            action,
            resource: &report,
            purpose: Some("reporter following their own report"),
        });
        prop_assert!(decision.errors.is_empty(), "{decision:?}");
        prop_assert_eq!(decision.allowed, id == reporter && id != "anonymous", "{:?}", decision);
    }

    /// Staff never act as a report's reporter, and only operational staff
    /// (and analysts, tracking) handle reports: administrators and
    /// information managers never track, message or update one; nobody on
    /// the staff submits one or asks for a reporter's code.
    #[test]
    fn only_operational_staff_handle_reports(
        role in select(Role::ALL.to_vec()),
        clearance in classification(),
        id in citizen_id(),
        action in select(vec![
            Action::SubmitReport,
            Action::RequestReportCode,
            Action::TrackReport,
            Action::MessageReport,
            Action::UpdateReport,
        ]),
        purpose in purpose(),
    ) {
        let subject = Subject {
            kind: PrincipalKind::Staff,
            id: id.clone(),
            role: Some(role),
            force: Some("kent".to_owned()),
            clearance,
            teams: Vec::new(),
            caveats: Vec::new(),
            competencies: Vec::new(),
        };
        // The report names the staff member's own id as its reporter: that
        // must grant nothing.
        let report = Resource::report("7K3M9QXD2H4", "kent", id);
        let decision = SHIPPED.as_ref().expect("shipped policies load").authorize(&AccessRequest {
            subject: &subject,
            action,
            resource: &report,
            purpose: purpose.as_deref(),
        });
        prop_assert!(decision.errors.is_empty(), "{decision:?}");
        if decision.allowed {
            let operational = matches!(
                role,
                Role::ContactHandler | Role::Officer | Role::Investigator | Role::Supervisor
            );
            let handles = matches!(
                action,
                Action::TrackReport | Action::MessageReport | Action::UpdateReport
            );
            prop_assert!(
                (operational && handles)
                    || (role == Role::Analyst && action == Action::TrackReport),
                "{role} allowed {action}: {decision:?}"
            );
        }
    }

    /// Nobody off a restricted record's access list reads or changes it, whatever their
    /// role, clearance, caveats or purpose.
    #[test]
    fn restricted_records_are_for_their_access_list(
        role in select(Role::ALL.to_vec()),
        clearance in classification(),
        kind in select(RecordKind::ALL.to_vec()),
        action in select(vec![Action::ReadRecord, Action::UpdateRecord, Action::SetHandling]),
        mut need_to_know in need_to_know(),
        teams in proptest::collection::vec(select(vec!["team-b", "team-c"]), 0..2),
        purpose in purpose(),
    ) {
        let subject = Subject::staff(
            bluelamp_policy::StaffId::new(),
            role,
            "kent",
            clearance,
        )
        .with_teams(teams.into_iter().map(str::to_owned).collect())
        .with_caveats(vec!["LOCSEN".to_owned()]);
        // The access list names other staff and other teams only.
        need_to_know.restricted = true;
        need_to_know.access_teams.retain(|team| !subject.teams.contains(team));
        let resource = Resource::record(kind, "rec-1", "kent", Classification::Official, false)
            .with_need_to_know(need_to_know);
        let decision = SHIPPED.as_ref().expect("shipped policies load").authorize(&AccessRequest {
            subject: &subject,
            action,
            resource: &resource,
            purpose: purpose.as_deref(),
        });
        prop_assert!(!decision.allowed, "{decision:?}");
        prop_assert!(decision.errors.is_empty(), "{decision:?}");
    }

    /// A refuge address is shown to nobody off the record's access list.
    #[test]
    fn refuge_addresses_are_for_the_access_list(
        role in select(Role::ALL.to_vec()),
        kind in select(vec![RecordKind::Person, RecordKind::Location]),
        mut need_to_know in need_to_know(),
        purpose in purpose(),
    ) {
        let subject = Subject::staff(
            bluelamp_policy::StaffId::new(),
            role,
            "kent",
            Classification::TopSecret,
        )
        .with_teams(vec!["team-b".to_owned()]);
        need_to_know.flags.push("refuge_address".to_owned());
        need_to_know.access_teams.retain(|team| team != "team-b");
        let field = Resource::record(kind, "rec-1", "kent", Classification::Official, false)
            .with_need_to_know(need_to_know)
            .field("address");
        let decision = SHIPPED.as_ref().expect("shipped policies load").authorize(&AccessRequest {
            subject: &subject,
            action: Action::ReadField,
            resource: &field,
            purpose: purpose.as_deref(),
        });
        prop_assert!(!decision.allowed, "{decision:?}");
        prop_assert!(decision.errors.is_empty(), "{decision:?}");
    }
}
