//! Need-to-know handling of a record beyond its protective marking: restriction to an access
//! list, sensitivity flags, and the protected field categories that are decided one by one
//! and withheld when the viewer may not see them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{RecordKind, StaffId};
use crate::record::{Record, RecordBody};

/// A sensitivity flag on a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingFlag {
    /// A public figure, or a member of staff: curiosity is the risk.
    Vip,
    /// The address is a refuge (or another address that must not be disclosed): disclosing
    /// it can put a life at risk.
    RefugeAddress,
}

impl HandlingFlag {
    /// Every flag.
    pub const ALL: [Self; 2] = [Self::Vip, Self::RefugeAddress];

    /// The flag's snake_case name, as policies see it (`resource.flags`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Vip => "vip",
            Self::RefugeAddress => "refuge_address",
        }
    }

    /// How the flag is shown to staff.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Vip => "VIP",
            Self::RefugeAddress => "Refuge address",
        }
    }
}

impl std::str::FromStr for HandlingFlag {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|flag| flag.as_str() == text)
            .ok_or_else(|| format!("unknown handling flag `{text}` (vip or refuge_address)"))
    }
}

/// A record's need-to-know handling. The default (unrestricted, no access list, no flags) is
/// what every record has until someone entitled sets it; it is not serialised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handling {
    /// Whether only the access list may see the record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restricted: bool,
    /// Staff on the access list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_staff: Vec<StaffId>,
    /// Teams on the access list (their members are on it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_teams: Vec<Uuid>,
    /// Sensitivity flags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<HandlingFlag>,
}

impl Handling {
    /// True for the default handling (nothing set).
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The same handling with the lists sorted and without duplicates.
    #[must_use]
    pub fn normalised(mut self) -> Self {
        self.access_staff.sort();
        self.access_staff.dedup();
        self.access_teams.sort();
        self.access_teams.dedup();
        self.flags.sort();
        self.flags.dedup();
        self
    }

    /// Whether the record carries `flag`.
    #[must_use]
    pub fn has(&self, flag: HandlingFlag) -> bool {
        self.flags.contains(&flag)
    }
}

/// A category of protected fields, decided on its own (`field.read`) and withheld from a
/// viewer who may see the record but not these fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldCategory {
    /// Where someone lives or can be found: a person's postal address, a location's
    /// address and map point.
    Address,
    /// How to reach someone: a person's e-mail address and telephone number.
    Contact,
    /// A person's PNC, NHS, NI and CRO identifiers.
    Identifiers,
}

impl FieldCategory {
    /// Every category.
    pub const ALL: [Self; 3] = [Self::Address, Self::Contact, Self::Identifiers];

    /// The category's name, as policies see it (`resource.category`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Address => "address",
            Self::Contact => "contact",
            Self::Identifiers => "identifiers",
        }
    }

    /// How a withheld category is named to staff.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Address => "address",
            Self::Contact => "contact details",
            Self::Identifiers => "identifiers",
        }
    }

    /// The categories a record of `kind` has fields in.
    #[must_use]
    pub fn of_kind(kind: RecordKind) -> &'static [Self] {
        match kind {
            RecordKind::Person => &Self::ALL,
            RecordKind::Location => &[Self::Address],
            RecordKind::Object | RecordKind::Event => &[],
        }
    }
}

impl Record {
    /// Removes the fields of `category` and notes it in [`Record::withheld`]: what a viewer who
    /// may see the record but not these fields is given. Only ever applied to a copy on its way
    /// out (a page, the API, an export); a record with anything withheld is never stored.
    pub fn withhold(&mut self, category: FieldCategory) {
        match (&mut self.body, category) {
            (RecordBody::Person(person), FieldCategory::Address) => {
                person.contact.address = None;
            }
            (RecordBody::Person(person), FieldCategory::Contact) => {
                person.contact.email = None;
                person.contact.phone = None;
            }
            (RecordBody::Person(person), FieldCategory::Identifiers) => {
                person.identifiers.clear();
            }
            (RecordBody::Location(location), FieldCategory::Address) => {
                location.withhold_place();
            }
            _ => return,
        }
        if !self.withheld.contains(&category) {
            self.withheld.push(category);
            self.withheld.sort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_handling_is_not_serialised_and_reads_back() {
        assert_eq!(serde_json::to_string(&Handling::default()).unwrap(), "{}");
        let handling: Handling = serde_json::from_str("{}").unwrap();
        assert!(handling.is_default());
        let set = Handling {
            restricted: true,
            access_staff: Vec::new(),
            access_teams: vec![Uuid::nil()],
            flags: vec![HandlingFlag::RefugeAddress],
        };
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(
            json,
            r#"{"restricted":true,"access_teams":["00000000-0000-0000-0000-000000000000"],"flags":["refuge_address"]}"#
        );
        assert_eq!(serde_json::from_str::<Handling>(&json).unwrap(), set);
    }

    #[test]
    fn flags_parse_by_name_and_reject_others() {
        assert_eq!("vip".parse::<HandlingFlag>(), Ok(HandlingFlag::Vip));
        assert!(
            "celebrity"
                .parse::<HandlingFlag>()
                .unwrap_err()
                .contains("unknown handling flag `celebrity`")
        );
    }

    #[test]
    fn categories_by_kind() {
        assert_eq!(FieldCategory::of_kind(RecordKind::Person).len(), 3);
        assert_eq!(
            FieldCategory::of_kind(RecordKind::Location),
            &[FieldCategory::Address]
        );
        assert!(FieldCategory::of_kind(RecordKind::Event).is_empty());
    }
}
