//! Checks of input codes against the versioned reference data (valid on a given date).

use bluelamp_domain::record::RecordBody;
use bluelamp_domain::refdata::{CodeList, ReferenceData};
use bluelamp_domain::retention::{RetentionGroup, RetentionRule};
use chrono::NaiveDate;

use crate::AppError;
use crate::records::NewRecord;

/// Checks that `code` is in `list` on `on`, naming `field` when not.
fn known(list: &CodeList, field: &str, code: &str, on: NaiveDate) -> Result<(), AppError> {
    if list.contains(code, on) {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            "unknown_code",
            format!("'{code}' is not a {} code in force on {on}", list.name()),
        ))
    }
}

/// Every caveat of `marking` must be a handling caveat in force on `on`.
pub(crate) fn caveats(
    refdata: &ReferenceData,
    marking: &bluelamp_domain::marking::Marking,
    on: NaiveDate,
) -> Result<(), AppError> {
    for caveat in marking.caveats() {
        known(
            &refdata.handling_caveats,
            "marking.caveats",
            caveat.as_str(),
            on,
        )?;
    }
    Ok(())
}

/// Every reference-data code in a new record.
pub(crate) fn record_codes(
    refdata: &ReferenceData,
    input: &NewRecord,
    on: NaiveDate,
) -> Result<(), AppError> {
    known(
        &refdata.lawful_bases,
        "lawful_basis",
        input.lawful_basis.as_str(),
        on,
    )?;
    known(
        &refdata.retention_groups,
        "retention_group",
        input.retention_group.as_str(),
        on,
    )?;
    match &input.body {
        RecordBody::Person(person) => {
            if let Some(code) = &person.self_defined_ethnicity {
                known(
                    &refdata.ethnicity_self_defined,
                    "record.self_defined_ethnicity",
                    code.as_str(),
                    on,
                )?;
            }
            if let Some(code) = &person.officer_defined_ethnicity {
                known(
                    &refdata.ethnicity_officer_defined,
                    "record.officer_defined_ethnicity",
                    code.as_str(),
                    on,
                )?;
            }
        }
        RecordBody::Event(event) => {
            if let Some(category) = event.crime_category() {
                known(
                    &refdata.crime_categories,
                    "record.crime_category",
                    category.as_str(),
                    on,
                )?;
            }
        }
        RecordBody::Object(_) | RecordBody::Location(_) => {}
    }
    Ok(())
}

/// The retention rule of a group, from the reference data.
pub(crate) fn retention_rule(
    refdata: &ReferenceData,
    group: &RetentionGroup,
    on: NaiveDate,
) -> Result<RetentionRule, AppError> {
    refdata.retention_rule(group, on).ok_or_else(|| {
        AppError::invalid(
            "retention_group",
            "unknown_code",
            format!(
                "'{}' is not a retention group in force on {on}",
                group.as_str()
            ),
        )
    })
}

/// A force slug in force on `on`.
pub(crate) fn force(refdata: &ReferenceData, slug: &str, on: NaiveDate) -> Result<(), AppError> {
    known(&refdata.forces, "force", slug, on)
}

/// Sign-in names: 3–64 characters of a–z, 0–9, '.', '-', '_'.
pub(crate) fn username(name: &str) -> Result<(), AppError> {
    let length_ok = (3..=64).contains(&name.len());
    let chars_ok = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if length_ok && chars_ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "username",
            "invalid_username",
            "username must be 3 to 64 characters of a-z, 0-9, '.', '-' and '_'",
        ))
    }
}

/// Display names: 1–100 characters, no control characters.
pub(crate) fn display_name(name: &str) -> Result<(), AppError> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 100 || trimmed.chars().any(char::is_control)
    {
        Err(AppError::invalid(
            "display_name",
            "invalid_display_name",
            "display name must be 1 to 100 characters without control characters",
        ))
    } else {
        Ok(())
    }
}
