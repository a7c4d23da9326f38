//! Property serial numbers.

use serde::{Deserialize, Serialize};

/// A property serial number: 1 to 64 characters of letters, digits, `-`, `/`, `.` and
/// single spaces, trimmed and uppercased.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, derive_more::Display,
)]
#[serde(try_from = "String", into = "String")]
#[display("{_0}")]
pub struct SerialNumber(String);

/// Why a serial number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SerialNumberError {
    /// Nothing but whitespace was given.
    #[error("serial number is empty")]
    Empty,
    /// More than 64 characters after normalising.
    #[error("serial number is {0} characters long, the maximum is 64")]
    TooLong(usize),
    /// A character outside the allowed set.
    #[error(
        "serial number contains '{0}'; only letters, digits, '-', '/', '.' and spaces are allowed"
    )]
    InvalidCharacter(char),
}

impl SerialNumber {
    /// Parses a serial number.
    ///
    /// # Errors
    /// Returns a [`SerialNumberError`].
    pub fn parse(input: &str) -> Result<Self, SerialNumberError> {
        let value = input
            .split(' ')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        if value.is_empty() {
            return Err(SerialNumberError::Empty);
        }
        if let Some(c) = value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.' | ' ')))
        {
            return Err(SerialNumberError::InvalidCharacter(c));
        }
        let len = value.len();
        if len > 64 {
            return Err(SerialNumberError::TooLong(len));
        }
        Ok(Self(value))
    }

    /// The serial number as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_conversions!(SerialNumber, SerialNumberError);

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("wtu-123/a.4", "WTU-123/A.4")]
    #[case("  SN  0042 ", "SN 0042")]
    fn valid(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(SerialNumber::parse(input).unwrap().to_string(), expected);
    }

    #[rstest]
    #[case("   ", "serial number is empty")]
    #[case(
        "AB#12",
        "serial number contains '#'; only letters, digits, '-', '/', '.' and spaces are allowed"
    )]
    #[case(
        "A\t1",
        "serial number contains '\t'; only letters, digits, '-', '/', '.' and spaces are allowed"
    )]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        assert_eq!(SerialNumber::parse(input).unwrap_err().to_string(), message);
    }

    #[test]
    fn too_long() {
        assert_eq!(
            SerialNumber::parse(&"A".repeat(65))
                .unwrap_err()
                .to_string(),
            "serial number is 65 characters long, the maximum is 64"
        );
    }
}
