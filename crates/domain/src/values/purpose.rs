//! The justification recorded with a consultation or disclosure (DPA 2018 s.62).

use serde::{Deserialize, Serialize};

use super::first_control_char;

/// The justification text logged for a consultation or disclosure under DPA 2018 s.62:
/// trimmed, 3 to 200 characters, no control characters.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    derive_more::Display,
    derive_more::AsRef,
)]
#[serde(try_from = "String", into = "String")]
#[display("{_0}")]
#[as_ref(str)]
pub struct Purpose(String);

/// Why a purpose was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurposeError {
    /// Fewer than 3 characters after trimming.
    #[error("purpose is {0} characters long, the minimum is 3")]
    TooShort(usize),
    /// More than 200 characters.
    #[error("purpose is {0} characters long, the maximum is 200")]
    TooLong(usize),
    /// A control character.
    #[error("purpose contains control character {code:?} at character {position}")]
    ControlCharacter {
        /// The character.
        code: char,
        /// Its 1-based position in the trimmed text.
        position: usize,
    },
}

impl Purpose {
    /// Parses a purpose.
    ///
    /// # Errors
    /// Returns a [`PurposeError`].
    pub fn parse(input: &str) -> Result<Self, PurposeError> {
        let text = input.trim();
        let len = text.chars().count();
        if len < 3 {
            return Err(PurposeError::TooShort(len));
        }
        if len > 200 {
            return Err(PurposeError::TooLong(len));
        }
        if let Some((position, code)) = first_control_char(text, &[]) {
            return Err(PurposeError::ControlCharacter { code, position });
        }
        Ok(Self(text.to_owned()))
    }

    /// The text as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_conversions!(Purpose, PurposeError);

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("  Investigating crime 24/1234  ", "Investigating crime 24/1234")]
    #[case("DBS", "DBS")]
    fn valid(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(Purpose::parse(input).unwrap().as_str(), expected);
    }

    #[rstest]
    #[case("  ", "purpose is 0 characters long, the minimum is 3")]
    #[case("ok", "purpose is 2 characters long, the minimum is 3")]
    #[case(
        "line\nbreak",
        "purpose contains control character '\\n' at character 5"
    )]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        assert_eq!(Purpose::parse(input).unwrap_err().to_string(), message);
    }

    #[test]
    fn too_long() {
        assert_eq!(
            Purpose::parse(&"x".repeat(201)).unwrap_err().to_string(),
            "purpose is 201 characters long, the maximum is 200"
        );
    }
}
