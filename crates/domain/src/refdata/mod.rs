//! Versioned reference data: the code lists Bluelamp validates against, each entry with
//! effective dates so historical records keep the code that was valid when they were made.
//!
//! The lists live as CSV files in the repository's top-level `refdata/` folder, described by
//! `refdata/manifest.toml`; [`ReferenceData::embedded`] loads the copies built into the
//! binary and [`ReferenceData::from_sources`] loads a set the application has read (e.g. an
//! override directory). Every list is checked on load: dates, overlapping versions, and codes
//! that must fit the matching domain type.

mod code_list;
mod error;
mod holidays;
mod rules;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

pub use code_list::{CodeEntry, CodeList};
pub use error::{RefDataError, RowProblem};

use crate::access_purpose::AccessPurpose;
use crate::calendar::{WorkingCalendar, london_date};
use crate::ncrs::RecordingClock;
use crate::offence::{HoClassCode, HoOffence};
use crate::response::ResponseGrade;
use crate::retention::{RetentionGroup, RetentionRule};
use crate::victims_code::{VictimsCodeDeadline, VictimsCodeError};

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.toml";

/// Embedded copies of the files in the top-level `refdata/` folder.
const EMBEDDED: [(&str, &str); 20] = [
    (
        MANIFEST_FILE,
        include_str!("../../../../refdata/manifest.toml"),
    ),
    (
        "crime_categories.csv",
        include_str!("../../../../refdata/crime_categories.csv"),
    ),
    (
        "outcome_categories.csv",
        include_str!("../../../../refdata/outcome_categories.csv"),
    ),
    (
        "police_forces.csv",
        include_str!("../../../../refdata/police_forces.csv"),
    ),
    (
        "ethnicity_self_defined.csv",
        include_str!("../../../../refdata/ethnicity_self_defined.csv"),
    ),
    (
        "ethnicity_officer_defined.csv",
        include_str!("../../../../refdata/ethnicity_officer_defined.csv"),
    ),
    (
        "classification_markings.csv",
        include_str!("../../../../refdata/classification_markings.csv"),
    ),
    (
        "retention_groups.csv",
        include_str!("../../../../refdata/retention_groups.csv"),
    ),
    (
        "s62_log_kinds.csv",
        include_str!("../../../../refdata/s62_log_kinds.csv"),
    ),
    (
        "lawful_bases.csv",
        include_str!("../../../../refdata/lawful_bases.csv"),
    ),
    (
        "handling_caveats.csv",
        include_str!("../../../../refdata/handling_caveats.csv"),
    ),
    (
        "online_report_types.csv",
        include_str!("../../../../refdata/online_report_types.csv"),
    ),
    (
        "operation_snap_rules.csv",
        include_str!("../../../../refdata/operation_snap_rules.csv"),
    ),
    (
        "victims_code_rights.csv",
        include_str!("../../../../refdata/victims_code_rights.csv"),
    ),
    (
        "bank_holidays_england_wales.csv",
        include_str!("../../../../refdata/bank_holidays_england_wales.csv"),
    ),
    (
        "victims_code_deadlines.csv",
        include_str!("../../../../refdata/victims_code_deadlines.csv"),
    ),
    (
        "response_grades.csv",
        include_str!("../../../../refdata/response_grades.csv"),
    ),
    (
        "ncrs_rules.csv",
        include_str!("../../../../refdata/ncrs_rules.csv"),
    ),
    (
        "access_purposes.csv",
        include_str!("../../../../refdata/access_purposes.csv"),
    ),
    (
        "ho_offence_classifications.csv",
        include_str!("../../../../refdata/ho_offence_classifications.csv"),
    ),
];

/// Where one list came from, as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSource {
    /// File name of the CSV.
    pub file: String,
    /// Where the values come from.
    pub source: String,
    /// Version of the source (commit, document date).
    pub source_version: String,
    /// Licence of the source, if known.
    #[serde(default)]
    pub licence: Option<String>,
    /// How the effective dates were chosen.
    #[serde(default)]
    pub effective_dates: Option<String>,
    /// Anything else to know.
    #[serde(default)]
    pub notes: Option<String>,
}

/// How far a row has been checked against its source: the reference's \[V\], \[P\] and \[U\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    /// Checked against the cited source.
    Verified,
    /// Partly checked (secondary source); re-check before relying on it.
    Partial,
    /// Not checked; configurable, confirm before relying on it.
    Unverified,
}

impl SourceStatus {
    /// The word used in reference files: `verified`, `partial` or `unverified`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Partial => "partial",
            Self::Unverified => "unverified",
        }
    }
}

impl std::str::FromStr for SourceStatus {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "verified" => Ok(Self::Verified),
            "partial" => Ok(Self::Partial),
            "unverified" => Ok(Self::Unverified),
            _ => Err(()),
        }
    }
}

#[derive(Deserialize)]
struct Manifest {
    version: String,
    lists: BTreeMap<String, ListSource>,
}

/// All reference lists, loaded and checked together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceData {
    /// data.police.uk crime categories (slugs).
    pub crime_categories: CodeList,
    /// data.police.uk outcome categories (slugs).
    pub outcome_categories: CodeList,
    /// Police forces of England and Wales plus BTP; attribute `pnc_code`.
    pub forces: CodeList,
    /// Self-defined ethnicity (18+1); attributes `group`, `police_uk_label`.
    pub ethnicity_self_defined: CodeList,
    /// Officer-defined ethnicity (IC codes).
    pub ethnicity_officer_defined: CodeList,
    /// GSCP markings; attributes `classification`, `sensitive`, `rank`.
    pub classification_markings: CodeList,
    /// MoPI retention groups; attributes `basis`, `review_after_years`, `retain_until_age`.
    pub retention_groups: CodeList,
    /// DPA 2018 s.62 log kinds; attributes `s62_paragraph`, `justification_required`,
    /// `recipients_required`.
    pub s62_log_kinds: CodeList,
    /// Lawful bases for processing; attribute `legislation`.
    pub lawful_bases: CodeList,
    /// Caveats and descriptors a marking may carry; attributes `controlled` (only staff
    /// briefed for it may see a record carrying it) and `description`. Read with
    /// [`controlled_caveat`](Self::controlled_caveat).
    pub handling_caveats: CodeList,
    /// What the public can report online; attributes `hint`, `journey` (a report kind),
    /// `crime_category` (a crime category slug) and `retention_group` (MoPI group the report
    /// starts in, until staff classify it).
    pub online_report_types: CodeList,
    /// Operation Snap rules for footage of driving offences; attributes `value` (a whole
    /// number) and `unit`.
    pub operation_snap_rules: CodeList,
    /// The twelve rights of the Victims' Code; attribute `summary`.
    pub victims_code_rights: CodeList,
    /// Victims' Code deadlines by trigger; attributes `trigger`, `working_days_standard`
    /// and `working_days_enhanced` or `calendar_days`, `source`, `status`. Read with
    /// [`victims_code_due`](Self::victims_code_due) or [`VictimsCodeDeadline`].
    pub victims_code_deadlines: CodeList,
    /// Response grades (force policy); attributes `description`, `target_minutes`, `rank`.
    /// Read with [`response_grades`](Self::response_grades).
    pub response_grades: CodeList,
    /// NCRS rules; attributes `value`, `unit`, `source`, `status`. Read with
    /// [`ncrs_recording_limit`](Self::ncrs_recording_limit).
    pub ncrs_rules: CodeList,
    /// Purposes staff choose from when opening personal data; attributes
    /// `needs_reference`, `template`. Read with [`purposes`](Self::purposes).
    pub access_purposes: CodeList,
    /// Home Office offence classifications; label is the offence; attributes `group`,
    /// `notifiable`, `status`. Read with [`ho_offence`](Self::ho_offence).
    pub ho_offence_classifications: CodeList,
    /// Working days in England and Wales: weekends and the bank holidays of
    /// `bank_holidays_england_wales.csv`.
    pub working_calendar: WorkingCalendar,
    /// The manifest's version of the whole set.
    pub version: String,
    /// Source details of each list, by list name.
    pub sources: BTreeMap<String, ListSource>,
}

impl ReferenceData {
    /// The files built into the binary, by file name: a starting point for overrides.
    #[must_use]
    pub fn embedded_files() -> BTreeMap<String, String> {
        EMBEDDED
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect()
    }

    /// Loads the lists built into the binary.
    ///
    /// # Errors
    /// Returns a [`RefDataError`] if an embedded file is invalid (a build defect).
    pub fn embedded() -> Result<Self, RefDataError> {
        Self::from_sources(&Self::embedded_files())
    }

    /// Loads lists from file contents keyed by file name: `manifest.toml` and each CSV it
    /// names.
    ///
    /// # Errors
    /// Returns a [`RefDataError`] naming the file, line and column of the first problem.
    pub fn from_sources(files: &BTreeMap<String, String>) -> Result<Self, RefDataError> {
        let manifest_text = files
            .get(MANIFEST_FILE)
            .ok_or_else(|| RefDataError::MissingFile(MANIFEST_FILE.to_owned()))?;
        let manifest: Manifest = toml::from_str(manifest_text)
            .map_err(|e| RefDataError::Manifest(e.message().trim().to_owned()))?;
        if manifest.version.trim().is_empty() {
            return Err(RefDataError::Manifest("version is empty".to_owned()));
        }
        let load = |name: &str, check: fn(&CodeEntry) -> Result<(), RowProblem>| {
            let source = manifest
                .lists
                .get(name)
                .ok_or_else(|| RefDataError::ManifestMissingList(name.to_owned()))?;
            let text = files
                .get(&source.file)
                .ok_or_else(|| RefDataError::MissingFile(source.file.clone()))?;
            CodeList::parse_with(name, &source.file, text, check)
        };
        Ok(Self {
            crime_categories: load("crime_categories", rules::category_slug)?,
            outcome_categories: load("outcome_categories", rules::category_slug)?,
            forces: load("police_forces", rules::force)?,
            ethnicity_self_defined: load("ethnicity_self_defined", rules::ethnicity)?,
            ethnicity_officer_defined: load("ethnicity_officer_defined", rules::ethnicity)?,
            classification_markings: load("classification_markings", rules::marking)?,
            retention_groups: load("retention_groups", rules::retention_group)?,
            s62_log_kinds: load("s62_log_kinds", rules::s62_log_kind)?,
            lawful_bases: load("lawful_bases", rules::lawful_basis)?,
            handling_caveats: load("handling_caveats", rules::handling_caveat)?,
            online_report_types: load("online_report_types", rules::online_report_type)?,
            operation_snap_rules: load("operation_snap_rules", rules::whole_number_value)?,
            victims_code_rights: load("victims_code_rights", rules::has_summary)?,
            victims_code_deadlines: load("victims_code_deadlines", rules::victims_code_deadline)?,
            response_grades: load("response_grades", rules::response_grade)?,
            ncrs_rules: load("ncrs_rules", rules::ncrs_rule)?,
            access_purposes: load("access_purposes", rules::access_purpose)?,
            ho_offence_classifications: load("ho_offence_classifications", rules::ho_offence)?,
            working_calendar: {
                let name = "bank_holidays_england_wales";
                let source = manifest
                    .lists
                    .get(name)
                    .ok_or_else(|| RefDataError::ManifestMissingList(name.to_owned()))?;
                let text = files
                    .get(&source.file)
                    .ok_or_else(|| RefDataError::MissingFile(source.file.clone()))?;
                holidays::parse(&source.file, text)?
            },
            version: manifest.version.trim().to_owned(),
            sources: manifest.lists,
        })
    }

    /// Every list, in a fixed order.
    #[must_use]
    pub fn lists(&self) -> [&CodeList; 18] {
        [
            &self.crime_categories,
            &self.outcome_categories,
            &self.forces,
            &self.ethnicity_self_defined,
            &self.ethnicity_officer_defined,
            &self.classification_markings,
            &self.retention_groups,
            &self.s62_log_kinds,
            &self.lawful_bases,
            &self.handling_caveats,
            &self.online_report_types,
            &self.operation_snap_rules,
            &self.victims_code_rights,
            &self.victims_code_deadlines,
            &self.response_grades,
            &self.ncrs_rules,
            &self.access_purposes,
            &self.ho_offence_classifications,
        ]
    }

    /// The Victims' Code deadline for the event with trigger `code` (e.g.
    /// `suspect-arrested`) at `occurred_at`, for a victim entitled to enhanced rights or not,
    /// on this set's working calendar.
    ///
    /// # Errors
    /// [`VictimsCodeError::UnknownTrigger`] for a code not in force on the event's London
    /// date; a calendar error if the deadline is outside the years whose bank holidays are
    /// known.
    pub fn victims_code_due(
        &self,
        code: &str,
        occurred_at: DateTime<Utc>,
        enhanced: bool,
    ) -> Result<DateTime<Utc>, VictimsCodeError> {
        VictimsCodeDeadline::due(
            &self.victims_code_deadlines,
            code,
            occurred_at,
            enhanced,
            &self.working_calendar,
        )
    }

    /// The response grades in force on `on`, most urgent first.
    #[must_use]
    pub fn response_grades(&self, on: NaiveDate) -> Vec<ResponseGrade> {
        let mut grades: Vec<ResponseGrade> = self
            .response_grades
            .current(on)
            .filter_map(|entry| ResponseGrade::try_from(entry).ok())
            .collect();
        grades.sort_by_key(|grade| grade.rank);
        grades
    }

    /// The response grade `code` in force on `on`.
    #[must_use]
    pub fn response_grade(&self, code: &str, on: NaiveDate) -> Option<ResponseGrade> {
        self.response_grades
            .get(code, on)
            .and_then(|entry| ResponseGrade::try_from(entry).ok())
    }

    /// The NCRS recording limit in force on `on` (24 hours).
    #[must_use]
    pub fn ncrs_recording_limit(&self, on: NaiveDate) -> Option<TimeDelta> {
        self.ncrs_rules
            .get("recording-limit-hours", on)
            .filter(|entry| entry.attribute("unit") == Some("hours"))
            .and_then(|entry| entry.attribute("value"))
            .and_then(|value| value.parse::<u32>().ok())
            .and_then(|hours| TimeDelta::try_hours(i64::from(hours)))
    }

    /// The NCRS recording clock of an incident registered at `registered_at`, with the
    /// limit in force on its London date.
    #[must_use]
    pub fn recording_clock(&self, registered_at: DateTime<Utc>) -> Option<RecordingClock> {
        self.ncrs_recording_limit(london_date(registered_at))
            .map(|limit| RecordingClock::new(registered_at, limit))
    }

    /// The access purposes in force on `on`, in file order.
    #[must_use]
    pub fn purposes(&self, on: NaiveDate) -> Vec<AccessPurpose> {
        self.access_purposes
            .current(on)
            .filter_map(|entry| AccessPurpose::try_from(entry).ok())
            .collect()
    }

    /// Whether the caveat `code` is in force on `on` and controlled (`Some(true)`), in force
    /// and not controlled (`Some(false)`), or not a caveat of this set on that day (`None`).
    #[must_use]
    pub fn controlled_caveat(&self, code: &str, on: NaiveDate) -> Option<bool> {
        self.handling_caveats
            .get(code, on)
            .map(|entry| entry.attribute("controlled") == Some("true"))
    }

    /// The access purpose `code` in force on `on`.
    #[must_use]
    pub fn access_purpose(&self, code: &str, on: NaiveDate) -> Option<AccessPurpose> {
        self.access_purposes
            .get(code, on)
            .and_then(|entry| AccessPurpose::try_from(entry).ok())
    }

    /// The Home Office offence classification `code` in force on `on`.
    #[must_use]
    pub fn ho_offence(&self, code: &HoClassCode, on: NaiveDate) -> Option<HoOffence> {
        self.ho_offence_classifications
            .get(code.as_str(), on)
            .and_then(|entry| HoOffence::try_from(entry).ok())
    }

    /// An Operation Snap rule's whole-number value in force on `on` (e.g.
    /// `"submission-days"` → 7).
    #[must_use]
    pub fn operation_snap_rule(&self, code: &str, on: NaiveDate) -> Option<u32> {
        self.operation_snap_rules
            .get(code, on)
            .and_then(|entry| entry.attribute("value"))
            .and_then(|value| value.parse().ok())
    }

    /// The plain-English explanation of an outcome category in force on `on`.
    #[must_use]
    pub fn outcome_explanation(&self, code: &str, on: NaiveDate) -> Option<&str> {
        self.outcome_categories
            .get(code, on)
            .and_then(|entry| entry.attribute("explanation"))
    }

    /// The review rule of `group` in force on `on`.
    #[must_use]
    pub fn retention_rule(&self, group: &RetentionGroup, on: NaiveDate) -> Option<RetentionRule> {
        self.retention_groups
            .get(group.as_str(), on)
            .and_then(|entry| RetentionRule::try_from(entry).ok())
    }

    /// The force with PNC code `pnc_code` (e.g. `"33"`) on `on`.
    #[must_use]
    pub fn force_by_pnc_code(&self, pnc_code: &str, on: NaiveDate) -> Option<&CodeEntry> {
        self.forces
            .current(on)
            .find(|entry| entry.attribute("pnc_code") == Some(pnc_code))
    }
}
