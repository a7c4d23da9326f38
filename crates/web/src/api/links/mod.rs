//! `/api/v1/links`: typed, time-bounded links between two records.

pub mod create;
pub mod list;
