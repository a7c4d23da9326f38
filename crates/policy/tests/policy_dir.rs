//! Policies read from a directory (ABAC-06): the same files as the shipped ones decide alike
//! and carry the same fingerprint; a change is seen policy by policy; a broken file or a
//! missing schema is refused with a specific error.

use std::path::{Path, PathBuf};

use bluelamp_policy::{PolicyEngine, PolicyError};

fn shipped_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

/// A copy of the shipped policy directory.
fn copy_of_shipped() -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    for entry in std::fs::read_dir(shipped_dir())? {
        let path = entry?.path();
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, dir.path().join(name))?;
        }
    }
    Ok(dir)
}

#[test]
fn the_shipped_directory_is_the_embedded_engine() {
    let embedded = PolicyEngine::embedded().unwrap();
    let from_dir = PolicyEngine::from_dir(&shipped_dir()).unwrap();
    assert_eq!(embedded.fingerprint(), from_dir.fingerprint());
    assert!(embedded.fingerprint().starts_with("sha256:"));
    assert_eq!(embedded.fingerprint().len(), "sha256:".len() + 64);
    assert!(embedded.diff(&from_dir).is_empty());
    assert_eq!(embedded.diff(&from_dir).to_string(), "no change");
}

#[test]
fn a_changed_added_or_removed_policy_shows_in_the_diff() {
    let dir = copy_of_shipped().unwrap();
    let before = PolicyEngine::from_dir(dir.path()).unwrap();
    let audit = dir.path().join("audit.cedar");
    let text = std::fs::read_to_string(&audit).unwrap();
    // Administrators no longer verify the log; a new policy lets analysts verify it.
    let changed = text.replace(
        "when { principal.role == \"administrator\" };",
        "when { principal.role == \"administrator\" && principal.force == \"none\" };",
    );
    assert_ne!(changed, text, "the shipped audit.cedar changed shape");
    std::fs::write(&audit, changed).unwrap();
    std::fs::write(
        dir.path().join("zz_extra.cedar"),
        "@id(\"audit.analyst.verify\")\npermit (\n  principal is Bluelamp::Staff,\n  action == Bluelamp::Action::\"audit.verify\",\n  resource is Bluelamp::AuditLog\n)\nwhen { principal.role == \"analyst\" };\n",
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("system.cedar")).unwrap();
    let after = PolicyEngine::from_dir(dir.path()).unwrap();
    assert_ne!(before.fingerprint(), after.fingerprint());
    let diff = before.diff(&after);
    assert_eq!(diff.added, ["audit.analyst.verify"]);
    assert_eq!(diff.changed, ["audit.administrator.verify"]);
    assert!(!diff.removed.is_empty(), "system.cedar's policies are gone");
    assert!(!diff.schema_changed);
    assert!(
        diff.to_string()
            .starts_with("added audit.analyst.verify; removed ")
    );
}

#[test]
fn broken_files_and_a_missing_schema_are_refused() {
    let dir = copy_of_shipped().unwrap();
    std::fs::write(dir.path().join("broken.cedar"), "permit (principal,").unwrap();
    let error = PolicyEngine::from_dir(dir.path()).unwrap_err();
    assert!(
        matches!(&error, PolicyError::PolicyParse { source_name, .. } if source_name == "broken.cedar"),
        "{error}"
    );

    let dir = copy_of_shipped().unwrap();
    std::fs::write(
        dir.path().join("loose.cedar"),
        "@id(\"loose\")\npermit (principal, action, resource) when { principal.rank == \"x\" };\n",
    )
    .unwrap();
    let error = PolicyEngine::from_dir(dir.path()).unwrap_err();
    assert!(matches!(error, PolicyError::Validation(_)), "{error}");

    let dir = copy_of_shipped().unwrap();
    std::fs::remove_file(dir.path().join("bluelamp.cedarschema")).unwrap();
    let error = PolicyEngine::from_dir(dir.path()).unwrap_err();
    assert!(
        matches!(error, PolicyError::SchemaFile { found: 0, .. }),
        "{error}"
    );

    let error = PolicyEngine::from_dir(&dir.path().join("missing")).unwrap_err();
    assert!(matches!(error, PolicyError::Read { .. }), "{error}");
}
