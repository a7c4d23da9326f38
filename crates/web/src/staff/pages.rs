//! The chrome, the home page and the pages every staff handler may answer with: refused,
//! not found, and the service problem.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::AppError;
use bluelamp_policy::Role;

use super::auth::{SignedIn, signed_in};
use super::finish;
use super::view::{Choice, Chrome, ChromeUser, NavItem, Para, SERVICE, TextPage};
use crate::AppState;
use crate::portal::see_other;
use crate::portal::view::{PRODUCT, render};

/// A role in words.
pub(crate) fn role_label(role: Role) -> &'static str {
    match role {
        Role::ContactHandler => "Contact handler",
        Role::Officer => "Officer",
        Role::Investigator => "Investigator",
        Role::Supervisor => "Supervisor",
        Role::Analyst => "Analyst",
        Role::InformationManager => "Information manager",
        Role::Administrator => "Administrator",
    }
}

/// Whether `role` handles reports (assesses, records, messages, closes).
pub(crate) fn handles_reports(role: Option<Role>) -> bool {
    matches!(
        role,
        Some(Role::ContactHandler | Role::Officer | Role::Investigator | Role::Supervisor)
    )
}

/// Whether `role` sees the triage queue.
fn sees_queue(role: Option<Role>) -> bool {
    handles_reports(role) || role == Some(Role::Analyst)
}

/// A section of the workspace: `(href, words, who has it)`.
type Section = (&'static str, &'static str, fn(Option<Role>) -> bool);

/// The sections of the workspace.
const SECTIONS: [Section; 8] = [
    ("/staff/work", "My work", handles_reports),
    ("/staff/queue", "Triage queue", sees_queue),
    ("/staff/search", "Search", searches),
    (
        "/staff/incidents/new",
        "Record an incident",
        handles_reports,
    ),
    ("/staff/reviews", "Reviews", is_information_manager),
    ("/staff/admin/users", "Users", is_administrator),
    ("/staff/admin/teams", "Teams", is_administrator),
    ("/staff/audit", "Audit log", is_information_manager),
];

/// Whether `role` searches records (everyone who consults them).
fn searches(role: Option<Role>) -> bool {
    sees_queue(role) || role == Some(Role::InformationManager)
}

/// Whether `role` reviews records under MoPI and checks the audit log.
fn is_information_manager(role: Option<Role>) -> bool {
    role == Some(Role::InformationManager)
}

fn is_administrator(role: Option<Role>) -> bool {
    role == Some(Role::Administrator)
}

/// The access purposes in force today as choices, led by an empty "Choose a purpose", with
/// `chosen` (a purpose code, or empty) selected.
pub(crate) fn purpose_choices(state: &AppState, chosen: &str) -> Vec<Choice> {
    let today = bluelamp_domain::calendar::london_date(state.app.now());
    std::iter::once((
        String::new(),
        "Choose a purpose".to_owned(),
        chosen.is_empty(),
    ))
    .chain(
        state
            .app
            .refdata()
            .purposes(today)
            .into_iter()
            .map(|purpose| {
                let selected = purpose.code == chosen;
                (purpose.code, purpose.label, selected)
            }),
    )
    .collect()
}

/// The chrome of a page titled `page`, for `user` (when signed in); `section` is the
/// current section's href, if any.
pub(crate) fn chrome(
    state: &AppState,
    page: &str,
    user: Option<&SignedIn>,
    has_errors: bool,
) -> Chrome {
    chrome_in(state, page, user, has_errors, "")
}

/// [`chrome`] within the section at `section`.
pub(crate) fn chrome_in(
    state: &AppState,
    page: &str,
    user: Option<&SignedIn>,
    has_errors: bool,
    section: &str,
) -> Chrome {
    let error = if has_errors { "Error: " } else { "" };
    Chrome {
        title: format!("{error}{page} – {SERVICE} – {PRODUCT}"),
        force_name: state.staff.config.force_name.clone(),
        user: user.map(|user| {
            let role = user.principal.subject.role;
            ChromeUser {
                name: user.principal.display_name.clone(),
                role: role.map_or("No role", role_label).to_owned(),
                nav: SECTIONS
                    .iter()
                    .filter(|(_, _, has)| has(role))
                    .map(|(href, label, _)| NavItem {
                        href,
                        label,
                        current: *href == section,
                    })
                    .collect(),
            }
        }),
        csrf_token: user.map(|user| user.csrf.clone()),
    }
}

/// `GET /staff`: each role's starting page.
#[tracing::instrument(skip_all)]
pub(crate) async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let role = user.principal.subject.role;
    if matches!(
        role,
        Some(Role::Officer | Role::Investigator | Role::Supervisor)
    ) {
        return finish(see_other("/staff/work"), Vec::new());
    }
    if sees_queue(role) {
        return finish(see_other("/staff/queue"), Vec::new());
    }
    if is_administrator(role) {
        return finish(see_other("/staff/admin/users"), Vec::new());
    }
    if is_information_manager(role) {
        return finish(see_other("/staff/reviews"), Vec::new());
    }
    text(
        &state,
        Some(&user),
        StatusCode::OK,
        "Your workspace",
        vec![Para::Text(
            "There is nothing for your role to do here yet.".to_owned(),
        )],
    )
}

/// A text page.
pub(crate) fn text(
    state: &AppState,
    user: Option<&SignedIn>,
    status: StatusCode,
    heading: &str,
    paras: Vec<Para>,
) -> Response {
    let page = TextPage {
        chrome: chrome(state, heading, user, false),
        heading: heading.to_owned(),
        paras,
    };
    finish(render(status, &page), Vec::new())
}

/// 403: a form without its token, from another site, or after the session ended.
pub(crate) fn form_refused(state: &AppState) -> Response {
    text(
        state,
        None,
        StatusCode::FORBIDDEN,
        "Sorry, we could not accept that form",
        vec![
            Para::Text(
                "The form was not sent from this site, or it was sent after your sign-in or session ended. Nothing was changed.".to_owned(),
            ),
            Para::Link("/staff".to_owned(), "Go back to the workspace".to_owned()),
        ],
    )
}

/// 403: the policy refused (the application has audited the refusal).
pub(crate) fn forbidden(state: &AppState, user: &SignedIn) -> Response {
    text(
        state,
        Some(user),
        StatusCode::FORBIDDEN,
        "You cannot do that",
        vec![
            Para::Text(
                "Your role does not allow this. The attempt has been recorded in the audit log."
                    .to_owned(),
            ),
            Para::Text("If you need to do this for your work, ask your supervisor.".to_owned()),
            Para::Link("/staff".to_owned(), "Go back to the workspace".to_owned()),
        ],
    )
}

/// 404.
pub(crate) fn not_found(state: &AppState, user: Option<&SignedIn>, what: &str) -> Response {
    text(
        state,
        user,
        StatusCode::NOT_FOUND,
        "Not found",
        vec![
            Para::Text(format!("There is no {what} with that reference.")),
            Para::Link("/staff".to_owned(), "Go back to the workspace".to_owned()),
        ],
    )
}

/// The page for an application error that no form field explains.
pub(crate) fn app_error(state: &AppState, user: Option<&SignedIn>, error: &AppError) -> Response {
    match (error, user) {
        (AppError::Unauthenticated, _) => see_other("/staff/sign-in?ended=1"),
        (AppError::Forbidden { .. } | AppError::PurposeRequired, Some(user)) => {
            forbidden(state, user)
        }
        (AppError::NotFound { what, .. }, _) => not_found(state, user, what),
        (AppError::Invalid { message, .. } | AppError::RateLimited { message }, _) => text(
            state,
            user,
            StatusCode::UNPROCESSABLE_ENTITY,
            "That could not be done",
            vec![
                Para::Text(sentence(message)),
                Para::Link("/staff".to_owned(), "Go back to the workspace".to_owned()),
            ],
        ),
        (AppError::Conflict { what, id }, _) => text(
            state,
            user,
            StatusCode::CONFLICT,
            "That could not be done",
            vec![Para::Text(sentence(&format!(
                "The {what} {id} already exists"
            )))],
        ),
        _ => {
            tracing::error!(error = %error, "a staff request failed");
            text(
                state,
                user,
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, there is a problem with the service",
                vec![Para::Text(
                    "Try again in a moment. Nothing you sent has been lost; if a change did not show, make it again.".to_owned(),
                )],
            )
        }
    }
}

/// `message` as a sentence: first letter capitalised.
pub(crate) fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
