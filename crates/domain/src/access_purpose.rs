//! The purposes a member of staff chooses from when opening personal data. The chosen
//! purpose, filled in with its reference, becomes the justification recorded in the s.62
//! consultation log entry (a [`Purpose`]).
//!
//! The list is configurable reference data (`refdata/access_purposes.csv`). A purpose with
//! `needs_reference` has a template holding `{reference}` (e.g. "investigating report
//! {reference}"); a purpose without a template is free text, written by the user.

use serde::{Deserialize, Serialize};

use crate::values::{Purpose, PurposeError};

/// The placeholder a template's reference replaces.
pub const REFERENCE_PLACEHOLDER: &str = "{reference}";

/// One access purpose, as read from reference data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccessPurpose {
    /// The code, e.g. `investigating-report`.
    pub code: String,
    /// What the user sees, e.g. "Investigating a report".
    pub label: String,
    /// True if the user must give a reference (a report, crime, incident or request number).
    pub needs_reference: bool,
    /// The justification recorded, with `{reference}` where the reference goes; `None` for a
    /// free-text purpose.
    pub template: Option<String>,
}

/// Why a justification could not be made from a purpose.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessPurposeError {
    /// The purpose needs a reference and none was given.
    #[error("purpose '{0}' needs a reference")]
    ReferenceRequired(String),
    /// The purpose is free text and none was given.
    #[error("purpose '{0}' needs a description")]
    TextRequired(String),
    /// The purpose is fixed text and something was given.
    #[error("purpose '{0}' takes no reference or description")]
    NothingExpected(String),
    /// A reference holding a brace, which templates reserve.
    #[error("a reference cannot contain '{{' or '}}'")]
    BadReference,
    /// The result is not a valid justification.
    #[error(transparent)]
    Invalid(#[from] PurposeError),
}

impl AccessPurpose {
    /// True if the user writes the purpose themselves.
    #[must_use]
    pub fn is_free_text(&self) -> bool {
        self.template.is_none()
    }

    /// The justification to record. `input` is the reference for a purpose that needs one,
    /// the description for a free-text purpose, and must be absent (or blank) otherwise.
    ///
    /// # Errors
    /// An [`AccessPurposeError`] if `input` is missing or unexpected, or the result is not a
    /// valid [`Purpose`] (too long, control characters).
    pub fn justification(&self, input: Option<&str>) -> Result<Purpose, AccessPurposeError> {
        let input = input.map(str::trim).filter(|s| !s.is_empty());
        match (&self.template, input) {
            (None, Some(text)) => Ok(Purpose::parse(text)?),
            (None, None) => Err(AccessPurposeError::TextRequired(self.code.clone())),
            (Some(template), Some(reference)) if self.needs_reference => {
                if reference.contains(['{', '}']) {
                    return Err(AccessPurposeError::BadReference);
                }
                Ok(Purpose::parse(
                    &template.replace(REFERENCE_PLACEHOLDER, reference),
                )?)
            }
            (Some(_), None) if self.needs_reference => {
                Err(AccessPurposeError::ReferenceRequired(self.code.clone()))
            }
            (Some(template), None) => Ok(Purpose::parse(template)?),
            (Some(_), Some(_)) => Err(AccessPurposeError::NothingExpected(self.code.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::refdata::ReferenceData;
    use chrono::NaiveDate;
    use rstest::rstest;

    fn on() -> NaiveDate {
        "2026-06-01".parse().unwrap()
    }

    #[test]
    fn the_configured_purposes() {
        let data = ReferenceData::embedded().unwrap();
        let codes: Vec<_> = data.purposes(on()).into_iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                "investigating-report",
                "investigating-crime",
                "safeguarding",
                "answering-request",
                "supervision-review",
                "responding-to-incident",
                "intelligence-development",
                "other"
            ]
        );
        assert!(data.access_purpose("other", on()).unwrap().is_free_text());
        assert!(data.purposes("2025-12-31".parse().unwrap()).is_empty());
    }

    #[rstest]
    #[case(
        "investigating-report",
        Some("BL-7K3M-9QXP"),
        Ok("investigating report BL-7K3M-9QXP")
    )]
    #[case(
        "investigating-crime",
        Some("  42/12345/26 "),
        Ok("investigating crime 42/12345/26")
    )]
    #[case(
        "investigating-crime",
        None,
        Err("purpose 'investigating-crime' needs a reference")
    )]
    #[case(
        "investigating-crime",
        Some("  "),
        Err("purpose 'investigating-crime' needs a reference")
    )]
    #[case(
        "investigating-crime",
        Some("{reference}"),
        Err("a reference cannot contain '{' or '}'")
    )]
    #[case("safeguarding", None, Ok("safeguarding a person at risk"))]
    #[case(
        "safeguarding",
        Some("x"),
        Err("purpose 'safeguarding' takes no reference or description")
    )]
    #[case(
        "other",
        Some("checking a duplicate record"),
        Ok("checking a duplicate record")
    )]
    #[case("other", None, Err("purpose 'other' needs a description"))]
    #[case(
        "other",
        Some("ab"),
        Err("purpose is 2 characters long, the minimum is 3")
    )]
    fn justification(
        #[case] code: &str,
        #[case] input: Option<&str>,
        #[case] expected: Result<&str, &str>,
    ) {
        let data = ReferenceData::embedded().unwrap();
        let purpose = data.access_purpose(code, on()).unwrap();
        let got = purpose
            .justification(input)
            .map(|p| p.to_string())
            .map_err(|e| e.to_string());
        assert_eq!(got, expected.map(str::to_owned).map_err(str::to_owned));
    }
}
