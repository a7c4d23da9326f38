//! Per-list row rules applied on load, and reading retention rules from entries.

use super::{CodeEntry, RowProblem, SourceStatus};
use crate::access_purpose::{AccessPurpose, REFERENCE_PLACEHOLDER};
use crate::event::CategorySlug;
use crate::marking::Marking;
use crate::offence::{HoClassCode, HoOffence};
use crate::person::EthnicityCode;
use crate::provenance::LawfulBasis;
use crate::response::ResponseGrade;
use crate::retention::{RetentionGroup, RetentionRule, ReviewBasis};
use crate::values::Purpose;
use crate::victims_code::{DeadlinePeriod, VictimsCodeDeadline};

fn bad(column: &str, value: &str, expected: impl Into<String>) -> RowProblem {
    RowProblem::BadValue {
        column: column.to_owned(),
        value: value.to_owned(),
        expected: expected.into(),
    }
}

fn attribute<'a>(entry: &'a CodeEntry, column: &str) -> Result<&'a str, RowProblem> {
    entry.attribute(column).ok_or_else(|| RowProblem::Empty {
        column: column.to_owned(),
    })
}

fn boolean(entry: &CodeEntry, column: &str) -> Result<(), RowProblem> {
    match attribute(entry, column)? {
        "true" | "false" => Ok(()),
        other => Err(bad(column, other, "true or false")),
    }
}

fn years(column: &str, value: &str) -> Result<u16, RowProblem> {
    value
        .parse::<u16>()
        .ok()
        .filter(|n| (1..=150).contains(n))
        .ok_or_else(|| bad(column, value, "a whole number of years from 1 to 150"))
}

/// Crime and outcome categories: the code must be a valid [`CategorySlug`] as written.
pub(super) fn category_slug(entry: &CodeEntry) -> Result<(), RowProblem> {
    match CategorySlug::parse(&entry.code) {
        Ok(slug) if slug.as_str() == entry.code => Ok(()),
        _ => Err(bad(
            "code",
            &entry.code,
            "a lowercase slug of a-z, 0-9 and '-'",
        )),
    }
}

/// Forces: a slug code and a two-digit `pnc_code`.
pub(super) fn force(entry: &CodeEntry) -> Result<(), RowProblem> {
    category_slug(entry)?;
    let pnc = attribute(entry, "pnc_code")?;
    if pnc.len() == 2 && pnc.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(bad("pnc_code", pnc, "two digits"))
    }
}

/// Ethnicity lists: the code must be a valid [`EthnicityCode`] as written.
pub(super) fn ethnicity(entry: &CodeEntry) -> Result<(), RowProblem> {
    match EthnicityCode::parse(&entry.code) {
        Ok(code) if code.as_str() == entry.code => Ok(()),
        _ => Err(bad(
            "code",
            &entry.code,
            "an uppercase code of up to 4 letters and digits",
        )),
    }
}

/// Markings: the code must parse as a [`Marking`] and display the same.
pub(super) fn marking(entry: &CodeEntry) -> Result<(), RowProblem> {
    match Marking::parse(&entry.code) {
        Ok(m) if m.to_string() == entry.code => {}
        _ => return Err(bad("code", &entry.code, "a GSCP marking in canonical form")),
    }
    boolean(entry, "sensitive")
}

/// Handling caveats: the code must be a caveat token as written, with a `controlled` flag.
pub(super) fn handling_caveat(entry: &CodeEntry) -> Result<(), RowProblem> {
    match crate::marking::Caveat::parse(&entry.code) {
        Ok(caveat) if caveat.as_str() == entry.code => {}
        _ => {
            return Err(bad(
                "code",
                &entry.code,
                "a caveat: uppercase words of letters and digits, at most 32 characters",
            ));
        }
    }
    boolean(entry, "controlled")
}

/// Retention groups: the row must give a complete [`RetentionRule`].
pub(super) fn retention_group(entry: &CodeEntry) -> Result<(), RowProblem> {
    RetentionRule::try_from(entry).map(|_| ())
}

/// s.62 log kinds: a slug code and boolean flags.
pub(super) fn s62_log_kind(entry: &CodeEntry) -> Result<(), RowProblem> {
    category_slug(entry)?;
    boolean(entry, "justification_required")?;
    boolean(entry, "recipients_required")
}

/// Lawful bases: the code must be a valid [`LawfulBasis`] as written.
pub(super) fn lawful_basis(entry: &CodeEntry) -> Result<(), RowProblem> {
    match LawfulBasis::parse(&entry.code) {
        Ok(basis) if basis.as_str() == entry.code => Ok(()),
        _ => Err(bad(
            "code",
            &entry.code,
            "a lowercase slug of a-z, 0-9 and '-'",
        )),
    }
}

impl TryFrom<&CodeEntry> for RetentionRule {
    type Error = RowProblem;

    /// Reads a rule from a `retention_groups` entry: columns `basis`,
    /// `review_after_years` and optional `retain_until_age`.
    fn try_from(entry: &CodeEntry) -> Result<Self, Self::Error> {
        let group = RetentionGroup::parse(&entry.code)
            .map_err(|e| bad("code", &entry.code, format!("a retention group code ({e})")))?;
        let basis_text = attribute(entry, "basis")?;
        let basis: ReviewBasis = basis_text.parse().map_err(|_| {
            bad(
                "basis",
                basis_text,
                "periodic, clear_period or per_crime_type",
            )
        })?;
        let review_after_years = years(
            "review_after_years",
            attribute(entry, "review_after_years")?,
        )?;
        let retain_until_age = entry
            .attribute("retain_until_age")
            .map(|v| years("retain_until_age", v))
            .transpose()?;
        Ok(Self {
            group,
            basis,
            review_after_years,
            retain_until_age,
        })
    }
}

/// Online report types: a slug code, a `journey` naming a report kind, a `crime_category`
/// slug and the `retention_group` a report of the type starts in.
pub(super) fn online_report_type(entry: &CodeEntry) -> Result<(), RowProblem> {
    category_slug(entry)?;
    let journey = attribute(entry, "journey")?;
    if !matches!(
        journey,
        "crime" | "anti_social_behaviour" | "road_traffic" | "information"
    ) {
        return Err(bad(
            "journey",
            journey,
            "crime, anti_social_behaviour, road_traffic or information",
        ));
    }
    let group = attribute(entry, "retention_group")?;
    if RetentionGroup::parse(group).is_err() {
        return Err(bad("retention_group", group, "a MoPI retention group code"));
    }
    let category = attribute(entry, "crime_category")?;
    match CategorySlug::parse(category) {
        Ok(slug) if slug.as_str() == category => Ok(()),
        _ => Err(bad("crime_category", category, "a crime category slug")),
    }
}

/// Lists of numeric rules: `value` is a whole number and `unit` is given.
pub(super) fn whole_number_value(entry: &CodeEntry) -> Result<(), RowProblem> {
    let value = attribute(entry, "value")?;
    if value.parse::<u32>().is_err() {
        return Err(bad("value", value, "a whole number"));
    }
    attribute(entry, "unit").map(|_| ())
}

/// Lists whose entries must carry a `summary`.
pub(super) fn has_summary(entry: &CodeEntry) -> Result<(), RowProblem> {
    attribute(entry, "summary").map(|_| ())
}

fn status(entry: &CodeEntry, allowed: &[SourceStatus]) -> Result<SourceStatus, RowProblem> {
    let text = attribute(entry, "status")?;
    let words: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
    text.parse::<SourceStatus>()
        .ok()
        .filter(|s| allowed.contains(s))
        .ok_or_else(|| bad("status", text, words.join(" or ")))
}

fn optional_number<T: std::str::FromStr>(
    entry: &CodeEntry,
    column: &str,
    expected: &str,
    valid: impl Fn(&T) -> bool,
) -> Result<Option<T>, RowProblem> {
    entry
        .attribute(column)
        .map(|text| {
            text.parse::<T>()
                .ok()
                .filter(|n| valid(n))
                .ok_or_else(|| bad(column, text, expected))
        })
        .transpose()
}

fn flag(entry: &CodeEntry, column: &str) -> Result<bool, RowProblem> {
    boolean(entry, column)?;
    Ok(attribute(entry, column)? == "true")
}

impl TryFrom<&CodeEntry> for VictimsCodeDeadline {
    type Error = RowProblem;

    /// Reads a deadline from a `victims_code_deadlines` entry: `trigger`, either both
    /// `working_days_standard` and `working_days_enhanced` or `calendar_days`, `source` and
    /// `status` (verified or unverified).
    fn try_from(entry: &CodeEntry) -> Result<Self, Self::Error> {
        category_slug(entry)?;
        let days = |column: &str| {
            optional_number::<u16>(entry, column, "a whole number of days from 0 to 366", |n| {
                *n <= 366
            })
        };
        let standard = days("working_days_standard")?;
        let enhanced = days("working_days_enhanced")?;
        let calendar = days("calendar_days")?;
        let period = match (standard, enhanced, calendar) {
            (Some(standard), Some(enhanced), None) if enhanced <= standard => {
                DeadlinePeriod::WorkingDays { standard, enhanced }
            }
            (Some(standard), Some(enhanced), None) => {
                return Err(bad(
                    "working_days_enhanced",
                    &enhanced.to_string(),
                    format!("at most working_days_standard ({standard})"),
                ));
            }
            (None, None, Some(days)) => DeadlinePeriod::CalendarDays(days),
            _ => {
                return Err(bad(
                    "calendar_days",
                    entry.attribute("calendar_days").unwrap_or_default(),
                    "given alone, or empty when both working-day columns are given",
                ));
            }
        };
        Ok(Self {
            code: entry.code.clone(),
            label: entry.label.clone(),
            trigger: attribute(entry, "trigger")?.to_owned(),
            period,
            source: attribute(entry, "source")?.to_owned(),
            status: status(entry, &[SourceStatus::Verified, SourceStatus::Unverified])?,
        })
    }
}

/// Victims' Code deadlines: the row must give a complete [`VictimsCodeDeadline`].
pub(super) fn victims_code_deadline(entry: &CodeEntry) -> Result<(), RowProblem> {
    VictimsCodeDeadline::try_from(entry).map(|_| ())
}

impl TryFrom<&CodeEntry> for ResponseGrade {
    type Error = RowProblem;

    /// Reads a grade from a `response_grades` entry: `description`, optional
    /// `target_minutes` (1 to 10080) and `rank` (1 to 99).
    fn try_from(entry: &CodeEntry) -> Result<Self, Self::Error> {
        category_slug(entry)?;
        let target = optional_number::<u16>(
            entry,
            "target_minutes",
            "a whole number of minutes from 1 to 10080, or empty",
            |n| (1..=10_080).contains(n),
        )?
        .and_then(|minutes| chrono::TimeDelta::try_minutes(i64::from(minutes)));
        let rank = optional_number::<u8>(entry, "rank", "a whole number from 1 to 99", |n| {
            (1..=99).contains(n)
        })?
        .ok_or_else(|| RowProblem::Empty {
            column: "rank".to_owned(),
        })?;
        Ok(Self {
            code: entry.code.clone(),
            label: entry.label.clone(),
            description: attribute(entry, "description")?.to_owned(),
            target,
            rank,
        })
    }
}

/// Response grades: the row must give a complete [`ResponseGrade`].
pub(super) fn response_grade(entry: &CodeEntry) -> Result<(), RowProblem> {
    ResponseGrade::try_from(entry).map(|_| ())
}

/// NCRS rules: a numeric rule with a `status`; the recording limit is in hours.
pub(super) fn ncrs_rule(entry: &CodeEntry) -> Result<(), RowProblem> {
    whole_number_value(entry)?;
    status(
        entry,
        &[
            SourceStatus::Verified,
            SourceStatus::Partial,
            SourceStatus::Unverified,
        ],
    )?;
    let unit = attribute(entry, "unit")?;
    if entry.code == "recording-limit-hours" && unit != "hours" {
        return Err(bad("unit", unit, "hours"));
    }
    Ok(())
}

impl TryFrom<&CodeEntry> for AccessPurpose {
    type Error = RowProblem;

    /// Reads a purpose from an `access_purposes` entry: `needs_reference` (true or false)
    /// and `template`, which holds `{reference}` exactly once if a reference is needed, no
    /// braces otherwise, and may be empty (free text) only if no reference is needed.
    fn try_from(entry: &CodeEntry) -> Result<Self, Self::Error> {
        category_slug(entry)?;
        let needs_reference = flag(entry, "needs_reference")?;
        let template = entry.attribute("template");
        match template {
            Some(t) if needs_reference => {
                let rest = t.replacen(REFERENCE_PLACEHOLDER, "", 1);
                if !t.contains(REFERENCE_PLACEHOLDER) || rest.contains(['{', '}']) {
                    return Err(bad(
                        "template",
                        t,
                        "a text holding {reference} once and no other braces",
                    ));
                }
            }
            Some(t) => {
                if t.contains(['{', '}']) {
                    return Err(bad(
                        "template",
                        t,
                        "a text without braces (needs_reference is false)",
                    ));
                }
                if Purpose::parse(t).is_err() {
                    return Err(bad("template", t, "a valid purpose (3 to 200 characters)"));
                }
            }
            None if needs_reference => {
                return Err(RowProblem::Empty {
                    column: "template".to_owned(),
                });
            }
            None => {}
        }
        Ok(Self {
            code: entry.code.clone(),
            label: entry.label.clone(),
            needs_reference,
            template: template.map(str::to_owned),
        })
    }
}

/// Access purposes: the row must give a complete [`AccessPurpose`].
pub(super) fn access_purpose(entry: &CodeEntry) -> Result<(), RowProblem> {
    AccessPurpose::try_from(entry).map(|_| ())
}

impl TryFrom<&CodeEntry> for HoOffence {
    type Error = RowProblem;

    /// Reads an offence from a `ho_offence_classifications` entry: the code must be a
    /// canonical [`HoClassCode`]; `group`, `notifiable` (true or false) and `status`
    /// (verified, partial or unverified).
    fn try_from(entry: &CodeEntry) -> Result<Self, Self::Error> {
        let code = match HoClassCode::parse(&entry.code) {
            Ok(code) if code.as_str() == entry.code => code,
            _ => {
                return Err(bad(
                    "code",
                    &entry.code,
                    "a Home Office classification in canonical form, such as 4/1 or 8L",
                ));
            }
        };
        Ok(Self {
            code,
            offence: entry.label.clone(),
            group: attribute(entry, "group")?.to_owned(),
            notifiable: flag(entry, "notifiable")?,
            status: status(
                entry,
                &[
                    SourceStatus::Verified,
                    SourceStatus::Partial,
                    SourceStatus::Unverified,
                ],
            )?,
        })
    }
}

/// Home Office offence classifications: the row must give a complete [`HoOffence`].
pub(super) fn ho_offence(entry: &CodeEntry) -> Result<(), RowProblem> {
    HoOffence::try_from(entry).map(|_| ())
}
