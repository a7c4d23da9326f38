//! The start page, the static pages, keep-alive, and the portal's error pages.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::journey::Journey;
use super::view::{Block, StartPage, TextPage, render};
use super::{Portal, finish, portal_chrome};
use crate::AppState;

/// The start page: the emergency warning, what can be reported online, each journey, and
/// following a report.
///
/// Who may call it: anyone. It sets no cookie.
#[tracing::instrument(skip_all)]
pub(crate) async fn start(State(state): State<AppState>) -> Response {
    let portal = &state.portal;
    let mut chrome = portal_chrome(portal, super::view::PORTAL_SERVICE);
    chrome.title = format!(
        "Contact {} online – {}",
        portal.config.force_name,
        super::view::PRODUCT
    );
    let page = StartPage {
        chrome,
        force_name: portal.config.force_name.clone(),
        journeys: Journey::ALL
            .iter()
            .map(|journey| {
                (
                    format!("/report/{}", journey.slug()),
                    journey.title().to_owned(),
                    journey.description().to_owned(),
                )
            })
            .collect(),
        idle_minutes: portal.sessions.idle().as_secs() / 60,
    };
    finish(render(StatusCode::OK, &page), None)
}

fn text_page(portal: &Portal, heading: &str, blocks: Vec<Block>) -> Response {
    let page = TextPage {
        chrome: portal_chrome(portal, heading),
        heading: heading.to_owned(),
        blocks,
        link: None,
    };
    render(StatusCode::OK, &page)
}

/// The privacy notice.
///
/// Who may call it: anyone.
#[tracing::instrument(skip_all)]
pub(crate) async fn privacy(State(state): State<AppState>) -> Response {
    let force = &state.portal.config.force_name;
    text_page(
        &state.portal,
        "Privacy",
        vec![
            Block::Para(format!(
                "{force} is the controller of the information you give through this site. We use it to prevent, investigate and detect crime, under Part 3 of the Data Protection Act 2018 (law enforcement processing)."
            )),
            Block::Heading("What we keep".to_owned()),
            Block::Bullets(vec![
                "your report and what you tell us about the people, places, vehicles and property involved".to_owned(),
                "the files you upload, with what they record about themselves (such as when and where a photo was taken), which we use as evidence but never show on this site".to_owned(),
                "your contact details, to keep you informed and to let you follow your report".to_owned(),
            ]),
            Block::Para(
                "We keep reports for as long as the rules on police information (Management of Police Information) require, and review them at set times. Every time someone looks at or changes your report, it is recorded in a log that cannot be altered.".to_owned(),
            ),
            Block::Heading("Before you send a report".to_owned()),
            Block::Para(format!(
                "Your answers are kept on our server while you answer the questions, and deleted if you do nothing for {} minutes. Files you upload but do not send are deleted then too.",
                state.portal.sessions.idle().as_secs() / 60
            )),
            Block::Heading("Your rights".to_owned()),
            Block::Para(format!(
                "You can ask {force} for a copy of the information it holds about you, and ask for it to be corrected. Some rights are limited where that is needed to investigate crime. If you are unhappy with how we use your information, you can complain to the Information Commissioner's Office."
            )),
        ],
    )
}

/// The accessibility statement.
///
/// Who may call it: anyone.
#[tracing::instrument(skip_all)]
pub(crate) async fn accessibility(State(state): State<AppState>) -> Response {
    text_page(
        &state.portal,
        "Accessibility statement",
        vec![
            Block::Para(
                "We want as many people as possible to be able to use this site. It is built to meet the Web Content Accessibility Guidelines (WCAG) version 2.2 at level AA. You should be able to:".to_owned(),
            ),
            Block::Bullets(vec![
                "change colours, contrast and fonts using your browser or device settings".to_owned(),
                "zoom in up to 400% without the text spilling off the screen".to_owned(),
                "use the whole site with a keyboard, speech recognition or a screen reader".to_owned(),
                "use the whole site without JavaScript".to_owned(),
            ]),
            Block::Para(
                "Each page is tested automatically for accessibility problems, including every error message.".to_owned(),
            ),
            Block::Heading("If you have difficulty using this site".to_owned()),
            Block::Para(
                "Call 101 to report something that is not an emergency, or use text relay on 18001 101. In an emergency, call 999, or 18000 by text relay.".to_owned(),
            ),
            Block::Para(
                "If you find a problem with this site that is not listed here, tell us by calling 101. If you are not happy with our response, contact the Equality Advisory and Support Service (EASS).".to_owned(),
            ),
        ],
    )
}

/// The cookies page.
///
/// Who may call it: anyone.
#[tracing::instrument(skip_all)]
pub(crate) async fn cookies(State(state): State<AppState>) -> Response {
    let name = if state.portal.config.secure_cookies {
        super::session::SECURE_COOKIE_NAME
    } else {
        super::session::COOKIE_NAME
    };
    text_page(
        &state.portal,
        "Cookies",
        vec![
            Block::Para(format!(
                "This site sets one cookie, called {name}. It is strictly necessary: it lets us remember your answers while you fill in a form, and keeps you signed in while you follow a report. It holds a random number and nothing about you."
            )),
            Block::Para(format!(
                "It is deleted when you close your browser. What it points to is deleted on our server after {} minutes without any activity.",
                state.portal.sessions.idle().as_secs() / 60
            )),
            Block::Para(
                "We do not use analytics or advertising cookies, and this site loads nothing from any other website, so nobody else can follow you here.".to_owned(),
            ),
        ],
    )
}

/// Extends the session (the timeout warning's `Keep my answers`). Takes the CSRF token in
/// the `X-CSRF-Token` header or the `csrf_token` field; answers `204 No Content`, or 403
/// when the session has ended or the token is wrong.
///
/// Who may call it: the holder of a live session.
#[tracing::instrument(skip_all)]
pub(crate) async fn keep_alive(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = form.map(|Form(pairs)| pairs).unwrap_or_default();
    let form_token = fields
        .iter()
        .find(|(name, _)| name == "csrf_token")
        .map(|(_, value)| value.clone());
    let token = headers
        .get("x-csrf-token")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or(form_token)
        .unwrap_or_default();
    match state.portal.check_post(&headers, &token, "") {
        Ok(_) => finish(StatusCode::NO_CONTENT.into_response(), None),
        Err(refusal) => state.portal.refuse(&refusal),
    }
}

fn problem(portal: &Portal, status: StatusCode, heading: &str, blocks: Vec<Block>) -> Response {
    let page = TextPage {
        chrome: portal_chrome(portal, heading),
        heading: heading.to_owned(),
        blocks,
        link: Some(("/".to_owned(), "Go to the start page".to_owned())),
    };
    finish(render(status, &page), None)
}

/// 403: a form without the session's token, from another site, or after the session ended.
pub(crate) fn forbidden(portal: &Portal) -> Response {
    problem(
        portal,
        StatusCode::FORBIDDEN,
        "Sorry, we could not accept that form",
        vec![
            Block::Para(format!(
                "This happens if you did nothing for {} minutes, when we delete your answers to keep them safe, or if the form was not sent from this site.",
                portal.sessions.idle().as_secs() / 60
            )),
            Block::Para("Start again from the start page.".to_owned()),
        ],
    )
}

/// The page shown when the honeypot was filled: it says nothing about why.
pub(crate) fn neutral_problem(portal: &Portal) -> Response {
    problem(
        portal,
        StatusCode::OK,
        "Sorry, there is a problem with the service",
        vec![
            Block::Para("Try again later.".to_owned()),
            Block::Para(
                "In an emergency, call 999. If it is not an emergency, you can call 101."
                    .to_owned(),
            ),
        ],
    )
}

/// 429: too many form posts from this client.
pub(crate) fn too_many_requests(portal: &Portal) -> Response {
    problem(
        portal,
        StatusCode::TOO_MANY_REQUESTS,
        "Sorry, there have been too many attempts",
        vec![
            Block::Para("Wait a minute, then try again.".to_owned()),
            Block::Para(
                "In an emergency, call 999. If it is not an emergency, you can call 101."
                    .to_owned(),
            ),
        ],
    )
}

/// 404 for a page the portal does not have.
pub(crate) fn not_found(portal: &Portal) -> Response {
    problem(
        portal,
        StatusCode::NOT_FOUND,
        "Page not found",
        vec![
            Block::Para("If you typed the web address, check it is correct.".to_owned()),
            Block::Para(
                "If you pasted the web address, check you copied the entire address.".to_owned(),
            ),
        ],
    )
}

/// 500 or 503: something failed on our side (the cause is logged, never shown).
pub(crate) fn service_problem(portal: &Portal, status: StatusCode) -> Response {
    problem(
        portal,
        status,
        "Sorry, there is a problem with the service",
        vec![
            Block::Para("Try again later. Your answers have been kept for now.".to_owned()),
            Block::Para(
                "In an emergency, call 999. If it is not an emergency, you can call 101."
                    .to_owned(),
            ),
        ],
    )
}
