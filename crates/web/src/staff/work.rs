//! `GET /staff/work`: "My work" — the open reports allocated to the viewer or their team,
//! most urgent first, with the next task or Victims' Code deadline and what is overdue.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_domain::values::Purpose;

use super::auth::signed_in;
use super::queue::{REPORT_PURPOSE, short_time};
use super::view::{WorkPage, WorkRow};
use super::{finish, pages};
use crate::AppState;
use crate::portal::view::render;

/// The purpose recorded for reading one's own work list (it shows no personal data).
const WORK_PURPOSE: &str = "reviewing my allocated work";

/// `GET /staff/work`.
#[tracing::instrument(skip_all)]
pub(crate) async fn work(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let purpose = match Purpose::parse(WORK_PURPOSE) {
        Ok(purpose) => purpose,
        Err(error) => {
            return pages::app_error(
                &state,
                Some(&user),
                &bluelamp_app::AppError::Internal(error.to_string()),
            );
        }
    };
    let items = match state.app.my_work(&user.principal, &purpose).await {
        Ok(items) => items,
        Err(error) => return pages::app_error(&state, Some(&user), &error),
    };
    let overdue = items.iter().filter(|item| item.overdue).count();
    let rows = items
        .into_iter()
        .map(|item| {
            let allocation = &item.allocation;
            let allocated = match (&allocation.officer_name, &allocation.team_name) {
                (Some(officer), Some(team)) => format!("{officer} ({team})"),
                (Some(officer), None) => officer.clone(),
                (None, Some(team)) => team.clone(),
                (None, None) => String::new(),
            };
            WorkRow {
                href: format!(
                    "/staff/reports/{}?purpose={REPORT_PURPOSE}",
                    item.reference.compact()
                ),
                reference: item.reference.to_string(),
                type_label: item.type_label.unwrap_or_default(),
                status: item.status.label().to_owned(),
                crime_number: item.crime_number.unwrap_or_default(),
                allocated,
                next_due: item.next_due.map(short_time).unwrap_or_default(),
                overdue: item.overdue,
            }
        })
        .collect();
    let page = WorkPage {
        chrome: pages::chrome_in(&state, "My work", Some(&user), false, "/staff/work"),
        rows,
        overdue,
    };
    finish(render(StatusCode::OK, &page), Vec::new())
}
