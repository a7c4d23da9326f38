//! MoPI review and retention (uk-standards §1.3).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

code_newtype!(
    /// A MoPI retention group code, e.g. `1` to `4`. Its shape is checked here (letters and
    /// digits, at most 8); whether it is in the `retention_groups` reference list is checked by
    /// the application.
    RetentionGroup,
    "retention group",
    upper,
    8
);

/// What starts the review clock for a group.
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
#[serde(rename_all = "snake_case")]
pub enum ReviewBasis {
    /// Reviewed at a fixed interval whatever happens (group 1).
    #[display("periodic")]
    Periodic,
    /// Reviewed after a clear period without police attention (groups 2 and 3).
    #[display("clear_period")]
    ClearPeriod,
    /// Interval set per crime type; the rule holds the default (group 4).
    #[display("per_crime_type")]
    PerCrimeType,
}

/// Why a review basis was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a review basis (periodic, clear_period or per_crime_type)")]
pub struct ReviewBasisError(String);

impl core::str::FromStr for ReviewBasis {
    type Err = ReviewBasisError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "periodic" => Ok(Self::Periodic),
            "clear_period" => Ok(Self::ClearPeriod),
            "per_crime_type" => Ok(Self::PerCrimeType),
            other => Err(ReviewBasisError(other.to_owned())),
        }
    }
}

/// The review rule of one retention group, read from the `retention_groups` reference list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RetentionRule {
    /// The group the rule belongs to.
    pub group: RetentionGroup,
    /// What starts the review clock.
    pub basis: ReviewBasis,
    /// Years from the clear-period start to the next review.
    pub review_after_years: u16,
    /// Age at which the record is due for review whatever the interval (group 1: 100th
    /// birthday), if the group has one.
    pub retain_until_age: Option<u16>,
}

/// Adds whole years; 29 February becomes 28 February in a common year. Saturates at the
/// latest representable date.
fn add_years(date: NaiveDate, years: u16) -> NaiveDate {
    date.checked_add_months(Months::new(u32::from(years).saturating_mul(12)))
        .unwrap_or(NaiveDate::MAX)
}

/// The next review date under `rule`: `review_after_years` after `clear_period_start`, or the
/// birthday at `retain_until_age` if the rule has one, the date of birth is known and that
/// comes first.
#[must_use]
pub fn next_review_date(
    rule: &RetentionRule,
    clear_period_start: NaiveDate,
    date_of_birth: Option<NaiveDate>,
) -> NaiveDate {
    let by_interval = add_years(clear_period_start, rule.review_after_years);
    match (rule.retain_until_age, date_of_birth) {
        (Some(age), Some(dob)) => by_interval.min(add_years(dob, age)),
        _ => by_interval,
    }
}

/// The next review date after a review on `reviewed_on` decided to retain the record:
/// [`next_review_date`] counted from the review, or `review_after_years` after the review when
/// that would not be later than the review (a group 1 subject past the age limit), so a
/// retained record is never due again the day it was reviewed.
#[must_use]
pub fn next_review_after_retain(
    rule: &RetentionRule,
    reviewed_on: NaiveDate,
    date_of_birth: Option<NaiveDate>,
) -> NaiveDate {
    let next = next_review_date(rule, reviewed_on, date_of_birth);
    if next > reviewed_on {
        next
    } else {
        add_years(reviewed_on, rule.review_after_years.max(1))
    }
}

/// A record's retention state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Retention {
    /// The MoPI group.
    pub group: RetentionGroup,
    /// Start of the current clear period (last police attention).
    pub clear_period_start: NaiveDate,
    /// When the record is next due for review.
    pub next_review: NaiveDate,
}

impl Retention {
    /// Retention state for a record whose clear period starts on `clear_period_start`, with
    /// the next review computed by [`next_review_date`].
    #[must_use]
    pub fn from_rule(
        rule: &RetentionRule,
        clear_period_start: NaiveDate,
        date_of_birth: Option<NaiveDate>,
    ) -> Self {
        Self {
            group: rule.group.clone(),
            clear_period_start,
            next_review: next_review_date(rule, clear_period_start, date_of_birth),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rule(group: &str, basis: ReviewBasis, years: u16, age: Option<u16>) -> RetentionRule {
        RetentionRule {
            group: RetentionGroup::parse(group).unwrap(),
            basis,
            review_after_years: years,
            retain_until_age: age,
        }
    }

    #[rstest]
    #[case::group1_interval(
        rule("1", ReviewBasis::Periodic, 10, Some(100)),
        "2020-05-01",
        Some("1970-01-01"),
        "2030-05-01"
    )]
    #[case::group1_hundredth(
        rule("1", ReviewBasis::Periodic, 10, Some(100)),
        "2020-05-01",
        Some("1925-03-04"),
        "2025-03-04"
    )]
    #[case::group1_no_dob(
        rule("1", ReviewBasis::Periodic, 10, Some(100)),
        "2020-05-01",
        None,
        "2030-05-01"
    )]
    #[case::group2(
        rule("2", ReviewBasis::ClearPeriod, 10, None),
        "2020-05-01",
        Some("1925-03-04"),
        "2030-05-01"
    )]
    #[case::group3(
        rule("3", ReviewBasis::ClearPeriod, 6, None),
        "2020-02-29",
        None,
        "2026-02-28"
    )]
    #[case::group4(
        rule("4", ReviewBasis::PerCrimeType, 6, None),
        "2019-01-31",
        None,
        "2025-01-31"
    )]
    fn review_dates(
        #[case] rule: RetentionRule,
        #[case] start: &str,
        #[case] dob: Option<&str>,
        #[case] expected: &str,
    ) {
        assert_eq!(next_review_date(&rule, d(start), dob.map(d)), d(expected));
        let retention = Retention::from_rule(&rule, d(start), dob.map(d));
        assert_eq!(retention.next_review, d(expected));
        assert_eq!(retention.group, rule.group);
    }

    #[test]
    fn retaining_moves_the_review_on_from_the_review_date() {
        let group3 = rule("3", ReviewBasis::ClearPeriod, 6, None);
        assert_eq!(
            next_review_after_retain(&group3, d("2026-11-27"), None),
            d("2032-11-27")
        );
        let group1 = rule("1", ReviewBasis::Periodic, 10, Some(100));
        // The 100th birthday comes first.
        assert_eq!(
            next_review_after_retain(&group1, d("2026-11-27"), Some(d("1930-06-01"))),
            d("2030-06-01")
        );
        // Past the 100th birthday: the interval, never the review day itself.
        assert_eq!(
            next_review_after_retain(&group1, d("2026-11-27"), Some(d("1920-06-01"))),
            d("2036-11-27")
        );
    }

    #[test]
    fn saturates_instead_of_panicking() {
        let r = rule("3", ReviewBasis::ClearPeriod, 6, None);
        assert_eq!(next_review_date(&r, NaiveDate::MAX, None), NaiveDate::MAX);
    }

    #[test]
    fn basis_parses() {
        assert_eq!(
            "clear_period".parse::<ReviewBasis>().unwrap(),
            ReviewBasis::ClearPeriod
        );
        assert_eq!(
            "yearly".parse::<ReviewBasis>().unwrap_err().to_string(),
            "'yearly' is not a review basis (periodic, clear_period or per_crime_type)"
        );
    }
}
