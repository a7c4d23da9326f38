//! `/api/v1/records`: POLE records (people, objects, locations, events).

pub mod body;
pub mod create;
pub mod list;
pub mod read;

use bluelamp_domain::ids::RecordId;

use super::API_V1;

/// The URL path of one record, as given in `Location` headers.
pub fn record_path(id: &RecordId) -> String {
    format!("{API_V1}/records/{id}")
}
