//! Installing the process-wide metrics recorder whose handle [`crate::router`] serves.

use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

/// Upper bounds (seconds) of the request latency histogram's buckets.
pub const LATENCY_BUCKETS_SECONDS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Installs a Prometheus recorder as the process's global `metrics` recorder, with
/// `http_request_duration_seconds` as a histogram, and returns the handle that renders it.
///
/// A process has one global recorder: call this once at start-up (a second call fails).
pub fn install_prometheus_recorder() -> Result<PrometheusHandle, BuildError> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("http_request_duration_seconds".to_owned()),
            &LATENCY_BUCKETS_SECONDS,
        )?
        .install_recorder()
}
