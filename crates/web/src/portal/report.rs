//! The report journeys: start a draft, one question per page, check the answers, submit,
//! and the confirmation.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::AppError;
use serde::Deserialize;

use super::checks;
use super::draft::{Draft, Submitted};
use super::form::FormData;
use super::journey::{Journey, Step};
use super::parse::{self, FieldError};
use super::session::SessionRef;
use super::steps::{self, Answers, StepContext};
use super::submit;
use super::view::{Block, CheckPage, DonePage, ErrorItem, QuestionPage, render};
use super::{Portal, finish, see_other};
use crate::AppState;

/// `?return=check`: go back to "Check your answers" after this step.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReturnTo {
    /// `check` to return to the check page.
    #[serde(rename = "return", default)]
    pub(crate) to: Option<String>,
}

impl ReturnTo {
    /// Whether the person came from "Check your answers".
    pub(crate) fn check_requested(&self) -> bool {
        self.to.as_deref() == Some("check")
    }
}

/// The URL of a step.
pub(crate) fn step_url(journey: Journey, step: Step) -> String {
    format!("/report/{}/{}", journey.slug(), step.slug())
}

/// The URL of a journey page (`check`, `submit`, `done`).
pub(crate) fn page_url(journey: Journey, page: &str) -> String {
    format!("/report/{}/{page}", journey.slug())
}

/// The context steps are checked in.
pub(crate) fn context(state: &AppState, journey: Journey) -> StepContext<'_> {
    StepContext {
        journey,
        refdata: state.app.refdata(),
        today: parse::uk_today(chrono::Utc::now()),
    }
}

/// The session of a page request and a copy of its draft of `journey` (if one is being
/// written), with its CSRF token.
pub(crate) fn load(
    portal: &Portal,
    headers: &HeaderMap,
    journey: Journey,
) -> (SessionRef, String, Option<Draft>) {
    let (session, orphans) = portal.sessions.existing_or_new(headers);
    portal.forget_blobs(orphans);
    let (token, draft) = portal
        .sessions
        .with(&session.id, |stored| {
            (
                stored.csrf_token.clone(),
                stored.drafts.get(&journey).cloned(),
            )
        })
        .unwrap_or_default();
    (session, token, draft)
}

/// Starts (or resumes) a draft and goes to its first unanswered step.
///
/// Business rule: a draft already submitted is replaced by a new one, so the same browser
/// can make a second report; an unsubmitted one is resumed.
///
/// Who may call it: anyone.
#[tracing::instrument(skip_all, fields(journey = %journey))]
pub(crate) async fn start_journey(
    State(state): State<AppState>,
    Path(journey): Path<String>,
    headers: HeaderMap,
) -> Response {
    let portal = &state.portal;
    let Some(journey) = Journey::from_slug(&journey) else {
        return super::pages::not_found(portal);
    };
    let (session, orphans) = portal.sessions.existing_or_new(&headers);
    portal.forget_blobs(orphans);
    let first = portal
        .sessions
        .with(&session.id, |stored| {
            let draft = stored
                .drafts
                .entry(journey)
                .or_insert_with(|| Draft::new(journey));
            if draft.submitted.is_some() {
                *draft = Draft::new(journey);
            }
            draft.first_incomplete()
        })
        .flatten();
    let to = first.map_or_else(
        || page_url(journey, "check"),
        |step| step_url(journey, step),
    );
    finish(see_other(&to), session.set_cookie)
}

/// What a step page needs to be drawn.
pub(crate) struct StepPage<'a> {
    /// The journey.
    pub(crate) journey: Journey,
    /// The step.
    pub(crate) step: Step,
    /// The draft.
    pub(crate) draft: &'a Draft,
    /// The session's CSRF token.
    pub(crate) csrf_token: &'a str,
    /// Whether the person came from "Check your answers".
    pub(crate) return_to_check: bool,
}

impl StepPage<'_> {
    /// Where Back goes.
    pub(crate) fn back_link(&self) -> String {
        if self.return_to_check {
            return page_url(self.journey, "check");
        }
        self.draft
            .previous_before(self.step)
            .map_or_else(|| "/".to_owned(), |step| step_url(self.journey, step))
    }

    /// Where the form posts.
    pub(crate) fn action(&self) -> String {
        let base = step_url(self.journey, self.step);
        if self.return_to_check {
            format!("{base}?return=check")
        } else {
            base
        }
    }
}

/// The error summary of `errors`.
pub(crate) fn summary_of(errors: &[FieldError]) -> Vec<ErrorItem> {
    errors
        .iter()
        .map(|error| ErrorItem {
            target: error.target.clone(),
            message: error.message.clone(),
        })
        .collect()
}

/// Draws a question page with `answers` and `errors`.
fn render_step(
    state: &AppState,
    page: &StepPage<'_>,
    answers: &dyn Answers,
    errors: &[FieldError],
) -> Response {
    let portal = &state.portal;
    let context = context(state, page.journey);
    let view = steps::view(page.step, &context, answers, errors);
    let question = steps::question(page.step, page.journey);
    // A page showing errors is still a page: 200, as GOV.UK services answer it.
    let status = StatusCode::OK;
    let template = QuestionPage {
        chrome: portal.form_chrome(
            question,
            page.journey.title(),
            !errors.is_empty(),
            page.csrf_token,
        ),
        back_link: Some(page.back_link()),
        caption: Some(page.journey.title().to_owned()),
        heading: view.heading,
        intro: view.intro,
        errors: summary_of(errors),
        files: Vec::new(),
        action: page.action(),
        multipart: false,
        fields: view.fields,
        button: "Continue".to_owned(),
        secondary: None,
        outro: Vec::new(),
    };
    render(status, &template)
}

/// Where a GET of `step` must go instead, if anywhere: the journey's start without a
/// draft, the confirmation after submission, the first unanswered step when this one is
/// further on, "Check your answers" for a step skipped.
pub(crate) fn redirect_for(journey: Journey, step: Step, draft: Option<&Draft>) -> Option<String> {
    let Some(draft) = draft else {
        return Some(format!("/report/{}", journey.slug()));
    };
    if draft.submitted.is_some() {
        return Some(page_url(journey, "done"));
    }
    let active = draft.active_steps();
    let Some(position) = active.iter().position(|candidate| *candidate == step) else {
        return Some(page_url(journey, "check"));
    };
    let first = draft.first_incomplete()?;
    let first_position = active.iter().position(|candidate| *candidate == first)?;
    (first_position < position).then(|| step_url(journey, first))
}

/// One question page.
///
/// Business rule: steps are answered in order; a step further on than the first unanswered
/// one sends the person back to that one. An error the application found on submission is
/// shown once on its step.
///
/// Who may call it: anyone with a draft of this journey.
#[tracing::instrument(skip_all, fields(journey = %journey, step = %step))]
pub(crate) async fn show_step(
    State(state): State<AppState>,
    Path((journey, step)): Path<(String, String)>,
    Query(back): Query<ReturnTo>,
    headers: HeaderMap,
) -> Response {
    let portal = &state.portal;
    let (Some(journey), Some(step)) = (Journey::from_slug(&journey), Step::from_slug(&step)) else {
        return super::pages::not_found(portal);
    };
    if !journey.steps().contains(&step) || step == Step::Evidence {
        return super::pages::not_found(portal);
    }
    let (session, token, draft) = load(portal, &headers, journey);
    if let Some(to) = redirect_for(journey, step, draft.as_ref()) {
        return finish(see_other(&to), session.set_cookie);
    }
    let Some(draft) = draft else {
        return finish(
            see_other(&format!("/report/{}", journey.slug())),
            session.set_cookie,
        );
    };
    let pending = take_pending(portal, &session.id, journey, step);
    let errors: Vec<FieldError> = pending.into_iter().collect();
    let page = StepPage {
        journey,
        step,
        draft: &draft,
        csrf_token: &token,
        return_to_check: back.check_requested(),
    };
    finish(
        render_step(&state, &page, &draft, &errors),
        session.set_cookie,
    )
}

/// Takes the application's error for `step` out of the draft (it is shown once).
pub(crate) fn take_pending(
    portal: &Portal,
    session: &str,
    journey: Journey,
    step: Step,
) -> Option<FieldError> {
    portal
        .sessions
        .with(session, |stored| {
            let draft = stored.drafts.get_mut(&journey)?;
            if draft
                .pending
                .as_ref()
                .is_some_and(|pending| pending.step == step)
            {
                draft
                    .pending
                    .take()
                    .map(|pending| FieldError::new(&pending.field, pending.message))
            } else {
                None
            }
        })
        .flatten()
        .map(|mut error| {
            if matches!(error.field.as_str(), "when" | "dob") {
                error.target = format!("{}-day", error.field);
                error.parts = vec!["day", "month", "year"];
            }
            error
        })
}

/// Saves a step's answers and goes on.
///
/// Business rule: the answers are checked; with errors the page is shown again with what
/// was typed and a message for each field at fault, and nothing is saved. Accepted answers
/// replace the step's earlier ones; the next page is the next step, or "Check your
/// answers" when the person came from there or has answered everything.
///
/// Who may call it: the holder of a session with a draft of this journey (CSRF token).
#[tracing::instrument(skip_all, fields(journey = %journey, step = %step))]
pub(crate) async fn save_step(
    State(state): State<AppState>,
    Path((journey, step)): Path<(String, String)>,
    Query(back): Query<ReturnTo>,
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
    let (Some(journey), Some(step)) = (Journey::from_slug(&journey), Step::from_slug(&step)) else {
        return super::pages::not_found(portal);
    };
    if !journey.steps().contains(&step) || step == Step::Evidence {
        return super::pages::not_found(portal);
    }
    let draft = portal
        .sessions
        .with(&session_id, |stored| stored.drafts.get(&journey).cloned())
        .flatten();
    let Some(draft) = draft.filter(|draft| draft.submitted.is_none()) else {
        return finish(see_other(&format!("/report/{}", journey.slug())), None);
    };
    let context = context(&state, journey);
    let errors = checks::validate(step, &context, &form);
    if !errors.is_empty() {
        let page = StepPage {
            journey,
            step,
            draft: &draft,
            csrf_token: &token,
            return_to_check: back.check_requested(),
        };
        return finish(render_step(&state, &page, &form, &errors), None);
    }
    let next = portal
        .sessions
        .with(&session_id, |stored| {
            let draft = stored.drafts.get_mut(&journey)?;
            draft.save(step, form.answers(step.fields()));
            if draft
                .pending
                .as_ref()
                .is_some_and(|pending| pending.step == step)
            {
                draft.pending = None;
            }
            Some(next_page(draft, step, back.check_requested()))
        })
        .flatten()
        .unwrap_or_else(|| format!("/report/{}", journey.slug()));
    finish(see_other(&next), None)
}

/// The page after `step` was answered.
pub(crate) fn next_page(draft: &Draft, step: Step, return_to_check: bool) -> String {
    let journey = draft.journey;
    if return_to_check {
        return page_url(journey, "check");
    }
    draft.next_after(step).map_or_else(
        || page_url(journey, "check"),
        |next| step_url(journey, next),
    )
}

/// "Check your answers".
///
/// Business rule: shown only when every step has been answered (otherwise the first
/// unanswered step is shown); every answer has a `Change` link back to its step with
/// `?return=check`.
///
/// Who may call it: anyone with a draft of this journey.
#[tracing::instrument(skip_all, fields(journey = %journey))]
pub(crate) async fn check_answers(
    State(state): State<AppState>,
    Path(journey): Path<String>,
    headers: HeaderMap,
) -> Response {
    let portal = &state.portal;
    let Some(journey) = Journey::from_slug(&journey) else {
        return super::pages::not_found(portal);
    };
    let (session, token, draft) = load(portal, &headers, journey);
    let Some(draft) = draft else {
        return finish(
            see_other(&format!("/report/{}", journey.slug())),
            session.set_cookie,
        );
    };
    if draft.submitted.is_some() {
        return finish(see_other(&page_url(journey, "done")), session.set_cookie);
    }
    if let Some(first) = draft.first_incomplete() {
        return finish(see_other(&step_url(journey, first)), session.set_cookie);
    }
    let pending: Vec<ErrorItem> = portal
        .sessions
        .with(&session.id, |stored| {
            let draft = stored.drafts.get_mut(&journey)?;
            draft.pending.take()
        })
        .flatten()
        .map(|pending| ErrorItem {
            target: "main-content".to_owned(),
            message: pending.message,
        })
        .into_iter()
        .collect();
    finish(
        render_check(&state, &draft, &token, pending),
        session.set_cookie,
    )
}

fn render_check(state: &AppState, draft: &Draft, token: &str, errors: Vec<ErrorItem>) -> Response {
    let journey = draft.journey;
    let context = context(state, journey);
    // A page showing errors is still a page: 200, as GOV.UK services answer it.
    let status = StatusCode::OK;
    let last = draft
        .active_steps()
        .last()
        .copied()
        .map_or_else(|| "/".to_owned(), |step| step_url(journey, step));
    let declaration = if journey == Journey::Information && draft.anonymous() {
        "By sending this, you confirm that the information is true to the best of your knowledge."
            .to_owned()
    } else {
        "By sending this report, you confirm that the information you have given is true to the best of your knowledge. Giving false information to the police is an offence.".to_owned()
    };
    let page = CheckPage {
        chrome: state.portal.form_chrome(
            "Check your answers",
            journey.title(),
            !errors.is_empty(),
            token,
        ),
        back_link: last,
        errors,
        sections: super::check::sections(draft, &context),
        action: page_url(journey, "submit"),
        declaration,
    };
    render(status, &page)
}

/// Makes the report.
///
/// Business rule: idempotent per draft — a repeated post (a double click, a refresh) finds
/// the report already made and shows the same confirmation. An answer the application
/// refuses sends the person to its step with the message.
///
/// Who may call it: the holder of a session with a finished draft (CSRF token).
#[tracing::instrument(skip_all, fields(journey = %journey))]
pub(crate) async fn submit(
    State(state): State<AppState>,
    Path(journey): Path<String>,
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
    let Some(journey) = Journey::from_slug(&journey) else {
        return super::pages::not_found(portal);
    };
    let draft = portal
        .sessions
        .with(&session_id, |stored| stored.drafts.get(&journey).cloned())
        .flatten();
    let Some(draft) = draft else {
        return finish(see_other(&format!("/report/{}", journey.slug())), None);
    };
    if draft.submitted.is_some() {
        return finish(see_other(&page_url(journey, "done")), None);
    }
    if let Some(first) = draft.first_incomplete() {
        return finish(see_other(&step_url(journey, first)), None);
    }
    let context = context(&state, journey);
    let report = match submit::build(&draft, &context) {
        Ok(report) => report,
        Err(failure) => {
            let to = step_url(journey, failure.step);
            set_pending(portal, &session_id, journey, failure.step, failure.error);
            return finish(see_other(&to), None);
        }
    };
    match state.app.submit_report(report).await {
        Ok(made) => {
            portal.sessions.with(&session_id, |stored| {
                if let Some(draft) = stored.drafts.get_mut(&journey) {
                    draft.submitted = Some(Submitted {
                        reference: made.reference.clone(),
                        trackable: made.trackable,
                    });
                    draft.pending = None;
                }
            });
            tracing::info!(reference = %made.reference, first_time = made.first_time, "report submitted");
            finish(see_other(&page_url(journey, "done")), None)
        }
        Err(AppError::Invalid { field, message, .. }) => {
            match submit::pending_error(journey, &field, &message) {
                Some(pending) => {
                    let to = step_url(journey, pending.step);
                    portal.sessions.with(&session_id, |stored| {
                        if let Some(draft) = stored.drafts.get_mut(&journey) {
                            draft.pending = Some(pending);
                        }
                    });
                    finish(see_other(&to), None)
                }
                None => {
                    tracing::warn!(field = %field, "report refused on a field no step has");
                    let errors = vec![ErrorItem {
                        target: "main-content".to_owned(),
                        message: parse::capitalise(&message),
                    }];
                    finish(render_check(&state, &draft, &token, errors), None)
                }
            }
        }
        Err(AppError::RateLimited { .. }) => super::pages::too_many_requests(portal),
        Err(error) => {
            tracing::error!(error = %error, code = error.code(), "submitting a report failed");
            let status = match error {
                AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            super::pages::service_problem(portal, status)
        }
    }
}

fn set_pending(portal: &Portal, session: &str, journey: Journey, step: Step, error: FieldError) {
    portal.sessions.with(session, |stored| {
        if let Some(draft) = stored.drafts.get_mut(&journey) {
            draft.pending = Some(super::draft::PendingError {
                step,
                field: error.field,
                message: error.message,
            });
        }
    });
}

/// The confirmation: the reference in a panel and what happens next.
///
/// Who may call it: the holder of the session that made the report.
#[tracing::instrument(skip_all, fields(journey = %journey))]
pub(crate) async fn done(
    State(state): State<AppState>,
    Path(journey): Path<String>,
    headers: HeaderMap,
) -> Response {
    let portal = &state.portal;
    let Some(journey) = Journey::from_slug(&journey) else {
        return super::pages::not_found(portal);
    };
    let (session, _, draft) = load(portal, &headers, journey);
    let Some(submitted) = draft.as_ref().and_then(|draft| draft.submitted.clone()) else {
        return finish(
            see_other(&format!("/report/{}", journey.slug())),
            session.set_cookie,
        );
    };
    let anonymous = draft.as_ref().is_some_and(Draft::anonymous);
    let reference = submitted.reference.to_string();
    let mut next = vec![Block::Heading("What happens next".to_owned())];
    next.push(Block::Para(match journey {
        Journey::RoadTraffic => "We will look at your footage and decide whether to warn or prosecute the driver, or take no further action. If we need a witness statement, we will contact you.".to_owned(),
        Journey::Information if anonymous => "Thank you. We will look at what you have told us. Because you stayed anonymous, we cannot tell you what happens.".to_owned(),
        _ => "Someone will look at your report, usually within 2 working days, and contact you if they need to know more.".to_owned(),
    }));
    if submitted.trackable {
        next.push(Block::Para(format!(
            "You can follow your report online: go to Follow a report and enter your reference, {reference}. We will e-mail you a code to open it."
        )));
    } else if !anonymous {
        next.push(Block::Para(format!(
            "Keep your reference, {reference}. Quote it if you call 101 about this report."
        )));
    }
    next.push(Block::Warning(
        "If you are in danger, or the situation gets worse, call 999.".to_owned(),
    ));
    let page = DonePage {
        chrome: portal.chrome(
            match journey {
                Journey::Information => "Information sent",
                _ => "Report sent",
            },
            journey.title(),
            false,
        ),
        panel_title: match journey {
            Journey::Information => "Information sent".to_owned(),
            _ => "Report sent".to_owned(),
        },
        reference,
        next,
    };
    finish(render(StatusCode::OK, &page), session.set_cookie)
}
