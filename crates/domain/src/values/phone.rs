//! Telephone numbers given by members of the public.

use serde::{Deserialize, Serialize};

/// A telephone number: digits with an optional leading `+`, written with any spaces, hyphens,
/// dots or brackets, holding 7 to 15 digits (E.164 allows at most 15). Stored with the
/// separators removed: `+44 7700 900123` → `+447700900123`, `(0116) 496 0000` → `01164960000`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, derive_more::Display,
)]
#[serde(try_from = "String", into = "String")]
#[display("{_0}")]
pub struct PhoneNumber(String);

/// Why a telephone number was rejected, in words fit to show the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneNumberError {
    /// Nothing but whitespace was given.
    #[error("Enter a telephone number")]
    Empty,
    /// A character other than digits, `+` (first only) and separators.
    #[error("Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")]
    Format,
    /// Fewer than 7 or more than 15 digits.
    #[error("Telephone number must have between 7 and 15 digits")]
    Length,
}

impl PhoneNumber {
    /// Parses a telephone number.
    ///
    /// # Errors
    /// Returns a [`PhoneNumberError`].
    pub fn parse(input: &str) -> Result<Self, PhoneNumberError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneNumberError::Empty);
        }
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::new();
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(PhoneNumberError::Format),
            }
        }
        if !(7..=15).contains(&digits.len()) {
            return Err(PhoneNumberError::Length);
        }
        Ok(Self(if plus { format!("+{digits}") } else { digits }))
    }

    /// The number as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_conversions!(PhoneNumber, PhoneNumberError);

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("+44 7700 900123", "+447700900123")]
    #[case("(0116) 496-0000", "01164960000")]
    #[case("999 9999", "9999999")]
    fn valid(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(PhoneNumber::parse(input).unwrap().as_str(), expected);
    }

    #[rstest]
    #[case("", PhoneNumberError::Empty)]
    #[case("07700 9OO123", PhoneNumberError::Format)]
    #[case("++44 7700 900123", PhoneNumberError::Format)]
    #[case("12345", PhoneNumberError::Length)]
    #[case("1234567890123456", PhoneNumberError::Length)]
    fn invalid(#[case] input: &str, #[case] error: PhoneNumberError) {
        assert_eq!(PhoneNumber::parse(input), Err(error));
    }
}
