//! Errors from loading reference data. Each names the file and, for row problems, the line
//! and column.

use chrono::NaiveDate;

/// What is wrong with one row of a reference file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    /// A date column that does not hold an ISO date.
    #[error("{column} '{value}' is not a date")]
    NotADate {
        /// The column.
        column: String,
        /// The text found.
        value: String,
    },
    /// A required column left empty.
    #[error("{column} is empty")]
    Empty {
        /// The column.
        column: String,
    },
    /// `effective_to` on or before `effective_from`.
    #[error("effective_to {to} is not after effective_from {from}")]
    EndNotAfterStart {
        /// Start of validity.
        from: NaiveDate,
        /// End of validity.
        to: NaiveDate,
    },
    /// Two versions of the same code valid at the same time.
    #[error(
        "code '{code}' is valid from {from} while its version on line {other_line} is still in force"
    )]
    Overlap {
        /// The code.
        code: String,
        /// Start of this version.
        from: NaiveDate,
        /// Line of the version it overlaps.
        other_line: u64,
    },
    /// A date listed twice.
    #[error("date {date} is already listed on line {other_line}")]
    DuplicateDate {
        /// The date.
        date: NaiveDate,
        /// The line that lists it first.
        other_line: u64,
    },
    /// A value that breaks the list's own rules.
    #[error("{column} '{value}' is not {expected}")]
    BadValue {
        /// The column.
        column: String,
        /// The text found.
        value: String,
        /// What was expected.
        expected: String,
    },
}

/// Why reference data could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefDataError {
    /// A file named by the manifest (or the manifest itself) is not among the sources.
    #[error("reference file {0} is missing")]
    MissingFile(String),
    /// The manifest cannot be read.
    #[error("manifest.toml: {0}")]
    Manifest(String),
    /// The manifest does not describe a required list.
    #[error("manifest.toml has no entry for list '{0}'")]
    ManifestMissingList(String),
    /// A required column is missing from a file's header.
    #[error("{file} line 1: header has no '{column}' column")]
    MissingColumn {
        /// The file.
        file: String,
        /// The column.
        column: String,
    },
    /// A column name appears twice in the header.
    #[error("{file} line 1: header has column '{column}' twice")]
    DuplicateColumn {
        /// The file.
        file: String,
        /// The column.
        column: String,
    },
    /// A year with no rows between the first and last years of a dated file.
    #[error("{file}: no rows for {year}, between the first and last years listed")]
    MissingYear {
        /// The file.
        file: String,
        /// The year.
        year: i32,
    },
    /// A file with a header but no rows.
    #[error("{0} has no entries")]
    NoEntries(String),
    /// CSV that cannot be read (e.g. a row with the wrong number of fields).
    #[error("{file} line {line}: {message}")]
    Csv {
        /// The file.
        file: String,
        /// The line (1-based; the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A row that breaks a rule.
    #[error("{file} line {line}: {problem}")]
    Row {
        /// The file.
        file: String,
        /// The line (1-based; the header is line 1).
        line: u64,
        /// What is wrong.
        problem: RowProblem,
    },
}
