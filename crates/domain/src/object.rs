//! Objects: vehicles and property.

use serde::{Deserialize, Serialize};

use crate::values::{FreeText, SerialNumber, Vrm};

/// A vehicle.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Vehicle {
    /// Registration mark (may be an unrecognised, e.g. foreign, mark: see [`Vrm`]).
    pub vrm: Vrm,
    /// Make, e.g. "Ford".
    #[serde(default)]
    pub make: Option<FreeText>,
    /// Model, e.g. "Focus".
    #[serde(default)]
    pub model: Option<FreeText>,
    /// Colour as described.
    #[serde(default)]
    pub colour: Option<FreeText>,
}

/// An item of property.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Property {
    /// What it is.
    pub description: FreeText,
    /// Serial numbers marked on it.
    #[serde(default)]
    pub serial_numbers: Vec<SerialNumber>,
}

/// An object record. Serialised with a `"type"` tag: `{"type":"vehicle","vrm":"AB12 CDE",..}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Object {
    /// A vehicle.
    Vehicle(Vehicle),
    /// An item of property.
    Property(Property),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_by_type() {
        let json = r#"{"type":"vehicle","vrm":"ab12cde","colour":"Red"}"#;
        let object: Object = serde_json::from_str(json).unwrap();
        let Object::Vehicle(v) = &object else {
            panic!("not a vehicle")
        };
        assert_eq!(v.vrm.to_string(), "AB12 CDE");
        let back = serde_json::to_string(&object).unwrap();
        assert!(
            back.starts_with(r#"{"type":"vehicle","vrm":"AB12 CDE""#),
            "{back}"
        );
    }

    #[test]
    fn property_needs_description() {
        let json = r#"{"type":"property","description":" ","serial_numbers":[]}"#;
        let err = serde_json::from_str::<Object>(json).unwrap_err();
        assert!(err.to_string().contains("text is empty"), "{err}");
    }
}
