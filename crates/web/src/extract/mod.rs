//! Extractors: how a request's parts become typed, checked values before a handler runs.
//!
//! Each rejects with an [`ApiError`](crate::error::ApiError), so a handler body only ever sees
//! an authenticated principal, a stated purpose and a fully parsed body.

mod auth;
mod json;
mod purpose;
mod query;

pub use auth::Authenticated;
pub use json::ApiJson;
pub use purpose::{PURPOSE_HEADER, RequiredPurpose};
pub use query::{ApiQuery, RecordIdInPath};

pub(crate) use json::classify_body_error;
