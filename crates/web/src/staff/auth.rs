//! Signing in and out: password, then the second factor or its enrolment, then a session;
//! changing one's own password; and the check every signed-in request passes.

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::{AppError, PasswordStep, PendingSignIn, Principal};
use bluelamp_domain::ids::StaffId;
use chrono::Utc;
use qrcode::QrCode;
use qrcode::render::svg;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

use super::view::{ButtonPage, CodePage, PasswordPage, SignInPage};
use super::{Enrolment, cookies, finish, pages};
use crate::AppState;
use crate::portal::form::FormData;
use crate::portal::session::{random_hex, same_secret};
use crate::portal::view::{ErrorItem, TextField, render};
use crate::portal::{same_origin, see_other};

/// A signed-in member of staff, for one request.
pub(crate) struct SignedIn {
    /// Who they are.
    pub(crate) principal: Principal,
    /// The CSRF token their forms carry.
    pub(crate) csrf: String,
    /// The session token (to sign out).
    token: SecretString,
}

impl SignedIn {
    /// Their staff id.
    pub(crate) fn staff_id(&self) -> Option<StaffId> {
        self.principal.subject.id.parse().ok()
    }
}

/// The signed-in member of staff of the request, or the response to send instead: the
/// sign-in page (saying they were signed out, when the session has ended), or the service
/// problem page.
pub(crate) async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<SignedIn, Response> {
    let secure = state.staff.config.secure_cookies;
    let Some(token) = cookies::read(headers, cookies::SESSION, secure) else {
        return Err(see_other("/staff/sign-in"));
    };
    match state.app.authenticate_session(&token).await {
        Ok(principal) => Ok(SignedIn {
            principal,
            csrf: cookies::csrf_token(&token),
            token,
        }),
        Err(AppError::Unauthenticated) => Err(finish(
            see_other("/staff/sign-in?ended=1"),
            cookies::clear(cookies::SESSION, secure)
                .into_iter()
                .collect(),
        )),
        Err(error) => Err(pages::app_error(state, None, &error)),
    }
}

/// The refusal (403) of a form that does not carry `expected` as its token or comes from
/// another site; `None` when the form is accepted.
pub(crate) fn check_form(
    state: &AppState,
    headers: &HeaderMap,
    form: &FormData,
    expected: &str,
) -> Option<Response> {
    if same_origin(headers) && same_secret(form.get("csrf_token"), expected) {
        None
    } else {
        Some(pages::form_refused(state))
    }
}

/// The signed-in member of staff of a form post whose CSRF token and origin check out, with
/// the form; or the response to send instead (sign-in, or the 403 of a refused form).
pub(crate) async fn signed_in_form(
    state: &AppState,
    headers: &HeaderMap,
    pairs: Vec<(String, String)>,
) -> Result<(SignedIn, FormData), Response> {
    let form = FormData::new(pairs);
    let user = signed_in(state, headers).await?;
    if let Some(refused) = check_form(state, headers, &form, &user.csrf) {
        return Err(refused);
    }
    Ok((user, form))
}

/// Why the person is on the sign-in page again.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignInQuery {
    ended: Option<String>,
    signed_out: Option<String>,
}

fn username_field(value: &str, error: Option<String>) -> TextField {
    TextField {
        autocomplete: Some("username"),
        spellcheck: false,
        width: " govuk-input--width-20",
        error,
        ..TextField::text("username", "Username", value)
    }
}

fn password_field(name: &str, label: &str, autocomplete: &'static str) -> TextField {
    TextField {
        input_type: "password",
        autocomplete: Some(autocomplete),
        spellcheck: false,
        width: " govuk-input--width-20",
        ..TextField::text(name, label, "")
    }
}

fn code_field(error: Option<String>) -> TextField {
    TextField {
        hint: Some("The 6-digit code your authenticator app shows now".to_owned()),
        autocomplete: Some("one-time-code"),
        inputmode: Some("numeric"),
        spellcheck: false,
        width: " govuk-input--width-5",
        error,
        ..TextField::text("code", "Code", "")
    }
}

/// The sign-in form's token cookie, made when the browser has none.
fn form_secret(
    state: &AppState,
    headers: &HeaderMap,
) -> (SecretString, Option<axum::http::HeaderValue>) {
    let secure = state.staff.config.secure_cookies;
    if let Some(secret) = cookies::read(headers, cookies::FORM, secure) {
        return (secret, None);
    }
    let secret = SecretString::from(random_hex(32));
    let cookie = cookies::set(cookies::FORM, &secret, secure, Some(3600), true);
    (secret, cookie)
}

/// `GET /staff/sign-in`: the username and password form (or on to the workspace when
/// already signed in).
#[tracing::instrument(skip_all)]
pub(crate) async fn sign_in_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<SignInQuery>,
) -> Response {
    if cookies::read(
        &headers,
        cookies::SESSION,
        state.staff.config.secure_cookies,
    )
    .is_some()
        && signed_in(&state, &headers).await.is_ok()
    {
        return finish(see_other("/staff"), Vec::new());
    }
    let notice = if query.ended.is_some() {
        Some("You were signed out: your session ended. Sign in again to carry on.".to_owned())
    } else if query.signed_out.is_some() {
        Some("You have signed out.".to_owned())
    } else {
        None
    };
    let (secret, cookie) = form_secret(&state, &headers);
    let page = SignInPage {
        chrome: pages::chrome(&state, "Sign in", None, false),
        notice,
        errors: Vec::new(),
        username: username_field("", None),
        password: password_field("password", "Password", "current-password"),
        form_token: cookies::csrf_token(&secret),
    };
    finish(render(StatusCode::OK, &page), cookie.into_iter().collect())
}

/// `POST /staff/sign-in`: checks the password. The same answer for an unknown user, a wrong
/// password, a disabled or a locked account.
#[tracing::instrument(skip_all)]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = FormData::new(pairs);
    let secure = state.staff.config.secure_cookies;
    let Some(secret) = cookies::read(&headers, cookies::FORM, secure) else {
        return pages::form_refused(&state);
    };
    if let Some(refused) = check_form(&state, &headers, &form, &cookies::csrf_token(&secret)) {
        return refused;
    }
    let username = form.trimmed("username").to_owned();
    let password = SecretString::from(form.get("password").to_owned());
    let mut errors = Vec::new();
    let mut username_error = None;
    let mut password_field = password_field("password", "Password", "current-password");
    if username.is_empty() {
        username_error = Some("Enter your username".to_owned());
        errors.push(ErrorItem {
            target: "username".to_owned(),
            message: "Enter your username".to_owned(),
        });
    }
    if password.expose_secret().is_empty() {
        password_field.error = Some("Enter your password".to_owned());
        errors.push(ErrorItem {
            target: "password".to_owned(),
            message: "Enter your password".to_owned(),
        });
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        let client = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        match state
            .app
            .sign_in_password(&username, &password, client)
            .await
        {
            Ok(PasswordStep::PasswordAccepted(pending)) => {
                return pending_redirect(&state, &pending, "/staff/sign-in/code");
            }
            Ok(PasswordStep::NeedsEnrolment(pending)) => {
                return pending_redirect(&state, &pending, "/staff/sign-in/enrol");
            }
            Err(AppError::Unauthenticated) => {
                let message =
                    "The username or password is not right, or this account cannot sign in now";
                errors.push(ErrorItem {
                    target: "username".to_owned(),
                    message: message.to_owned(),
                });
                status = StatusCode::UNAUTHORIZED;
            }
            Err(error) => return pages::app_error(&state, None, &error),
        }
    }
    let page = SignInPage {
        chrome: pages::chrome(&state, "Sign in", None, true),
        notice: None,
        errors,
        username: username_field(&username, username_error),
        password: password_field,
        form_token: cookies::csrf_token(&secret),
    };
    finish(render(status, &page), Vec::new())
}

/// Sets the pending sign-in cookie and goes to `to`.
fn pending_redirect(state: &AppState, pending: &PendingSignIn, to: &str) -> Response {
    let seconds = (pending.expires_at - Utc::now()).num_seconds().max(60);
    let cookie = cookies::set(
        cookies::PENDING,
        &pending.token,
        state.staff.config.secure_cookies,
        Some(seconds),
        true,
    );
    finish(see_other(to), cookie.into_iter().collect())
}

/// The pending sign-in of the request, if any.
fn pending(state: &AppState, headers: &HeaderMap) -> Option<SecretString> {
    cookies::read(headers, cookies::PENDING, state.staff.config.secure_cookies)
}

/// The pending sign-in of a form post whose token (derived from it) and origin check out,
/// with the form; or the response to send instead (back to sign-in, or the 403).
fn pending_form(
    state: &AppState,
    headers: &HeaderMap,
    pairs: Vec<(String, String)>,
) -> Result<(SecretString, FormData), Box<Response>> {
    let form = FormData::new(pairs);
    let Some(pending) = pending(state, headers) else {
        return Err(Box::new(to_sign_in()));
    };
    if let Some(refused) = check_form(state, headers, &form, &cookies::csrf_token(&pending)) {
        return Err(Box::new(refused));
    }
    Ok((pending, form))
}

/// Back to the sign-in page (no sign-in is pending).
fn to_sign_in() -> Response {
    finish(see_other("/staff/sign-in"), Vec::new())
}

fn code_page(state: &AppState, pending: &SecretString, error: Option<String>) -> CodePage {
    let errors = error
        .iter()
        .map(|message| ErrorItem {
            target: "code".to_owned(),
            message: message.clone(),
        })
        .collect();
    CodePage {
        chrome: pages::chrome(state, "Enter your code", None, error.is_some()),
        heading: "Enter the code from your authenticator app".to_owned(),
        intro: vec!["Open the authenticator app you set up for Bluelamp.".to_owned()],
        errors,
        code: code_field(error),
        action: "/staff/sign-in/code".to_owned(),
        form_token: cookies::csrf_token(pending),
        button: "Sign in".to_owned(),
        enrolment: None,
    }
}

/// `GET /staff/sign-in/code`: the second factor's form.
#[tracing::instrument(skip_all)]
pub(crate) async fn code_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(pending) = pending(&state, &headers) else {
        return to_sign_in();
    };
    finish(
        render(StatusCode::OK, &code_page(&state, &pending, None)),
        Vec::new(),
    )
}

/// The code typed, or the message to show: digits only once spaces are removed.
fn typed_code(form: &FormData) -> Result<SecretString, String> {
    let code: String = form
        .get("code")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.is_empty() {
        return Err("Enter the 6-digit code from your authenticator app".to_owned());
    }
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Enter the code as 6 digits, like 123456".to_owned());
    }
    Ok(SecretString::from(code))
}

/// A session opened: its cookie set, the sign-in cookies removed, on to the workspace.
fn session_opened(state: &AppState, token: &SecretString) -> Response {
    let secure = state.staff.config.secure_cookies;
    let cookies = [
        cookies::set(cookies::SESSION, token, secure, None, false),
        cookies::clear(cookies::PENDING, secure),
        cookies::clear(cookies::FORM, secure),
    ];
    finish(see_other("/staff"), cookies.into_iter().flatten().collect())
}

/// `POST /staff/sign-in/code`: checks the code and opens the session.
#[tracing::instrument(skip_all)]
pub(crate) async fn verify_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (pending, form) = match pending_form(&state, &headers, pairs) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let (status, message) = match typed_code(&form) {
        Err(message) => (StatusCode::UNPROCESSABLE_ENTITY, message),
        Ok(code) => match state.app.sign_in_totp(&pending, &code).await {
            Ok(session) => return session_opened(&state, &session.token),
            Err(AppError::Unauthenticated) => (
                StatusCode::UNAUTHORIZED,
                "That code is not right or has been used. Enter the code your app shows now"
                    .to_owned(),
            ),
            Err(error) => return pages::app_error(&state, None, &error),
        },
    };
    finish(
        render(status, &code_page(&state, &pending, Some(message))),
        Vec::new(),
    )
}

/// The enrolment page: the QR code, the secret in groups of four, and the code field.
fn enrol_page(
    state: &AppState,
    pending: &SecretString,
    enrolment: &Enrolment,
    error: Option<String>,
) -> CodePage {
    let qr = QrCode::new(enrolment.uri.expose_secret().as_bytes())
        .map(|code| {
            code.render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .dark_color(svg::Color("#0b0c0c"))
                .light_color(svg::Color("#ffffff"))
                .build()
        })
        .unwrap_or_default();
    let qr = qr
        .split_once("<svg")
        .map(|(_, rest)| {
            format!(
                "<svg role=\"img\" aria-label=\"QR code to add Bluelamp to your authenticator app\" focusable=\"false\"{rest}"
            )
        })
        .unwrap_or_default();
    let secret: Vec<String> = enrolment
        .secret
        .expose_secret()
        .chars()
        .collect::<Vec<char>>()
        .chunks(4)
        .map(|group| group.iter().collect())
        .collect();
    let errors = error
        .iter()
        .map(|message| ErrorItem {
            target: "code".to_owned(),
            message: message.clone(),
        })
        .collect();
    CodePage {
        chrome: pages::chrome(state, "Set up your authenticator app", None, error.is_some()),
        heading: "Set up your authenticator app".to_owned(),
        intro: vec![
            "Every sign-in needs a code from an authenticator app on your work phone as well as your password.".to_owned(),
            "In the app, add an account and scan this QR code. If you cannot scan it, type in the key under it.".to_owned(),
        ],
        errors,
        code: code_field(error),
        action: "/staff/sign-in/enrol/confirm".to_owned(),
        form_token: cookies::csrf_token(pending),
        button: "Confirm and sign in".to_owned(),
        enrolment: Some((qr, secret.join(" "))),
    }
}

/// `GET /staff/sign-in/enrol`: the enrolment in progress, or the button that begins one.
#[tracing::instrument(skip_all)]
pub(crate) async fn enrol_start(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(pending) = pending(&state, &headers) else {
        return to_sign_in();
    };
    if let Some(enrolment) = state.staff.enrolment(&cookies::fingerprint(&pending)) {
        let page = enrol_page(&state, &pending, &enrolment, None);
        return finish(render(StatusCode::OK, &page), Vec::new());
    }
    let page = ButtonPage {
        chrome: pages::chrome(&state, "Set up your authenticator app", None, false),
        heading: "Set up your authenticator app".to_owned(),
        intro: vec![
            "Your account needs a second factor before you can sign in: a code from an authenticator app on your work phone.".to_owned(),
            "Have the app ready. The next page shows a QR code to scan.".to_owned(),
        ],
        action: "/staff/sign-in/enrol".to_owned(),
        form_token: cookies::csrf_token(&pending),
        button: "Show the QR code".to_owned(),
    };
    finish(render(StatusCode::OK, &page), Vec::new())
}

/// `POST /staff/sign-in/enrol`: hands out a new second factor (replacing any earlier one
/// not yet confirmed) and shows it.
#[tracing::instrument(skip_all)]
pub(crate) async fn enrol_begin(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (pending, _form) = match pending_form(&state, &headers, pairs) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    match state.app.begin_totp_enrolment(&pending).await {
        Ok(enrolment) => {
            state.staff.keep_enrolment(
                cookies::fingerprint(&pending),
                Enrolment {
                    uri: enrolment.uri,
                    secret: enrolment.secret_base32,
                    at: std::time::Instant::now(),
                },
            );
            finish(see_other("/staff/sign-in/enrol"), Vec::new())
        }
        Err(AppError::Unauthenticated) => signed_out_again(&state),
        Err(error) => pages::app_error(&state, None, &error),
    }
}

/// The sign-in began too long ago (or was refused): start again.
fn signed_out_again(state: &AppState) -> Response {
    finish(
        see_other("/staff/sign-in?ended=1"),
        cookies::clear(cookies::PENDING, state.staff.config.secure_cookies)
            .into_iter()
            .collect(),
    )
}

/// `POST /staff/sign-in/enrol/confirm`: a code from the new app confirms the second factor
/// and opens the session.
#[tracing::instrument(skip_all)]
pub(crate) async fn enrol_confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (pending, form) = match pending_form(&state, &headers, pairs) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let key = cookies::fingerprint(&pending);
    let Some(enrolment) = state.staff.enrolment(&key) else {
        return finish(see_other("/staff/sign-in/enrol"), Vec::new());
    };
    let (status, message) = match typed_code(&form) {
        Err(message) => (StatusCode::UNPROCESSABLE_ENTITY, message),
        Ok(code) => match state.app.confirm_totp_enrolment(&pending, &code).await {
            Ok(session) => {
                state.staff.forget_enrolment(&key);
                return session_opened(&state, &session.token);
            }
            Err(AppError::Unauthenticated) => (
                StatusCode::UNAUTHORIZED,
                "That code is not right. Check the app added the account, then enter the code it shows now".to_owned(),
            ),
            Err(error) => return pages::app_error(&state, None, &error),
        },
    };
    let page = enrol_page(&state, &pending, &enrolment, Some(message));
    finish(render(status, &page), Vec::new())
}

/// `POST /staff/sign-out`: ends the session.
#[tracing::instrument(skip_all)]
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (user, _form) = match signed_in_form(&state, &headers, pairs).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if let Err(error) = state.app.sign_out(&user.token).await {
        return pages::app_error(&state, Some(&user), &error);
    }
    finish(
        see_other("/staff/sign-in?signed_out=1"),
        cookies::clear(cookies::SESSION, state.staff.config.secure_cookies)
            .into_iter()
            .collect(),
    )
}

fn password_page(
    state: &AppState,
    user: &SignedIn,
    flash: Option<String>,
    errors: Vec<ErrorItem>,
) -> PasswordPage {
    let mut password = password_field("password", "New password", "new-password");
    password.hint = Some(
        "At least 8 characters. A long phrase of ordinary words is easy to remember and hard to guess."
            .to_owned(),
    );
    let mut confirm = password_field("confirm", "Type the new password again", "new-password");
    for error in &errors {
        if error.target == "password" {
            password.error = Some(error.message.clone());
        } else {
            confirm.error = Some(error.message.clone());
        }
    }
    PasswordPage {
        chrome: pages::chrome(
            state,
            "Change your password",
            Some(user),
            !errors.is_empty(),
        ),
        flash,
        errors,
        password,
        confirm,
    }
}

/// `GET /staff/account/password`: change your own password.
#[tracing::instrument(skip_all)]
pub(crate) async fn password_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let page = password_page(&state, &user, None, Vec::new());
    finish(render(StatusCode::OK, &page), Vec::new())
}

/// `POST /staff/account/password`: sets a new password for yourself.
#[tracing::instrument(skip_all)]
pub(crate) async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (user, form) = match signed_in_form(&state, &headers, pairs).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(staff_id) = user.staff_id() else {
        return pages::forbidden(&state, &user);
    };
    let new = SecretString::from(form.get("password").to_owned());
    let error = |target: &str, message: &str| {
        vec![ErrorItem {
            target: target.to_owned(),
            message: message.to_owned(),
        }]
    };
    let errors = if new.expose_secret().is_empty() {
        error("password", "Enter a new password")
    } else if form.get("confirm") != new.expose_secret() {
        error("confirm", "The passwords do not match")
    } else {
        match state
            .app
            .set_password(&user.principal, staff_id, &new)
            .await
        {
            Ok(()) => Vec::new(),
            Err(AppError::Invalid { message, .. }) => error("password", &pages::sentence(&message)),
            Err(other) => return pages::app_error(&state, Some(&user), &other),
        }
    };
    let (status, flash) = if errors.is_empty() {
        (
            StatusCode::OK,
            Some("Your password has been changed".to_owned()),
        )
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, None)
    };
    let page = password_page(&state, &user, flash, errors);
    finish(render(status, &page), Vec::new())
}
