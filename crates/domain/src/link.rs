//! Typed, time-bounded links between records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{LinkId, RecordId, RecordKind};

/// The role a link expresses. Each role joins one kind of record to another, read as
/// "from is the `role` of/at to" (a person is the victim of an event).
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
pub enum LinkRole {
    /// Person → Event.
    #[display("victim")]
    Victim,
    /// Person → Event.
    #[display("witness")]
    Witness,
    /// Person → Event.
    #[display("suspect")]
    Suspect,
    /// Person → Event.
    #[display("offender")]
    Offender,
    /// Person → Event.
    #[display("reporting_person")]
    ReportingPerson,
    /// Person → Event.
    #[display("informant")]
    Informant,
    /// Person → Object.
    #[display("owner")]
    Owner,
    /// Person → Object.
    #[display("keeper")]
    Keeper,
    /// Person → Object.
    #[display("driver")]
    Driver,
    /// Person → Object.
    #[display("passenger")]
    Passenger,
    /// Person → Location.
    #[display("resident")]
    Resident,
    /// Event → Location.
    #[display("occurred_at")]
    OccurredAt,
    /// Object → Event.
    #[display("involved")]
    Involved,
    /// Person → Person.
    #[display("associate")]
    Associate,
    /// Object → Event: a file or item produced as evidence of the event.
    #[display("exhibit")]
    Exhibit,
}

impl LinkRole {
    /// Every role.
    pub const ALL: [Self; 15] = [
        Self::Victim,
        Self::Witness,
        Self::Suspect,
        Self::Offender,
        Self::ReportingPerson,
        Self::Informant,
        Self::Owner,
        Self::Keeper,
        Self::Driver,
        Self::Passenger,
        Self::Resident,
        Self::OccurredAt,
        Self::Involved,
        Self::Associate,
        Self::Exhibit,
    ];

    /// The (from, to) record kinds this role joins.
    #[must_use]
    pub const fn endpoints(self) -> (RecordKind, RecordKind) {
        use RecordKind::{Event, Location, Object, Person};
        match self {
            Self::Victim
            | Self::Witness
            | Self::Suspect
            | Self::Offender
            | Self::ReportingPerson
            | Self::Informant => (Person, Event),
            Self::Owner | Self::Keeper | Self::Driver | Self::Passenger => (Person, Object),
            Self::Resident => (Person, Location),
            Self::OccurredAt => (Event, Location),
            Self::Involved | Self::Exhibit => (Object, Event),
            Self::Associate => (Person, Person),
        }
    }

    /// True if this role may join a `from` record to a `to` record.
    #[must_use]
    pub fn allows(self, from: RecordKind, to: RecordKind) -> bool {
        self.endpoints() == (from, to)
    }
}

/// Why a link was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// A record linked to itself.
    #[error("a link cannot join record {0} to itself")]
    SelfLink(RecordId),
    /// The validity period ends before it starts.
    #[error("link is valid to {to}, before it is valid from {from}")]
    EndsBeforeStart {
        /// Start of validity.
        from: DateTime<Utc>,
        /// End of validity.
        to: DateTime<Utc>,
    },
    /// The role does not join these kinds.
    #[error("a {role} link joins {expected_from} to {expected_to}, not {from} to {to}")]
    WrongKinds {
        /// The role.
        role: LinkRole,
        /// The kind of the from record.
        from: RecordKind,
        /// The kind of the to record.
        to: RecordKind,
        /// The kind the role needs at the from end.
        expected_from: RecordKind,
        /// The kind the role needs at the to end.
        expected_to: RecordKind,
    },
}

/// A typed link from one record to another, valid over a period.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawLink")]
pub struct Link {
    id: LinkId,
    from: RecordId,
    to: RecordId,
    role: LinkRole,
    valid_from: DateTime<Utc>,
    valid_to: Option<DateTime<Utc>>,
}

/// The unvalidated wire form of a [`Link`].
#[derive(Deserialize)]
struct RawLink {
    id: LinkId,
    from: RecordId,
    to: RecordId,
    role: LinkRole,
    valid_from: DateTime<Utc>,
    #[serde(default)]
    valid_to: Option<DateTime<Utc>>,
}

impl Link {
    /// Builds a link. The record kinds are not known here: check them with
    /// [`Link::check_kinds`] (or [`LinkRole::allows`]) once the records are loaded.
    ///
    /// # Errors
    /// Returns a [`LinkError`] if `from == to` or `valid_to` is before `valid_from`.
    pub fn new(
        id: LinkId,
        from: RecordId,
        to: RecordId,
        role: LinkRole,
        valid_from: DateTime<Utc>,
        valid_to: Option<DateTime<Utc>>,
    ) -> Result<Self, LinkError> {
        if from == to {
            return Err(LinkError::SelfLink(from));
        }
        if let Some(end) = valid_to
            && end < valid_from
        {
            return Err(LinkError::EndsBeforeStart {
                from: valid_from,
                to: end,
            });
        }
        Ok(Self {
            id,
            from,
            to,
            role,
            valid_from,
            valid_to,
        })
    }

    /// Checks the role against the kinds of the two records.
    ///
    /// # Errors
    /// Returns [`LinkError::WrongKinds`] if the role does not join those kinds.
    pub fn check_kinds(&self, from: RecordKind, to: RecordKind) -> Result<(), LinkError> {
        let (expected_from, expected_to) = self.role.endpoints();
        if self.role.allows(from, to) {
            Ok(())
        } else {
            Err(LinkError::WrongKinds {
                role: self.role,
                from,
                to,
                expected_from,
                expected_to,
            })
        }
    }

    /// True if the link is in force at `at` (`valid_to` is exclusive).
    #[must_use]
    pub fn is_valid_at(&self, at: DateTime<Utc>) -> bool {
        self.valid_from <= at && self.valid_to.is_none_or(|end| at < end)
    }

    /// The link id.
    #[must_use]
    pub fn id(&self) -> LinkId {
        self.id
    }

    /// The record the link starts from.
    #[must_use]
    pub fn from(&self) -> RecordId {
        self.from
    }

    /// The record the link points to.
    #[must_use]
    pub fn to(&self) -> RecordId {
        self.to
    }

    /// The role.
    #[must_use]
    pub fn role(&self) -> LinkRole {
        self.role
    }

    /// Start of validity.
    #[must_use]
    pub fn valid_from(&self) -> DateTime<Utc> {
        self.valid_from
    }

    /// End of validity (exclusive), if ended.
    #[must_use]
    pub fn valid_to(&self) -> Option<DateTime<Utc>> {
        self.valid_to
    }
}

impl TryFrom<RawLink> for Link {
    type Error = LinkError;
    fn try_from(raw: RawLink) -> Result<Self, Self::Error> {
        Self::new(
            raw.id,
            raw.from,
            raw.to,
            raw.role,
            raw.valid_from,
            raw.valid_to,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RecordKind::{Event, Location, Object, Person};
    use rstest::rstest;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[rstest]
    #[case(LinkRole::Victim, Person, Event, true)]
    #[case(LinkRole::Victim, Event, Person, false)]
    #[case(LinkRole::OccurredAt, Event, Location, true)]
    #[case(LinkRole::OccurredAt, Person, Location, false)]
    #[case(LinkRole::Keeper, Person, Object, true)]
    #[case(LinkRole::Resident, Person, Location, true)]
    #[case(LinkRole::Involved, Object, Event, true)]
    #[case(LinkRole::Associate, Person, Person, true)]
    #[case(LinkRole::Associate, Person, Object, false)]
    fn allowed_kinds(
        #[case] role: LinkRole,
        #[case] from: RecordKind,
        #[case] to: RecordKind,
        #[case] ok: bool,
    ) {
        assert_eq!(role.allows(from, to), ok);
    }

    #[test]
    fn every_role_allows_exactly_one_pair() {
        for role in LinkRole::ALL {
            let pairs = RecordKind::ALL
                .iter()
                .flat_map(|a| RecordKind::ALL.iter().map(move |b| (*a, *b)))
                .filter(|(a, b)| role.allows(*a, *b))
                .count();
            assert_eq!(pairs, 1, "{role}");
        }
    }

    #[test]
    fn constructor_rules() {
        let (a, b) = (RecordId::new(), RecordId::new());
        let start = t("2025-01-01T00:00:00Z");
        let err = Link::new(LinkId::new(), a, a, LinkRole::Associate, start, None).unwrap_err();
        assert_eq!(err, LinkError::SelfLink(a));
        let err = Link::new(
            LinkId::new(),
            a,
            b,
            LinkRole::Associate,
            start,
            Some(t("2024-01-01T00:00:00Z")),
        )
        .unwrap_err();
        assert!(matches!(err, LinkError::EndsBeforeStart { .. }));
        let link = Link::new(LinkId::new(), a, b, LinkRole::Victim, start, None).unwrap();
        assert_eq!(
            link.check_kinds(Event, Person).unwrap_err().to_string(),
            "a victim link joins person to event, not event to person"
        );
        assert!(link.is_valid_at(start));
        assert!(!link.is_valid_at(t("2024-12-31T23:59:59Z")));
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let link = Link::new(
            LinkId::new(),
            RecordId::new(),
            RecordId::new(),
            LinkRole::ReportingPerson,
            t("2025-01-01T00:00:00Z"),
            None,
        )
        .unwrap();
        let json = serde_json::to_string(&link).unwrap();
        assert!(json.contains(r#""role":"reporting_person""#));
        assert_eq!(serde_json::from_str::<Link>(&json).unwrap(), link);
        let same = json.replace(&link.to().to_string(), &link.from().to_string());
        assert!(serde_json::from_str::<Link>(&same).is_err());
    }
}
