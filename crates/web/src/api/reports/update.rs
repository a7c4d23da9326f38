//! `POST /api/v1/reports/{reference}/updates`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use bluelamp_app::PoliceUpdate;
use bluelamp_domain::report::ReportReference;
use bluelamp_domain::values::FreeText;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiErrorKind};
use crate::extract::{ApiJson, Authenticated};

/// What the police do to a report. The reporter sees each on their tracking page.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReportUpdateRequest {
    /// Someone has started assessing the report.
    Assessing,
    /// Recorded as a crime.
    CrimeRecorded {
        /// The crime number, 1 to 32 letters, digits, `/`, `-` or spaces.
        crime_number: String,
    },
    /// An officer was assigned; the name is shown to the reporter.
    OfficerAssigned {
        /// E.g. "PC 2741 Patel".
        officer: String,
    },
    /// A message to the reporter.
    Message {
        /// The words (1 to 5,000 characters).
        #[schema(value_type = String)]
        text: FreeText,
    },
    /// Closed with a data.police.uk outcome category.
    Outcome {
        /// The outcome category slug, e.g. `unable-to-prosecute`.
        code: String,
        /// A note to the reporter.
        #[serde(default)]
        #[schema(value_type = Option<String>)]
        note: Option<FreeText>,
    },
}

/// Move an online report on.
///
/// Business rule: records that a report is being assessed, has been recorded as a crime (with
/// its crime number), has an officer assigned, or is closed with an outcome category; or
/// sends the reporter a message. Each appears on the reporter's tracking page; status changes
/// are audited as s.62 alteration and messages as disclosure to the reporter. An unknown
/// reference is 404; a bad crime number or outcome code is 422 naming the field.
///
/// Who may call it: contact handlers, officers, investigators and supervisors of the
/// report's force.
#[utoipa::path(
    post,
    path = "/api/v1/reports/{reference}/updates",
    tag = "reports",
    request_body = ReportUpdateRequest,
    params(("reference" = String, Path, description = "The report reference, e.g. BL-7K3M-9QXD-2HJ")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The report was updated"),
        (status = 400, description = "The body is not JSON, or the reference is malformed", body = crate::ErrorBody),
        (status = 401, description = "No valid bearer token", body = crate::ErrorBody),
        (status = 403, description = "The caller may not update this report", body = crate::ErrorBody),
        (status = 404, description = "No such report", body = crate::ErrorBody),
        (status = 422, description = "A field has a bad value; `field` names it", body = crate::ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor_id()))]
pub async fn update_report(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(reference): Path<String>,
    ApiJson(request): ApiJson<ReportUpdateRequest>,
) -> Result<StatusCode, ApiError> {
    let reference = ReportReference::parse(&reference).map_err(|error| {
        // The domain's words are written for the public's pages; API messages start lowercase.
        let words = error.to_string();
        let mut chars = words.chars();
        let message = chars.next().map_or_else(String::new, |first| {
            first.to_lowercase().chain(chars).collect()
        });
        ApiError::new(ApiErrorKind::InvalidParameter {
            field: "reference".to_owned(),
            message,
        })
    })?;
    let update = match request {
        ReportUpdateRequest::Assessing => PoliceUpdate::Assessing,
        ReportUpdateRequest::CrimeRecorded { crime_number } => {
            PoliceUpdate::CrimeRecorded { crime_number }
        }
        ReportUpdateRequest::OfficerAssigned { officer } => {
            PoliceUpdate::OfficerAssigned { officer }
        }
        ReportUpdateRequest::Message { text } => PoliceUpdate::Message { text },
        ReportUpdateRequest::Outcome { code, note } => PoliceUpdate::Outcome { code, note },
    };
    state.app.update_report(&caller, &reference, update).await?;
    Ok(StatusCode::NO_CONTENT)
}
