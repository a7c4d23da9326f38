//! The golden decision table (ABAC-03): every case in `tests/golden.toml` must
//! produce its expected decision AND its expected determining policies.

mod common;

use std::collections::BTreeSet;

use bluelamp_policy::{Action, PolicyEngine};
use common::{Expect, golden_cases, with_request};

#[test]
fn golden_table_holds() {
    let engine = PolicyEngine::embedded().expect("shipped policies load");
    let cases = golden_cases().expect("tests/golden.toml parses");
    assert!(cases.len() >= 120, "only {} golden cases", cases.len());

    let mut failures = Vec::new();
    for case in &cases {
        let decision = with_request(case, |request| engine.authorize(request));
        let expected_allowed = case.expect == Expect::Allow;
        let mut expected_policies = case.policies.clone();
        expected_policies.sort();
        let errored = !decision.errors.is_empty();
        if decision.allowed != expected_allowed
            || decision.determining_policies != expected_policies
            || errored != case.error
        {
            failures.push(format!(
                "{}:\n    expected {:?} by {:?} (error: {})\n    got      {} by {:?} (errors: {:?})",
                case.name,
                case.expect,
                expected_policies,
                case.error,
                if decision.allowed { "Allow" } else { "Deny" },
                decision.determining_policies,
                decision.errors,
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn golden_case_names_are_unique() {
    let cases = golden_cases().expect("tests/golden.toml parses");
    let mut seen = BTreeSet::new();
    for case in &cases {
        assert!(
            seen.insert(case.name.as_str()),
            "duplicate case `{}`",
            case.name
        );
    }
}

/// Every shipped policy is the determining policy of at least one golden case,
/// so none is untested; and every id a case names exists.
#[test]
fn golden_table_covers_every_policy() {
    let engine = PolicyEngine::embedded().expect("shipped policies load");
    let shipped: BTreeSet<String> = engine.policies().into_iter().map(|p| p.id).collect();
    let named: BTreeSet<String> = golden_cases()
        .expect("tests/golden.toml parses")
        .into_iter()
        .flat_map(|case| case.policies)
        .collect();
    let untested: Vec<_> = shipped.difference(&named).collect();
    let unknown: Vec<_> = named.difference(&shipped).collect();
    assert!(
        untested.is_empty(),
        "policies no golden case exercises: {untested:?}"
    );
    assert!(
        unknown.is_empty(),
        "golden cases name unknown policies: {unknown:?}"
    );
}

/// Every action is asked about by at least one golden case.
#[test]
fn golden_table_covers_every_action() {
    let cases = golden_cases().expect("tests/golden.toml parses");
    let asked: BTreeSet<Action> = cases.iter().map(|case| case.action).collect();
    let missing: Vec<_> = Action::ALL
        .into_iter()
        .filter(|action| !asked.contains(action))
        .collect();
    assert!(
        missing.is_empty(),
        "actions no golden case asks about: {missing:?}"
    );
}

/// Both outcomes and every principal kind appear, so the table cannot pass
/// by accident (e.g. an engine that denies everything).
#[test]
fn golden_table_is_balanced() {
    let cases = golden_cases().expect("tests/golden.toml parses");
    let allows = cases.iter().filter(|c| c.expect == Expect::Allow).count();
    let denies = cases.len() - allows;
    assert!(allows >= 20, "only {allows} allow cases");
    assert!(denies >= 20, "only {denies} deny cases");
}
