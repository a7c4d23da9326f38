//! Typed identifiers (UUIDv7, serialised as strings) and the POLE record kinds.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why an id was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a UUID")]
pub struct IdError(String);

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            derive_more::Display,
        )]
        #[serde(transparent)]
        #[display("{_0}")]
        pub struct $name(Uuid);

        impl $name {
            /// Generates a new time-ordered UUIDv7 id.
            #[must_use]
            #[expect(clippy::new_without_default, reason = "a default id would be a random one, which `new` makes explicit")]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID (any version, e.g. from storage).
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl core::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| IdError(s.to_owned()))
            }
        }
    };
}

typed_id!(
    /// The id of a POLE record.
    RecordId
);
typed_id!(
    /// The id of a link between two records.
    LinkId
);
typed_id!(
    /// The id of a member of staff (officer, staff member, volunteer).
    StaffId
);

/// The four POLE record kinds.
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
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    /// A person (nominal).
    #[display("person")]
    Person,
    /// An object: vehicle or property.
    #[display("object")]
    Object,
    /// A location: address and/or point.
    #[display("location")]
    Location,
    /// An event: incident or crime report.
    #[display("event")]
    Event,
}

/// Why a record kind was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a record kind (person, object, location or event)")]
pub struct RecordKindError(String);

impl RecordKind {
    /// All kinds, in POLE order.
    pub const ALL: [Self; 4] = [Self::Person, Self::Object, Self::Location, Self::Event];

    /// The lowercase name: "person", "object", "location" or "event".
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Object => "object",
            Self::Location => "location",
            Self::Event => "event",
        }
    }
}

impl core::str::FromStr for RecordKind {
    type Err = RecordKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| RecordKindError(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_v7_and_round_trip() {
        let id = RecordId::new();
        assert_eq!(id.as_uuid().get_version_num(), 7);
        assert_eq!(id.to_string().parse::<RecordId>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<RecordId>(&json).unwrap(), id);
    }

    #[test]
    fn bad_id_is_named() {
        assert_eq!(
            "nope".parse::<LinkId>().unwrap_err().to_string(),
            "'nope' is not a UUID"
        );
    }

    #[test]
    fn kinds_round_trip() {
        for kind in RecordKind::ALL {
            assert_eq!(kind.as_str().parse::<RecordKind>().unwrap(), kind);
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{kind}\""));
        }
        assert!("Person".parse::<RecordKind>().is_err());
    }
}
