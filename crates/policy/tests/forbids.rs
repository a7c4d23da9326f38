//! Every `forbid` must never error (ABAC-02a, tested rather than proved for
//! now): Cedar skips an erroring policy, so an erroring forbid would not block.

mod common;
#[path = "common/universe.rs"]
mod universe;

use bluelamp_policy::{
    AccessRequest, Classification, EMBEDDED_SCHEMA, Effect, PolicyEngine, PolicyError,
    PolicySummary, RecordKind, Resource, Role, Subject,
};
use common::{golden_cases, with_request};

fn shipped_forbids() -> Result<Vec<PolicySummary>, PolicyError> {
    Ok(PolicyEngine::embedded()?
        .policies()
        .into_iter()
        .filter(|p| p.effect == Effect::Forbid)
        .collect())
}

#[test]
fn each_forbid_alone_never_errors_on_golden_cases() {
    let forbids = shipped_forbids().expect("shipped policies load");
    assert!(forbids.len() >= 5, "only {} forbids", forbids.len());
    let cases = golden_cases().expect("tests/golden.toml parses");
    for forbid in &forbids {
        let engine = PolicyEngine::from_sources(EMBEDDED_SCHEMA, &forbid.source)
            .unwrap_or_else(|e| panic!("{} does not load alone: {e}", forbid.id));
        let mut fired = 0;
        // Malformed cases never reach evaluation; they are excluded.
        for case in cases.iter().filter(|c| !c.error) {
            let decision = with_request(case, |request| engine.authorize(request));
            assert!(
                decision.errors.is_empty(),
                "{} errors on `{}`: {:?}",
                forbid.id,
                case.name,
                decision.errors
            );
            assert!(!decision.allowed, "a forbid alone can never allow");
            // Alone, the forbid fires exactly where the golden table says it
            // determines the decision of the full set.
            let fires = decision.determining_policies.contains(&forbid.id);
            assert_eq!(
                fires,
                case.policies.contains(&forbid.id),
                "{} alone disagrees with the golden table on `{}`",
                forbid.id,
                case.name
            );
            if fires {
                assert_eq!(case.expect, common::Expect::Deny, "{}", case.name);
                fired += 1;
            }
        }
        assert!(fired > 0, "{} never fires on any golden case", forbid.id);
    }
}

#[test]
fn each_forbid_alone_never_errors_on_the_universe() {
    let requests = universe::universe();
    assert!(
        requests.len() > 5_000,
        "universe too small: {}",
        requests.len()
    );
    for forbid in shipped_forbids().expect("shipped policies load") {
        let engine = PolicyEngine::from_sources(EMBEDDED_SCHEMA, &forbid.source)
            .unwrap_or_else(|e| panic!("{} does not load alone: {e}", forbid.id));
        for (subject, action, resource, purpose) in &requests {
            let decision = engine.authorize(&AccessRequest {
                subject,
                action: *action,
                resource,
                purpose: *purpose,
            });
            assert!(
                decision.errors.is_empty(),
                "{} errors on {subject:?} {action} {resource:?}: {:?}",
                forbid.id,
                decision.errors
            );
        }
    }
}

#[test]
fn shipped_set_never_errors_on_the_universe() {
    let engine = PolicyEngine::embedded().expect("shipped policies load");
    let mut allowed = 0_usize;
    for (subject, action, resource, purpose) in &universe::universe() {
        let decision = engine.authorize(&AccessRequest {
            subject,
            action: *action,
            resource,
            purpose: *purpose,
        });
        assert!(decision.errors.is_empty(), "{:?}", decision.errors);
        assert_eq!(
            decision.allowed,
            !decision.determining_policies.is_empty()
                && decision
                    .determining_policies
                    .iter()
                    .all(|id| !id.starts_with("forbid.")),
        );
        allowed += usize::from(decision.allowed);
    }
    assert!(allowed > 0);
}

/// The universe asks every action, and `universe::applies` agrees with the
/// schema: an action applied to a resource kind it applies to is well formed
/// (no error) for every principal kind, any other pairing is malformed.
#[test]
fn applies_matches_the_schema_for_every_action_and_resource_kind() {
    let engine = PolicyEngine::embedded().expect("shipped policies load");
    let subjects = [
        Subject::staff(
            bluelamp_policy::StaffId::new(),
            Role::Officer,
            universe::HOME,
            Classification::TopSecret,
        ),
        Subject::citizen(universe::REPORTER),
        Subject::system("bootstrap"),
    ];
    let resources = [
        Resource::record(
            RecordKind::Event,
            "rec-1",
            universe::HOME,
            Classification::Official,
            false,
        ),
        Resource::record_collection(universe::HOME),
        Resource::link("link-1", universe::HOME, Classification::Official),
        Resource::staff_directory(universe::HOME),
        Resource::audit_log(),
        Resource::report("7K3M9QXD2H4", universe::HOME, universe::REPORTER),
    ];
    let requests = universe::universe();
    for action in bluelamp_policy::Action::ALL {
        assert!(
            requests.iter().any(|(_, asked, _, _)| *asked == action),
            "the universe never asks {action}"
        );
        for resource in &resources {
            for subject in &subjects {
                let decision = engine.authorize(&AccessRequest {
                    subject,
                    action,
                    resource,
                    purpose: Some("investigation"),
                });
                assert_eq!(
                    decision.errors.is_empty(),
                    universe::applies(action, resource.kind),
                    "{action} on {:?} by {:?}: {decision:?}",
                    resource.kind,
                    subject.kind
                );
            }
        }
    }
}

/// The check above can fail: a forbid that overflows errors, and the engine
/// reports it and denies even though a permit matches.
#[test]
fn an_erroring_forbid_is_detected_and_denies() {
    let policies = r#"
        @id("permit.everything")
        permit (principal, action, resource);

        @id("forbid.overflowing")
        forbid (principal, action, resource is Bluelamp::Record)
        when { resource.classification * 9223372036854775807 > 0 };
    "#;
    let engine = PolicyEngine::from_sources(EMBEDDED_SCHEMA, policies).expect("validates");
    let officer = Subject::staff(
        bluelamp_policy::StaffId::new(),
        Role::Officer,
        universe::HOME,
        Classification::TopSecret,
    );
    let secret = Resource::record(
        RecordKind::Event,
        "rec-1",
        universe::HOME,
        Classification::Secret,
        false,
    );
    let decision = engine.authorize(&AccessRequest {
        subject: &officer,
        action: bluelamp_policy::Action::ReadRecord,
        resource: &secret,
        purpose: Some("investigation"),
    });
    assert!(!decision.allowed, "{decision:?}");
    assert!(decision.determining_policies.is_empty(), "{decision:?}");
    assert_eq!(decision.errors.len(), 1, "{decision:?}");
    assert!(
        decision.errors[0].contains("forbid.overflowing"),
        "{decision:?}"
    );
}
