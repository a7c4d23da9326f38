//! Where a record came from and on what lawful basis it is processed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How information reached Bluelamp.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    derive_more::Display,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A member of the public reporting online.
    #[display("online_report")]
    OnlineReport,
    /// Entered by officers or staff.
    #[display("staff_entry")]
    StaffEntry,
    /// Received through the API.
    #[display("api")]
    Api,
    /// Bulk import from another system.
    #[display("import")]
    Import,
    /// Synthetic demonstration data.
    #[display("demo")]
    Demo,
    /// Shared by a partner agency.
    #[display("partner")]
    Partner,
    /// A sensor such as an ANPR camera.
    #[display("sensor")]
    Sensor,
}

code_newtype!(
    /// The code of a lawful basis for processing, a slug such as
    /// `dpa2018-part3-law-enforcement` (at most 64 characters). Whether the code is in the
    /// `lawful_bases` reference list is checked by the application, not here.
    LawfulBasis,
    "lawful basis",
    slug,
    64
);

/// Provenance of a record: channel, lawful basis, the actor who recorded it and when.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Provenance {
    /// How the information arrived.
    pub channel: Channel,
    /// The lawful basis for processing it.
    pub lawful_basis: LawfulBasis,
    /// The actor id (staff id, API client or import job) that recorded it.
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_serde_is_snake_case() {
        assert_eq!(
            serde_json::to_string(&Channel::OnlineReport).unwrap(),
            "\"online_report\""
        );
        assert_eq!(Channel::StaffEntry.to_string(), "staff_entry");
    }

    #[test]
    fn lawful_basis_is_a_slug() {
        let basis = LawfulBasis::parse("DPA2018-Part3-Law-Enforcement").unwrap();
        assert_eq!(basis.as_str(), "dpa2018-part3-law-enforcement");
        assert_eq!(
            LawfulBasis::parse("dpa 2018").unwrap_err().to_string(),
            "lawful basis 'dpa 2018' contains ' '; only letters a-z, digits and '-' are allowed"
        );
    }
}
