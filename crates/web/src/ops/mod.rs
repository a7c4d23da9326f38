//! Operational endpoints: `/healthz` and `/metrics`.

pub mod health;
pub mod metrics;
