//! National Insurance numbers (uk-standards §7.5).

use serde::{Deserialize, Serialize};

/// A National Insurance number: two prefix letters, six digits and an optional suffix
/// A-D. Input may be any case with any spacing; displayed `AB 12 34 56 C`. There is no check
/// digit, so a valid number may still be unallocated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NationalInsuranceNumber(String);

/// Why a National Insurance number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NinoError {
    /// Nothing but whitespace was given.
    #[error("National Insurance number is empty")]
    Empty,
    /// A character other than a letter, digit or space.
    #[error("National Insurance number contains '{0}'; only letters and digits are allowed")]
    InvalidCharacter(char),
    /// Not 8 or 9 characters.
    #[error("National Insurance number has {0} characters without spaces, expected 8 or 9")]
    WrongLength(usize),
    /// The first two characters are not both letters.
    #[error("National Insurance number must start with two letters, found '{0}'")]
    PrefixNotLetters(String),
    /// A first letter that is never used.
    #[error(
        "National Insurance number cannot start with '{0}' (D, F, I, Q, U and V are never first)"
    )]
    FirstLetter(char),
    /// A second letter that is never used.
    #[error(
        "National Insurance number prefix cannot have '{0}' second (D, F, I, O, Q, U and V are never second)"
    )]
    SecondLetter(char),
    /// A prefix that is not allocated (BG, GB, KN, NK, NT, TN, ZZ).
    #[error("National Insurance number prefix '{0}' is not allocated")]
    PrefixNotAllocated(String),
    /// Characters 3 to 8 are not all digits.
    #[error("National Insurance number must have six digits after the prefix, found '{0}'")]
    Digits(String),
    /// A suffix other than A, B, C or D.
    #[error("National Insurance number suffix '{0}' is not A, B, C or D")]
    Suffix(char),
}

impl NationalInsuranceNumber {
    /// Parses a National Insurance number; the suffix is optional.
    ///
    /// # Errors
    /// Returns a [`NinoError`] naming the broken rule.
    pub fn parse(input: &str) -> Result<Self, NinoError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.is_empty() {
            return Err(NinoError::Empty);
        }
        if let Some(c) = compact.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(NinoError::InvalidCharacter(c));
        }
        let len = compact.len();
        if !(8..=9).contains(&len) {
            return Err(NinoError::WrongLength(len));
        }
        let chars: Vec<char> = compact.chars().collect();
        let (prefix, rest) = chars
            .split_at_checked(2)
            .ok_or(NinoError::WrongLength(len))?;
        let prefix_text: String = prefix.iter().collect();
        let [first, second] = prefix else {
            return Err(NinoError::WrongLength(len));
        };
        if !first.is_ascii_alphabetic() || !second.is_ascii_alphabetic() {
            return Err(NinoError::PrefixNotLetters(prefix_text));
        }
        if "DFIQUV".contains(*first) {
            return Err(NinoError::FirstLetter(*first));
        }
        if "DFIOQUV".contains(*second) {
            return Err(NinoError::SecondLetter(*second));
        }
        if ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&prefix_text.as_str()) {
            return Err(NinoError::PrefixNotAllocated(prefix_text));
        }
        let (digits, suffix) = rest
            .split_at_checked(6)
            .ok_or(NinoError::WrongLength(len))?;
        if !digits.iter().all(char::is_ascii_digit) {
            return Err(NinoError::Digits(digits.iter().collect()));
        }
        if let Some(s) = suffix.first()
            && !('A'..='D').contains(s)
        {
            return Err(NinoError::Suffix(*s));
        }
        Ok(Self(compact))
    }

    /// The two-letter prefix.
    #[must_use]
    pub fn prefix(&self) -> &str {
        self.0.get(..2).unwrap_or_default()
    }

    /// The suffix letter, if one was given.
    #[must_use]
    pub fn suffix(&self) -> Option<char> {
        self.0.chars().nth(8)
    }

    /// The number without spaces (`AB123456C`).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Display for NationalInsuranceNumber {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let part = |r: core::ops::Range<usize>| self.0.get(r).unwrap_or_default();
        write!(
            f,
            "{} {} {} {}",
            part(0..2),
            part(2..4),
            part(4..6),
            part(6..8)
        )?;
        match self.suffix() {
            Some(s) => write!(f, " {s}"),
            None => Ok(()),
        }
    }
}

string_conversions!(NationalInsuranceNumber, NinoError);

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("AB123456C", "AB 12 34 56 C", Some('C'))]
    #[case("ab 12 34 56 c", "AB 12 34 56 C", Some('C'))]
    #[case("JG103759A", "JG 10 37 59 A", Some('A'))]
    #[case("CE 12 34 56", "CE 12 34 56", None)]
    fn valid(#[case] input: &str, #[case] display: &str, #[case] suffix: Option<char>) {
        let n = NationalInsuranceNumber::parse(input).unwrap();
        assert_eq!(n.to_string(), display);
        assert_eq!(n.suffix(), suffix);
        assert_eq!(n.prefix(), display.get(..2).unwrap());
    }

    #[rstest]
    #[case("", "National Insurance number is empty")]
    #[case(
        "AB1234",
        "National Insurance number has 6 characters without spaces, expected 8 or 9"
    )]
    #[case(
        "AB-123456",
        "National Insurance number contains '-'; only letters and digits are allowed"
    )]
    #[case(
        "A1234567C",
        "National Insurance number must start with two letters, found 'A1'"
    )]
    #[case(
        "DA123456C",
        "National Insurance number cannot start with 'D' (D, F, I, Q, U and V are never first)"
    )]
    #[case(
        "QQ123456C",
        "National Insurance number cannot start with 'Q' (D, F, I, Q, U and V are never first)"
    )]
    #[case(
        "AO123456C",
        "National Insurance number prefix cannot have 'O' second (D, F, I, O, Q, U and V are never second)"
    )]
    #[case("BG123456C", "National Insurance number prefix 'BG' is not allocated")]
    #[case("GB123456C", "National Insurance number prefix 'GB' is not allocated")]
    #[case("NK123456C", "National Insurance number prefix 'NK' is not allocated")]
    #[case("TN123456C", "National Insurance number prefix 'TN' is not allocated")]
    #[case("ZZ123456C", "National Insurance number prefix 'ZZ' is not allocated")]
    #[case(
        "AB12345CD",
        "National Insurance number must have six digits after the prefix, found '12345C'"
    )]
    #[case(
        "AB123456E",
        "National Insurance number suffix 'E' is not A, B, C or D"
    )]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        assert_eq!(
            NationalInsuranceNumber::parse(input)
                .unwrap_err()
                .to_string(),
            message
        );
    }
}
