//! Bounded free text for descriptions and summaries.

use serde::{Deserialize, Serialize};

use super::first_control_char;

/// Maximum length in characters.
const MAX_LEN: usize = 2000;

/// Free text of 1 to 2000 characters: trimmed, CRLF and CR turned into LF, and no control
/// characters other than newline.
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
pub struct FreeText(String);

/// Why free text was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FreeTextError {
    /// Nothing but whitespace was given.
    #[error("text is empty")]
    Empty,
    /// More than 2000 characters.
    #[error("text is {0} characters long, the maximum is 2000")]
    TooLong(usize),
    /// A control character other than newline.
    #[error("text contains control character {code:?} at character {position}")]
    ControlCharacter {
        /// The character.
        code: char,
        /// Its 1-based position in the trimmed text.
        position: usize,
    },
}

impl FreeText {
    /// Parses free text.
    ///
    /// # Errors
    /// Returns a [`FreeTextError`].
    pub fn parse(input: &str) -> Result<Self, FreeTextError> {
        let text = input.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        if text.is_empty() {
            return Err(FreeTextError::Empty);
        }
        let len = text.chars().count();
        if len > MAX_LEN {
            return Err(FreeTextError::TooLong(len));
        }
        if let Some((position, code)) = first_control_char(text, &['\n']) {
            return Err(FreeTextError::ControlCharacter { code, position });
        }
        Ok(Self(text.to_owned()))
    }

    /// The text as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_conversions!(FreeText, FreeTextError);

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("  Blue bicycle  ", "Blue bicycle")]
    #[case("line one\r\nline two", "line one\nline two")]
    fn valid(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(FreeText::parse(input).unwrap().as_str(), expected);
    }

    #[rstest]
    #[case(" \n ", "text is empty")]
    #[case("tab\there", "text contains control character '\\t' at character 4")]
    #[case("bell\u{7}", "text contains control character '\\u{7}' at character 5")]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        assert_eq!(FreeText::parse(input).unwrap_err().to_string(), message);
    }

    #[test]
    fn length_limit_counts_characters() {
        assert!(FreeText::parse(&"é".repeat(2000)).is_ok());
        assert_eq!(
            FreeText::parse(&"é".repeat(2001)).unwrap_err().to_string(),
            "text is 2001 characters long, the maximum is 2000"
        );
    }
}
