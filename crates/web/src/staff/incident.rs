//! `GET|POST /staff/incidents/new`: a member of staff records an incident or crime reported
//! to them by phone, at a front counter or in person. It becomes a report in the triage
//! queue, like an online one, with its 24-hour recording clock; the caller can follow it
//! online when they gave an e-mail address.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::{AppError, NewReport, ReceivedBy};
use bluelamp_domain::person::{ContactDetails, Person};
use bluelamp_domain::report::ReportKind;
use chrono::{NaiveDateTime, TimeZone as _};

use super::auth::{SignedIn, signed_in, signed_in_form};
use super::queue::REPORT_PURPOSE;
use super::view::{Choice, IncidentPage};
use super::{finish, pages};
use crate::AppState;
use crate::portal::form::FormData;
use crate::portal::parse::{self, FieldError, PlaceInput};
use crate::portal::see_other;
use crate::portal::session::random_hex;
use crate::portal::view::{ErrorItem, TextField, render};

/// The most characters of the account of what happened.
const SUMMARY_LIMIT: usize = 5000;

fn page(state: &AppState, user: &SignedIn, form: &FormData, errors: Vec<FieldError>) -> Response {
    let today = bluelamp_domain::calendar::london_date(state.app.now());
    let error_at = |name: &str| {
        errors
            .iter()
            .find(|error| error.field == name)
            .map(|error| error.message.clone())
    };
    let field = |name: &str, label: &str| TextField {
        error: error_at(name),
        ..TextField::text(name, label, form.get(name))
    };
    let chosen_type = form.get("report_type");
    let report_types: Vec<Choice> = std::iter::once((
        String::new(),
        "Choose what is being reported".to_owned(),
        chosen_type.is_empty(),
    ))
    .chain(
        state
            .app
            .refdata()
            .online_report_types
            .current(today)
            .map(|entry| {
                let selected = entry.code == chosen_type;
                (entry.code.clone(), entry.label.clone(), selected)
            }),
    )
    .collect();
    let chosen_how = form.get("received_by");
    let received: Vec<Choice> = ReceivedBy::ALL
        .iter()
        .enumerate()
        .map(|(index, how)| {
            let selected = how.as_str() == chosen_how || (chosen_how.is_empty() && index == 0);
            (how.as_str().to_owned(), how.label().to_owned(), selected)
        })
        .collect();
    let key = if form.get("key").is_empty() {
        random_hex(16)
    } else {
        form.get("key").to_owned()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = IncidentPage {
        chrome: pages::chrome_in(
            state,
            "Record an incident",
            Some(user),
            !errors.is_empty(),
            "/staff/incidents/new",
        ),
        errors: errors
            .iter()
            .map(|error| ErrorItem {
                target: error.target.clone(),
                message: error.message.clone(),
            })
            .collect(),
        key,
        received,
        report_types,
        summary: TextField {
            rows: 6,
            ..field("summary", "What happened, in the caller's words")
        },
        when: TextField {
            input_type: "datetime-local",
            hint: Some("UK time; when it started if it went on".to_owned()),
            ..field("when", "When it happened")
        },
        place: vec![
            field("address_line_1", "Building and street"),
            field("address_town", "Town or city"),
            TextField {
                width: " govuk-input--width-10",
                spellcheck: false,
                ..field("address_postcode", "Postcode")
            },
        ],
        caller: vec![
            TextField {
                spellcheck: false,
                hint: Some("Leave empty if they would not give it (information only)".to_owned()),
                ..field("caller_name", "Caller's full name")
            },
            TextField {
                input_type: "tel",
                spellcheck: false,
                ..field("caller_phone", "Caller's telephone number (optional)")
            },
            TextField {
                input_type: "email",
                spellcheck: false,
                hint: Some(
                    "With an e-mail address the caller can follow the report online".to_owned(),
                ),
                ..field("caller_email", "Caller's e-mail address (optional)")
            },
        ],
        caller_is_victim: !form.get("caller_is_victim").is_empty(),
    };
    finish(render(status, &page), Vec::new())
}

/// `GET /staff/incidents/new`.
#[tracing::instrument(skip_all)]
pub(crate) async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    if !pages::handles_reports(user.principal.subject.role) {
        return pages::forbidden(&state, &user);
    }
    page(&state, &user, &FormData::default(), Vec::new())
}

/// The report the form describes, or what is wrong with it.
fn parse_form(
    state: &AppState,
    form: &FormData,
) -> Result<(NewReport, ReceivedBy), Vec<FieldError>> {
    let mut errors = Vec::new();
    let today = bluelamp_domain::calendar::london_date(state.app.now());
    let received_by = form
        .get("received_by")
        .parse::<ReceivedBy>()
        .map_err(|_| errors.push(FieldError::new("received_by", "Choose how it was reported")))
        .ok();
    let type_code = form.trimmed("report_type").to_owned();
    let kind = state
        .app
        .refdata()
        .online_report_types
        .get(&type_code, today)
        .and_then(|entry| entry.attribute("journey"))
        .and_then(|journey| journey.parse::<ReportKind>().ok());
    if kind.is_none() {
        errors.push(FieldError::new(
            "report_type",
            "Choose what is being reported",
        ));
    }
    let summary = parse::required_text(
        "summary",
        "What happened",
        form.get("summary"),
        SUMMARY_LIMIT,
        "Enter what happened",
    )
    .map_err(|error| errors.push(error))
    .ok();
    let when = form.trimmed("when");
    let occurred_from = if when.is_empty() {
        errors.push(FieldError::new("when", "Enter when it happened"));
        None
    } else {
        let at = NaiveDateTime::parse_from_str(when, "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|local| {
                chrono_tz::Europe::London
                    .from_local_datetime(&local)
                    .earliest()
            })
            .map(|local| local.with_timezone(&chrono::Utc));
        if at.is_none() {
            errors.push(FieldError::new(
                "when",
                "Enter when it happened as a date and time",
            ));
        }
        at
    };
    let is_information = kind == Some(ReportKind::Information);
    let place = match parse::place(
        &PlaceInput {
            line_1: form.get("address_line_1"),
            line_2: "",
            town: form.get("address_town"),
            postcode: form.get("address_postcode"),
            description: "",
        },
        !is_information,
    ) {
        Ok(place) => place,
        Err(found) => {
            errors.extend(found);
            None
        }
    };
    let mut contact = ContactDetails::default();
    if !form.trimmed("caller_email").is_empty() {
        match parse::email("caller_email", form.trimmed("caller_email")) {
            Ok(email) => contact.email = Some(email),
            Err(error) => errors.push(error),
        }
    }
    if !form.trimmed("caller_phone").is_empty() {
        match parse::phone("caller_phone", form.trimmed("caller_phone")) {
            Ok(phone) => contact.phone = Some(phone),
            Err(error) => errors.push(error),
        }
    }
    let caller = if form.trimmed("caller_name").is_empty() {
        if !is_information {
            errors.push(FieldError::new(
                "caller_name",
                "Enter the caller's full name",
            ));
        }
        None
    } else {
        match parse::person_name(
            "caller_name",
            "the caller's full name",
            form.get("caller_name"),
        ) {
            Ok(name) => {
                let mut person = Person::named(name);
                person.contact = contact;
                Some(person)
            }
            Err(error) => {
                errors.push(error);
                None
            }
        }
    };
    let (Some(received_by), Some(kind), Some(summary), Some(occurred_from), true) =
        (received_by, kind, summary, occurred_from, errors.is_empty())
    else {
        return Err(errors);
    };
    let key = form.trimmed("key");
    let report = NewReport {
        kind,
        idempotency_key: if key.is_empty() {
            random_hex(16)
        } else {
            format!("staff-{key}")
        },
        report_type: Some(type_code),
        summary,
        occurred_from,
        occurred_to: None,
        place,
        reporter_is_victim: caller.is_some() && !form.get("caller_is_victim").is_empty(),
        reporter: caller,
        victim: None,
        witnesses: Vec::new(),
        suspects: Vec::new(),
        vehicles: Vec::new(),
        property: Vec::new(),
        evidence: Vec::new(),
        details: serde_json::json!({}),
    };
    Ok((report, received_by))
}

/// `POST /staff/incidents/new`: records it and opens the new report.
#[tracing::instrument(skip_all)]
pub(crate) async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (user, form) = match signed_in_form(&state, &headers, pairs).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let (report, received_by) = match parse_form(&state, &form) {
        Ok(parsed) => parsed,
        Err(errors) => return page(&state, &user, &form, errors),
    };
    match state
        .app
        .record_incident(&user.principal, report, received_by)
        .await
    {
        Ok(made) => finish(
            see_other(&format!(
                "/staff/reports/{}?purpose={REPORT_PURPOSE}&done=recorded",
                made.reference.compact()
            )),
            Vec::new(),
        ),
        Err(AppError::Invalid { field, message, .. }) => {
            let target = match field.as_str() {
                "when" | "occurred_from" => "when",
                "report_type" => "report_type",
                "summary" => "summary",
                _ => "summary",
            };
            let error = FieldError::new(target, pages::sentence(&message));
            page(&state, &user, &form, vec![error])
        }
        Err(other) => pages::app_error(&state, Some(&user), &other),
    }
}
