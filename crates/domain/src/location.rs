//! Locations: an address, a point, or both.

use serde::{Deserialize, Serialize};

use crate::values::{FreeText, GeoPoint, Postcode, first_control_char};

/// Maximum number of address lines.
const MAX_LINES: usize = 4;
/// Maximum characters per line (and for the town).
const MAX_LINE_LEN: usize = 100;

/// A postal address: 1 to 4 lines of at most 100 characters each, an optional town and an
/// optional postcode. Lines are trimmed, with whitespace runs collapsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawAddress")]
pub struct Address {
    lines: Vec<String>,
    town: Option<String>,
    postcode: Option<Postcode>,
}

/// The unvalidated wire form of an [`Address`].
#[derive(Deserialize)]
struct RawAddress {
    lines: Vec<String>,
    #[serde(default)]
    town: Option<String>,
    #[serde(default)]
    postcode: Option<Postcode>,
}

/// Why an address or location was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    /// No address lines.
    #[error("address has no lines")]
    NoLines,
    /// More than 4 lines.
    #[error("address has {0} lines, the maximum is 4")]
    TooManyLines(usize),
    /// An empty line (1-based).
    #[error("address line {0} is empty")]
    EmptyLine(usize),
    /// A field over 100 characters.
    #[error("{field} is {len} characters long, the maximum is 100")]
    TooLong {
        /// Which field, e.g. "address line 2" or "town".
        field: String,
        /// Its length.
        len: usize,
    },
    /// A field with a control character.
    #[error("{field} contains control character {code:?}")]
    ControlCharacter {
        /// Which field.
        field: String,
        /// The character.
        code: char,
    },
    /// Neither an address nor a point.
    #[error("location needs an address or a point")]
    Empty,
}

fn clean_field(raw: &str, field: impl Fn() -> String) -> Result<String, LocationError> {
    if let Some((_, code)) = first_control_char(raw, &[]) {
        return Err(LocationError::ControlCharacter {
            field: field(),
            code,
        });
    }
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = value.chars().count();
    if len > MAX_LINE_LEN {
        return Err(LocationError::TooLong {
            field: field(),
            len,
        });
    }
    Ok(value)
}

impl Address {
    /// Builds an address. An empty or blank town is treated as none.
    ///
    /// # Errors
    /// Returns a [`LocationError`] naming the field that is wrong.
    pub fn new(
        lines: Vec<String>,
        town: Option<String>,
        postcode: Option<Postcode>,
    ) -> Result<Self, LocationError> {
        match lines.len() {
            0 => return Err(LocationError::NoLines),
            n if n > MAX_LINES => return Err(LocationError::TooManyLines(n)),
            _ => {}
        }
        let lines = lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let n = i.saturating_add(1);
                let value = clean_field(line, || format!("address line {n}"))?;
                if value.is_empty() {
                    return Err(LocationError::EmptyLine(n));
                }
                Ok(value)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let town = town
            .map(|t| clean_field(&t, || "town".to_owned()))
            .transpose()?
            .filter(|t| !t.is_empty());
        Ok(Self {
            lines,
            town,
            postcode,
        })
    }

    /// The address lines.
    #[must_use]
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The post town.
    #[must_use]
    pub fn town(&self) -> Option<&str> {
        self.town.as_deref()
    }

    /// The postcode.
    #[must_use]
    pub fn postcode(&self) -> Option<&Postcode> {
        self.postcode.as_ref()
    }
}

impl TryFrom<RawAddress> for Address {
    type Error = LocationError;
    fn try_from(raw: RawAddress) -> Result<Self, Self::Error> {
        Self::new(raw.lines, raw.town, raw.postcode)
    }
}

/// A location record: an address, a point, or both, with an optional description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawLocation")]
pub struct Location {
    address: Option<Address>,
    point: Option<GeoPoint>,
    description: Option<FreeText>,
}

/// The unvalidated wire form of a [`Location`].
#[derive(Deserialize)]
struct RawLocation {
    #[serde(default)]
    address: Option<Address>,
    #[serde(default)]
    point: Option<GeoPoint>,
    #[serde(default)]
    description: Option<FreeText>,
}

impl Location {
    /// Builds a location.
    ///
    /// # Errors
    /// Returns [`LocationError::Empty`] if there is neither an address nor a point.
    pub fn new(
        address: Option<Address>,
        point: Option<GeoPoint>,
        description: Option<FreeText>,
    ) -> Result<Self, LocationError> {
        if address.is_none() && point.is_none() {
            return Err(LocationError::Empty);
        }
        Ok(Self {
            address,
            point,
            description,
        })
    }

    /// The address.
    #[must_use]
    pub fn address(&self) -> Option<&Address> {
        self.address.as_ref()
    }

    /// The point.
    #[must_use]
    pub fn point(&self) -> Option<GeoPoint> {
        self.point
    }

    /// The description.
    #[must_use]
    pub fn description(&self) -> Option<&FreeText> {
        self.description.as_ref()
    }

    /// Removes the address and the point, keeping the description: the only way a location
    /// has neither, on a copy whose place is withheld from its viewer
    /// ([`crate::record::Record::withhold`]). Such a copy is never stored.
    pub(crate) fn withhold_place(&mut self) {
        self.address = None;
        self.point = None;
    }
}

impl TryFrom<RawLocation> for Location {
    type Error = LocationError;
    fn try_from(raw: RawLocation) -> Result<Self, Self::Error> {
        Self::new(raw.address, raw.point, raw.description)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn valid_address() {
        let a = Address::new(
            lines(&[" 1  High St "]),
            Some(" ".into()),
            Postcode::parse("le16ab").ok(),
        )
        .unwrap();
        assert_eq!(a.lines(), ["1 High St"]);
        assert_eq!(a.town(), None);
        assert_eq!(
            a.postcode().map(ToString::to_string).as_deref(),
            Some("LE1 6AB")
        );
    }

    #[rstest]
    #[case(&[], "address has no lines")]
    #[case(&["a", "b", "c", "d", "e"], "address has 5 lines, the maximum is 4")]
    #[case(&["a", "  "], "address line 2 is empty")]
    #[case(&["a\u{1b}"], "address line 1 contains control character '\\u{1b}'")]
    fn invalid_address(#[case] input: &[&str], #[case] message: &str) {
        assert_eq!(
            Address::new(lines(input), None, None)
                .unwrap_err()
                .to_string(),
            message
        );
    }

    #[test]
    fn location_needs_address_or_point() {
        assert_eq!(
            Location::new(None, None, FreeText::parse("field").ok())
                .unwrap_err()
                .to_string(),
            "location needs an address or a point"
        );
        let err = serde_json::from_str::<Location>(r#"{"description":"field"}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("location needs an address or a point")
        );
        let ok: Location = serde_json::from_str(r#"{"point":{"lat":52.6,"lon":-1.1}}"#).unwrap();
        assert_eq!(ok.point().map(|p| p.lat()), Some(52.6));
    }
}
