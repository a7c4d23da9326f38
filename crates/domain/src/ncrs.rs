//! The National Crime Recording Standard's recording clock: a crime must be recorded within
//! a set time (24 hours, from reference data `refdata/ncrs_rules.csv`) of the incident being
//! registered.
//!
//! The limit is elapsed time, not a time of day: across a clock change, 24 hours after
//! 12:00 GMT on the Saturday is 13:00 BST on the Sunday.

use chrono::{DateTime, TimeDelta, Utc};
/// The clock that starts when an incident is registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordingClock {
    /// When the incident was registered.
    pub registered_at: DateTime<Utc>,
    /// The recording limit in force when it was registered
    /// ([`ReferenceData::ncrs_recording_limit`](crate::refdata::ReferenceData::ncrs_recording_limit)).
    pub limit: TimeDelta,
}

/// Where the recording clock stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordingState {
    /// The crime can still be recorded in time (up to and including the deadline).
    WithinTime {
        /// Time left until the deadline.
        remaining: TimeDelta,
    },
    /// The deadline has passed.
    Breached {
        /// How long ago the deadline passed.
        by: TimeDelta,
    },
}

impl RecordingClock {
    /// A clock for an incident registered at `registered_at` with recording limit `limit`.
    #[must_use]
    pub fn new(registered_at: DateTime<Utc>, limit: TimeDelta) -> Self {
        Self {
            registered_at,
            limit,
        }
    }

    /// The last moment at which recording the crime meets the standard. Saturates at the end
    /// of chrono's range.
    #[must_use]
    pub fn deadline(&self) -> DateTime<Utc> {
        self.registered_at
            .checked_add_signed(self.limit)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The state of the clock at `now`: within time up to and including the deadline,
    /// breached after it.
    #[must_use]
    pub fn state(&self, now: DateTime<Utc>) -> RecordingState {
        let deadline = self.deadline();
        if now <= deadline {
            RecordingState::WithinTime {
                remaining: deadline.signed_duration_since(now),
            }
        } else {
            RecordingState::Breached {
                by: now.signed_duration_since(deadline),
            }
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

    fn clock(registered_at: &str) -> RecordingClock {
        ReferenceData::embedded()
            .unwrap()
            .recording_clock(t(registered_at))
            .unwrap()
    }

    #[test]
    fn the_limit_is_24_hours_from_reference_data() {
        let data = ReferenceData::embedded().unwrap();
        let on = "2025-01-01".parse().unwrap();
        assert_eq!(data.ncrs_recording_limit(on), Some(TimeDelta::hours(24)));
        // NCRS applies from 1 April 2002.
        assert_eq!(
            data.ncrs_recording_limit("2002-03-31".parse().unwrap()),
            None
        );
        assert_eq!(
            clock("2025-06-13T10:00:00Z").deadline(),
            t("2025-06-14T10:00:00Z")
        );
    }

    #[rstest]
    #[case("2025-06-13T10:00:00Z", RecordingState::WithinTime { remaining: TimeDelta::hours(24) })]
    #[case("2025-06-14T09:59:59Z", RecordingState::WithinTime { remaining: TimeDelta::seconds(1) })]
    #[case("2025-06-14T10:00:00Z", RecordingState::WithinTime { remaining: TimeDelta::zero() })]
    #[case("2025-06-14T10:00:00.000000001Z", RecordingState::Breached { by: TimeDelta::nanoseconds(1) })]
    #[case("2025-06-15T10:00:00Z", RecordingState::Breached { by: TimeDelta::hours(24) })]
    fn state_at_the_boundary(#[case] now: &str, #[case] state: RecordingState) {
        assert_eq!(clock("2025-06-13T10:00:00Z").state(t(now)), state);
    }

    #[test]
    fn twenty_four_hours_is_elapsed_time_across_the_clock_change() {
        // Registered 12:00 GMT Saturday 28 March 2026; clocks go forward that night.
        let c = clock("2026-03-28T12:00:00Z");
        assert_eq!(c.deadline(), t("2026-03-29T12:00:00Z")); // 13:00 BST
        // Registered 12:00 BST Saturday 24 October 2026; clocks go back that night.
        let c = clock("2026-10-24T11:00:00Z");
        assert_eq!(c.deadline(), t("2026-10-25T11:00:00Z")); // 11:00 GMT
    }

    #[test]
    fn a_huge_limit_saturates() {
        let c = RecordingClock::new(DateTime::<Utc>::MAX_UTC, TimeDelta::hours(24));
        assert_eq!(c.deadline(), DateTime::<Utc>::MAX_UTC);
    }
}
