//! PNC IDs (uk-standards §7.6).

use serde::{Deserialize, Serialize};

use super::check_letter;

/// A Police National Computer ID in canonical form `YYYY/NNNNNNNC`: 4-digit year, a 7-digit
/// zero-padded serial and a modulus-23 check letter over `YY ‖ serial`.
///
/// [`PncId::parse`] (used by `FromStr` and serde) needs a 4-digit year;
/// [`PncId::parse_with_current_year`] also accepts 2-digit years, which need the current year
/// to pick the century. The slash is optional when the serial has all 7 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PncId {
    year: u16,
    serial: u32,
    check: char,
}

/// Why a PNC ID was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PncIdError {
    /// Nothing but whitespace was given.
    #[error("PNC ID is empty")]
    Empty,
    /// Not digits, an optional slash, digits and a letter.
    #[error("PNC ID '{0}' is not in the form YYYY/NNNNNNNC")]
    Shape(String),
    /// A 2-digit year where only a 4-digit year is accepted.
    #[error("PNC ID '{0}' has a 2-digit year; a 4-digit year is needed")]
    TwoDigitYear(String),
    /// A year that is neither 2 nor 4 digits.
    #[error("PNC ID year '{0}' has {1} digits, expected 4 (or 2 with a known current year)")]
    YearDigits(String, usize),
    /// Without a slash the year and serial cannot be told apart.
    #[error("PNC ID without '/' has {0} digits; expected 11 (4-digit year) or 9 (2-digit year)")]
    AmbiguousWithoutSlash(usize),
    /// Serial of more than 7 digits.
    #[error("PNC ID serial number '{0}' has more than 7 digits")]
    SerialTooLong(String),
    /// Year before 1900.
    #[error("PNC ID year {0} is before 1900")]
    YearTooEarly(u16),
    /// Year after the current year.
    #[error("PNC ID year {year} is after the current year {current}")]
    YearInFuture {
        /// The year given.
        year: u16,
        /// The current year passed in.
        current: i32,
    },
    /// Wrong check letter.
    #[error("PNC ID check letter is {found}, expected {expected}")]
    CheckLetter {
        /// The letter given.
        found: char,
        /// The letter computed.
        expected: char,
    },
}

impl PncId {
    /// Parses a PNC ID with a 4-digit year (`2001/0012345H`, `2001/12345H`, `20010012345H`).
    ///
    /// # Errors
    /// Returns a [`PncIdError`]; a wrong check letter names the expected one.
    pub fn parse(input: &str) -> Result<Self, PncIdError> {
        parse_inner(input, None)
    }

    /// Parses a PNC ID that may have a 2-digit year: `YY` becomes `20YY` if that is not after
    /// `current_year`, else `19YY`. A 4-digit year after `current_year` is rejected.
    ///
    /// # Errors
    /// Returns a [`PncIdError`].
    pub fn parse_with_current_year(input: &str, current_year: i32) -> Result<Self, PncIdError> {
        parse_inner(input, Some(current_year))
    }

    /// The 4-digit year.
    #[must_use]
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The serial number.
    #[must_use]
    pub fn serial(&self) -> u32 {
        self.serial
    }

    /// The check letter.
    #[must_use]
    pub fn check_letter(&self) -> char {
        self.check
    }
}

impl core::fmt::Display for PncId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:04}/{:07}{}", self.year, self.serial, self.check)
    }
}

string_conversions!(PncId, PncIdError);

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

fn parse_inner(input: &str, current_year: Option<i32>) -> Result<PncId, PncIdError> {
    let text = input.trim().to_ascii_uppercase();
    if text.is_empty() {
        return Err(PncIdError::Empty);
    }
    let shape = || PncIdError::Shape(text.clone());
    let found = text.chars().last().ok_or_else(shape)?;
    if !found.is_ascii_uppercase() {
        return Err(shape());
    }
    let body = text.get(..text.len().saturating_sub(1)).ok_or_else(shape)?;
    let (year_text, serial_text) = match body.split_once('/') {
        Some(parts) => parts,
        None => {
            if !all_digits(body) {
                return Err(shape());
            }
            let year_len = match body.len() {
                11 => 4,
                9 if current_year.is_some() => 2,
                9 => return Err(PncIdError::TwoDigitYear(text.clone())),
                n => return Err(PncIdError::AmbiguousWithoutSlash(n)),
            };
            body.split_at_checked(year_len).ok_or_else(shape)?
        }
    };
    if !all_digits(year_text) || !all_digits(serial_text) {
        return Err(shape());
    }
    if serial_text.len() > 7 {
        return Err(PncIdError::SerialTooLong(serial_text.to_owned()));
    }
    let year_number: u16 = year_text.parse().map_err(|_| shape())?;
    let year = match (year_text.len(), current_year) {
        (4, _) => year_number,
        (2, Some(current)) => expand_year(year_number, current).ok_or_else(shape)?,
        (2, None) => return Err(PncIdError::TwoDigitYear(text.clone())),
        (n, _) => return Err(PncIdError::YearDigits(year_text.to_owned(), n)),
    };
    if year < 1900 {
        return Err(PncIdError::YearTooEarly(year));
    }
    if let Some(current) = current_year
        && i32::from(year) > current
    {
        return Err(PncIdError::YearInFuture { year, current });
    }
    let serial: u32 = serial_text.parse().map_err(|_| shape())?;
    let expected = check_letter(u64::from(year % 100) * 10_000_000 + u64::from(serial));
    if found != expected {
        return Err(PncIdError::CheckLetter { found, expected });
    }
    Ok(PncId {
        year,
        serial,
        check: found,
    })
}

fn expand_year(two_digits: u16, current_year: i32) -> Option<u16> {
    let current_two = current_year.rem_euclid(100);
    let century = current_year.checked_sub(current_two)?;
    let yy = i32::from(two_digits);
    let full = if yy <= current_two {
        century.checked_add(yy)?
    } else {
        century.checked_sub(100)?.checked_add(yy)?
    };
    u16::try_from(full).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("2001/0012345H", "2001/0012345H")]
    #[case("1979/0123456T", "1979/0123456T")]
    #[case("2024/0000001Q", "2024/0000001Q")]
    #[case("2024/1q", "2024/0000001Q")]
    #[case("20010012345H", "2001/0012345H")]
    #[case(" 2001/12345H ", "2001/0012345H")]
    fn valid(#[case] input: &str, #[case] canonical: &str) {
        assert_eq!(PncId::parse(input).unwrap().to_string(), canonical);
    }

    #[rstest]
    #[case("", "PNC ID is empty")]
    #[case("2001/0012345J", "PNC ID check letter is J, expected H")]
    #[case(
        "2001/0012345",
        "PNC ID '2001/0012345' is not in the form YYYY/NNNNNNNC"
    )]
    #[case(
        "01/0012345H",
        "PNC ID '01/0012345H' has a 2-digit year; a 4-digit year is needed"
    )]
    #[case(
        "010012345H",
        "PNC ID '010012345H' has a 2-digit year; a 4-digit year is needed"
    )]
    #[case(
        "2001123456H",
        "PNC ID without '/' has 10 digits; expected 11 (4-digit year) or 9 (2-digit year)"
    )]
    #[case(
        "2001/00123456H",
        "PNC ID serial number '00123456' has more than 7 digits"
    )]
    #[case(
        "201/0012345H",
        "PNC ID year '201' has 3 digits, expected 4 (or 2 with a known current year)"
    )]
    #[case("1801/0012345H", "PNC ID year 1801 is before 1900")]
    #[case("2001/ABC", "PNC ID '2001/ABC' is not in the form YYYY/NNNNNNNC")]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        assert_eq!(PncId::parse(input).unwrap_err().to_string(), message);
    }

    #[rstest]
    #[case("01/12345H", 2026, "2001/0012345H")]
    #[case("79/123456T", 2026, "1979/0123456T")]
    #[case("790123456T", 2026, "1979/0123456T")]
    #[case("24/1Q", 2026, "2024/0000001Q")]
    #[case("2024/1Q", 2026, "2024/0000001Q")]
    fn two_digit_years(#[case] input: &str, #[case] year: i32, #[case] canonical: &str) {
        let pnc = PncId::parse_with_current_year(input, year).unwrap();
        assert_eq!(pnc.to_string(), canonical);
    }

    #[test]
    fn two_digit_year_after_current_is_last_century() {
        // The check letter uses only YY, so 1924 and 2024 share it.
        let pnc = PncId::parse_with_current_year("24/1Q", 2023).unwrap();
        assert_eq!(pnc.year(), 1924);
    }

    #[test]
    fn four_digit_year_after_current_is_rejected() {
        let err = PncId::parse_with_current_year("2024/1Q", 2023).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PNC ID year 2024 is after the current year 2023"
        );
    }
}
