//! One report as police staff see it, and what they do to it.
//!
//! `GET /staff/reports/{reference}` needs a purpose: links from the queue carry one
//! (`?purpose=investigating-report`, filled in with the report's reference), so opening a
//! report is one click; without one, the page asks why, with the usual answer already
//! chosen. The purpose becomes the s.62 justification of the consultation the application
//! records, and every form on the page carries it, so that acting on a report never asks
//! again.
//!
//! `POST /staff/reports/{reference}/{action}`: `assess`, `not-a-crime`, `message`,
//! `outcome`. A success goes back to the report with a message; a refusal of the input
//! shows the report again with the error at the field and what was typed.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::{AppError, Assessment, Author, PoliceUpdate, ReportView};
use bluelamp_domain::ncrs::RecordingState;
use bluelamp_domain::report::{ReportReference, ReportStatus};
use bluelamp_domain::values::{FreeText, Purpose};
use chrono::NaiveDate;
use serde::Deserialize;

use super::auth::{SignedIn, check_form, signed_in};
use super::queue::{REPORT_PURPOSE, short_time};
use super::view::{Choice, Fact, PurposePage, ReportForms, ReportPage, StaffTimelineItem};
use super::{finish, pages, query_value};
use crate::AppState;
use crate::portal::form::FormData;
use crate::portal::see_other;
use crate::portal::view::{ErrorItem, TextField, render};

/// The purpose of a view, as the query string and the forms carry it.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct PurposeQuery {
    /// The purpose's code (`refdata/access_purposes.csv`).
    purpose: Option<String>,
    /// The words of a free-text purpose.
    purpose_text: Option<String>,
    /// The action just done, for its success message.
    done: Option<String>,
}

impl PurposeQuery {
    fn from_form(form: &FormData) -> PurposeQuery {
        PurposeQuery {
            purpose: Some(form.trimmed("purpose").to_owned()),
            purpose_text: Some(form.trimmed("purpose_text").to_owned()).filter(|t| !t.is_empty()),
            done: None,
        }
    }

    /// The query string that keeps this purpose.
    fn query(&self) -> String {
        let mut query = format!(
            "purpose={}",
            query_value(self.purpose.as_deref().unwrap_or_default())
        );
        if let Some(text) = &self.purpose_text {
            query.push_str("&purpose_text=");
            query.push_str(&query_value(text));
        }
        query
    }
}

/// The justification of opening `reference` for `query`'s purpose, or the message saying
/// what is missing.
fn justification(
    state: &AppState,
    reference: &ReportReference,
    query: &PurposeQuery,
    today: NaiveDate,
) -> Result<(Purpose, String), String> {
    let code = query.purpose.as_deref().unwrap_or_default();
    let Some(purpose) = state.app.refdata().access_purpose(code, today) else {
        return Err("Choose why you are opening this report".to_owned());
    };
    let input = if purpose.is_free_text() {
        let text = query.purpose_text.as_deref().unwrap_or_default();
        if text.trim().is_empty() {
            return Err("Describe why you are opening this report".to_owned());
        }
        Some(text.to_owned())
    } else if purpose.needs_reference {
        Some(reference.to_string())
    } else {
        None
    };
    purpose
        .justification(input.as_deref())
        .map(|justification| {
            let words = justification.as_str().to_owned();
            (justification, pages::sentence(&words))
        })
        .map_err(|error| pages::sentence(&error.to_string()))
}

/// The purpose picker, with `checked` chosen (the usual purpose when nothing was chosen).
fn purpose_page(
    state: &AppState,
    user: &SignedIn,
    reference: &ReportReference,
    query: &PurposeQuery,
    error: Option<String>,
    today: NaiveDate,
) -> Response {
    let checked = query
        .purpose
        .as_deref()
        .filter(|code| !code.is_empty())
        .unwrap_or(REPORT_PURPOSE);
    let purposes = state
        .app
        .refdata()
        .purposes(today)
        .into_iter()
        .map(|purpose| {
            let label = if purpose.needs_reference {
                format!("{} ({reference})", purpose.label)
            } else {
                purpose.label.clone()
            };
            let selected = purpose.code == checked;
            (purpose.code, label, selected)
        })
        .collect();
    let errors = error
        .iter()
        .map(|message| ErrorItem {
            target: "purpose".to_owned(),
            message: message.clone(),
        })
        .collect();
    let purpose_text = TextField {
        hint: Some("Only if you chose Other".to_owned()),
        ..TextField::text(
            "purpose_text",
            "Describe the purpose",
            query.purpose_text.as_deref().unwrap_or_default(),
        )
    };
    let page = PurposePage {
        chrome: pages::chrome_in(
            state,
            "Why are you opening this report?",
            Some(user),
            error.is_some(),
            "/staff/queue",
        ),
        what: format!("report {reference}"),
        action: format!("/staff/reports/{}", reference.compact()),
        errors,
        purposes,
        purpose_text,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    finish(render(status, &page), Vec::new())
}

/// `GET /staff/reports/{reference}`.
#[tracing::instrument(skip_all)]
pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Query(query): Query<PurposeQuery>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let Ok(reference) = ReportReference::parse(&reference) else {
        return pages::not_found(&state, Some(&user), "report");
    };
    let flash = query
        .done
        .as_deref()
        .and_then(done_message)
        .map(str::to_owned);
    view(&state, &user, &reference, &query, flash, Edits::default()).await
}

/// What was typed in a refused form, and the errors to show with it.
#[derive(Default)]
struct Edits {
    errors: Vec<ErrorItem>,
    form: FormData,
}

/// The report page for `query`'s purpose (or the purpose picker).
async fn view(
    state: &AppState,
    user: &SignedIn,
    reference: &ReportReference,
    query: &PurposeQuery,
    flash: Option<String>,
    edits: Edits,
) -> Response {
    let today = bluelamp_domain::calendar::london_date(state.app.now());
    if query.purpose.as_deref().is_none_or(str::is_empty) {
        return purpose_page(state, user, reference, query, None, today);
    }
    let (purpose, purpose_words) = match justification(state, reference, query, today) {
        Ok(found) => found,
        Err(message) => return purpose_page(state, user, reference, query, Some(message), today),
    };
    let report = match state
        .app
        .track_report(&user.principal, reference, &purpose)
        .await
    {
        Ok(report) => report,
        Err(error) => return pages::app_error(state, Some(user), &error),
    };
    let status = if edits.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let forms = pages::handles_reports(user.principal.subject.role)
        .then(|| report_forms(state, &report, &edits, today));
    let page = ReportPage {
        chrome: pages::chrome_in(
            state,
            &format!("Report {reference}"),
            Some(user),
            !edits.errors.is_empty(),
            "/staff/queue",
        ),
        flash,
        errors: edits.errors,
        reference: reference.to_string(),
        compact: reference.compact().to_owned(),
        purpose: purpose_words,
        purpose_code: query.purpose.clone().unwrap_or_default(),
        purpose_text: query.purpose_text.clone(),
        purpose_href: format!(
            "/staff/reports/{}?purpose=&purpose_text=",
            reference.compact()
        ),
        facts: facts(state, &report),
        timeline: report
            .timeline
            .iter()
            .rev()
            .map(|entry| {
                let by = match entry.author {
                    Author::Reporter => "The reporter".to_owned(),
                    Author::Police => entry
                        .author_name
                        .clone()
                        .unwrap_or_else(|| "The police".to_owned()),
                    Author::System => "Bluelamp".to_owned(),
                };
                StaffTimelineItem {
                    title: entry.title.clone(),
                    byline: format!("{by}, {}", short_time(entry.at)),
                    datetime: entry.at.to_rfc3339(),
                    text: entry.text.clone(),
                    internal: bluelamp_app::triage::is_internal(&entry.kind),
                }
            })
            .collect(),
        forms,
    };
    finish(render(status, &page), Vec::new())
}

/// The facts at the top of the page.
fn facts(state: &AppState, report: &ReportView) -> Vec<Fact> {
    let fact = |key: &str, value: String| Fact {
        key: key.to_owned(),
        value,
        warning: false,
    };
    let mut facts = vec![
        fact("Status", report.status.label().to_owned()),
        fact(
            "Type",
            report
                .type_label
                .clone()
                .unwrap_or_else(|| report.kind.label().to_owned()),
        ),
        fact("Received", short_time(report.submitted_at)),
    ];
    let decided = report.crime_number.is_some()
        || report.status == ReportStatus::Closed
        || report
            .timeline
            .iter()
            .any(|entry| entry.kind == "recording_decision");
    if !decided && let Some(clock) = state.app.refdata().recording_clock(report.submitted_at) {
        let due = clock.deadline();
        match clock.state(state.app.now()) {
            RecordingState::Breached { .. } => facts.push(Fact {
                key: "Recording decision".to_owned(),
                value: format!("Overdue: due by {}", short_time(due)),
                warning: true,
            }),
            _ => facts.push(fact(
                "Recording decision",
                format!("Due by {}", short_time(due)),
            )),
        }
    }
    if let Some(number) = &report.crime_number {
        facts.push(fact("Crime number", number.clone()));
    }
    if let Some(officer) = &report.officer {
        facts.push(fact("Officer", officer.clone()));
    }
    if let Some(outcome) = &report.outcome {
        facts.push(fact("Outcome", outcome.label.clone()));
    }
    facts
}

/// A textarea named `name`, with what was typed and its error.
fn area(name: &str, label: &str, edits: &Edits) -> TextField {
    TextField {
        error: edits
            .errors
            .iter()
            .find(|error| error.target == name)
            .map(|error| error.message.clone()),
        rows: 3,
        ..TextField::text(name, label, edits.form.get(name))
    }
}

/// The THRIVE fields: `(name, label)`; risk is required.
const THRIVE: [(&str, &str); 6] = [
    ("threat", "Threat"),
    ("harm", "Harm"),
    ("risk", "Risk (required)"),
    ("investigation", "Investigation"),
    ("vulnerability", "Vulnerability"),
    ("engagement", "Engagement"),
];

fn report_forms(
    state: &AppState,
    report: &ReportView,
    edits: &Edits,
    today: NaiveDate,
) -> ReportForms {
    let refdata = state.app.refdata();
    let chosen_grade = edits.form.get("grade");
    let closed = report.status == ReportStatus::Closed;
    let decided = report.crime_number.is_some()
        || report
            .timeline
            .iter()
            .any(|entry| entry.kind == "recording_decision");
    let chosen_outcome = edits.form.get("outcome");
    ReportForms {
        grades: refdata
            .response_grades(today)
            .into_iter()
            .map(|grade| {
                let selected = grade.code == chosen_grade;
                (grade.code, grade.label, selected)
            })
            .collect(),
        thrive: THRIVE
            .iter()
            .map(|(name, label)| area(name, label, edits))
            .collect(),
        not_a_crime: area("reason", "Why this is not a crime", edits),
        message: TextField {
            hint: Some("The reporter sees this on their report's page and is told by e-mail that there is news.".to_owned()),
            ..area("text", "Message to the reporter", edits)
        },
        outcomes: std::iter::once((
            String::new(),
            "Choose an outcome".to_owned(),
            chosen_outcome.is_empty(),
        ))
        .chain(refdata.outcome_categories.current(today).map(|entry| {
            (
                entry.code.clone(),
                entry.label.clone(),
                entry.code == chosen_outcome,
            )
        }))
        .collect::<Vec<Choice>>(),
        outcome_note: area("note", "Note to the reporter (optional)", edits),
        deciding: !decided && !closed,
        closed,
    }
}

/// The success message of an action.
fn done_message(action: &str) -> Option<&'static str> {
    match action {
        "assess" => Some("Assessment saved"),
        "not-a-crime" => Some("Decision recorded: not a crime"),
        "message" => Some("Message sent to the reporter"),
        "outcome" => Some("Outcome recorded: the report is closed"),
        _ => None,
    }
}

/// Text a field requires: `missing` when empty, the parse error when not acceptable.
fn required_text(form: &FormData, name: &str, missing: &str) -> Result<FreeText, ErrorItem> {
    let value = form.trimmed(name);
    let error = |message: String| ErrorItem {
        target: name.to_owned(),
        message,
    };
    if value.is_empty() {
        return Err(error(missing.to_owned()));
    }
    FreeText::parse(value).map_err(|parse| error(pages::sentence(&parse.to_string())))
}

/// Optional text: `None` when empty.
fn optional_text(form: &FormData, name: &str) -> Result<Option<FreeText>, ErrorItem> {
    let value = form.trimmed(name);
    if value.is_empty() {
        return Ok(None);
    }
    FreeText::parse(value).map(Some).map_err(|parse| ErrorItem {
        target: name.to_owned(),
        message: pages::sentence(&parse.to_string()),
    })
}

/// Why an action was not done.
enum Refusal {
    /// The input: errors to show at their fields.
    Fields(Vec<ErrorItem>),
    /// Anything else (refused by policy, not found, unavailable).
    App(AppError),
}

impl Refusal {
    fn field(error: ErrorItem) -> Refusal {
        Refusal::Fields(vec![error])
    }
}

/// Runs `action` on `reference` with `form`'s fields.
async fn perform(
    state: &AppState,
    user: &SignedIn,
    reference: &ReportReference,
    action: &str,
    form: &FormData,
) -> Result<(), Refusal> {
    let app = &state.app;
    let who = &user.principal;
    let result = match action {
        "assess" => {
            let mut errors = Vec::new();
            let grade = form.trimmed("grade").to_owned();
            if grade.is_empty() {
                errors.push(ErrorItem {
                    target: "grade".to_owned(),
                    message: "Choose a response grade".to_owned(),
                });
            }
            let risk = required_text(form, "risk", "Describe the risk");
            let optional: Vec<Result<Option<FreeText>, ErrorItem>> = [
                "threat",
                "harm",
                "investigation",
                "vulnerability",
                "engagement",
            ]
            .iter()
            .map(|name| optional_text(form, name))
            .collect();
            let risk = risk.map_err(|error| errors.push(error)).ok();
            let mut texts = Vec::new();
            for field in optional {
                match field {
                    Ok(text) => texts.push(text),
                    Err(error) => errors.push(error),
                }
            }
            let (Some(risk), true) = (risk, errors.is_empty()) else {
                return Err(Refusal::Fields(errors));
            };
            let mut texts = texts.into_iter();
            let assessment = Assessment {
                grade,
                threat: texts.next().flatten(),
                harm: texts.next().flatten(),
                risk,
                investigation: texts.next().flatten(),
                vulnerability: texts.next().flatten(),
                engagement: texts.next().flatten(),
            };
            app.assess_report(who, reference, assessment).await
        }
        "not-a-crime" => {
            let reason = required_text(form, "reason", "Give the reason this is not a crime")
                .map_err(Refusal::field)?;
            app.decide_not_a_crime(who, reference, reason).await
        }
        "message" => {
            let text = required_text(form, "text", "Write the message to the reporter")
                .map_err(Refusal::field)?;
            app.update_report(who, reference, PoliceUpdate::Message { text })
                .await
        }
        "outcome" => {
            let code = form.trimmed("outcome").to_owned();
            let note = optional_text(form, "note").map_err(Refusal::field)?;
            if code.is_empty() {
                return Err(Refusal::field(ErrorItem {
                    target: "outcome".to_owned(),
                    message: "Choose an outcome".to_owned(),
                }));
            }
            app.update_report(who, reference, PoliceUpdate::Outcome { code, note })
                .await
        }
        _ => Err(AppError::NotFound {
            what: "action",
            id: action.to_owned(),
        }),
    };
    result.map_err(|error| match error {
        AppError::Invalid { field, message, .. } => Refusal::field(ErrorItem {
            target: field_target(action, &field),
            message: pages::sentence(&message),
        }),
        other => Refusal::App(other),
    })
}

/// The form field an application error's field path belongs to.
fn field_target(action: &str, field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    match (action, last) {
        ("assess", name) if THRIVE.iter().any(|(known, _)| *known == name) || name == "grade" => {
            name.to_owned()
        }
        ("not-a-crime", _) => "reason".to_owned(),
        ("message", _) => "text".to_owned(),
        ("outcome", "note") => "note".to_owned(),
        ("outcome", _) => "outcome".to_owned(),
        _ => "grade".to_owned(),
    }
}

/// `POST /staff/reports/{reference}/{action}`.
#[tracing::instrument(skip_all, fields(action = %action))]
pub(crate) async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((reference, action)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = FormData::new(pairs);
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    if let Some(refused) = check_form(&state, &headers, &form, &user.csrf) {
        return refused;
    }
    let Ok(reference) = ReportReference::parse(&reference) else {
        return pages::not_found(&state, Some(&user), "report");
    };
    if done_message(&action).is_none() {
        return pages::not_found(&state, Some(&user), "action");
    }
    let query = PurposeQuery::from_form(&form);
    match perform(&state, &user, &reference, &action, &form).await {
        Ok(()) => finish(
            see_other(&format!(
                "/staff/reports/{}?{}&done={action}",
                reference.compact(),
                query.query()
            )),
            Vec::new(),
        ),
        Err(Refusal::App(error)) => pages::app_error(&state, Some(&user), &error),
        Err(Refusal::Fields(errors)) => {
            view(
                &state,
                &user,
                &reference,
                &query,
                None,
                Edits { errors, form },
            )
            .await
        }
    }
}
