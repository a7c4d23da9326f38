//! CRO numbers (uk-standards §7.6).

use serde::{Deserialize, Serialize};

use super::check_letter;

/// A Criminal Records Office number, either standard `NNNNNN/YYC` (serial zero-padded to six
/// digits) or "SF" form `SFYY/NNNNNNC`, with its modulus-23 check letter over `YY ‖ serial`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, derive_more::Display,
)]
#[serde(try_from = "String", into = "String")]
#[display("{_0}")]
pub struct CroNumber(String);

/// Why a CRO number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CroNumberError {
    /// Nothing but whitespace was given.
    #[error("CRO number is empty")]
    Empty,
    /// Neither form.
    #[error("CRO number '{0}' is not in the form NNNNNN/YYC or SFYY/NNNNNNC")]
    Shape(String),
    /// Wrong check letter.
    #[error("CRO number check letter is {found}, expected {expected}")]
    CheckLetter {
        /// The letter given.
        found: char,
        /// The letter computed.
        expected: char,
    },
}

impl CroNumber {
    /// Parses a CRO number in either form.
    ///
    /// # Errors
    /// Returns a [`CroNumberError`].
    pub fn parse(input: &str) -> Result<Self, CroNumberError> {
        let text = input.trim().to_ascii_uppercase();
        if text.is_empty() {
            return Err(CroNumberError::Empty);
        }
        let shape = || CroNumberError::Shape(text.clone());
        let found = text
            .chars()
            .last()
            .filter(char::is_ascii_uppercase)
            .ok_or_else(shape)?;
        let body = text.get(..text.len().saturating_sub(1)).ok_or_else(shape)?;
        let digits = |s: &str, max: usize| {
            !s.is_empty() && s.len() <= max && s.chars().all(|c| c.is_ascii_digit())
        };
        let (year, serial, canonical_serial, sf) = if let Some(rest) = body.strip_prefix("SF") {
            let (year, serial) = rest.split_once('/').ok_or_else(shape)?;
            (year, serial, serial.to_owned(), true)
        } else {
            let (serial, year) = body.split_once('/').ok_or_else(shape)?;
            (year, serial, format!("{serial:0>6}"), false)
        };
        if year.len() != 2 || !digits(year, 2) || !digits(serial, 6) {
            return Err(shape());
        }
        let value: u64 = format!("{year}{canonical_serial}")
            .parse()
            .map_err(|_| shape())?;
        let expected = check_letter(value);
        if found != expected {
            return Err(CroNumberError::CheckLetter { found, expected });
        }
        Ok(Self(if sf {
            format!("SF{year}/{canonical_serial}{found}")
        } else {
            format!("{canonical_serial}/{year}{found}")
        }))
    }

    /// The canonical form as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_conversions!(CroNumber, CroNumberError);

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("012345/99N", "012345/99N")]
    #[case("12345/99n", "012345/99N")]
    #[case("SF99/12345m", "SF99/12345M")]
    fn valid(#[case] input: &str, #[case] canonical: &str) {
        assert_eq!(CroNumber::parse(input).unwrap().to_string(), canonical);
    }

    #[rstest]
    #[case("", "CRO number is empty")]
    #[case("012345/99A", "CRO number check letter is A, expected N")]
    #[case(
        "0123456/99N",
        "CRO number '0123456/99N' is not in the form NNNNNN/YYC or SFYY/NNNNNNC"
    )]
    #[case(
        "012345/9N",
        "CRO number '012345/9N' is not in the form NNNNNN/YYC or SFYY/NNNNNNC"
    )]
    #[case(
        "012345-99N",
        "CRO number '012345-99N' is not in the form NNNNNN/YYC or SFYY/NNNNNNC"
    )]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        assert_eq!(CroNumber::parse(input).unwrap_err().to_string(), message);
    }
}
