//! `GET|POST /staff/records/{id}/add?kind=person|vehicle|location`: record a new person,
//! vehicle or place and link it to the record shown, in the role chosen (only the roles
//! that join those two kinds are offered). The new record takes the linked record's MoPI
//! group; both steps go through the gate (collection, then the link). The purpose the page
//! was opened with carries on to the new record's page.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::{AppError, NewLink, NewRecord, RecordView};
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::link::LinkRole;
use bluelamp_domain::object::{Object, Vehicle};
use bluelamp_domain::person::{Person, PersonIdentifier};
use bluelamp_domain::provenance::{Channel, LawfulBasis};
use bluelamp_domain::record::RecordBody;
use bluelamp_domain::values::NhsNumber;
use serde::Deserialize;

use super::auth::{SignedIn, signed_in, signed_in_form};
use super::records::{RecordPurpose, one_line, purpose_page};
use super::view::{AddRecordPage, Choice};
use super::{finish, pages};
use crate::AppState;
use crate::portal::form::FormData;
use crate::portal::parse::{self, FieldError, PlaceInput};
use crate::portal::see_other;
use crate::portal::view::{ErrorItem, TextField, render};

/// The lawful basis of records staff enter (DPA 2018 Part 3).
const LAW_ENFORCEMENT: &str = "dpa2018-part3-law-enforcement";

/// What is being added, and its purpose.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct AddQuery {
    kind: Option<String>,
    #[serde(flatten)]
    purpose: RecordPurpose,
}

/// The kinds that can be added: `(query value, record kind, words)`.
const KINDS: [(&str, RecordKind, &str); 3] = [
    ("person", RecordKind::Person, "person"),
    ("vehicle", RecordKind::Object, "vehicle"),
    ("location", RecordKind::Location, "place"),
];

/// The roles joining a new record of `new` kind to an existing one of `existing` kind,
/// with whether the new record is the link's `from` end.
pub(crate) fn roles_between(new: RecordKind, existing: RecordKind) -> Vec<(LinkRole, bool)> {
    LinkRole::ALL
        .into_iter()
        .filter_map(|role| {
            if role.allows(new, existing) {
                Some((role, true))
            } else if role.allows(existing, new) {
                Some((role, false))
            } else {
                None
            }
        })
        .collect()
}

/// A role in words as the new record stands to the existing one.
fn role_words(role: LinkRole, new_is_from: bool) -> String {
    let words = pages::sentence(&role.to_string().replace('_', " "));
    if new_is_from {
        words
    } else {
        format!("{words} (of the new record)")
    }
}

fn kind_of(value: &str) -> Option<(RecordKind, &'static str)> {
    KINDS
        .iter()
        .find(|(name, _, _)| *name == value)
        .map(|(_, kind, words)| (*kind, *words))
}

/// The record linked to and what may be added to it.
struct Adding {
    /// The record linked to (read for the purpose given).
    view: RecordView,
    /// The kind's query value (`person`, `vehicle`, `location`).
    value: &'static str,
    /// The kind in words.
    words: &'static str,
    /// The kind of record added.
    kind: RecordKind,
    /// The roles offered, with whether the new record is the link's `from` end.
    roles: Vec<(LinkRole, bool)>,
}

fn page(
    state: &AppState,
    user: &SignedIn,
    adding: &Adding,
    query: &AddQuery,
    form: &FormData,
    errors: Vec<FieldError>,
) -> Response {
    let Adding {
        view,
        value: kind_value,
        words,
        roles,
        ..
    } = adding;
    let kind_value: &str = kind_value;
    let field = |name: &str, label: &str| TextField {
        error: errors
            .iter()
            .find(|error| error.field == name)
            .map(|error| error.message.clone()),
        spellcheck: false,
        ..TextField::text(name, label, form.get(name))
    };
    let fields = match kind_value {
        "person" => vec![
            field("full_name", "Full name"),
            TextField {
                input_type: "date",
                width: " govuk-input--width-10",
                ..field("dob", "Date of birth (if known)")
            },
            field("nhs", "NHS number (if known)"),
            TextField {
                spellcheck: true,
                ..field(
                    "description",
                    "Description (if no name is known, describe them)",
                )
            },
        ],
        "vehicle" => vec![
            TextField {
                width: " govuk-input--width-10",
                ..field("vrm", "Registration number")
            },
            field("make", "Make (optional)"),
            field("model", "Model (optional)"),
            field("colour", "Colour (optional)"),
        ],
        _ => vec![
            field("address_line_1", "Building and street"),
            field("address_town", "Town or city"),
            TextField {
                width: " govuk-input--width-10",
                ..field("address_postcode", "Postcode")
            },
        ],
    };
    let chosen_role = form.get("role");
    let role_choices: Vec<Choice> = roles
        .iter()
        .map(|(role, new_is_from)| {
            let value = role.to_string();
            let selected = value == chosen_role;
            (value, role_words(*role, *new_is_from), selected)
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AddRecordPage {
        chrome: pages::chrome_in(
            state,
            &format!("Add a linked {words}"),
            Some(user),
            !errors.is_empty(),
            "/staff/search",
        ),
        errors: errors
            .iter()
            .map(|error| ErrorItem {
                target: error.target.clone(),
                message: error.message.clone(),
            })
            .collect(),
        heading: format!("Add a linked {words}"),
        linked_to: one_line(&view.record),
        action: format!(
            "/staff/records/{}/add?kind={kind_value}&{}",
            view.record.id,
            query.purpose.query()
        ),
        roles: role_choices,
        fields,
    };
    finish(render(status, &page), Vec::new())
}

/// The record being linked to, for the purpose given, and what may be added to it.
async fn context(
    state: &AppState,
    user: &SignedIn,
    id: &str,
    query: &AddQuery,
) -> Result<Adding, Box<Response>> {
    if !pages::handles_reports(user.principal.subject.role) {
        return Err(Box::new(pages::forbidden(state, user)));
    }
    let Ok(id) = id.parse::<RecordId>() else {
        return Err(Box::new(pages::not_found(state, Some(user), "record")));
    };
    let kind_value = query.kind.as_deref().unwrap_or_default();
    let Some((kind, words)) = kind_of(kind_value) else {
        return Err(Box::new(pages::not_found(
            state,
            Some(user),
            "kind of record",
        )));
    };
    let action = format!("/staff/records/{id}/add?kind={kind_value}");
    let purpose = match query.purpose.justification(state) {
        Ok(purpose) => purpose,
        Err(message) => {
            let error = query.purpose.chosen().then_some(message);
            return Err(Box::new(purpose_page(
                state,
                user,
                "this record",
                &action,
                &query.purpose,
                error,
            )));
        }
    };
    let view = state
        .app
        .record_view(&user.principal, id, &purpose)
        .await
        .map_err(|error| Box::new(pages::app_error(state, Some(user), &error)))?;
    let roles = roles_between(kind, view.record.kind());
    if roles.is_empty() {
        return Err(Box::new(pages::not_found(
            state,
            Some(user),
            "link of that kind",
        )));
    }
    let value = KINDS
        .iter()
        .find(|(_, found, _)| *found == kind)
        .map_or("person", |(name, _, _)| *name);
    Ok(Adding {
        view,
        value,
        words,
        kind,
        roles,
    })
}

/// `GET /staff/records/{id}/add`.
#[tracing::instrument(skip_all)]
pub(crate) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<AddQuery>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    match context(&state, &user, &id, &query).await {
        Ok(adding) => page(
            &state,
            &user,
            &adding,
            &query,
            &FormData::default(),
            Vec::new(),
        ),
        Err(response) => *response,
    }
}

/// The new record's body, or what is wrong with the form.
fn body(
    state: &AppState,
    kind: RecordKind,
    form: &FormData,
) -> Result<RecordBody, Vec<FieldError>> {
    match kind {
        RecordKind::Person => {
            let mut errors = Vec::new();
            let typed = form.trimmed("full_name");
            let name = if typed.is_empty() {
                parse::person_name("full_name", "the name", "Unknown Unknown")
            } else {
                parse::person_name("full_name", "the name", typed)
            };
            let mut person = match name {
                Ok(name) => Person::named(name),
                Err(error) => return Err(vec![error]),
            };
            if typed.is_empty() && form.trimmed("description").is_empty() {
                errors.push(FieldError::new(
                    "full_name",
                    "Enter the name, or describe them",
                ));
            }
            let dob = form.trimmed("dob");
            if !dob.is_empty() {
                let today = bluelamp_domain::calendar::london_date(state.app.now());
                match chrono::NaiveDate::parse_from_str(dob, "%Y-%m-%d")
                    .ok()
                    .and_then(|date| bluelamp_domain::values::DateOfBirth::new_on(date, today).ok())
                {
                    Some(dob) => person.date_of_birth = Some(dob),
                    None => errors.push(FieldError::new(
                        "dob",
                        "Enter a real date of birth in the past",
                    )),
                }
            }
            let nhs = form.trimmed("nhs");
            if !nhs.is_empty() {
                match NhsNumber::parse(nhs) {
                    Ok(number) => person.identifiers.push(PersonIdentifier::Nhs(number)),
                    Err(error) => {
                        errors.push(FieldError::new("nhs", pages::sentence(&error.to_string())))
                    }
                }
            }
            match parse::optional_text(
                "description",
                "The description",
                form.get("description"),
                1000,
            ) {
                Ok(description) => person.description = description,
                Err(error) => errors.push(error),
            }
            if errors.is_empty() {
                Ok(RecordBody::Person(person))
            } else {
                Err(errors)
            }
        }
        RecordKind::Object => {
            let mut errors = Vec::new();
            let vrm = parse::vrm("vrm", form.get("vrm"))
                .map_err(|error| errors.push(error))
                .ok();
            let mut text = |name: &str, label: &str| {
                parse::optional_text(name, label, form.get(name), 100)
                    .map_err(|error| errors.push(error))
                    .ok()
                    .flatten()
            };
            let make = text("make", "The make");
            let model = text("model", "The model");
            let colour = text("colour", "The colour");
            match (vrm, errors.is_empty()) {
                (Some(vrm), true) => Ok(RecordBody::Object(Object::Vehicle(Vehicle {
                    vrm,
                    make,
                    model,
                    colour,
                }))),
                _ => Err(errors),
            }
        }
        _ => parse::place(
            &PlaceInput {
                line_1: form.get("address_line_1"),
                line_2: "",
                town: form.get("address_town"),
                postcode: form.get("address_postcode"),
                description: "",
            },
            true,
        )
        .and_then(|place| {
            place.map(RecordBody::Location).ok_or_else(|| {
                vec![FieldError::new(
                    "address_line_1",
                    "Enter the address or postcode",
                )]
            })
        }),
    }
}

/// `POST /staff/records/{id}/add`: records the new record and its link.
#[tracing::instrument(skip_all)]
pub(crate) async fn add(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<AddQuery>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (user, form) = match signed_in_form(&state, &headers, pairs).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let adding = match context(&state, &user, &id, &query).await {
        Ok(adding) => adding,
        Err(response) => return *response,
    };
    let show = |errors: Vec<FieldError>| page(&state, &user, &adding, &query, &form, errors);
    let view = &adding.view;
    let kind = adding.kind;
    let chosen = adding
        .roles
        .iter()
        .find(|(role, _)| role.to_string() == form.get("role"))
        .copied();
    let Some((role, new_is_from)) = chosen else {
        return show(vec![FieldError::new("role", "Choose how it is linked")]);
    };
    let body = match body(&state, kind, &form) {
        Ok(body) => body,
        Err(errors) => return show(errors),
    };
    let Ok(lawful_basis) = LAW_ENFORCEMENT.parse::<LawfulBasis>() else {
        return pages::app_error(
            &state,
            Some(&user),
            &AppError::Internal("the law-enforcement basis does not parse".to_owned()),
        );
    };
    let input = NewRecord {
        marking: view.record.marking.clone(),
        lawful_basis,
        retention_group: view.record.retention.group.clone(),
        clear_period_start: None,
        channel: Channel::StaffEntry,
        body,
    };
    let created = match state.app.create_record(&user.principal, input).await {
        Ok(created) => created,
        Err(AppError::Invalid { message, .. }) => {
            return show(vec![FieldError::new("role", pages::sentence(&message))]);
        }
        Err(error) => return pages::app_error(&state, Some(&user), &error),
    };
    let (from, to) = if new_is_from {
        (created.id, view.record.id)
    } else {
        (view.record.id, created.id)
    };
    let link = NewLink {
        from,
        to,
        role,
        valid_from: None,
        valid_to: None,
    };
    if let Err(error) = state.app.link_records(&user.principal, link).await {
        return pages::app_error(&state, Some(&user), &error);
    }
    finish(
        see_other(&format!(
            "/staff/records/{}?{}",
            created.id,
            query.purpose.query()
        )),
        Vec::new(),
    )
}
