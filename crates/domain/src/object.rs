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

/// An item of evidence submitted as a file (a photo, a video clip, a document): the file's
/// fingerprint and where its bytes are kept. The bytes themselves live in the blob store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// The file name as the submitter's device gave it (sanitised).
    pub file_name: FreeText,
    /// The media type found from the content (e.g. `image/jpeg`), not from the name.
    pub media_type: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// SHA-256 of the bytes as received, lower-case hex: the start of the chain of custody.
    pub sha256: String,
    /// Where the bytes are kept in the blob store.
    pub blob_key: String,
    /// Metadata read from the file (camera, time taken, GPS position) as name → value. It is
    /// evidence for investigators and is never shown back to the public.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub metadata: std::collections::BTreeMap<String, String>,
}

/// An object record. Serialised with a `"type"` tag: `{"type":"vehicle","vrm":"AB12 CDE",..}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Object {
    /// A vehicle.
    Vehicle(Vehicle),
    /// An item of property.
    Property(Property),
    /// A file submitted as evidence.
    Evidence(EvidenceFile),
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
