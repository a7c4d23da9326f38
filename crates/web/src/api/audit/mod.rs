//! `/api/v1/audit`: the audit log's public face.

pub mod checkpoint;
pub mod consistency;
