//! Schema and policy validation (ABAC-01) and the public vocabulary.

use std::str::FromStr;

use bluelamp_policy::{
    AccessRequest, Action, Classification, EMBEDDED_POLICIES, EMBEDDED_SCHEMA, Effect,
    PolicyEngine, PolicyError, Resource, Role, StaffId, Subject,
};

const OFFICER_READ_RANK: &str = r#"
@id("records.rank-check")
permit (
  principal is Bluelamp::Staff,
  action == Bluelamp::Action::"record.read",
  resource is Bluelamp::Record
)
when { principal.rank == "sergeant" };
"#;

#[test]
fn shipped_policies_validate_strictly() {
    let engine = PolicyEngine::embedded().expect("shipped schema and policies validate");
    assert!(engine.policies().len() >= 10);
}

#[test]
fn every_shipped_file_validates_on_its_own() {
    for (name, source) in EMBEDDED_POLICIES {
        PolicyEngine::from_sources(EMBEDDED_SCHEMA, source)
            .unwrap_or_else(|e| panic!("{name} does not validate on its own: {e}"));
    }
}

/// The policy ids are a contract: the app layer and audit entries refer to
/// them. Changing this list is a policy change.
#[test]
fn shipped_policy_ids() {
    let engine = PolicyEngine::embedded().expect("shipped policies load");
    let ids: Vec<(String, Effect)> = engine
        .policies()
        .into_iter()
        .map(|p| (p.id, p.effect))
        .collect();
    let expected = [
        ("audit.administrator.verify", Effect::Permit),
        ("audit.information-manager.read", Effect::Permit),
        ("audit.information-manager.verify", Effect::Permit),
        ("fields.analyst.read", Effect::Permit),
        ("fields.information-manager.read", Effect::Permit),
        ("fields.operational.read", Effect::Permit),
        ("forbid.above-clearance", Effect::Forbid),
        ("forbid.administrator-consultation", Effect::Forbid),
        ("forbid.citizen-consultation", Effect::Forbid),
        ("forbid.controlled-caveat", Effect::Forbid),
        ("forbid.cross-force", Effect::Forbid),
        ("forbid.purpose-required", Effect::Forbid),
        ("forbid.refuge-address", Effect::Forbid),
        ("forbid.restricted-access-list", Effect::Forbid),
        ("forbid.vip-need-to-know", Effect::Forbid),
        ("records.citizen.create", Effect::Permit),
        ("records.handling", Effect::Permit),
        ("records.information-manager.read", Effect::Permit),
        ("records.information-manager.review", Effect::Permit),
        ("records.operational.consult", Effect::Permit),
        ("records.operational.create", Effect::Permit),
        ("records.operational.link", Effect::Permit),
        ("reports.analyst.track", Effect::Permit),
        ("reports.dispatch.allocate", Effect::Permit),
        ("reports.operational.handle", Effect::Permit),
        ("reports.operational.record", Effect::Permit),
        ("reports.operational.take", Effect::Permit),
        ("reports.public.request-code", Effect::Permit),
        ("reports.public.submit", Effect::Permit),
        ("reports.reporter.follow", Effect::Permit),
        ("staff.administrator.create", Effect::Permit),
        ("staff.administrator.manage", Effect::Permit),
        ("staff.operational.colleagues", Effect::Permit),
        ("staff.own-password", Effect::Permit),
        ("system.create", Effect::Permit),
        ("system.staff-bootstrap", Effect::Permit),
    ]
    .map(|(id, effect)| (id.to_owned(), effect));
    assert_eq!(ids, expected);
}

#[test]
fn policy_summary_carries_the_source() {
    let engine = PolicyEngine::embedded().expect("shipped policies load");
    let cross_force = engine
        .policies()
        .into_iter()
        .find(|p| p.id == "forbid.cross-force")
        .expect("forbid.cross-force is shipped");
    assert!(cross_force.source.contains("@id(\"forbid.cross-force\")"));
    assert!(
        cross_force
            .source
            .contains("resource.force != principal.force")
    );
}

#[test]
fn unknown_principal_attribute_is_rejected_naming_the_policy() {
    let err = PolicyEngine::from_sources(EMBEDDED_SCHEMA, OFFICER_READ_RANK)
        .expect_err("principal.rank is not in the schema");
    let PolicyError::Validation(issues) = &err else {
        panic!("expected a validation error, got {err:?}");
    };
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].policy, "records.rank-check");
    assert!(issues[0].message.contains("rank"), "{}", issues[0].message);
    let shown = err.to_string();
    assert!(shown.contains("records.rank-check"), "{shown}");
    assert!(shown.contains("rank"), "{shown}");
}

#[test]
fn unknown_resource_attribute_in_a_forbid_is_rejected() {
    let policy = r#"
        @id("forbid.legal-hold")
        forbid (principal, action, resource is Bluelamp::Record)
        when { resource.legal_hold };
    "#;
    let err = PolicyEngine::from_sources(EMBEDDED_SCHEMA, policy).expect_err("no legal_hold yet");
    let shown = err.to_string();
    assert!(shown.contains("forbid.legal-hold"), "{shown}");
    assert!(shown.contains("legal_hold"), "{shown}");
}

#[test]
fn type_errors_are_rejected() {
    let policy = r#"
        @id("records.bad-compare")
        permit (principal is Bluelamp::Staff, action, resource is Bluelamp::Record)
        when { resource.classification > principal.force };
    "#;
    let err = PolicyEngine::from_sources(EMBEDDED_SCHEMA, policy).expect_err("Long > String");
    assert!(err.to_string().contains("records.bad-compare"), "{err}");
}

#[test]
fn unknown_action_is_rejected() {
    let policy = r#"
        @id("records.delete")
        permit (principal, action == Bluelamp::Action::"record.delete", resource);
    "#;
    let err = PolicyEngine::from_sources(EMBEDDED_SCHEMA, policy).expect_err("no such action");
    assert!(matches!(err, PolicyError::Validation(_)), "{err:?}");
    assert!(err.to_string().contains("records.delete"), "{err}");
}

#[test]
fn impossible_policy_is_rejected() {
    // Citizens have no role: strict validation flags the policy as never
    // applying, which we treat as an error rather than a silent no-op.
    let policy = r#"
        @id("records.impossible")
        permit (principal is Bluelamp::Citizen, action, resource)
        when { principal has role };
    "#;
    let err = PolicyEngine::from_sources(EMBEDDED_SCHEMA, policy).expect_err("impossible");
    assert!(err.to_string().contains("records.impossible"), "{err}");
}

#[test]
fn policy_without_id_is_rejected() {
    let policy = "permit (principal, action, resource);";
    let err = PolicyEngine::from_sources(EMBEDDED_SCHEMA, policy).expect_err("no @id");
    assert!(matches!(err, PolicyError::MissingId { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("permit (principal, action, resource);"),
        "{err}"
    );
}

#[test]
fn duplicate_id_is_rejected() {
    let policy = r#"
        @id("twice") permit (principal, action, resource);
        @id("twice") forbid (principal, action, resource);
    "#;
    let err = PolicyEngine::from_sources(EMBEDDED_SCHEMA, policy).expect_err("duplicate");
    assert_eq!(
        err,
        PolicyError::DuplicateId {
            id: "twice".to_owned(),
            source_name: "<policies>".to_owned()
        }
    );
}

#[test]
fn empty_id_is_rejected() {
    let policy = r#"@id("  ") permit (principal, action, resource);"#;
    let err = PolicyEngine::from_sources(EMBEDDED_SCHEMA, policy).expect_err("empty id");
    assert!(matches!(err, PolicyError::DuplicateId { .. }), "{err:?}");
}

#[test]
fn syntax_error_is_rejected() {
    let err = PolicyEngine::from_sources(EMBEDDED_SCHEMA, "permit (principal, action")
        .expect_err("not cedar");
    assert!(matches!(err, PolicyError::PolicyParse { .. }), "{err:?}");
}

#[test]
fn templates_are_rejected_for_now() {
    let policy = r#"@id("dsa.read") permit (principal == ?principal, action, resource);"#;
    let err = PolicyEngine::from_sources(EMBEDDED_SCHEMA, policy).expect_err("template");
    assert!(matches!(err, PolicyError::Template { .. }), "{err:?}");
}

#[test]
fn invalid_schema_is_rejected() {
    let err =
        PolicyEngine::from_sources("namespace Bluelamp { entity }", "").expect_err("not a schema");
    assert!(matches!(err, PolicyError::SchemaParse(_)), "{err:?}");
}

#[test]
fn schema_missing_an_action_is_rejected() {
    let schema = EMBEDDED_SCHEMA.replace("action \"audit.verify\"", "action \"audit.check\"");
    let err = PolicyEngine::from_sources(&schema, "").expect_err("audit.verify missing");
    assert!(matches!(err, PolicyError::SchemaIncomplete(_)), "{err:?}");
    assert!(err.to_string().contains("audit.verify"), "{err}");
}

#[test]
fn schema_missing_an_entity_type_is_rejected() {
    let schema = EMBEDDED_SCHEMA
        .replace("entity AuditLog;", "entity AuditTrail;")
        .replace("resource: [AuditLog]", "resource: [AuditTrail]");
    let err = PolicyEngine::from_sources(&schema, "").expect_err("AuditLog missing");
    assert!(err.to_string().contains("Bluelamp::AuditLog"), "{err}");
}

#[test]
fn engine_is_send_sync_and_shareable() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<PolicyEngine>();
    let engine = std::sync::Arc::new(PolicyEngine::embedded().expect("loads"));
    let officer = Subject::staff(
        StaffId::new(),
        Role::Officer,
        "kent",
        Classification::Official,
    );
    let record = Resource::record(
        bluelamp_policy::RecordKind::Person,
        "rec-1",
        "kent",
        Classification::Official,
        false,
    );
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let engine = std::sync::Arc::clone(&engine);
            let (officer, record) = (officer.clone(), record.clone());
            std::thread::spawn(move || {
                engine
                    .authorize(&AccessRequest {
                        subject: &officer,
                        action: Action::ReadRecord,
                        resource: &record,
                        purpose: Some("investigation"),
                    })
                    .allowed
            })
        })
        .collect();
    for handle in handles {
        assert!(handle.join().expect("no panic"));
    }
}

#[test]
fn roles_round_trip() {
    assert_eq!(Role::ALL.len(), 7);
    for role in Role::ALL {
        assert_eq!(Role::from_str(role.as_str()), Ok(role));
        assert_eq!(role.to_string(), role.as_str());
        assert_eq!(
            serde_json::to_value(role).expect("serialises"),
            role.as_str()
        );
        assert_eq!(
            serde_json::from_value::<Role>(role.as_str().into()).expect("deserialises"),
            role
        );
    }
    assert_eq!(Role::InformationManager.as_str(), "information_manager");
    assert_eq!(Role::ContactHandler.as_str(), "contact_handler");
    let err = Role::from_str("sergeant").expect_err("not a role");
    assert_eq!(err.to_string(), "unknown staff role `sergeant`");
}

#[test]
fn actions_round_trip() {
    let names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(
        names,
        [
            "record.create",
            "record.read",
            "record.list",
            "record.update",
            "link.create",
            "link.read",
            "staff.create",
            "audit.read",
            "audit.verify",
            "report.submit",
            "report.code",
            "report.track",
            "report.message",
            "report.update",
            "staff.list",
            "staff.role",
            "staff.team",
            "staff.disable",
            "staff.enable",
            "staff.unlock",
            "staff.password",
            "staff.password.own",
            "staff.totp.reset",
            "team.create",
            "team.list",
            "staff.sign_in",
            "staff.sign_out",
            "staff.totp",
            "staff.lock",
            "report.allocate",
            "report.take",
            "staff.colleagues",
            "report.record",
            "record.review",
            "record.dispose",
            "field.read",
            "record.handle",
            "staff.vetting",
        ]
    );
    for action in Action::ALL {
        assert_eq!(Action::from_str(action.as_str()), Ok(action));
        assert_eq!(
            serde_json::to_value(action).expect("serialises"),
            action.as_str()
        );
        assert_eq!(
            serde_json::from_value::<Action>(action.as_str().into()).expect("deserialises"),
            action
        );
    }
    assert!(Action::from_str("record.delete").is_err());
}

#[test]
fn schema_drift_in_entity_attributes_is_rejected_at_construction() {
    // The schema gains a required attribute the engine does not supply.
    let schema = EMBEDDED_SCHEMA.replace(
        "    sensitive: Bool,\n",
        "    sensitive: Bool,\n    legal_hold: Bool,\n",
    );
    assert_ne!(schema, EMBEDDED_SCHEMA, "replacement applied");
    let err = PolicyEngine::from_sources(&schema, "").expect_err("legal_hold is not supplied");
    assert!(matches!(err, PolicyError::EntityMismatch(_)), "{err:?}");
    assert!(err.to_string().contains("legal_hold"), "{err}");

    // The schema retypes an attribute.
    let schema = EMBEDDED_SCHEMA.replace("clearance: Long", "clearance: String");
    let err = PolicyEngine::from_sources(&schema, "").expect_err("clearance retyped");
    assert!(matches!(err, PolicyError::EntityMismatch(_)), "{err:?}");
}

/// A policy scoped to an action group applies to the group's member actions
/// (the engine's per-action policy index follows the schema's hierarchy).
#[test]
fn action_groups_are_followed() {
    let schema = EMBEDDED_SCHEMA
        .replace(
            "  action \"record.read\" appliesTo",
            "  action consult;\n\n  action \"record.read\" in [consult] appliesTo",
        )
        .replace(
            "  action \"record.list\" appliesTo",
            "  action \"record.list\" in [consult] appliesTo",
        );
    assert_ne!(schema, EMBEDDED_SCHEMA, "replacement applied");
    let policy = r#"
        @id("records.anyone-consults")
        permit (principal, action in Bluelamp::Action::"consult", resource);
    "#;
    let engine = PolicyEngine::from_sources(&schema, policy).expect("validates");
    let citizen = Subject::citizen("citizen-1");
    let record = Resource::record(
        bluelamp_policy::RecordKind::Event,
        "rec-1",
        "kent",
        Classification::Official,
        false,
    );
    let decide = |action| {
        engine.authorize(&AccessRequest {
            subject: &citizen,
            action,
            resource: &record,
            purpose: None,
        })
    };
    let read = decide(Action::ReadRecord);
    assert!(read.allowed, "{read:?}");
    assert_eq!(read.determining_policies, ["records.anyone-consults"]);
    assert!(!decide(Action::UpdateRecord).allowed);
}
