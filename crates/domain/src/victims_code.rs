//! Victims' Code deadlines: when the police must tell a victim about a decision or event in
//! their case (Right 6), and how often they must update them.
//!
//! The periods come from reference data (`refdata/victims_code_deadlines.csv`): most are
//! working days on the England and Wales calendar (5, or 1 for a victim entitled to enhanced
//! rights: under 18, vulnerable, intimidated, persistently targeted, or a victim of the most
//! serious crime); the regular update is in calendar days.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, WorkingCalendar, end_of_london_day, london_date};
use crate::refdata::{CodeList, RowProblem, SourceStatus};

/// How a deadline's period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlinePeriod {
    /// Working days after the day of the event, with a shorter period for victims entitled
    /// to enhanced rights.
    WorkingDays {
        /// Working days for every victim.
        standard: u16,
        /// Working days for a victim entitled to enhanced rights.
        enhanced: u16,
    },
    /// Calendar days after the day of the event, the same for every victim.
    CalendarDays(u16),
}

/// One Victims' Code deadline, as read from reference data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VictimsCodeDeadline {
    /// The trigger code, e.g. `suspect-arrested`.
    pub code: String,
    /// What must be done, e.g. "Tell the victim a suspect has been arrested".
    pub label: String,
    /// The event that starts the clock.
    pub trigger: String,
    /// The period.
    pub period: DeadlinePeriod,
    /// Where the period comes from.
    pub source: String,
    /// Whether the period has been checked against its source.
    pub status: SourceStatus,
}

/// Why a deadline could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VictimsCodeError {
    /// No deadline with this trigger code is in force on the day of the event.
    #[error("no Victims' Code deadline '{code}' is in force on {on}")]
    UnknownTrigger {
        /// The code asked for.
        code: String,
        /// The day of the event (London time).
        on: NaiveDate,
    },
    /// The reference entry is malformed (only possible for entries not checked on load).
    #[error("Victims' Code deadline '{code}': {problem}")]
    BadEntry {
        /// The code.
        code: String,
        /// What is wrong.
        problem: RowProblem,
    },
    /// The working-day calendar cannot answer.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl VictimsCodeDeadline {
    /// The deadline with trigger `code` in force on `on`, from the `victims_code_deadlines`
    /// list.
    ///
    /// # Errors
    /// [`VictimsCodeError::UnknownTrigger`] if there is none.
    pub fn find(list: &CodeList, code: &str, on: NaiveDate) -> Result<Self, VictimsCodeError> {
        let entry = list
            .get(code, on)
            .ok_or_else(|| VictimsCodeError::UnknownTrigger {
                code: code.to_owned(),
                on,
            })?;
        Self::try_from(entry).map_err(|problem| VictimsCodeError::BadEntry {
            code: code.to_owned(),
            problem,
        })
    }

    /// The deadline for the event with trigger `code` that happened at `occurred_at`: the
    /// version of the rule in force on the event's London date is used.
    ///
    /// # Errors
    /// [`VictimsCodeError::UnknownTrigger`] for an unknown code; a calendar error if the
    /// deadline falls outside the years whose bank holidays are known.
    pub fn due(
        list: &CodeList,
        code: &str,
        occurred_at: DateTime<Utc>,
        enhanced: bool,
        calendar: &WorkingCalendar,
    ) -> Result<DateTime<Utc>, VictimsCodeError> {
        Self::find(list, code, london_date(occurred_at))?.due_after(occurred_at, enhanced, calendar)
    }

    /// This deadline for an event at `occurred_at`: the end (London time) of the last day of
    /// the period after the event's day.
    ///
    /// # Errors
    /// A calendar error if the deadline falls outside the years whose bank holidays are known.
    pub fn due_after(
        &self,
        occurred_at: DateTime<Utc>,
        enhanced: bool,
        calendar: &WorkingCalendar,
    ) -> Result<DateTime<Utc>, VictimsCodeError> {
        match self.period {
            DeadlinePeriod::WorkingDays {
                standard,
                enhanced: shorter,
            } => {
                let days = if enhanced { shorter } else { standard };
                Ok(calendar.add_working_days(occurred_at, u32::from(days))?)
            }
            DeadlinePeriod::CalendarDays(days) => {
                let day = london_date(occurred_at);
                let last = day
                    .checked_add_days(chrono::Days::new(u64::from(days)))
                    .ok_or(CalendarError::OutOfRange(day))?;
                Ok(end_of_london_day(last)?)
            }
        }
    }
}

/// Where a deadline stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Not yet due, and not due today (London time).
    Due,
    /// Due before the end of today (London time).
    DueToday,
    /// Passed.
    Overdue,
}

impl DeadlineState {
    /// The state of `deadline` at `now`. A deadline is met up to and including its instant.
    #[must_use]
    pub fn at(deadline: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if now > deadline {
            Self::Overdue
        } else if london_date(now) == london_date(deadline) {
            Self::DueToday
        } else {
            Self::Due
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refdata::ReferenceData;
    use rstest::rstest;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const RIGHT_6: [&str; 7] = [
        "suspect-arrested",
        "suspect-interviewed-under-caution",
        "suspect-released-without-charge",
        "suspect-released-on-bail",
        "suspect-released-under-investigation",
        "bail-conditions-changed",
        "decision-not-to-investigate",
    ];

    #[test]
    fn every_right_6_trigger_is_five_working_days_or_one_if_enhanced() {
        let data = ReferenceData::embedded().unwrap();
        let on = "2025-06-13".parse().unwrap();
        for code in RIGHT_6 {
            let deadline =
                VictimsCodeDeadline::find(&data.victims_code_deadlines, code, on).unwrap();
            assert_eq!(
                deadline.period,
                DeadlinePeriod::WorkingDays {
                    standard: 5,
                    enhanced: 1
                },
                "{code}"
            );
            assert_eq!(deadline.status, SourceStatus::Verified, "{code}");
        }
        let monthly =
            VictimsCodeDeadline::find(&data.victims_code_deadlines, "update-monthly", on).unwrap();
        assert_eq!(monthly.period, DeadlinePeriod::CalendarDays(28));
        assert_eq!(monthly.status, SourceStatus::Unverified);
        assert_eq!(data.victims_code_deadlines.current(on).count(), 8);
    }

    #[rstest]
    // Arrest on a Friday: Monday for an enhanced victim, the next Friday otherwise.
    #[case(
        "suspect-arrested",
        "2025-06-13T16:00:00Z",
        true,
        "2025-06-16T22:59:59.999999999Z"
    )]
    #[case(
        "suspect-arrested",
        "2025-06-13T16:00:00Z",
        false,
        "2025-06-20T22:59:59.999999999Z"
    )]
    // Released on bail the Friday before the Easter Monday: Tuesday.
    #[case(
        "suspect-released-on-bail",
        "2025-04-18T09:00:00Z",
        true,
        "2025-04-22T22:59:59.999999999Z"
    )]
    // Interview on the Friday before the coronation bank holiday.
    #[case(
        "suspect-interviewed-under-caution",
        "2023-05-05T15:00:00Z",
        true,
        "2023-05-09T22:59:59.999999999Z"
    )]
    #[case(
        "decision-not-to-investigate",
        "2023-05-05T15:00:00Z",
        false,
        "2023-05-15T22:59:59.999999999Z"
    )]
    // Monthly update: 28 calendar days, whatever the weekday, across the clock change.
    #[case(
        "update-monthly",
        "2026-10-01T10:00:00Z",
        false,
        "2026-10-29T23:59:59.999999999Z"
    )]
    #[case(
        "update-monthly",
        "2026-10-01T10:00:00Z",
        true,
        "2026-10-29T23:59:59.999999999Z"
    )]
    fn due_by(#[case] code: &str, #[case] at: &str, #[case] enhanced: bool, #[case] due: &str) {
        let data = ReferenceData::embedded().unwrap();
        assert_eq!(
            data.victims_code_due(code, t(at), enhanced).unwrap(),
            t(due)
        );
        assert_eq!(
            VictimsCodeDeadline::due(
                &data.victims_code_deadlines,
                code,
                t(at),
                enhanced,
                &data.working_calendar
            )
            .unwrap(),
            t(due)
        );
    }

    #[test]
    fn unknown_or_not_yet_in_force_triggers_are_errors() {
        let data = ReferenceData::embedded().unwrap();
        let err = data
            .victims_code_due("suspect-charmed", t("2025-06-13T16:00:00Z"), false)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no Victims' Code deadline 'suspect-charmed' is in force on 2025-06-13"
        );
        // The 2020 code came into force on 1 April 2021.
        assert!(matches!(
            data.victims_code_due("suspect-arrested", t("2021-03-31T12:00:00Z"), false),
            Err(VictimsCodeError::UnknownTrigger { .. })
        ));
        assert!(matches!(
            data.victims_code_due("suspect-arrested", t("2030-12-30T12:00:00Z"), false),
            Err(VictimsCodeError::Calendar(CalendarError::NotCovered { .. }))
        ));
    }

    #[rstest]
    #[case("2025-06-16T10:00:00Z", DeadlineState::Due)]
    #[case("2025-06-16T22:59:59Z", DeadlineState::Due)]
    #[case("2025-06-16T23:00:00Z", DeadlineState::DueToday)]
    #[case("2025-06-17T22:59:59.999999999Z", DeadlineState::DueToday)]
    #[case("2025-06-17T23:00:00Z", DeadlineState::Overdue)]
    fn deadline_state(#[case] now: &str, #[case] state: DeadlineState) {
        // Due by the end of Tuesday 17 June 2025 (BST).
        let deadline = t("2025-06-17T22:59:59.999999999Z");
        assert_eq!(DeadlineState::at(deadline, t(now)), state);
    }
}
