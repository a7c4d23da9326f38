//! The bank-holiday file: one row per day off (`date,name,status`), read into a
//! [`WorkingCalendar`]. Unlike the code lists it has no effective dates: each row is a date.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

use super::error::{RefDataError, RowProblem};
use crate::calendar::{BankHoliday, HolidayStatus, WorkingCalendar};

const DATE: &str = "date";
const NAME: &str = "name";
const STATUS: &str = "status";

/// Parses the bank-holiday file. Every row must be a weekday (the day off itself, so a
/// substitute day rather than the Saturday or Sunday it replaces), no date may appear twice
/// and every year from the first to the last must have at least one row.
pub(super) fn parse(file: &str, text: &str) -> Result<WorkingCalendar, RefDataError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| super::code_list::csv_error(file, &e))?
        .clone();
    let find = |column: &str| {
        headers
            .iter()
            .position(|h| h == column)
            .ok_or_else(|| RefDataError::MissingColumn {
                file: file.to_owned(),
                column: column.to_owned(),
            })
    };
    let (date_i, name_i, status_i) = (find(DATE)?, find(NAME)?, find(STATUS)?);

    let mut seen: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut holidays = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|e| super::code_list::csv_error(file, &e))?;
        let line = record.position().map_or(0, csv::Position::line);
        let row_error = |problem| RefDataError::Row {
            file: file.to_owned(),
            line,
            problem,
        };
        let field = |i: usize| record.get(i).unwrap_or_default();
        let date = super::code_list::parse_date(DATE, field(date_i)).map_err(row_error)?;
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            return Err(row_error(RowProblem::BadValue {
                column: DATE.to_owned(),
                value: date.to_string(),
                expected: "a weekday (list the substitute day, not the weekend day)".to_owned(),
            }));
        }
        if let Some(other_line) = seen.insert(date, line) {
            return Err(row_error(RowProblem::DuplicateDate { date, other_line }));
        }
        let name = field(name_i);
        if name.is_empty() {
            return Err(row_error(RowProblem::Empty {
                column: NAME.to_owned(),
            }));
        }
        let status_text = field(status_i);
        let status: HolidayStatus = status_text.parse().map_err(|()| {
            row_error(RowProblem::BadValue {
                column: STATUS.to_owned(),
                value: status_text.to_owned(),
                expected: "announced or projected".to_owned(),
            })
        })?;
        holidays.push(BankHoliday {
            date,
            name: name.to_owned(),
            status,
        });
    }
    if let (Some(first), Some(last)) = (seen.keys().next(), seen.keys().next_back()) {
        for year in first.year()..=last.year() {
            if !seen.keys().any(|d| d.year() == year) {
                return Err(RefDataError::MissingYear {
                    file: file.to_owned(),
                    year,
                });
            }
        }
    }
    WorkingCalendar::new(holidays).ok_or_else(|| RefDataError::NoEntries(file.to_owned()))
}
