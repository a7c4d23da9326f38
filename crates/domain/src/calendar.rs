//! Working days in England and Wales: Monday to Friday except bank holidays, counted on the
//! calendar of Europe/London.
//!
//! A deadline of "n working days" after an event is the **end of the n-th working day after
//! the day of the event**, where the day of the event is its date in London time (so an arrest
//! at 00:30 BST on Saturday happened on Saturday, although it was still Friday in UTC). The
//! end of a day is its last instant, 23:59:59.999999999 London time, returned in UTC.
//!
//! Bank holidays come from reference data (`refdata/bank_holidays_england_wales.csv`). A
//! calendar knows them only for the years it covers: counting working days into a year it
//! does not cover is an error, never a silent guess.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

/// Whether a bank holiday has been announced by the government or is projected from the
/// usual rules (and may still move, as in 2020, 2022 and 2023).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayStatus {
    /// Published on gov.uk.
    Announced,
    /// Computed from the usual rules; not yet published.
    Projected,
}

impl FromStr for HolidayStatus {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "announced" => Ok(Self::Announced),
            "projected" => Ok(Self::Projected),
            _ => Err(()),
        }
    }
}

/// One bank holiday: a day off in England and Wales (substitute days included).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BankHoliday {
    /// The day off.
    pub date: NaiveDate,
    /// Its name, e.g. `Christmas Day (substitute day)`.
    pub name: String,
    /// Announced or projected.
    pub status: HolidayStatus,
}

/// Why a working-day calculation could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calculation needs a day outside the years whose bank holidays are known.
    #[error("bank holidays are not known for {date}: the calendar covers {first} to {last}")]
    NotCovered {
        /// The day needed.
        date: NaiveDate,
        /// First day covered.
        first: NaiveDate,
        /// Last day covered.
        last: NaiveDate,
    },
    /// The end of a day could not be expressed (outside chrono's range).
    #[error("the end of {0} cannot be expressed as an instant")]
    OutOfRange(NaiveDate),
}

/// The London date of an instant.
#[must_use]
pub fn london_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&London).date_naive()
}

/// The last instant of `date` in London (23:59:59.999999999 local time), in UTC.
///
/// # Errors
/// [`CalendarError::OutOfRange`] at the very end of chrono's range of dates.
pub fn end_of_london_day(date: NaiveDate) -> Result<DateTime<Utc>, CalendarError> {
    date.succ_opt()
        .and_then(|next| {
            London
                .from_local_datetime(&next.and_time(NaiveTime::MIN))
                .earliest()
        })
        .map(|start| start.with_timezone(&Utc))
        .and_then(|start| start.checked_sub_signed(TimeDelta::nanoseconds(1)))
        .ok_or(CalendarError::OutOfRange(date))
}

/// Weekends and the bank holidays of the years covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkingCalendar {
    holidays: BTreeMap<NaiveDate, BankHoliday>,
    first: NaiveDate,
    last: NaiveDate,
}

impl WorkingCalendar {
    /// A calendar covering every year from the earliest to the latest holiday given, whole
    /// years (1 January to 31 December). `None` if no holidays are given. A later holiday
    /// with the same date as an earlier one replaces it.
    #[must_use]
    pub fn new(holidays: impl IntoIterator<Item = BankHoliday>) -> Option<Self> {
        let holidays: BTreeMap<NaiveDate, BankHoliday> =
            holidays.into_iter().map(|h| (h.date, h)).collect();
        let first = NaiveDate::from_ymd_opt(holidays.keys().next()?.year(), 1, 1)?;
        let last = NaiveDate::from_ymd_opt(holidays.keys().next_back()?.year(), 12, 31)?;
        Some(Self {
            holidays,
            first,
            last,
        })
    }

    /// First day whose bank holidays are known.
    #[must_use]
    pub fn first_day(&self) -> NaiveDate {
        self.first
    }

    /// Last day whose bank holidays are known.
    #[must_use]
    pub fn last_day(&self) -> NaiveDate {
        self.last
    }

    /// True if the bank holidays of `date`'s year are known.
    #[must_use]
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// Every bank holiday, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = &BankHoliday> {
        self.holidays.values()
    }

    /// The bank holiday on `date`, if it is one.
    #[must_use]
    pub fn holiday(&self, date: NaiveDate) -> Option<&BankHoliday> {
        self.holidays.get(&date)
    }

    /// True if `date` is Monday to Friday and not a known bank holiday. Outside the years
    /// covered only weekends are known: check [`covers`](Self::covers) first.
    #[must_use]
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains_key(&date)
    }

    fn covered(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        if self.covers(date) {
            Ok(date)
        } else {
            Err(CalendarError::NotCovered {
                date,
                first: self.first,
                last: self.last,
            })
        }
    }

    fn next_day(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        date.succ_opt()
            .ok_or(CalendarError::OutOfRange(date))
            .and_then(|next| self.covered(next))
    }

    /// The n-th working day after `day` (`day` itself excluded). For `n == 0`, `day` if it
    /// is a working day, else the next working day.
    ///
    /// # Errors
    /// [`CalendarError::NotCovered`] if a day counted is outside the years covered.
    pub fn nth_working_day_after(
        &self,
        day: NaiveDate,
        n: u32,
    ) -> Result<NaiveDate, CalendarError> {
        let mut day = self.covered(day)?;
        if n == 0 {
            while !self.is_working_day(day) {
                day = self.next_day(day)?;
            }
            return Ok(day);
        }
        let mut left = n;
        while left > 0 {
            day = self.next_day(day)?;
            if self.is_working_day(day) {
                left = left.saturating_sub(1);
            }
        }
        Ok(day)
    }

    /// The deadline `n` working days after `start`: the end (last instant, London time) of
    /// the n-th working day after the London day of `start`. With `n == 0`, the end of that
    /// day if it is a working day, else of the next working day.
    ///
    /// # Errors
    /// [`CalendarError::NotCovered`] if a day counted is outside the years covered.
    pub fn add_working_days(
        &self,
        start: DateTime<Utc>,
        n: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let day = self.nth_working_day_after(london_date(start), n)?;
        end_of_london_day(day)
    }

    /// The number of working days `d` with `from < d <= to` (negative, counted the same way
    /// from `to`, if `to` is before `from`). `working_days_between(d, nth_working_day_after(d,
    /// n)) == n` for every `n >= 1`.
    ///
    /// # Errors
    /// [`CalendarError::NotCovered`] if either date is outside the years covered.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, CalendarError> {
        let (from, to) = (self.covered(from)?, self.covered(to)?);
        let (low, high, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let count = low
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= high)
            .filter(|d| self.is_working_day(*d))
            .count();
        Ok(i64::try_from(count)
            .unwrap_or(i64::MAX)
            .saturating_mul(sign))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refdata::ReferenceData;
    use proptest::prelude::*;
    use rstest::rstest;

    fn calendar() -> WorkingCalendar {
        ReferenceData::embedded().unwrap().working_calendar
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    fn easter(year: i32) -> NaiveDate {
        let a = year % 19;
        let b = year / 100;
        let c = year % 100;
        let d = b / 4;
        let e = b % 4;
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - d - g + 15) % 30;
        let i = c / 4;
        let k = c % 4;
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        NaiveDate::from_ymd_opt(year, month.try_into().unwrap(), day.try_into().unwrap()).unwrap()
    }

    #[test]
    fn easter_algorithm_matches_known_dates() {
        assert_eq!(easter(2024), d("2024-03-31"));
        assert_eq!(easter(2025), d("2025-04-20"));
        assert_eq!(easter(2019), d("2019-04-21"));
        assert_eq!(easter(2038), d("2038-04-25"));
    }

    #[test]
    fn every_year_has_easter_and_at_least_eight_holidays() {
        let cal = calendar();
        assert_eq!(cal.first_day(), d("2020-01-01"));
        assert_eq!(cal.last_day(), d("2030-12-31"));
        for year in 2020..=2030 {
            let sunday = easter(year);
            let friday = sunday - TimeDelta::days(2);
            let monday = sunday + TimeDelta::days(1);
            assert_eq!(
                cal.holiday(friday).map(|h| h.name.as_str()),
                Some("Good Friday"),
                "{year}"
            );
            assert_eq!(
                cal.holiday(monday).map(|h| h.name.as_str()),
                Some("Easter Monday"),
                "{year}"
            );
            let count = cal.holidays().filter(|h| h.date.year() == year).count();
            assert!(count >= 8, "{year} has {count} bank holidays");
            // Christmas and Boxing Day, or their substitutes, are two days off in the last
            // week of the year; so is New Year's Day or its substitute in the first.
            let christmas = cal
                .holidays()
                .filter(|h| h.date.year() == year && h.date.month() == 12)
                .count();
            assert_eq!(christmas, 2, "{year}");
            assert!(
                cal.holidays()
                    .any(|h| h.date.year() == year && h.name.starts_with("New Year's Day")),
                "{year}"
            );
        }
    }

    #[test]
    fn special_days_and_statuses() {
        let cal = calendar();
        for (date, name) in [
            ("2020-05-08", "Early May bank holiday (VE day)"),
            ("2022-06-02", "Spring bank holiday"),
            ("2022-06-03", "Platinum Jubilee bank holiday"),
            (
                "2022-09-19",
                "Bank Holiday for the State Funeral of Queen Elizabeth II",
            ),
            (
                "2023-05-08",
                "Bank holiday for the coronation of King Charles III",
            ),
            ("2022-12-27", "Christmas Day (substitute day)"),
            ("2021-12-28", "Boxing Day (substitute day)"),
            ("2022-01-03", "New Year's Day (substitute day)"),
        ] {
            assert_eq!(cal.holiday(d(date)).map(|h| h.name.as_str()), Some(name));
        }
        // No early May holiday on the usual Monday in 2020, nor a spring one in late May 2022.
        assert!(cal.holiday(d("2020-05-04")).is_none());
        assert!(cal.holiday(d("2022-05-30")).is_none());
        assert_eq!(
            cal.holiday(d("2026-12-28")).map(|h| h.status),
            Some(HolidayStatus::Announced)
        );
        assert_eq!(
            cal.holiday(d("2030-12-26")).map(|h| h.status),
            Some(HolidayStatus::Projected)
        );
    }

    #[rstest]
    #[case::friday_plus_one_is_monday("2025-06-13T10:00:00Z", 1, "2025-06-16T22:59:59.999999999Z")]
    #[case::friday_plus_five("2025-06-13T10:00:00Z", 5, "2025-06-20T22:59:59.999999999Z")]
    #[case::saturday_plus_one_is_monday(
        "2025-06-14T10:00:00Z",
        1,
        "2025-06-16T22:59:59.999999999Z"
    )]
    #[case::zero_on_a_working_day("2025-06-13T10:00:00Z", 0, "2025-06-13T22:59:59.999999999Z")]
    #[case::zero_on_a_saturday("2025-06-14T10:00:00Z", 0, "2025-06-16T22:59:59.999999999Z")]
    #[case::thursday_before_easter("2025-04-17T12:00:00Z", 1, "2025-04-22T22:59:59.999999999Z")]
    #[case::good_friday_itself("2025-04-18T12:00:00Z", 1, "2025-04-22T22:59:59.999999999Z")]
    #[case::friday_before_coronation("2023-05-05T12:00:00Z", 1, "2023-05-09T22:59:59.999999999Z")]
    #[case::coronation_week_five_days("2023-05-05T12:00:00Z", 5, "2023-05-15T22:59:59.999999999Z")]
    #[case::christmas_eve_2021("2021-12-24T12:00:00Z", 1, "2021-12-29T23:59:59.999999999Z")]
    #[case::jubilee_2022("2022-06-01T12:00:00Z", 1, "2022-06-06T22:59:59.999999999Z")]
    #[case::funeral_2022("2022-09-16T12:00:00Z", 1, "2022-09-20T22:59:59.999999999Z")]
    // Clocks go forward on Sunday 29 March 2026: Friday in GMT, Monday's end in BST.
    #[case::spring_forward("2026-03-27T12:00:00Z", 1, "2026-03-30T22:59:59.999999999Z")]
    // Clocks go back on Sunday 25 October 2026. 22:30 UTC Thursday is 23:30 BST Thursday...
    #[case::thursday_late_bst("2026-10-22T22:30:00Z", 1, "2026-10-23T22:59:59.999999999Z")]
    // ...but 23:30 UTC Thursday is already 00:30 BST Friday, so one working day is Monday
    // (in GMT again).
    #[case::friday_early_bst("2026-10-22T23:30:00Z", 1, "2026-10-26T23:59:59.999999999Z")]
    // In winter UTC and London agree: 23:30 UTC Thursday is still Thursday.
    #[case::thursday_late_gmt("2026-01-08T23:30:00Z", 1, "2026-01-09T23:59:59.999999999Z")]
    fn add_working_days_boundaries(#[case] start: &str, #[case] n: u32, #[case] due: &str) {
        assert_eq!(calendar().add_working_days(t(start), n).unwrap(), t(due));
    }

    #[test]
    fn outside_the_years_covered_is_an_error() {
        let cal = calendar();
        let err = cal
            .add_working_days(t("2030-12-24T12:00:00Z"), 5)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "bank holidays are not known for 2031-01-01: the calendar covers 2020-01-01 to 2030-12-31"
        );
        assert!(cal.add_working_days(t("2019-12-31T12:00:00Z"), 1).is_err());
        assert!(cal.add_working_days(t("2030-12-20T12:00:00Z"), 1).is_ok());
        assert!(
            cal.add_working_days(t("2025-01-01T00:00:00Z"), u32::MAX)
                .is_err()
        );
        assert!(
            cal.working_days_between(d("2030-12-31"), d("2031-01-02"))
                .is_err()
        );
    }

    #[rstest]
    #[case("2025-06-13", "2025-06-16", 1)]
    #[case("2025-06-13", "2025-06-13", 0)]
    #[case("2025-06-16", "2025-06-13", -1)]
    #[case("2025-04-17", "2025-04-22", 1)]
    #[case("2025-12-24", "2026-01-02", 4)]
    #[case("2025-01-01", "2025-12-31", 253)]
    fn working_days_between(#[case] from: &str, #[case] to: &str, #[case] n: i64) {
        assert_eq!(calendar().working_days_between(d(from), d(to)).unwrap(), n);
    }

    #[test]
    fn weekends_and_holidays_are_not_working_days() {
        let cal = calendar();
        assert!(cal.is_working_day(d("2025-06-13")));
        assert!(!cal.is_working_day(d("2025-06-14")));
        assert!(!cal.is_working_day(d("2025-06-15")));
        assert!(!cal.is_working_day(d("2025-12-25")));
        assert!(!cal.is_working_day(d("2023-05-08")));
        assert!(cal.is_working_day(d("2023-05-09")));
    }

    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        // 2020-01-01T00:00:00Z to 2030-06-30T00:00:00Z.
        (1_577_836_800_i64..1_908_921_600).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
    }

    proptest! {
        #[test]
        fn deadline_is_the_end_of_a_working_day(start in instant(), n in 0_u32..60) {
            let cal = calendar();
            let due = cal.add_working_days(start, n).unwrap();
            let local = due.with_timezone(&London);
            prop_assert!(cal.is_working_day(local.date_naive()));
            prop_assert_eq!(local.time(), NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).unwrap());
            prop_assert!(due > start);
            prop_assert_eq!(due, end_of_london_day(london_date(due)).unwrap());
        }

        #[test]
        fn deadlines_grow_with_n(start in instant(), n in 0_u32..60) {
            let cal = calendar();
            let earlier = cal.add_working_days(start, n).unwrap();
            let later = cal.add_working_days(start, n + 1).unwrap();
            prop_assert!(earlier <= later);
            if n >= 1 {
                prop_assert!(earlier < later);
            }
        }

        #[test]
        fn between_counts_what_add_added(start in instant(), n in 1_u32..60) {
            let cal = calendar();
            let day = london_date(start);
            let due = london_date(cal.add_working_days(start, n).unwrap());
            prop_assert_eq!(cal.working_days_between(day, due).unwrap(), i64::from(n));
            prop_assert_eq!(cal.working_days_between(due, day).unwrap(), -i64::from(n));
        }
    }
}
