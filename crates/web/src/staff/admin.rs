//! Administrators manage their force's staff accounts and teams: add an account with its
//! first password, change its role or team, release a lockout, disable or enable it, reset
//! its second factor, set a new password; add teams. Every change is the application's
//! (audited there); an administrator never sees a password or a second factor's secret.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::{AppError, NewStaff, StaffSummary};
use bluelamp_domain::ids::StaffId;
use bluelamp_domain::marking::Classification;
use bluelamp_policy::Role;
use secrecy::SecretString;
use serde::Deserialize;

use super::auth::{SignedIn, signed_in, signed_in_form};
use super::queue::short_time;
use super::view::{Choice, Fact, TeamsPage, UserPage, UserRow, UsersPage};
use super::{finish, pages};
use crate::AppState;
use crate::portal::form::FormData;
use crate::portal::see_other;
use crate::portal::view::{ChoiceField, ErrorItem, Field, TextField, render};

/// The action just done, for its success message.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

fn done_message(action: &str) -> Option<&'static str> {
    match action {
        "created" => Some(
            "Account added. Give its owner the first password in person; they set up their authenticator app when they first sign in.",
        ),
        "role" => Some(
            "Role changed. The account's sessions have ended, so the new role applies from its next sign-in.",
        ),
        "team" => Some("Team changed"),
        "vetting" => Some("Vetting recorded: it applies from the account's next request"),
        "unlock" => Some("Lockout released"),
        "disable" => Some("Account disabled and its sessions ended"),
        "enable" => Some("Account enabled"),
        "reset-totp" => {
            Some("Second factor reset: the account sets up a new one at its next sign-in")
        }
        "password" => Some("Password set"),
        "team-created" => Some("Team added"),
        _ => None,
    }
}

fn roles(selected: &str) -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|role| {
            (
                role.as_str().to_owned(),
                pages::role_label(*role).to_owned(),
                role.as_str() == selected,
            )
        })
        .collect()
}

fn state_of(staff: &StaffSummary) -> (String, bool) {
    if !staff.active {
        ("Disabled".to_owned(), true)
    } else if staff.locked_at.is_some() {
        ("Locked".to_owned(), true)
    } else if !staff.has_password {
        ("No password".to_owned(), true)
    } else if !staff.totp_enrolled {
        ("Second factor not set up".to_owned(), false)
    } else {
        ("Active".to_owned(), false)
    }
}

fn field_error(errors: &[ErrorItem], name: &str) -> Option<String> {
    errors
        .iter()
        .find(|error| error.target == name)
        .map(|error| error.message.clone())
}

fn new_user_fields(form: &FormData, errors: &[ErrorItem]) -> Vec<TextField> {
    vec![
        TextField {
            hint: Some("Letters, digits, dots, hyphens and underscores, e.g. pc.2741".to_owned()),
            spellcheck: false,
            autocomplete: Some("off"),
            width: " govuk-input--width-20",
            error: field_error(errors, "username"),
            ..TextField::text("username", "Username", form.trimmed("username"))
        },
        TextField {
            hint: Some("As colleagues and the public see it, e.g. PC 2741 Patel".to_owned()),
            spellcheck: false,
            error: field_error(errors, "display_name"),
            ..TextField::text("display_name", "Name", form.trimmed("display_name"))
        },
        TextField {
            hint: Some(
                "At least 8 characters; the owner should change it after signing in".to_owned(),
            ),
            input_type: "password",
            autocomplete: Some("new-password"),
            spellcheck: false,
            width: " govuk-input--width-20",
            error: field_error(errors, "password"),
            ..TextField::text("password", "First password", "")
        },
    ]
}

async fn users_page(
    state: &AppState,
    user: &SignedIn,
    flash: Option<String>,
    errors: Vec<ErrorItem>,
    form: &FormData,
) -> Response {
    let staff = match state.app.list_staff(&user.principal).await {
        Ok(staff) => staff,
        Err(error) => return pages::app_error(state, Some(user), &error),
    };
    let rows = staff
        .iter()
        .map(|account| {
            let (words, attention) = state_of(account);
            UserRow {
                href: format!("/staff/admin/users/{}", account.id),
                username: account.username.clone(),
                name: account.display_name.clone(),
                role: pages::role_label(account.role).to_owned(),
                team: account.team.clone().unwrap_or_default(),
                state: words,
                attention,
                last_sign_in: account
                    .last_sign_in_at
                    .map_or_else(|| "Never".to_owned(), short_time),
            }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = UsersPage {
        chrome: pages::chrome_in(
            state,
            "Users",
            Some(user),
            !errors.is_empty(),
            "/staff/admin/users",
        ),
        flash,
        new_fields: new_user_fields(form, &errors),
        roles: roles(form.get("role")),
        errors,
        rows,
    };
    finish(render(status, &page), Vec::new())
}

/// `GET /staff/admin/users`: the force's accounts.
#[tracing::instrument(skip_all)]
pub(crate) async fn users(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<DoneQuery>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let flash = query
        .done
        .as_deref()
        .and_then(done_message)
        .map(str::to_owned);
    users_page(&state, &user, flash, Vec::new(), &FormData::default()).await
}

/// An application refusal of input, as an error at a field.
fn invalid_at(error: AppError, fallback: &str) -> Result<ErrorItem, AppError> {
    match error {
        AppError::Invalid { field, message, .. } => {
            let last = field.rsplit('.').next().unwrap_or(&field).to_owned();
            let target = if [
                "username",
                "display_name",
                "password",
                "role",
                "team",
                "name",
            ]
            .contains(&last.as_str())
                || ["clearance", "caveats"].contains(&last.as_str())
            {
                last
            } else {
                fallback.to_owned()
            };
            Ok(ErrorItem {
                target,
                message: pages::sentence(&message),
            })
        }
        AppError::Conflict { .. } => Ok(ErrorItem {
            target: fallback.to_owned(),
            message: "That name is already taken".to_owned(),
        }),
        other => Err(other),
    }
}

/// `POST /staff/admin/users`: adds an account with its first password.
#[tracing::instrument(skip_all)]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (user, form) = match signed_in_form(&state, &headers, pairs).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let username = form.trimmed("username").to_owned();
    let password = SecretString::from(form.get("password").to_owned());
    let mut errors = Vec::new();
    let mut missing = |name: &str, message: &str| {
        if form.trimmed(name).is_empty() {
            errors.push(ErrorItem {
                target: name.to_owned(),
                message: message.to_owned(),
            });
        }
    };
    missing("username", "Enter a username");
    missing("display_name", "Enter the name colleagues see");
    missing("password", "Enter a first password");
    let role = form.get("role").parse::<Role>();
    if role.is_err() {
        errors.push(ErrorItem {
            target: "role".to_owned(),
            message: "Choose a role".to_owned(),
        });
    }
    if errors.is_empty()
        && let Err(error) = state.app.check_new_password(&username, &password)
    {
        match invalid_at(error, "password") {
            Ok(mut item) => {
                item.target = "password".to_owned();
                errors.push(item);
            }
            Err(other) => return pages::app_error(&state, Some(&user), &other),
        }
    }
    let (Ok(role), true) = (role, errors.is_empty()) else {
        return users_page(&state, &user, None, errors, &form).await;
    };
    let force = user.principal.subject.force.clone().unwrap_or_default();
    let new = NewStaff {
        username,
        display_name: form.trimmed("display_name").to_owned(),
        role,
        force,
    };
    let created = match state.app.create_staff(&user.principal, new).await {
        Ok(created) => created,
        Err(error) => match invalid_at(error, "username") {
            Ok(item) => return users_page(&state, &user, None, vec![item], &form).await,
            Err(other) => return pages::app_error(&state, Some(&user), &other),
        },
    };
    if let Err(error) = state
        .app
        .set_password(&user.principal, created.id, &password)
        .await
    {
        return pages::app_error(&state, Some(&user), &error);
    }
    finish(see_other("/staff/admin/users?done=created"), Vec::new())
}

async fn user_page(
    state: &AppState,
    user: &SignedIn,
    id: StaffId,
    flash: Option<String>,
    errors: Vec<ErrorItem>,
) -> Response {
    let staff = match state.app.list_staff(&user.principal).await {
        Ok(staff) => staff,
        Err(error) => return pages::app_error(state, Some(user), &error),
    };
    let Some(account) = staff.into_iter().find(|account| account.id == id) else {
        return pages::not_found(state, Some(user), "account");
    };
    let teams = match state.app.list_teams(&user.principal).await {
        Ok(teams) => teams,
        Err(error) => return pages::app_error(state, Some(user), &error),
    };
    let fact = |key: &str, value: String, warning: bool| Fact {
        key: key.to_owned(),
        value,
        warning,
    };
    let (words, attention) = state_of(&account);
    let facts = vec![
        fact("Username", account.username.clone(), false),
        fact("Role", pages::role_label(account.role).to_owned(), false),
        fact(
            "Team",
            account.team.clone().unwrap_or_else(|| "None".to_owned()),
            false,
        ),
        fact("Clearance", account.clearance.to_string(), false),
        fact(
            "Briefed for",
            if account.caveats.is_empty() {
                "No controlled caveats".to_owned()
            } else {
                account.caveats.join(", ")
            },
            false,
        ),
        fact("State", words, attention),
        fact(
            "Last sign-in",
            account
                .last_sign_in_at
                .map_or_else(|| "Never".to_owned(), short_time),
            false,
        ),
        fact("Added", short_time(account.created_at), false),
    ];
    let current_team = account.team.clone().unwrap_or_default();
    let team_choices =
        std::iter::once((String::new(), "No team".to_owned(), current_team.is_empty()))
            .chain(teams.into_iter().map(|team| {
                let selected = team.name == current_team;
                (team.name.clone(), team.name, selected)
            }))
            .collect();
    let today = bluelamp_domain::calendar::london_date(state.app.now());
    let clearance_code = match account.clearance {
        Classification::Official => "OFFICIAL",
        Classification::Secret => "SECRET",
        Classification::TopSecret => "TOP_SECRET",
    };
    let mut clearance = ChoiceField::new(
        "clearance",
        "Security clearance",
        &[
            ("OFFICIAL", "OFFICIAL", None),
            ("SECRET", "SECRET", None),
            ("TOP_SECRET", "TOP SECRET", None),
        ],
        &[clearance_code.to_owned()],
    );
    clearance.error = field_error(&errors, "clearance");
    let caveat_rows: Vec<(String, String)> = state
        .app
        .refdata()
        .handling_caveats
        .current(today)
        .filter(|entry| entry.attribute("controlled") == Some("true"))
        .map(|entry| {
            (
                entry.code.clone(),
                entry
                    .attribute("description")
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    let caveat_options: Vec<(&str, &str, Option<&str>)> = caveat_rows
        .iter()
        .map(|(code, description)| (code.as_str(), code.as_str(), Some(description.as_str())))
        .collect();
    let mut caveats = ChoiceField::new(
        "caveats",
        "Briefed for these controlled caveats",
        &caveat_options,
        &account.caveats,
    );
    caveats.error = field_error(&errors, "caveats");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = UserPage {
        vetting: vec![Field::Radios(clearance), Field::Checkboxes(caveats)],
        chrome: pages::chrome_in(
            state,
            &account.display_name,
            Some(user),
            !errors.is_empty(),
            "/staff/admin/users",
        ),
        flash,
        password: TextField {
            input_type: "password",
            autocomplete: Some("new-password"),
            spellcheck: false,
            width: " govuk-input--width-20",
            error: field_error(&errors, "password"),
            ..TextField::text("password", "New password", "")
        },
        errors,
        id: account.id.to_string(),
        name: account.display_name.clone(),
        facts,
        roles: roles(account.role.as_str()),
        teams: team_choices,
        locked: account.locked_at.is_some(),
        active: account.active,
        totp_enrolled: account.totp_enrolled,
    };
    finish(render(status, &page), Vec::new())
}

/// `GET /staff/admin/users/{id}`: one account.
#[tracing::instrument(skip_all)]
pub(crate) async fn user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let Ok(id) = id.parse::<StaffId>() else {
        return pages::not_found(&state, Some(&user), "account");
    };
    let flash = query
        .done
        .as_deref()
        .and_then(done_message)
        .map(str::to_owned);
    user_page(&state, &user, id, flash, Vec::new()).await
}

/// `POST /staff/admin/users/{id}/{action}`: `role`, `team`, `unlock`, `disable`, `enable`,
/// `reset-totp`, `password`.
#[tracing::instrument(skip_all, fields(action = %action))]
pub(crate) async fn change_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (user, form) = match signed_in_form(&state, &headers, pairs).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Ok(id) = id.parse::<StaffId>() else {
        return pages::not_found(&state, Some(&user), "account");
    };
    let app = &state.app;
    let who = &user.principal;
    let result = match action.as_str() {
        "role" => match form.get("role").parse::<Role>() {
            Ok(role) => app.change_role(who, id, role).await,
            Err(_) => Err(AppError::invalid("role", "unknown_role", "choose a role")),
        },
        "team" => {
            let team = Some(form.trimmed("team").to_owned()).filter(|name| !name.is_empty());
            app.set_team(who, id, team).await
        }
        "vetting" => {
            let clearance = match form.get("clearance") {
                "OFFICIAL" => Ok(Classification::Official),
                "SECRET" => Ok(Classification::Secret),
                "TOP_SECRET" => Ok(Classification::TopSecret),
                _ => Err(AppError::invalid(
                    "clearance",
                    "required",
                    "choose the security clearance",
                )),
            };
            match clearance {
                Ok(clearance) => {
                    app.set_vetting(who, id, clearance, &form.all("caveats"))
                        .await
                }
                Err(error) => Err(error),
            }
        }
        "unlock" => app.release_lockout(who, id).await,
        "disable" => app.disable_staff(who, id).await,
        "enable" => app.enable_staff(who, id).await,
        "reset-totp" => app.reset_totp(who, id).await,
        "password" => {
            let password = SecretString::from(form.get("password").to_owned());
            if form.get("password").is_empty() {
                Err(AppError::invalid(
                    "password",
                    "missing",
                    "enter a new password",
                ))
            } else {
                app.set_password(who, id, &password).await
            }
        }
        _ => return pages::not_found(&state, Some(&user), "action"),
    };
    match result {
        Ok(()) => finish(
            see_other(&format!("/staff/admin/users/{id}?done={action}")),
            Vec::new(),
        ),
        Err(error) => match invalid_at(error, "password") {
            Ok(item) => user_page(&state, &user, id, None, vec![item]).await,
            Err(other) => pages::app_error(&state, Some(&user), &other),
        },
    }
}

async fn teams_page(
    state: &AppState,
    user: &SignedIn,
    flash: Option<String>,
    errors: Vec<ErrorItem>,
    typed: &str,
) -> Response {
    let teams = match state.app.list_teams(&user.principal).await {
        Ok(teams) => teams,
        Err(error) => return pages::app_error(state, Some(user), &error),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TeamsPage {
        chrome: pages::chrome_in(
            state,
            "Teams",
            Some(user),
            !errors.is_empty(),
            "/staff/admin/teams",
        ),
        flash,
        name: TextField {
            error: field_error(&errors, "name"),
            width: " govuk-input--width-20",
            ..TextField::text("name", "Team name", typed)
        },
        errors,
        teams: teams
            .into_iter()
            .map(|team| (team.name, short_time(team.created_at)))
            .collect(),
    };
    finish(render(status, &page), Vec::new())
}

/// `GET /staff/admin/teams`.
#[tracing::instrument(skip_all)]
pub(crate) async fn teams(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<DoneQuery>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let flash = query
        .done
        .as_deref()
        .and_then(done_message)
        .map(str::to_owned);
    teams_page(&state, &user, flash, Vec::new(), "").await
}

/// `POST /staff/admin/teams`: adds a team.
#[tracing::instrument(skip_all)]
pub(crate) async fn create_team(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (user, form) = match signed_in_form(&state, &headers, pairs).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let name = form.trimmed("name");
    if name.is_empty() {
        let error = ErrorItem {
            target: "name".to_owned(),
            message: "Enter the team's name".to_owned(),
        };
        return teams_page(&state, &user, None, vec![error], name).await;
    }
    match state.app.create_team(&user.principal, name).await {
        Ok(_) => finish(
            see_other("/staff/admin/teams?done=team-created"),
            Vec::new(),
        ),
        Err(error) => match invalid_at(error, "name") {
            Ok(mut item) => {
                item.target = "name".to_owned();
                teams_page(&state, &user, None, vec![item], name).await
            }
            Err(other) => pages::app_error(&state, Some(&user), &other),
        },
    }
}
