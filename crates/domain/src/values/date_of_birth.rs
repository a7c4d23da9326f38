//! Dates of birth.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The earliest accepted date of birth.
const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// A date of birth on or after 1900-01-01, serialised as an ISO date (`1984-02-29`).
///
/// [`DateOfBirth::parse_on`] and [`DateOfBirth::new_on`] also reject dates after the `today`
/// they are given; plain [`DateOfBirth::parse`] (used by `FromStr` and serde) cannot know the
/// date, so it accepts any valid date from 1900 on.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    derive_more::Display,
)]
#[serde(try_from = "String", into = "String")]
#[display("{_0}")]
pub struct DateOfBirth(NaiveDate);

/// Why a date of birth was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateOfBirthError {
    /// Not an ISO calendar date.
    #[error("date of birth '{0}' is not a date in the form YYYY-MM-DD")]
    NotADate(String),
    /// Before 1900-01-01.
    #[error("date of birth {0} is before 1900-01-01")]
    TooEarly(NaiveDate),
    /// After the given today.
    #[error("date of birth {date} is in the future (today is {today})")]
    InFuture {
        /// The date given.
        date: NaiveDate,
        /// The date it was checked against.
        today: NaiveDate,
    },
}

impl DateOfBirth {
    /// Wraps a date on or after 1900-01-01.
    ///
    /// # Errors
    /// Returns [`DateOfBirthError::TooEarly`].
    pub fn new(date: NaiveDate) -> Result<Self, DateOfBirthError> {
        if date < EARLIEST {
            return Err(DateOfBirthError::TooEarly(date));
        }
        Ok(Self(date))
    }

    /// Wraps a date on or after 1900-01-01 and not after `today`.
    ///
    /// # Errors
    /// Returns a [`DateOfBirthError`].
    pub fn new_on(date: NaiveDate, today: NaiveDate) -> Result<Self, DateOfBirthError> {
        let dob = Self::new(date)?;
        if date > today {
            return Err(DateOfBirthError::InFuture { date, today });
        }
        Ok(dob)
    }

    /// Parses an ISO date (`YYYY-MM-DD`) on or after 1900-01-01.
    ///
    /// # Errors
    /// Returns a [`DateOfBirthError`].
    pub fn parse(input: &str) -> Result<Self, DateOfBirthError> {
        Self::new(parse_date(input)?)
    }

    /// Parses an ISO date on or after 1900-01-01 and not after `today`.
    ///
    /// # Errors
    /// Returns a [`DateOfBirthError`].
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<Self, DateOfBirthError> {
        Self::new_on(parse_date(input)?, today)
    }

    /// The date.
    #[must_use]
    pub fn date(&self) -> NaiveDate {
        self.0
    }

    /// Age in whole years on `on`, or `None` if `on` is before the date of birth.
    #[must_use]
    pub fn age_on(&self, on: NaiveDate) -> Option<u32> {
        on.years_since(self.0)
    }

    /// The date the person reaches `age` (29 February births reach it on 28 February in
    /// common years), or `None` if that date cannot be represented.
    #[must_use]
    pub fn birthday(&self, age: u32) -> Option<NaiveDate> {
        let year = self.0.year().checked_add(i32::try_from(age).ok()?)?;
        self.0
            .with_year(year)
            .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
    }
}

fn parse_date(input: &str) -> Result<NaiveDate, DateOfBirthError> {
    let text = input.trim();
    let well_formed = text.len() == 10 && text.chars().filter(|c| *c == '-').count() == 2;
    well_formed
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| DateOfBirthError::NotADate(text.to_owned()))
}

string_conversions!(DateOfBirth, DateOfBirthError);

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[rstest]
    #[case("1984-02-29")]
    #[case("1900-01-01")]
    #[case(" 2026-03-01 ")]
    fn valid(#[case] input: &str) {
        let dob = DateOfBirth::parse_on(input, d("2026-03-01")).unwrap();
        assert_eq!(dob.to_string(), input.trim());
    }

    #[rstest]
    #[case(
        "1984-02-30",
        "date of birth '1984-02-30' is not a date in the form YYYY-MM-DD"
    )]
    #[case(
        "29/02/1984",
        "date of birth '29/02/1984' is not a date in the form YYYY-MM-DD"
    )]
    #[case(
        "1984-2-9",
        "date of birth '1984-2-9' is not a date in the form YYYY-MM-DD"
    )]
    #[case("1899-12-31", "date of birth 1899-12-31 is before 1900-01-01")]
    #[case(
        "2026-03-02",
        "date of birth 2026-03-02 is in the future (today is 2026-03-01)"
    )]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        let err = DateOfBirth::parse_on(input, d("2026-03-01")).unwrap_err();
        assert_eq!(err.to_string(), message);
    }

    #[test]
    fn plain_parse_accepts_future_dates() {
        assert!(DateOfBirth::parse("2099-01-01").is_ok());
    }

    #[rstest]
    #[case("1984-02-29", "2024-02-28", Some(39))]
    #[case("1984-02-29", "2024-02-29", Some(40))]
    #[case("1984-02-29", "1983-01-01", None)]
    fn ages(#[case] dob: &str, #[case] on: &str, #[case] age: Option<u32>) {
        assert_eq!(DateOfBirth::parse(dob).unwrap().age_on(d(on)), age);
    }

    #[test]
    fn leap_day_birthday_in_common_year() {
        let dob = DateOfBirth::parse("1984-02-29").unwrap();
        assert_eq!(dob.birthday(100), Some(d("2084-02-29")));
        assert_eq!(dob.birthday(101), Some(d("2085-02-28")));
    }
}
