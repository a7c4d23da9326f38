//! NHS numbers (uk-standards §7.4, modulus 11).

use serde::{Deserialize, Serialize};

/// A 10-digit NHS number whose modulus-11 check digit is correct. Displayed `3 3 4`
/// (`943 476 5919`); input may contain spaces or hyphens. Numbers in the never-issued test
/// range (999 000 0000 to 999 999 9999) are accepted; see [`NhsNumber::is_test_range`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber(String);

/// Why an NHS number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    /// Nothing but whitespace was given.
    #[error("NHS number is empty")]
    Empty,
    /// A character other than a digit, space or hyphen.
    #[error("NHS number contains '{0}'; only digits are allowed")]
    InvalidCharacter(char),
    /// Not 10 digits.
    #[error("NHS number has {0} digits, expected 10")]
    WrongLength(usize),
    /// The check calculation gives 10, so no check digit can be right.
    #[error("NHS number {0} can never be valid: its check calculation gives 10")]
    RemainderTen(String),
    /// The last digit is not the computed check digit.
    #[error("NHS number check digit is {found}, expected {expected}")]
    CheckDigit {
        /// The 10th digit given.
        found: u32,
        /// The check digit computed from the first nine.
        expected: u32,
    },
}

impl NhsNumber {
    /// Parses an NHS number, ignoring spaces and hyphens.
    ///
    /// # Errors
    /// Returns an [`NhsNumberError`]; a wrong check digit names the expected one.
    pub fn parse(input: &str) -> Result<Self, NhsNumberError> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.is_empty() {
            return Err(NhsNumberError::Empty);
        }
        let values = digits
            .chars()
            .map(|c| c.to_digit(10).ok_or(NhsNumberError::InvalidCharacter(c)))
            .collect::<Result<Vec<u32>, _>>()?;
        let [body @ .., found] = values.as_slice() else {
            return Err(NhsNumberError::Empty);
        };
        if values.len() != 10 {
            return Err(NhsNumberError::WrongLength(values.len()));
        }
        let sum: u32 = body.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
        let expected = match 11 - sum % 11 {
            11 => 0,
            10 => return Err(NhsNumberError::RemainderTen(digits)),
            check => check,
        };
        if *found != expected {
            return Err(NhsNumberError::CheckDigit {
                found: *found,
                expected,
            });
        }
        Ok(Self(digits))
    }

    /// True for the 999 range that is never issued and is meant for test data.
    #[must_use]
    pub fn is_test_range(&self) -> bool {
        self.0.starts_with("999")
    }

    /// The ten digits without spaces.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (self.0.get(..3), self.0.get(3..6), self.0.get(6..)) {
            (Some(a), Some(b), Some(c)) => write!(f, "{a} {b} {c}"),
            _ => f.write_str(&self.0),
        }
    }
}

string_conversions!(NhsNumber, NhsNumberError);

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("9434765919", "943 476 5919", false)]
    #[case("943 476 5919", "943 476 5919", false)]
    #[case("943-476-5919", "943 476 5919", false)]
    #[case("4010232137", "401 023 2137", false)]
    #[case("9990000018", "999 000 0018", true)]
    fn valid(#[case] input: &str, #[case] display: &str, #[case] test_range: bool) {
        let n = NhsNumber::parse(input).unwrap();
        assert_eq!(n.to_string(), display);
        assert_eq!(n.is_test_range(), test_range);
    }

    #[rstest]
    #[case("", "NHS number is empty")]
    #[case("9434765918", "NHS number check digit is 8, expected 9")]
    #[case("9434765913", "NHS number check digit is 3, expected 9")]
    #[case("943476591", "NHS number has 9 digits, expected 10")]
    #[case("94347659190", "NHS number has 11 digits, expected 10")]
    #[case("943476591A", "NHS number contains 'A'; only digits are allowed")]
    #[case(
        "1000000010",
        "NHS number 1000000010 can never be valid: its check calculation gives 10"
    )]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        assert_eq!(NhsNumber::parse(input).unwrap_err().to_string(), message);
    }
}
