//! Who is acting.

use bluelamp_domain::marking::Classification;
use bluelamp_policy::{PrincipalKind, Subject};

/// An authenticated actor: the policy subject plus what we show about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The attributes the policy decides on.
    pub subject: Subject,
    /// Name shown in the interface.
    pub display_name: String,
}

impl Principal {
    /// The system itself acting for `name` (the command line, demo seeding, workers), within
    /// `force`.
    pub fn system(name: &str, force: &str) -> Principal {
        Principal {
            subject: Subject {
                kind: PrincipalKind::System,
                id: name.to_owned(),
                role: None,
                force: Some(force.to_owned()),
                clearance: Classification::Official,
                teams: Vec::new(),
                caveats: Vec::new(),
                competencies: Vec::new(),
            },
            display_name: format!("system ({name})"),
        }
    }

    /// The actor id written in audit entries, e.g. `staff:0190…` or `system:cli`.
    pub fn actor_id(&self) -> String {
        let prefix = match self.subject.kind {
            PrincipalKind::Staff => "staff",
            PrincipalKind::Citizen => "citizen",
            PrincipalKind::System => "system",
        };
        format!("{prefix}:{}", self.subject.id)
    }
}
