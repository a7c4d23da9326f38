//! POLE records: a body plus marking, provenance and retention.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::handling::{FieldCategory, Handling};
use crate::ids::{RecordId, RecordKind};
use crate::location::Location;
use crate::marking::Marking;
use crate::object::Object;
use crate::person::Person;
use crate::provenance::Provenance;
use crate::retention::Retention;

/// The POLE content of a record, tagged with `"kind"`:
/// `{"kind":"person","name":{..},..}`. Objects carry their own `"type"` tag as well.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordBody {
    /// A person.
    Person(Person),
    /// A vehicle or item of property.
    Object(Object),
    /// A location.
    Location(Location),
    /// An incident or crime report.
    Event(Event),
}

impl RecordBody {
    /// Which POLE kind this is.
    #[must_use]
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::Person(_) => RecordKind::Person,
            Self::Object(_) => RecordKind::Object,
            Self::Location(_) => RecordKind::Location,
            Self::Event(_) => RecordKind::Event,
        }
    }
}

/// A POLE record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The record id.
    pub id: RecordId,
    /// Its protective marking.
    pub marking: Marking,
    /// Where it came from.
    pub provenance: Provenance,
    /// Its MoPI retention state.
    pub retention: Retention,
    /// The POLE content.
    pub body: RecordBody,
    /// Need-to-know handling: restriction, access list, flags.
    #[serde(default, skip_serializing_if = "Handling::is_default")]
    pub handling: Handling,
    /// The protected field categories withheld from the viewer of this copy (never stored:
    /// see [`Record::withhold`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<FieldCategory>,
}

impl Record {
    /// Which POLE kind this is.
    #[must_use]
    pub fn kind(&self) -> RecordKind {
        self.body.kind()
    }

    /// The date of birth of the record's subject: the person's, for a person record with a
    /// known date of birth (used for age-based retention rules).
    #[must_use]
    pub fn subject_date_of_birth(&self) -> Option<NaiveDate> {
        match &self.body {
            RecordBody::Person(person) => person.date_of_birth.map(|dob| dob.date()),
            RecordBody::Object(_) | RecordBody::Location(_) | RecordBody::Event(_) => None,
        }
    }
}
