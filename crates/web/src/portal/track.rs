//! Following a report: enter the reference, prove the one-time code e-mailed to the
//! address on the report, then see its status, outcome and timeline, send messages and add
//! evidence.

use axum::Form;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::reports::REPORTER_PURPOSE;
use bluelamp_app::{AppError, Author, Principal, ReportView};
use bluelamp_domain::report::ReportReference;
use bluelamp_domain::values::Purpose;
use chrono::{DateTime, Utc};

use super::draft::MAX_FILES;
use super::form::FormData;
use super::parse::{self, FieldError};
use super::report::summary_of;
use super::session::Tracking;
use super::submit::receipt;
use super::view::{
    Block, Field, FileField, QuestionPage, SummaryRow, TextField, TimelineItem, TrackReportPage,
    human_size, render,
};
use super::{Portal, delete_blobs, finish, see_other};
use crate::AppState;

/// The service name of the tracking pages.
const SERVICE: &str = "Follow a report";

/// The longest message to the police, in characters.
const MESSAGE_LIMIT: usize = 2000;

fn tracking_of(portal: &Portal, session: &str) -> Option<Tracking> {
    portal
        .sessions
        .with(session, |stored| stored.tracking.clone())
        .flatten()
}

fn reference_page(portal: &Portal, token: &str, value: &str, errors: &[FieldError]) -> Response {
    let mut field = TextField::text("reference", "What is your report reference?", value);
    field.is_heading = true;
    field.hint = Some(
        "It is on the confirmation page and starts with BL, like BL-7K3M-9QXD-2HJ.".to_owned(),
    );
    field.width = " govuk-input--width-20";
    field.spellcheck = false;
    field.error = errors
        .iter()
        .find(|error| error.field == "reference")
        .map(|error| error.message.clone());
    let page = QuestionPage {
        chrome: portal.form_chrome("What is your report reference?", SERVICE, !errors.is_empty(), token),
        back_link: Some("/".to_owned()),
        caption: Some(SERVICE.to_owned()),
        heading: None,
        intro: Vec::new(),
        errors: summary_of(errors),
        files: Vec::new(),
        action: "/track".to_owned(),
        multipart: false,
        fields: vec![Field::Text(field)],
        button: "Continue".to_owned(),
        secondary: None,
        outro: vec![Block::Para(
            "We will send a code to the e-mail address you gave with your report. You need it to open the report.".to_owned(),
        )],
    };
    // A page showing errors is still a page: 200, as GOV.UK services answer it.
    let status = StatusCode::OK;
    render(status, &page)
}

/// The form for a report reference.
///
/// Who may call it: anyone.
#[tracing::instrument(skip_all)]
pub(crate) async fn start(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let portal = &state.portal;
    let (session, orphans) = portal.sessions.existing_or_new(&headers);
    portal.forget_blobs(orphans);
    let (token, signed_in) = portal
        .sessions
        .with(&session.id, |stored| {
            (
                stored.csrf_token.clone(),
                stored
                    .tracking
                    .as_ref()
                    .is_some_and(|tracking| tracking.principal.is_some()),
            )
        })
        .unwrap_or_default();
    if signed_in {
        return finish(see_other("/track/report"), session.set_cookie);
    }
    finish(reference_page(portal, &token, "", &[]), session.set_cookie)
}

/// Asks for a one-time code for the reference entered.
///
/// Business rule: the answer is the same whether the report exists, has an e-mail address
/// or not, so nobody can learn which references exist; only a badly typed reference, too
/// many codes for one report, or a failure to send are reported.
///
/// Who may call it: the holder of a session (CSRF token).
#[tracing::instrument(skip_all)]
pub(crate) async fn request_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let portal = &state.portal;
    let form = FormData::new(form.map(|Form(pairs)| pairs).unwrap_or_default());
    let (session_id, token) =
        match portal.check_post(&headers, form.get("csrf_token"), form.get("website")) {
            Ok(found) => found,
            Err(refusal) => return portal.refuse(&refusal),
        };
    let typed = form.get("reference");
    let reference = match ReportReference::parse(typed) {
        Ok(reference) => reference,
        Err(error) => {
            return finish(
                reference_page(
                    portal,
                    &token,
                    typed,
                    &[FieldError::new("reference", error.to_string())],
                ),
                None,
            );
        }
    };
    match state.app.request_report_code(&reference).await {
        Ok(_) => {}
        Err(AppError::RateLimited { message }) => {
            let mut response = reference_page(
                portal,
                &token,
                typed,
                &[FieldError::new("reference", parse::capitalise(&message))],
            );
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            return finish(response, None);
        }
        Err(AppError::Unavailable(message)) => {
            tracing::warn!(error = %message, "a one-time code could not be sent");
            let mut response = reference_page(
                portal,
                &token,
                typed,
                &[FieldError::new(
                    "reference",
                    "We could not send the e-mail with your code just now. Try again later",
                )],
            );
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            return finish(response, None);
        }
        Err(error) => {
            tracing::error!(error = %error, "asking for a one-time code failed");
            return super::pages::service_problem(portal, StatusCode::INTERNAL_SERVER_ERROR);
        }
    }
    portal.sessions.with(&session_id, |stored| {
        stored.tracking = Some(Tracking {
            reference,
            principal: None,
        });
    });
    finish(see_other("/track/code"), None)
}

fn code_page(
    portal: &Portal,
    token: &str,
    reference: &ReportReference,
    value: &str,
    errors: &[FieldError],
) -> Response {
    let mut field = TextField::text("code", "Enter the code", value);
    field.is_heading = true;
    field.hint = Some("The code is 6 numbers. It works once, for 15 minutes.".to_owned());
    field.width = " govuk-input--width-5";
    field.inputmode = Some("numeric");
    field.autocomplete = Some("one-time-code");
    field.spellcheck = false;
    field.error = errors
        .iter()
        .find(|error| error.field == "code")
        .map(|error| error.message.clone());
    let page = QuestionPage {
        chrome: portal.form_chrome("Enter the code", SERVICE, !errors.is_empty(), token),
        back_link: Some("/track".to_owned()),
        caption: Some(SERVICE.to_owned()),
        heading: None,
        intro: vec![Block::Inset(format!(
            "If {reference} is a report with an e-mail address, we have sent a code to it."
        ))],
        errors: summary_of(errors),
        files: Vec::new(),
        action: "/track/code".to_owned(),
        multipart: false,
        fields: vec![Field::Text(field)],
        button: "Continue".to_owned(),
        secondary: None,
        outro: vec![Block::Para(
            "If you have not received a code after a few minutes, check your spam folder, or go back and ask for a new one.".to_owned(),
        )],
    };
    // A page showing errors is still a page: 200, as GOV.UK services answer it.
    let status = StatusCode::OK;
    render(status, &page)
}

/// The form for the one-time code.
///
/// Who may call it: the holder of a session that asked for a code.
#[tracing::instrument(skip_all)]
pub(crate) async fn code_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let portal = &state.portal;
    let (session, orphans) = portal.sessions.existing_or_new(&headers);
    portal.forget_blobs(orphans);
    let token = portal
        .sessions
        .with(&session.id, |stored| stored.csrf_token.clone())
        .unwrap_or_default();
    let Some(tracking) = tracking_of(portal, &session.id) else {
        return finish(see_other("/track"), session.set_cookie);
    };
    finish(
        code_page(portal, &token, &tracking.reference, "", &[]),
        session.set_cookie,
    )
}

/// Checks the one-time code; when right, the session follows the report as its reporter.
///
/// Business rule: a code works once, until it expires, and not after too many wrong tries
/// (the application decides; its message is shown). The session gets a new id when the
/// reporter is signed in.
///
/// Who may call it: the holder of a session that asked for a code (CSRF token).
#[tracing::instrument(skip_all)]
pub(crate) async fn verify_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let portal = &state.portal;
    let form = FormData::new(form.map(|Form(pairs)| pairs).unwrap_or_default());
    let (session_id, token) =
        match portal.check_post(&headers, form.get("csrf_token"), form.get("website")) {
            Ok(found) => found,
            Err(refusal) => return portal.refuse(&refusal),
        };
    let Some(tracking) = tracking_of(portal, &session_id) else {
        return finish(see_other("/track"), None);
    };
    let typed = form.get("code");
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if code.is_empty() {
        let error = FieldError::new("code", "Enter the code from the e-mail");
        return finish(
            code_page(portal, &token, &tracking.reference, typed, &[error]),
            None,
        );
    }
    match state
        .app
        .verify_report_code(&tracking.reference, &code)
        .await
    {
        Ok(principal) => {
            let renewed = portal.sessions.renew(&session_id, |stored| {
                stored.tracking = Some(Tracking {
                    reference: tracking.reference.clone(),
                    principal: Some(principal.clone()),
                });
            });
            finish(see_other("/track/report"), renewed)
        }
        Err(AppError::Invalid { message, .. }) => {
            let error = FieldError::new("code", parse::capitalise(&message));
            finish(
                code_page(portal, &token, &tracking.reference, typed, &[error]),
                None,
            )
        }
        Err(error) => {
            tracing::error!(error = %error, "checking a one-time code failed");
            super::pages::service_problem(portal, StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// Local UK time for people: "27 November 2026 at 2:05pm".
fn when(at: DateTime<Utc>) -> String {
    parse::uk_local(at)
        .format("%-d %B %Y at %-I:%M%P")
        .to_string()
}

fn timeline(view: &ReportView) -> Vec<TimelineItem> {
    view.timeline
        .iter()
        .rev()
        .map(|entry| {
            let by = match entry.author {
                Author::Reporter => "You".to_owned(),
                Author::Police => entry.author_name.as_ref().map_or_else(
                    || "The police".to_owned(),
                    |name| format!("The police ({name})"),
                ),
                Author::System => "Bluelamp".to_owned(),
            };
            TimelineItem {
                title: entry.title.clone(),
                byline: format!("{by}, {}", when(entry.at)),
                datetime: entry.at.to_rfc3339(),
                text: entry.text.clone(),
                files: entry
                    .files
                    .iter()
                    .map(|file| {
                        let label = bluelamp_evidence::MediaType::ALL
                            .into_iter()
                            .find(|media| media.mime() == file.media_type)
                            .map_or_else(
                                || file.media_type.clone(),
                                |media| media.label().to_owned(),
                            );
                        format!(
                            "{} ({label}, {})",
                            file.file_name,
                            human_size(file.size_bytes)
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

fn report_page(
    portal: &Portal,
    token: &str,
    view: &ReportView,
    flash: Option<String>,
    message: &str,
    errors: &[FieldError],
) -> Response {
    let none_yet = || vec!["None yet".to_owned()];
    let mut facts = vec![
        SummaryRow {
            key: "Reference".to_owned(),
            lines: vec![view.reference.to_string()],
            change_href: None,
        },
        SummaryRow {
            key: "Type".to_owned(),
            lines: vec![
                view.type_label
                    .clone()
                    .unwrap_or_else(|| view.kind.label().to_owned()),
            ],
            change_href: None,
        },
        SummaryRow {
            key: "Received".to_owned(),
            lines: vec![when(view.submitted_at)],
            change_href: None,
        },
    ];
    facts.push(SummaryRow {
        key: "Crime number".to_owned(),
        lines: view
            .crime_number
            .clone()
            .map_or_else(none_yet, |number| vec![number]),
        change_href: None,
    });
    facts.push(SummaryRow {
        key: "Officer".to_owned(),
        lines: view
            .officer
            .clone()
            .map_or_else(none_yet, |officer| vec![officer]),
        change_href: None,
    });
    let error_of = |field: &str| {
        errors
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.clone())
    };
    let mut message_field =
        TextField::text("message", "Message (optional if you add a file)", message);
    message_field.hint = Some(format!(
        "Tell us anything new, or ask a question. You can enter up to {} characters.",
        parse::with_commas(MESSAGE_LIMIT)
    ));
    message_field.error = error_of("message");
    let page = TrackReportPage {
        chrome: portal.form_chrome("Your report", SERVICE, !errors.is_empty(), token),
        flash,
        errors: summary_of(errors),
        reference: view.reference.to_string(),
        facts,
        status: view.status.label().to_owned(),
        outcome: view
            .outcome
            .as_ref()
            .map(|outcome| (outcome.label.clone(), outcome.explanation.clone())),
        timeline: timeline(view),
        message: message_field,
        file: FileField {
            name: "file".to_owned(),
            label: "Add a file (optional)".to_owned(),
            hint: Some(format!(
                "A photo, video or document, up to {} each.",
                human_size(portal.config.max_upload_bytes)
            )),
            error: error_of("file"),
        },
    };
    // A page showing errors is still a page: 200, as GOV.UK services answer it.
    let status = StatusCode::OK;
    render(status, &page)
}

/// The signed-in reporter and their report, or where to send them instead.
async fn signed_in_view(
    state: &AppState,
    session: &str,
) -> Result<(Principal, ReportView), Response> {
    let portal = &state.portal;
    let Some(Tracking {
        reference,
        principal: Some(principal),
    }) = tracking_of(portal, session)
    else {
        return Err(see_other("/track"));
    };
    let purpose = Purpose::parse(REPORTER_PURPOSE).map_err(|error| {
        tracing::error!(error = %error, "the reporter purpose does not parse");
        super::pages::service_problem(portal, StatusCode::INTERNAL_SERVER_ERROR)
    })?;
    match state
        .app
        .track_report(&principal, &reference, &purpose)
        .await
    {
        Ok(view) => Ok((principal, view)),
        Err(AppError::NotFound { .. } | AppError::Forbidden { .. }) => {
            portal
                .sessions
                .with(session, |stored| stored.tracking = None);
            Err(see_other("/track"))
        }
        Err(error) => {
            tracing::error!(error = %error, "showing a report to its reporter failed");
            Err(super::pages::service_problem(
                portal,
                StatusCode::INTERNAL_SERVER_ERROR,
            ))
        }
    }
}

/// The report: status, crime number, officer, outcome explained, the timeline newest
/// first, and the form to send a message or add evidence.
///
/// Who may call it: a reporter who proved the one-time code in this session; the
/// application audits each view as a consultation for [`REPORTER_PURPOSE`].
#[tracing::instrument(skip_all)]
pub(crate) async fn report(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let portal = &state.portal;
    let (session, orphans) = portal.sessions.existing_or_new(&headers);
    portal.forget_blobs(orphans);
    let (view, token, flash, kept) = match signed_in_view(&state, &session.id).await {
        Ok((_, view)) => {
            let (token, flash, kept) = portal
                .sessions
                .with(&session.id, |stored| {
                    (
                        stored.csrf_token.clone(),
                        stored.flash.take(),
                        stored.message_errors.take(),
                    )
                })
                .unwrap_or_default();
            (view, token, flash, kept)
        }
        Err(response) => return finish(response, session.set_cookie),
    };
    let (errors, typed) = kept.unwrap_or_default();
    finish(
        report_page(portal, &token, &view, flash, &typed, &errors),
        session.set_cookie,
    )
}

/// Sends a message and/or a file to the police about the report.
///
/// Business rule: a message (at most 2,000 characters) or a file, or both; files are
/// received like evidence on a new report. Nothing is kept when the application refuses.
///
/// Who may call it: a reporter signed in with a one-time code (CSRF token).
#[tracing::instrument(skip_all)]
pub(crate) async fn send_message(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let portal = &state.portal;
    let upload = match super::upload::read_upload(portal, &headers, multipart, MAX_FILES).await {
        Ok(upload) => upload,
        Err(response) => return response,
    };
    let received: Vec<_> = upload.files.iter().map(|file| file.key.clone()).collect();
    let (principal, view) = match signed_in_view(&state, &upload.session_id).await {
        Ok(found) => found,
        Err(response) => {
            delete_blobs(&portal.config.blobs, received).await;
            return finish(response, None);
        }
    };
    let typed = upload.fields.get("message").to_owned();
    let mut errors = Vec::new();
    if let Some(message) = &upload.error {
        errors.push(FieldError::new("file", message.clone()));
    }
    let text = match parse::optional_text("message", "Message", &typed, MESSAGE_LIMIT) {
        Ok(text) => text,
        Err(error) => {
            errors.push(error);
            None
        }
    };
    if errors.is_empty() && text.is_none() && upload.files.is_empty() {
        errors.push(FieldError::new(
            "message",
            "Enter a message or choose a file to add",
        ));
    }
    if !errors.is_empty() {
        delete_blobs(&portal.config.blobs, received).await;
        return show_errors(portal, &upload.session_id, errors, typed);
    }
    let evidence = upload.files.iter().map(receipt).collect();
    match state
        .app
        .add_to_report(&principal, &view.reference, text, evidence)
        .await
    {
        Ok(()) => {
            portal.sessions.with(&upload.session_id, |stored| {
                stored.flash = Some("Your message has been sent".to_owned());
            });
            finish(see_other("/track/report"), None)
        }
        Err(AppError::Invalid { field, message, .. }) => {
            delete_blobs(&portal.config.blobs, received).await;
            let target = if field.starts_with("evidence") {
                "file"
            } else {
                "message"
            };
            let errors = vec![FieldError::new(target, parse::capitalise(&message))];
            show_errors(portal, &upload.session_id, errors, typed)
        }
        Err(error) => {
            delete_blobs(&portal.config.blobs, received).await;
            tracing::error!(error = %error, "adding to a report failed");
            super::pages::service_problem(portal, StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// Keeps a message's errors and what was typed for the report page, and goes there (so the
/// address stays `/track/report`).
fn show_errors(portal: &Portal, session: &str, errors: Vec<FieldError>, typed: String) -> Response {
    portal.sessions.with(session, |stored| {
        stored.message_errors = Some((errors, typed));
    });
    finish(see_other("/track/report"), None)
}

/// Ends the tracking sign-in (the rest of the session stays).
///
/// Who may call it: the holder of a session (CSRF token).
#[tracing::instrument(skip_all)]
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let portal = &state.portal;
    let form = FormData::new(form.map(|Form(pairs)| pairs).unwrap_or_default());
    let (session_id, _) =
        match portal.check_post(&headers, form.get("csrf_token"), form.get("website")) {
            Ok(found) => found,
            Err(refusal) => return portal.refuse(&refusal),
        };
    portal
        .sessions
        .with(&session_id, |stored| stored.tracking = None);
    finish(see_other("/"), None)
}
