//! Versioned code lists read from CSV.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::{RefDataError, RowProblem};

/// Columns every list has; all others become attributes.
const CODE: &str = "code";
const LABEL: &str = "label";
const FROM: &str = "effective_from";
const TO: &str = "effective_to";

/// One version of one code: valid from `effective_from` (inclusive) until `effective_to`
/// (exclusive), or indefinitely.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CodeEntry {
    /// The code, e.g. `burglary` or `W1`.
    pub code: String,
    /// Its display label.
    pub label: String,
    /// First day the version applies.
    pub effective_from: NaiveDate,
    /// First day it no longer applies, if withdrawn or replaced.
    pub effective_to: Option<NaiveDate>,
    /// Other non-empty columns, by column name.
    pub attributes: BTreeMap<String, String>,
}

impl CodeEntry {
    /// True if this version applies on `on`.
    #[must_use]
    pub fn is_effective_on(&self, on: NaiveDate) -> bool {
        self.effective_from <= on && self.effective_to.is_none_or(|end| on < end)
    }

    /// An attribute value by column name.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }
}

/// A named list of versioned codes. No two versions of a code overlap in time, so at most one
/// version applies on any date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeList {
    name: String,
    entries: Vec<CodeEntry>,
}

pub(super) fn csv_error(file: &str, error: &csv::Error) -> RefDataError {
    let (line, message) = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => (
            pos.as_ref().map_or(0, csv::Position::line),
            format!("row has {len} fields, the header has {expected_len}"),
        ),
        _ => (
            error.position().map_or(0, csv::Position::line),
            error.to_string(),
        ),
    };
    RefDataError::Csv {
        file: file.to_owned(),
        line,
        message,
    }
}

pub(super) fn parse_date(column: &str, value: &str) -> Result<NaiveDate, RowProblem> {
    if value.is_empty() {
        return Err(RowProblem::Empty {
            column: column.to_owned(),
        });
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| RowProblem::NotADate {
        column: column.to_owned(),
        value: value.to_owned(),
    })
}

impl CodeList {
    /// Parses a list from CSV text. `file` is used in error messages.
    ///
    /// # Errors
    /// Returns a [`RefDataError`] naming the file, line and column.
    pub fn parse(name: &str, file: &str, text: &str) -> Result<Self, RefDataError> {
        Self::parse_with(name, file, text, |_| Ok(()))
    }

    /// Parses a list, applying `check` to every entry as it is read.
    pub(crate) fn parse_with(
        name: &str,
        file: &str,
        text: &str,
        check: impl Fn(&CodeEntry) -> Result<(), RowProblem>,
    ) -> Result<Self, RefDataError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
        let mut seen = BTreeSet::new();
        for column in &headers {
            if !seen.insert(column) {
                return Err(RefDataError::DuplicateColumn {
                    file: file.to_owned(),
                    column: column.to_owned(),
                });
            }
        }
        let find = |column: &str| {
            headers
                .iter()
                .position(|h| h == column)
                .ok_or_else(|| RefDataError::MissingColumn {
                    file: file.to_owned(),
                    column: column.to_owned(),
                })
        };
        let (code_i, label_i, from_i, to_i) = (find(CODE)?, find(LABEL)?, find(FROM)?, find(TO)?);

        let mut entries = Vec::new();
        let mut lines = Vec::new();
        for result in reader.records() {
            let record = result.map_err(|e| csv_error(file, &e))?;
            let line = record.position().map_or(0, csv::Position::line);
            let row_error = |problem| RefDataError::Row {
                file: file.to_owned(),
                line,
                problem,
            };
            let field = |i: usize| record.get(i).unwrap_or_default();
            let required = |i: usize, column: &str| {
                let value = field(i);
                if value.is_empty() {
                    Err(row_error(RowProblem::Empty {
                        column: column.to_owned(),
                    }))
                } else {
                    Ok(value.to_owned())
                }
            };
            let code = required(code_i, CODE)?;
            let label = required(label_i, LABEL)?;
            let effective_from = parse_date(FROM, field(from_i)).map_err(row_error)?;
            let effective_to = match field(to_i) {
                "" => None,
                value => Some(parse_date(TO, value).map_err(row_error)?),
            };
            if let Some(to) = effective_to
                && to <= effective_from
            {
                return Err(row_error(RowProblem::EndNotAfterStart {
                    from: effective_from,
                    to,
                }));
            }
            let attributes = headers
                .iter()
                .enumerate()
                .filter(|(i, _)| ![code_i, label_i, from_i, to_i].contains(i))
                .map(|(i, column)| (column.to_owned(), field(i).to_owned()))
                .filter(|(_, value)| !value.is_empty())
                .collect();
            let entry = CodeEntry {
                code,
                label,
                effective_from,
                effective_to,
                attributes,
            };
            check(&entry).map_err(row_error)?;
            entries.push(entry);
            lines.push(line);
        }
        if entries.is_empty() {
            return Err(RefDataError::NoEntries(file.to_owned()));
        }
        check_overlaps(file, &entries, &lines)?;
        Ok(Self {
            name: name.to_owned(),
            entries,
        })
    }

    /// The list's name, e.g. `police_forces`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every version of every code, in file order.
    #[must_use]
    pub fn entries(&self) -> &[CodeEntry] {
        &self.entries
    }

    /// The version of `code` that applies on `on`.
    #[must_use]
    pub fn get(&self, code: &str, on: NaiveDate) -> Option<&CodeEntry> {
        self.entries
            .iter()
            .find(|e| e.code == code && e.is_effective_on(on))
    }

    /// True if `code` has a version that applies on `on`.
    #[must_use]
    pub fn contains(&self, code: &str, on: NaiveDate) -> bool {
        self.get(code, on).is_some()
    }

    /// The entries that apply on `on`.
    pub fn current(&self, on: NaiveDate) -> impl Iterator<Item = &CodeEntry> {
        self.entries.iter().filter(move |e| e.is_effective_on(on))
    }

    /// Every version of `code`, in file order.
    pub fn versions<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a CodeEntry> {
        self.entries.iter().filter(move |e| e.code == code)
    }
}

fn check_overlaps(file: &str, entries: &[CodeEntry], lines: &[u64]) -> Result<(), RefDataError> {
    let mut by_code: BTreeMap<&str, Vec<(&CodeEntry, u64)>> = BTreeMap::new();
    for (entry, line) in entries.iter().zip(lines) {
        by_code
            .entry(entry.code.as_str())
            .or_default()
            .push((entry, *line));
    }
    for versions in by_code.values_mut() {
        versions.sort_by_key(|(e, line)| (e.effective_from, *line));
        for pair in versions.windows(2) {
            if let [(earlier, earlier_line), (later, later_line)] = pair
                && earlier
                    .effective_to
                    .is_none_or(|end| end > later.effective_from)
            {
                return Err(RefDataError::Row {
                    file: file.to_owned(),
                    line: *later_line,
                    problem: RowProblem::Overlap {
                        code: later.code.clone(),
                        from: later.effective_from,
                        other_line: *earlier_line,
                    },
                });
            }
        }
    }
    Ok(())
}
