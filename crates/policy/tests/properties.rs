//! Properties over random requests: default deny, and the shipped forbids'
//! guarantees hold whatever the permits say.

use std::sync::LazyLock;

use bluelamp_policy::{
    AccessRequest, Action, Classification, EMBEDDED_SCHEMA, PolicyEngine, PolicyError,
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

fn subject() -> impl Strategy<Value = Subject> {
    (
        select(vec![
            PrincipalKind::Staff,
            PrincipalKind::Citizen,
            PrincipalKind::System,
        ]),
        any::<String>(),
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
        })
}

fn resource_kind() -> impl Strategy<Value = ResourceKind> {
    prop_oneof![
        select(RecordKind::ALL.to_vec()).prop_map(ResourceKind::Record),
        Just(ResourceKind::RecordCollection),
        Just(ResourceKind::Link),
        Just(ResourceKind::StaffDirectory),
        Just(ResourceKind::AuditLog),
    ]
}

fn resource() -> impl Strategy<Value = Resource> {
    (
        resource_kind(),
        any::<String>(),
        proptest::option::weighted(0.9, force()),
        classification(),
        any::<bool>(),
    )
        .prop_map(|(kind, id, force, classification, sensitive)| Resource {
            kind,
            id,
            force,
            classification,
            sensitive,
        })
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

    /// Citizens only ever create records.
    #[test]
    fn citizens_only_create_records(
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
            prop_assert_eq!(action, Action::CreateRecord);
        }
    }
}
