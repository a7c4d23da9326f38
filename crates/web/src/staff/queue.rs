//! `GET /staff/queue`: the triage queue — the force's online reports, newest first, each
//! with its NCRS recording clock; overdue recording decisions are flagged, and supervisors
//! are told how many there are.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_domain::ncrs::RecordingState;
use bluelamp_domain::report::ReportStatus;
use bluelamp_domain::values::Purpose;
use bluelamp_policy::Role;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::auth::signed_in;
use super::view::{QueuePage, QueueRow};
use super::{finish, pages};
use crate::AppState;
use crate::portal::parse::uk_local;
use crate::portal::view::render;

/// The purpose recorded for reading the queue (it shows no personal data).
const QUEUE_PURPOSE: &str = "triage of online reports";

/// The purpose code links from the queue pre-fill.
pub(crate) const REPORT_PURPOSE: &str = "investigating-report";

/// The queue's filters.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueQuery {
    status: Option<String>,
    breached: Option<String>,
}

/// Local UK time, short: "27 Nov 2026, 2:05pm".
pub(crate) fn short_time(at: DateTime<Utc>) -> String {
    uk_local(at).format("%-d %b %Y, %-I:%M%P").to_string()
}

/// `GET /staff/queue`.
#[tracing::instrument(skip_all)]
pub(crate) async fn queue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<QueueQuery>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let status = query
        .status
        .as_deref()
        .filter(|value| !value.is_empty())
        .and_then(|value| value.parse::<ReportStatus>().ok());
    let only_breached = query.breached.is_some_and(|value| !value.is_empty());
    let purpose = match Purpose::parse(QUEUE_PURPOSE) {
        Ok(purpose) => purpose,
        Err(error) => {
            tracing::error!(error = %error, "the queue's purpose does not parse");
            return pages::app_error(
                &state,
                Some(&user),
                &bluelamp_app::AppError::Internal(error.to_string()),
            );
        }
    };
    let items = match state
        .app
        .report_queue(&user.principal, status, &purpose)
        .await
    {
        Ok(items) => items,
        Err(error) => return pages::app_error(&state, Some(&user), &error),
    };
    let breaches = items.iter().filter(|item| item.is_breached()).count();
    let rows = items
        .iter()
        .filter(|item| !only_breached || item.is_breached())
        .map(|item| {
            let reference = item.reference.to_string();
            let recording = match item.recording {
                Some((due, RecordingState::Breached { .. })) => {
                    format!("Overdue since {}", short_time(due))
                }
                Some((due, _)) => format!("By {}", short_time(due)),
                None => "Decided".to_owned(),
            };
            QueueRow {
                href: format!(
                    "/staff/reports/{}?purpose={REPORT_PURPOSE}",
                    item.reference.compact()
                ),
                reference,
                type_label: item
                    .type_label
                    .clone()
                    .unwrap_or_else(|| item.kind.label().to_owned()),
                received: short_time(item.submitted_at),
                received_iso: item.submitted_at.to_rfc3339(),
                status: item.status.label().to_owned(),
                grade: item
                    .grade
                    .clone()
                    .unwrap_or_else(|| "Not assessed".to_owned()),
                recording,
                breached: item.is_breached(),
                crime_number: item.crime_number.clone().unwrap_or_default(),
            }
        })
        .collect();
    let statuses = std::iter::once((String::new(), "Any status".to_owned(), status.is_none()))
        .chain(ReportStatus::ALL.iter().map(|candidate| {
            (
                candidate.as_str().to_owned(),
                candidate.label().to_owned(),
                status == Some(*candidate),
            )
        }))
        .collect();
    let page = QueuePage {
        chrome: pages::chrome_in(&state, "Triage queue", Some(&user), false, "/staff/queue"),
        statuses,
        only_breached,
        breaches,
        supervisor: user.principal.subject.role == Some(Role::Supervisor),
        rows,
    };
    finish(render(StatusCode::OK, &page), Vec::new())
}
