//! Events: incidents and crime reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::values::FreeText;

code_newtype!(
    /// A crime category slug such as `burglary` (data.police.uk vocabulary, at most 64
    /// characters). Membership of the `crime_categories` list on the event date is checked by
    /// the application.
    CategorySlug,
    "crime category",
    slug,
    64
);

/// What kind of event this is.
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
pub enum EventKind {
    /// An incident reported to or found by police.
    #[display("incident")]
    Incident,
    /// A crime report (NCRS).
    #[display("crime_report")]
    CrimeReport,
}

/// An event record: when it happened, what it was, and its crime category if any.
///
/// The event kind is serialised as `"type"` (`{"type":"crime_report",..}`), like an object's
/// type, because `"kind"` is the record-body tag (`{"kind":"event","type":"incident",..}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawEvent")]
pub struct Event {
    #[serde(rename = "type")]
    kind: EventKind,
    summary: FreeText,
    occurred_from: DateTime<Utc>,
    occurred_to: Option<DateTime<Utc>>,
    crime_category: Option<CategorySlug>,
}

/// The unvalidated wire form of an [`Event`].
#[derive(Deserialize)]
struct RawEvent {
    #[serde(rename = "type")]
    kind: EventKind,
    summary: FreeText,
    occurred_from: DateTime<Utc>,
    #[serde(default)]
    occurred_to: Option<DateTime<Utc>>,
    #[serde(default)]
    crime_category: Option<CategorySlug>,
}

/// Why an event was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The end of the occurrence window is before its start.
    #[error("event ends at {to}, before it starts at {from}")]
    EndsBeforeStart {
        /// Start of the window.
        from: DateTime<Utc>,
        /// End of the window.
        to: DateTime<Utc>,
    },
}

impl Event {
    /// Builds an event.
    ///
    /// # Errors
    /// Returns [`EventError::EndsBeforeStart`] if `occurred_to` is before `occurred_from`.
    pub fn new(
        kind: EventKind,
        summary: FreeText,
        occurred_from: DateTime<Utc>,
        occurred_to: Option<DateTime<Utc>>,
        crime_category: Option<CategorySlug>,
    ) -> Result<Self, EventError> {
        if let Some(to) = occurred_to
            && to < occurred_from
        {
            return Err(EventError::EndsBeforeStart {
                from: occurred_from,
                to,
            });
        }
        Ok(Self {
            kind,
            summary,
            occurred_from,
            occurred_to,
            crime_category,
        })
    }

    /// Incident or crime report.
    #[must_use]
    pub fn kind(&self) -> EventKind {
        self.kind
    }

    /// What happened.
    #[must_use]
    pub fn summary(&self) -> &FreeText {
        &self.summary
    }

    /// Earliest time it may have happened.
    #[must_use]
    pub fn occurred_from(&self) -> DateTime<Utc> {
        self.occurred_from
    }

    /// Latest time it may have happened, if a window.
    #[must_use]
    pub fn occurred_to(&self) -> Option<DateTime<Utc>> {
        self.occurred_to
    }

    /// The crime category, if classified.
    #[must_use]
    pub fn crime_category(&self) -> Option<&CategorySlug> {
        self.crime_category.as_ref()
    }
}

impl TryFrom<RawEvent> for Event {
    type Error = EventError;
    fn try_from(raw: RawEvent) -> Result<Self, Self::Error> {
        Self::new(
            raw.kind,
            raw.summary,
            raw.occurred_from,
            raw.occurred_to,
            raw.crime_category,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn window_must_not_end_before_start() {
        let summary = FreeText::parse("Shed broken into").unwrap();
        let err = Event::new(
            EventKind::CrimeReport,
            summary.clone(),
            t("2025-01-02T10:00:00Z"),
            Some(t("2025-01-01T10:00:00Z")),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "event ends at 2025-01-01 10:00:00 UTC, before it starts at 2025-01-02 10:00:00 UTC"
        );
        let instant = t("2025-01-02T10:00:00Z");
        assert!(Event::new(EventKind::Incident, summary, instant, Some(instant), None).is_ok());
    }

    #[test]
    fn serde_validates_window() {
        let json = r#"{"type":"crime_report","summary":"x y","occurred_from":"2025-01-02T10:00:00Z","occurred_to":"2025-01-01T10:00:00Z"}"#;
        let err = serde_json::from_str::<Event>(json).unwrap_err();
        assert!(err.to_string().contains("before it starts"), "{err}");
    }
}
