//! Persons (nominals).

use serde::{Deserialize, Serialize};

use crate::values::{
    CroNumber, DateOfBirth, EmailAddress, FreeText, NationalInsuranceNumber, NhsNumber, PersonName,
    PhoneNumber, PncId,
};

/// How to contact a person, as they gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContactDetails {
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailAddress>,
    /// Telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    /// Postal address or other contact instructions, as free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<FreeText>,
}

impl ContactDetails {
    /// True when nothing is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.phone.is_none() && self.address.is_none()
    }
}

code_newtype!(
    /// An ethnicity code such as `W1` (self-defined 18+1) or `IC1` (officer-defined): 1 to 4
    /// letters and digits. Membership of the right reference list is checked by the
    /// application.
    EthnicityCode,
    "ethnicity code",
    upper,
    4
);

code_newtype!(
    /// A warning-marker code such as a PNC warning signal: 1 to 4 letters and digits, checked
    /// against reference data by the application.
    WarningCode,
    "warning marker code",
    upper,
    4
);

/// A warning marker on a person (e.g. violent, weapons, mental health), for officer safety.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WarningMarker {
    /// The marker code.
    pub code: WarningCode,
    /// Supporting detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<FreeText>,
}

/// An identifier held for a person. Serialised as `{"type":"pnc","value":"2001/0012345H"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum PersonIdentifier {
    /// Police National Computer ID.
    Pnc(PncId),
    /// NHS number.
    Nhs(NhsNumber),
    /// National Insurance number.
    Nino(NationalInsuranceNumber),
    /// Criminal Records Office number.
    Cro(CroNumber),
}

/// A person record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Person {
    /// The name the person is recorded under.
    pub name: PersonName,
    /// Other names used.
    #[serde(default)]
    pub aliases: Vec<PersonName>,
    /// Date of birth, if known.
    #[serde(default)]
    pub date_of_birth: Option<DateOfBirth>,
    /// PNC, NHS, NI and CRO identifiers.
    #[serde(default)]
    pub identifiers: Vec<PersonIdentifier>,
    /// Ethnicity as the person defined it (18+1).
    #[serde(default)]
    pub self_defined_ethnicity: Option<EthnicityCode>,
    /// Ethnicity as an officer perceived it (IC codes).
    #[serde(default)]
    pub officer_defined_ethnicity: Option<EthnicityCode>,
    /// Warning markers.
    #[serde(default)]
    pub warning_markers: Vec<WarningMarker>,
    /// A description of the person (appearance, clothing, manner), e.g. of a suspect whose
    /// name is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<FreeText>,
    /// How to contact them.
    #[serde(default, skip_serializing_if = "ContactDetails::is_empty")]
    pub contact: ContactDetails,
}

impl Person {
    /// A person with just a name.
    #[must_use]
    pub fn named(name: PersonName) -> Self {
        Self {
            name,
            aliases: Vec::new(),
            date_of_birth: None,
            identifiers: Vec::new(),
            self_defined_ethnicity: None,
            officer_defined_ethnicity: None,
            warning_markers: Vec::new(),
            description: None,
            contact: ContactDetails::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_serde_shape() {
        let id = PersonIdentifier::Pnc(PncId::parse("2001/0012345H").unwrap());
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, r#"{"type":"pnc","value":"2001/0012345H"}"#);
        assert_eq!(serde_json::from_str::<PersonIdentifier>(&json).unwrap(), id);
        let bad = r#"{"type":"nhs","value":"9434765918"}"#;
        let err = serde_json::from_str::<PersonIdentifier>(bad).unwrap_err();
        assert!(
            err.to_string()
                .contains("NHS number check digit is 8, expected 9")
        );
    }

    #[test]
    fn minimal_person_json() {
        let p: Person = serde_json::from_str(r#"{"name":{"surname":"Smith"}}"#).unwrap();
        assert_eq!(
            p,
            Person::named(PersonName::new(Vec::<String>::new(), "Smith").unwrap())
        );
    }

    #[test]
    fn ethnicity_code_is_uppercased() {
        assert_eq!(EthnicityCode::parse("ic1").unwrap().as_str(), "IC1");
    }
}
