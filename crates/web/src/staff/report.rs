//! One report as police staff see it, and what they do to it.
//!
//! `GET /staff/reports/{reference}` needs a purpose: links from the queue carry one
//! (`?purpose=investigating-report`, filled in with the report's reference), so opening a
//! report is one click; without one, the page asks why, with the usual answer already
//! chosen. The purpose becomes the s.62 justification of the consultation the application
//! records, and every form on the page carries it, so that acting on a report never asks
//! again.
//!
//! `POST /staff/reports/{reference}/{action}`: `assess`, `record`, `not-a-crime`,
//! `allocate`, `take`, `task`, `task-done`, `victims-code`, `message`, `outcome`, `close`,
//! `duplicate`. A success goes back to the report with a message; a refusal of the input
//! shows the report again with the error at the field and what was typed.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::{
    Allocation, AppError, Assessment, Author, DecisionKind, PoliceUpdate, StaffReportView,
};
use bluelamp_domain::ids::StaffId;
use bluelamp_domain::ncrs::RecordingState;
use bluelamp_domain::report::{ReportReference, ReportStatus};
use bluelamp_domain::values::{FreeText, Purpose};
use bluelamp_policy::Role;
use chrono::{NaiveDate, NaiveDateTime, TimeZone as _};
use serde::Deserialize;

use super::auth::{SignedIn, signed_in, signed_in_form};
use super::queue::{REPORT_PURPOSE, short_time};
use super::view::{Choice, Fact, PurposePage, ReportForms, ReportPage, StaffTimelineItem, TaskRow};
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
        .staff_report(&user.principal, reference, &purpose)
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
    let forms = if pages::handles_reports(user.principal.subject.role) {
        match report_forms(state, user, &report, &edits, today).await {
            Ok(forms) => Some(forms),
            Err(error) => return pages::app_error(state, Some(user), &error),
        }
    } else {
        None
    };
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
        facts: facts(&report),
        account: account(&report),
        tasks: tasks(&report),
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
                    internal: !entry.reporter_sees,
                }
            })
            .collect(),
        forms,
    };
    finish(render(status, &page), Vec::new())
}

/// The facts at the top of the page.
fn facts(report: &StaffReportView) -> Vec<Fact> {
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
    match report.recording {
        Some((due, RecordingState::Breached { .. })) => facts.push(Fact {
            key: "Recording decision".to_owned(),
            value: format!("Overdue: due by {}", short_time(due)),
            warning: true,
        }),
        Some((due, _)) => facts.push(fact(
            "Recording decision",
            format!("Due by {}", short_time(due)),
        )),
        None => {}
    }
    if let Some(assessment) = &report.assessment {
        facts.push(fact("Response grade", assessment.grade_label.clone()));
    }
    if let Some(decision) = &report.decision {
        let value = match decision.kind {
            DecisionKind::Crime => format!(
                "Recorded as a crime: {}",
                decision
                    .classification_label
                    .clone()
                    .or_else(|| decision.classification.clone())
                    .unwrap_or_default()
            ),
            DecisionKind::NotACrime => format!(
                "Not a crime: {}",
                decision.reason.clone().unwrap_or_default()
            ),
        };
        facts.push(fact("Decision", value));
    }
    if let Some(number) = &report.crime_number {
        facts.push(fact("Crime number", number.clone()));
    }
    if let Some(allocation) = &report.allocation {
        let to = match (&allocation.officer_name, &allocation.team_name) {
            (Some(officer), Some(team)) => format!("{officer} ({team})"),
            (Some(officer), None) => officer.clone(),
            (None, Some(team)) => team.clone(),
            (None, None) => "Nobody".to_owned(),
        };
        facts.push(fact("Allocated to", to));
    }
    if let Some(other) = &report.duplicate_of {
        facts.push(fact("Duplicate of", other.to_string()));
    }
    if let Some(outcome) = &report.outcome {
        facts.push(fact("Outcome", outcome.label.clone()));
    }
    facts
}

/// What the reporter told us.
fn account(report: &StaffReportView) -> Vec<Fact> {
    let fact = |key: &str, value: String| Fact {
        key: key.to_owned(),
        value,
        warning: false,
    };
    let told = &report.account;
    let when = match told.occurred_to {
        Some(to) => format!(
            "Between {} and {}",
            short_time(told.occurred_from),
            short_time(to)
        ),
        None => short_time(told.occurred_from),
    };
    let mut facts = vec![
        fact("What happened", told.description.clone()),
        fact("When", when),
    ];
    let optional = [
        ("Where", &told.place),
        ("Reporter", &told.reporter_name),
        ("E-mail", &told.email),
        ("Phone", &told.phone),
        ("Address", &told.address),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            facts.push(fact(key, value.clone()));
        }
    }
    facts
}

/// The tasks: open ones first, soonest due first.
fn tasks(report: &StaffReportView) -> Vec<TaskRow> {
    let mut tasks: Vec<&bluelamp_app::TaskView> = report.tasks.iter().collect();
    tasks.sort_by_key(|task| (task.completed_at.is_some(), task.due_at));
    tasks
        .into_iter()
        .map(|task| TaskRow {
            id: task.id.to_string(),
            title: task.title.clone(),
            victims_code: task.kind == bluelamp_app::TaskKind::VictimsCode,
            due: short_time(task.due_at),
            assignee: task.assignee_name.clone().unwrap_or_default(),
            done: task.completed_at.map(short_time),
            overdue: task.overdue,
        })
        .collect()
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

async fn report_forms(
    state: &AppState,
    user: &SignedIn,
    report: &StaffReportView,
    edits: &Edits,
    today: NaiveDate,
) -> Result<ReportForms, AppError> {
    let app = &state.app;
    let refdata = app.refdata();
    let chosen = |name: &str| edits.form.get(name).to_owned();
    let choices = |first: &str, items: Vec<(String, String)>, selected: &str| -> Vec<Choice> {
        std::iter::once((String::new(), first.to_owned(), selected.is_empty()))
            .chain(items.into_iter().map(|(value, words)| {
                let is = value == selected;
                (value, words, is)
            }))
            .collect()
    };
    let role = user.principal.subject.role;
    let can_allocate = matches!(role, Some(Role::ContactHandler | Role::Supervisor));
    let (officers, teams) = if can_allocate {
        let colleagues = app.colleagues(&user.principal).await?;
        let teams = app.allocation_teams(&user.principal).await?;
        (
            colleagues
                .into_iter()
                .map(|colleague| {
                    let team = colleague
                        .team_name
                        .map(|team| format!(", {team}"))
                        .unwrap_or_default();
                    (
                        colleague.id.to_string(),
                        format!(
                            "{} ({}{team})",
                            colleague.display_name,
                            pages::role_label(colleague.role)
                        ),
                    )
                })
                .collect::<Vec<_>>(),
            teams
                .into_iter()
                .map(|team| (team.id.to_string(), team.name))
                .collect::<Vec<_>>(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let closed = report.status == ReportStatus::Closed;
    let recorded = report.crime_number.is_some();
    let grade = chosen("grade");
    let field = |name: &str, label: &str, input_type: &'static str| TextField {
        input_type,
        error: edits
            .errors
            .iter()
            .find(|error| error.target == name)
            .map(|error| error.message.clone()),
        ..TextField::text(name, label, edits.form.get(name))
    };
    Ok(ReportForms {
        grades: refdata
            .response_grades(today)
            .into_iter()
            .map(|found| {
                let selected = found.code == grade;
                (found.code, found.label, selected)
            })
            .collect(),
        thrive: THRIVE
            .iter()
            .map(|(name, label)| area(name, label, edits))
            .collect(),
        classifications: choices(
            "Choose a classification",
            refdata
                .ho_offence_classifications
                .current(today)
                .map(|entry| (entry.code.clone(), format!("{} – {}", entry.code, entry.label)))
                .collect(),
            &chosen("classification"),
        ),
        not_a_crime: area("reason", "Why this is not a crime", edits),
        can_allocate,
        assignees: choices("Nobody in particular", officers.clone(), &chosen("assignee")),
        officers: choices("Choose an officer", officers, &chosen("officer")),
        teams: choices("Choose a team", teams, &chosen("team")),
        task_title: field("title", "What is to be done", "text"),
        task_due: TextField {
            width: " govuk-input--width-10",
            ..field("due", "Due by the end of", "date")
        },
        triggers: choices(
            "Choose what happened",
            refdata
                .victims_code_deadlines
                .current(today)
                .filter(|entry| entry.code != bluelamp_app::casework::MONTHLY_UPDATE)
                .map(|entry| {
                    let trigger = entry.attribute("trigger").unwrap_or(&entry.label);
                    (entry.code.clone(), trigger.to_owned())
                })
                .collect(),
            &chosen("trigger"),
        ),
        trigger_at: TextField {
            hint: Some("Date and time, UK time".to_owned()),
            ..field("at", "When it happened", "datetime-local")
        },
        duplicate_of: TextField {
            width: " govuk-input--width-20",
            spellcheck: false,
            ..field("of", "Reference of the report it duplicates", "text")
        },
        duplicate_reason: area("duplicate_reason", "Why it is a duplicate", edits),
        close_reason: area("close_reason", "Why the report is closed", edits),
        message: TextField {
            hint: Some("The reporter sees this on their report's page and is told by e-mail that there is news. It also answers any Victims' Code update that is due.".to_owned()),
            ..area("text", "Message to the reporter", edits)
        },
        outcomes: choices(
            "Choose an outcome",
            refdata
                .outcome_categories
                .current(today)
                .map(|entry| (entry.code.clone(), entry.label.clone()))
                .collect(),
            &chosen("outcome"),
        ),
        outcome_note: area("note", "Note to the reporter (optional)", edits),
        deciding: report.decision.is_none() && !closed,
        recorded,
        closed,
    })
}

/// The success message of an action.
fn done_message(action: &str) -> Option<&'static str> {
    match action {
        "recorded" => Some("Incident recorded: it is in the triage queue with its recording clock"),
        "assess" => Some("Assessment saved"),
        "record" => Some("Recorded as a crime: the crime number is issued"),
        "not-a-crime" => Some("Decision recorded: not a crime"),
        "allocate" => Some("Report allocated"),
        "take" => Some("The report is yours"),
        "task" => Some("Task added"),
        "task-done" => Some("Task done"),
        "victims-code" => Some("Victims' Code deadline added as a task"),
        "message" => Some("Message sent to the reporter"),
        "outcome" => Some("Outcome recorded: the report is closed"),
        "close" => Some("Report closed"),
        "duplicate" => Some("Closed as a duplicate of the other report"),
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

/// The refusal of a field left empty or not understood.
fn missing(target: &str, message: &str) -> Refusal {
    Refusal::field(ErrorItem {
        target: target.to_owned(),
        message: message.to_owned(),
    })
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
        "record" => {
            let classification = form.trimmed("classification");
            if classification.is_empty() {
                return Err(missing(
                    "classification",
                    "Choose the Home Office classification",
                ));
            }
            app.record_crime(who, reference, classification)
                .await
                .map(|_| ())
        }
        "not-a-crime" => {
            let reason = required_text(form, "reason", "Give the reason this is not a crime")
                .map_err(Refusal::field)?;
            app.decide_not_a_crime(who, reference, reason).await
        }
        "allocate" => {
            let officer = form.trimmed("officer");
            let team = form.trimmed("team");
            let to = match (officer.is_empty(), team.is_empty()) {
                (false, true) => officer
                    .parse::<StaffId>()
                    .map(Allocation::Officer)
                    .map_err(|_| missing("officer", "Choose an officer from the list"))?,
                (true, false) => team
                    .parse::<uuid::Uuid>()
                    .map(Allocation::Team)
                    .map_err(|_| missing("team", "Choose a team from the list"))?,
                (true, true) => return Err(missing("officer", "Choose an officer or a team")),
                (false, false) => {
                    return Err(missing("officer", "Choose an officer or a team, not both"));
                }
            };
            app.allocate_report(who, reference, to).await
        }
        "take" => match user.staff_id() {
            Some(me) => {
                app.allocate_report(who, reference, Allocation::Officer(me))
                    .await
            }
            None => Err(AppError::Forbidden {
                action: "report.take",
            }),
        },
        "task" => {
            let title =
                required_text(form, "title", "Say what is to be done").map_err(Refusal::field)?;
            let due = form.trimmed("due");
            if due.is_empty() {
                return Err(missing("due", "Enter the date it is due"));
            }
            let due = NaiveDate::parse_from_str(due, "%Y-%m-%d").map_err(|_| {
                missing("due", "Enter the due date as a real date, like 2026-12-24")
            })?;
            let assignee = form.trimmed("assignee");
            let assignee = if assignee.is_empty() {
                None
            } else {
                Some(
                    assignee
                        .parse::<StaffId>()
                        .map_err(|_| missing("assignee", "Choose who is to do it from the list"))?,
                )
            };
            app.add_task(who, reference, title, due, assignee)
                .await
                .map(|_| ())
        }
        "task-done" => {
            let id = form.trimmed("task").parse::<uuid::Uuid>().map_err(|_| {
                Refusal::App(AppError::NotFound {
                    what: "task",
                    id: form.trimmed("task").to_owned(),
                })
            })?;
            app.complete_task(who, reference, id).await
        }
        "victims-code" => {
            let trigger = form.trimmed("trigger");
            if trigger.is_empty() {
                return Err(missing("trigger", "Choose what happened"));
            }
            let at = form.trimmed("at");
            if at.is_empty() {
                return Err(missing("at", "Enter when it happened"));
            }
            let at = NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M")
                .ok()
                .and_then(|local| {
                    chrono_tz::Europe::London
                        .from_local_datetime(&local)
                        .earliest()
                })
                .map(|local| local.with_timezone(&chrono::Utc))
                .ok_or_else(|| missing("at", "Enter when it happened as a date and time"))?;
            let enhanced = !form.trimmed("enhanced").is_empty();
            app.record_victims_code_trigger(who, reference, trigger, at, enhanced)
                .await
                .map(|_| ())
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
        "close" => {
            let reason =
                required_text(form, "close_reason", "Give the reason the report is closed")
                    .map_err(Refusal::field)?;
            app.close_report(who, reference, reason).await
        }
        "duplicate" => {
            let typed = form.trimmed("of");
            if typed.is_empty() {
                return Err(missing(
                    "of",
                    "Enter the reference of the report it duplicates",
                ));
            }
            let of = ReportReference::parse(typed)
                .map_err(|_| missing("of", "Enter a report reference like BL-7K3M-9QXD-2HJ"))?;
            let reason = required_text(
                form,
                "duplicate_reason",
                "Give the reason it is a duplicate",
            )
            .map_err(Refusal::field)?;
            app.link_duplicate(who, reference, &of, reason).await
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
        ("record", _) => "classification".to_owned(),
        ("allocate", "team") => "team".to_owned(),
        ("allocate" | "take", _) => "officer".to_owned(),
        ("task", "due") => "due".to_owned(),
        ("task", "assignee") => "assignee".to_owned(),
        ("task" | "task-done", _) => "title".to_owned(),
        ("victims-code", "at") => "at".to_owned(),
        ("victims-code", _) => "trigger".to_owned(),
        ("close", _) => "close_reason".to_owned(),
        ("duplicate", "of") => "of".to_owned(),
        ("duplicate", _) => "duplicate_reason".to_owned(),
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
    let (user, form) = match signed_in_form(&state, &headers, pairs).await {
        Ok(found) => found,
        Err(response) => return response,
    };
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
