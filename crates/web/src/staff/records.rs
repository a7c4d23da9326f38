//! `GET /staff/records/{id}`: a person, vehicle, location or event page — the record's
//! details (a person's identifiers and warning markers first), its links with the records
//! at their other ends, and, for anything linked to events, a timeline of those events.
//!
//! Like a report, a record opens only with a purpose (`?purpose=CODE&purpose_text=…`: the
//! reference or description the purpose needs); links carry the purpose on, so working
//! through linked records never asks again. Without one, the page asks why first.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::{AppError, LinkedRecord, RecordView};
use bluelamp_domain::handling::{Handling, HandlingFlag};
use bluelamp_domain::ids::StaffId;
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::object::Object;
use bluelamp_domain::person::PersonIdentifier;
use bluelamp_domain::record::{Record, RecordBody};
use bluelamp_domain::values::Purpose;
use bluelamp_policy::Role;
use serde::Deserialize;

use super::auth::{SignedIn, signed_in, signed_in_form};
use super::queue::short_time;
use super::view::{
    Choice, Fact, HandlingForm, LinkRow, PurposePage, RecordPage, StaffTimelineItem,
};
use super::{finish, pages, query_value};
use crate::AppState;
use crate::portal::form::FormData;
use crate::portal::see_other;
use crate::portal::view::{ChoiceField, ErrorItem, Field, TextField, render};

/// The purpose a record page or a search carries.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct RecordPurpose {
    /// The purpose's code (`refdata/access_purposes.csv`).
    pub(crate) purpose: Option<String>,
    /// The reference a purpose needs, or the words of a free-text one.
    pub(crate) purpose_text: Option<String>,
}

impl RecordPurpose {
    /// The query string that keeps this purpose.
    pub(crate) fn query(&self) -> String {
        let mut query = format!(
            "purpose={}",
            query_value(self.purpose.as_deref().unwrap_or_default())
        );
        if let Some(text) = self.purpose.as_ref().and(self.purpose_text.as_ref()) {
            query.push_str("&purpose_text=");
            query.push_str(&query_value(text));
        }
        query
    }

    /// Whether a purpose was chosen at all.
    pub(crate) fn chosen(&self) -> bool {
        self.purpose.as_deref().is_some_and(|code| !code.is_empty())
    }

    /// The justification, or what is missing.
    pub(crate) fn justification(&self, state: &AppState) -> Result<Purpose, String> {
        let today = bluelamp_domain::calendar::london_date(state.app.now());
        let code = self.purpose.as_deref().unwrap_or_default();
        let Some(purpose) = state.app.refdata().access_purpose(code, today) else {
            return Err("Choose why you are looking".to_owned());
        };
        let text = self
            .purpose_text
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty());
        if purpose.is_free_text() && text.is_none() {
            return Err("Describe why you are looking".to_owned());
        }
        if purpose.needs_reference && text.is_none() {
            return Err(format!(
                "Enter the reference for “{}”",
                purpose.label.to_lowercase()
            ));
        }
        let input = if purpose.is_free_text() || purpose.needs_reference {
            text
        } else {
            None
        };
        purpose
            .justification(input)
            .map_err(|error| pages::sentence(&error.to_string()))
    }
}

/// The purpose picker for looking at `what`, submitting (GET) to `action` with `hidden`
/// fields kept.
pub(crate) fn purpose_page(
    state: &AppState,
    user: &SignedIn,
    what: &str,
    action: &str,
    chosen: &RecordPurpose,
    error: Option<String>,
) -> Response {
    let today = bluelamp_domain::calendar::london_date(state.app.now());
    let checked = chosen.purpose.as_deref().unwrap_or_default();
    let purposes: Vec<Choice> = state
        .app
        .refdata()
        .purposes(today)
        .into_iter()
        .map(|purpose| {
            let selected = purpose.code == checked;
            (purpose.code, purpose.label, selected)
        })
        .collect();
    let errors = error
        .iter()
        .map(|message| ErrorItem {
            target: "purpose".to_owned(),
            message: message.clone(),
        })
        .collect();
    let page = PurposePage {
        chrome: pages::chrome_in(
            state,
            "Why are you looking?",
            Some(user),
            error.is_some(),
            "/staff/search",
        ),
        what: what.to_owned(),
        action: action.to_owned(),
        errors,
        purposes,
        purpose_text: TextField {
            hint: Some(
                "The report, crime, incident or request reference, or, for Other, the purpose in your words"
                    .to_owned(),
            ),
            spellcheck: false,
            ..TextField::text(
                "purpose_text",
                "Reference or description",
                chosen.purpose_text.as_deref().unwrap_or_default(),
            )
        },
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    finish(render(status, &page), Vec::new())
}

/// A record's kind in words.
pub(crate) fn kind_label(body: &RecordBody) -> &'static str {
    match body {
        RecordBody::Person(_) => "Person",
        RecordBody::Object(Object::Vehicle(_)) => "Vehicle",
        RecordBody::Object(Object::Property(_)) => "Property",
        RecordBody::Object(Object::Evidence(_)) => "Evidence",
        RecordBody::Location(_) => "Location",
        RecordBody::Event(_) => "Event",
    }
}

/// One line naming a record: a person's name and date of birth, a vehicle's VRM, an
/// address, an event's summary and date.
pub(crate) fn one_line(record: &Record) -> String {
    match &record.body {
        RecordBody::Person(person) => match &person.date_of_birth {
            Some(dob) => format!("{}, born {}", person.name, dob.date().format("%-d %B %Y")),
            None => person.name.to_string(),
        },
        RecordBody::Object(Object::Vehicle(vehicle)) => {
            let about: Vec<&str> = [&vehicle.colour, &vehicle.make, &vehicle.model]
                .into_iter()
                .flatten()
                .map(bluelamp_domain::values::FreeText::as_str)
                .collect();
            if about.is_empty() {
                vehicle.vrm.to_string()
            } else {
                format!("{} ({})", vehicle.vrm, about.join(" "))
            }
        }
        RecordBody::Object(Object::Property(property)) => property.description.to_string(),
        RecordBody::Object(Object::Evidence(file)) => file.file_name.to_string(),
        RecordBody::Location(location) => {
            let line = address_line(location);
            if line.is_empty() {
                "Address withheld".to_owned()
            } else {
                line
            }
        }
        RecordBody::Event(event) => {
            let summary: String = event.summary().as_str().chars().take(80).collect();
            format!("{summary} ({})", short_time(event.occurred_from()))
        }
    }
}

fn address_line(location: &bluelamp_domain::location::Location) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(address) = location.address() {
        parts.extend(address.lines().iter().cloned());
        parts.extend(address.town().map(str::to_owned));
        parts.extend(address.postcode().map(ToString::to_string));
    }
    if parts.is_empty()
        && let Some(point) = location.point()
    {
        parts.push(point.to_string());
    }
    if let Some(description) = location.description() {
        parts.push(description.to_string());
    }
    parts.join(", ")
}

/// The record's own details.
fn details(record: &Record) -> Vec<Fact> {
    let fact = |key: &str, value: String| Fact {
        key: key.to_owned(),
        value,
        warning: false,
    };
    let mut facts = Vec::new();
    match &record.body {
        RecordBody::Person(person) => {
            for marker in &person.warning_markers {
                facts.push(Fact {
                    key: "Warning marker".to_owned(),
                    value: match &marker.details {
                        Some(details) => format!("{}: {details}", marker.code.as_str()),
                        None => marker.code.as_str().to_owned(),
                    },
                    warning: true,
                });
            }
            facts.push(fact("Name", person.name.to_string()));
            for alias in &person.aliases {
                facts.push(fact("Also known as", alias.to_string()));
            }
            if let Some(dob) = &person.date_of_birth {
                facts.push(fact(
                    "Date of birth",
                    dob.date().format("%-d %B %Y").to_string(),
                ));
            }
            for identifier in &person.identifiers {
                let (key, value) = match identifier {
                    PersonIdentifier::Pnc(id) => ("PNC ID", id.to_string()),
                    PersonIdentifier::Nhs(id) => ("NHS number", id.to_string()),
                    PersonIdentifier::Nino(id) => ("National Insurance number", id.to_string()),
                    PersonIdentifier::Cro(id) => ("CRO number", id.to_string()),
                };
                facts.push(fact(key, value));
            }
            if let Some(description) = &person.description {
                facts.push(fact("Description", description.to_string()));
            }
            let contact = &person.contact;
            if let Some(phone) = &contact.phone {
                facts.push(fact("Telephone", phone.to_string()));
            }
            if let Some(email) = &contact.email {
                facts.push(fact("E-mail", email.to_string()));
            }
            if let Some(address) = &contact.address {
                facts.push(fact("Address", address.to_string()));
            }
        }
        RecordBody::Object(Object::Vehicle(vehicle)) => {
            facts.push(fact("VRM", vehicle.vrm.to_string()));
            for (key, value) in [
                ("Make", &vehicle.make),
                ("Model", &vehicle.model),
                ("Colour", &vehicle.colour),
            ] {
                if let Some(value) = value {
                    facts.push(fact(key, value.to_string()));
                }
            }
        }
        RecordBody::Object(Object::Property(property)) => {
            facts.push(fact("Description", property.description.to_string()));
            for serial in &property.serial_numbers {
                facts.push(fact("Serial number", serial.to_string()));
            }
        }
        RecordBody::Object(Object::Evidence(file)) => {
            facts.push(fact("File", file.file_name.to_string()));
            facts.push(fact("Type", file.media_type.clone()));
        }
        RecordBody::Location(location) => {
            let line = address_line(location);
            if !line.is_empty() {
                facts.push(fact("Address", line));
            }
            if let Some(point) = location.point() {
                facts.push(fact("Point", point.to_string()));
            }
        }
        RecordBody::Event(event) => {
            facts.push(fact("What happened", event.summary().to_string()));
            let when = match event.occurred_to() {
                Some(to) => format!(
                    "{} to {}",
                    short_time(event.occurred_from()),
                    short_time(to)
                ),
                None => short_time(event.occurred_from()),
            };
            facts.push(fact("When", when));
            if let Some(category) = event.crime_category() {
                facts.push(fact("Crime category", category.to_string()));
            }
        }
    }
    for category in &record.withheld {
        facts.push(fact(
            &pages::sentence(category.label()),
            "Withheld: you do not need to know this".to_owned(),
        ));
    }
    facts.push(fact("Marking", record.marking.to_string()));
    if record.handling.restricted {
        facts.push(Fact {
            key: "Handling".to_owned(),
            value: "Restricted to its access list".to_owned(),
            warning: true,
        });
    }
    for flag in &record.handling.flags {
        facts.push(Fact {
            key: "Flag".to_owned(),
            value: flag.label().to_owned(),
            warning: true,
        });
    }
    facts.push(fact(
        "Recorded",
        format!(
            "{} ({})",
            short_time(record.provenance.recorded_at),
            record.provenance.channel
        ),
    ));
    facts.push(fact(
        "Next retention review",
        record.retention.next_review.format("%-d %B %Y").to_string(),
    ));
    facts
}

/// A link's role as seen from the record shown ("Victim of", "Victim").
fn role_words(linked: &LinkedRecord) -> String {
    let role = linked.link.role().to_string().replace('_', " ");
    let role = pages::sentence(&role);
    if linked.outgoing {
        format!("{role} of")
    } else {
        role
    }
}

/// `GET /staff/records/{id}`.
#[tracing::instrument(skip_all)]
pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(chosen): Query<RecordPurpose>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let Ok(id) = id.parse::<RecordId>() else {
        return pages::not_found(&state, Some(&user), "record");
    };
    record_page(&state, &user, id, &chosen, None).await
}

/// Whether `role` sets records' need-to-know handling (the policy decides; this only
/// decides whether the form is offered).
fn sets_handling(role: Option<Role>) -> bool {
    matches!(
        role,
        Some(Role::Investigator | Role::Supervisor | Role::InformationManager)
    )
}

/// The handling form for `record`, offering the force's teams and colleagues (those the
/// caller may list) for its access list, with `chosen` checked.
async fn handling_form(
    state: &AppState,
    user: &SignedIn,
    record: &Record,
    chosen: &RecordPurpose,
    error: Option<&ErrorItem>,
) -> Option<HandlingForm> {
    if !sets_handling(user.principal.subject.role) {
        return None;
    }
    let colleagues = state
        .app
        .colleagues(&user.principal)
        .await
        .unwrap_or_default();
    let handling = &record.handling;
    let mut teams: Vec<(String, String)> = colleagues
        .iter()
        .filter_map(|colleague| Some((colleague.team?.to_string(), colleague.team_name.clone()?)))
        .collect();
    teams.sort_by(|a, b| a.1.cmp(&b.1));
    teams.dedup();
    let staff: Vec<(String, String)> = colleagues
        .iter()
        .map(|colleague| {
            (
                colleague.id.to_string(),
                format!(
                    "{} ({})",
                    colleague.display_name,
                    pages::sentence(&colleague.role.as_str().replace('_', " "))
                ),
            )
        })
        .collect();
    let error_for = |name: &str| {
        error
            .filter(|item| item.target == name)
            .map(|item| item.message.clone())
    };
    let mut restricted = ChoiceField::new(
        "restricted",
        "Restriction",
        &[(
            "yes",
            "Restrict this record to its access list",
            Some("Only the staff and teams ticked below will be able to open it"),
        )],
        &(if handling.restricted {
            vec!["yes".to_owned()]
        } else {
            Vec::new()
        }),
    );
    restricted.error = error_for("restricted");
    let flag_options: Vec<(&str, &str, Option<&str>)> = HandlingFlag::ALL
        .iter()
        .map(|flag| {
            let hint = match flag {
                HandlingFlag::Vip => {
                    "Call handlers and analysts not on the access list cannot open it"
                }
                HandlingFlag::RefugeAddress => {
                    "The address is withheld from everyone not on the access list"
                }
            };
            (flag.as_str(), flag.label(), Some(hint))
        })
        .collect();
    let flags = ChoiceField::new(
        "flags",
        "Flags",
        &flag_options,
        &handling
            .flags
            .iter()
            .map(|flag| flag.as_str().to_owned())
            .collect::<Vec<_>>(),
    );
    let mut fields = vec![Field::Checkboxes(restricted), Field::Checkboxes(flags)];
    if !teams.is_empty() {
        let options: Vec<(&str, &str, Option<&str>)> = teams
            .iter()
            .map(|(value, label)| (value.as_str(), label.as_str(), None))
            .collect();
        let mut field = ChoiceField::new(
            "teams",
            "Teams on the access list",
            &options,
            &handling
                .access_teams
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        );
        field.error = error_for("teams");
        fields.push(Field::Checkboxes(field));
    }
    if !staff.is_empty() {
        let options: Vec<(&str, &str, Option<&str>)> = staff
            .iter()
            .map(|(value, label)| (value.as_str(), label.as_str(), None))
            .collect();
        let mut field = ChoiceField::new(
            "staff",
            "Staff on the access list",
            &options,
            &handling
                .access_staff
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        );
        field.error = error_for("staff");
        fields.push(Field::Checkboxes(field));
    }
    Some(HandlingForm {
        action: format!("/staff/records/{}/handling", record.id),
        purpose: chosen.purpose.clone().unwrap_or_default(),
        purpose_text: chosen.purpose_text.clone().unwrap_or_default(),
        fields,
    })
}

/// `POST /staff/records/{id}/handling`: set the record's restriction, flags and access list,
/// then show the record again (for the purpose it was opened for).
#[tracing::instrument(skip_all)]
pub(crate) async fn set_handling(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (user, form) = match signed_in_form(&state, &headers, pairs).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Ok(id) = id.parse::<RecordId>() else {
        return pages::not_found(&state, Some(&user), "record");
    };
    let chosen = RecordPurpose {
        purpose: Some(form.trimmed("purpose").to_owned()).filter(|code| !code.is_empty()),
        purpose_text: Some(form.trimmed("purpose_text").to_owned()).filter(|text| !text.is_empty()),
    };
    let parsed = parse_handling(&form);
    let result = match parsed {
        Ok(handling) => state.app.set_handling(&user.principal, id, handling).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(_) => {
            let next = if chosen.chosen() {
                format!("/staff/records/{id}?{}&done=handling", chosen.query())
            } else {
                format!("/staff/records/{id}")
            };
            finish(see_other(&next), Vec::new())
        }
        Err(AppError::Invalid { field, message, .. }) => {
            let target = match field.as_str() {
                "access_teams" => "teams",
                "access_staff" => "staff",
                "flags" => "flags",
                _ => "restricted",
            };
            let item = ErrorItem {
                target: target.to_owned(),
                message: pages::sentence(&message),
            };
            record_page(&state, &user, id, &chosen, Some(item)).await
        }
        Err(error) => pages::app_error(&state, Some(&user), &error),
    }
}

/// The handling a submitted form asks for; a value that is not an id or a flag is refused,
/// naming it.
fn parse_handling(form: &FormData) -> Result<Handling, AppError> {
    let mut handling = Handling {
        restricted: form.get("restricted") == "yes",
        ..Handling::default()
    };
    for flag in form.all("flags") {
        handling.flags.push(
            flag.parse::<HandlingFlag>()
                .map_err(|message| AppError::invalid("flags", "unknown", message))?,
        );
    }
    for team in form.all("teams") {
        handling
            .access_teams
            .push(team.parse::<uuid::Uuid>().map_err(|_| {
                AppError::invalid("access_teams", "unknown", format!("`{team}` is not a team"))
            })?);
    }
    for staff in form.all("staff") {
        handling
            .access_staff
            .push(staff.parse::<StaffId>().map_err(|_| {
                AppError::invalid(
                    "access_staff",
                    "unknown",
                    format!("`{staff}` is not a member of staff"),
                )
            })?);
    }
    Ok(handling)
}

/// A record page, opened for the purpose `chosen` (the purpose picker when there is none),
/// with `error` on its handling form.
async fn record_page(
    state: &AppState,
    user: &SignedIn,
    id: RecordId,
    chosen: &RecordPurpose,
    error: Option<ErrorItem>,
) -> Response {
    let chosen = chosen.clone();
    let action = format!("/staff/records/{id}");
    if !chosen.chosen() {
        return purpose_page(state, user, "this record", &action, &chosen, None);
    }
    let purpose = match chosen.justification(state) {
        Ok(purpose) => purpose,
        Err(message) => {
            return purpose_page(state, user, "this record", &action, &chosen, Some(message));
        }
    };
    let view: RecordView = match state.app.record_view(&user.principal, id, &purpose).await {
        Ok(view) => view,
        Err(AppError::NotFound { .. }) => {
            // A disposed record shows its tombstone, never its old content.
            return match state
                .app
                .record_tombstone(&user.principal, id, &purpose)
                .await
            {
                Ok(tombstone) => super::reviews::tombstone_page(state, user, &tombstone),
                Err(error) => pages::app_error(state, Some(user), &error),
            };
        }
        Err(error) => return pages::app_error(state, Some(user), &error),
    };
    let keep = chosen.query();
    let links = view
        .links
        .iter()
        .map(|linked| {
            let other_id = if linked.outgoing {
                linked.link.to()
            } else {
                linked.link.from()
            };
            LinkRow {
                role: role_words(linked),
                kind: linked
                    .other
                    .as_ref()
                    .map_or("Record", |other| kind_label(&other.body))
                    .to_owned(),
                text: linked.other.as_ref().map_or_else(
                    || "Withheld: you may not see this record".to_owned(),
                    one_line,
                ),
                href: linked
                    .other
                    .as_ref()
                    .map(|_| format!("/staff/records/{other_id}?{keep}")),
            }
        })
        .collect();
    let mut events: Vec<(&Record, &LinkedRecord)> = view
        .links
        .iter()
        .filter_map(|linked| linked.other.as_ref().map(|other| (other, linked)))
        .filter(|(other, _)| matches!(other.body, RecordBody::Event(_)))
        .collect();
    events.sort_by_key(|(other, _)| match &other.body {
        RecordBody::Event(event) => std::cmp::Reverse(event.occurred_from()),
        _ => std::cmp::Reverse(other.provenance.recorded_at),
    });
    let timeline = events
        .into_iter()
        .filter_map(|(other, linked)| match &other.body {
            RecordBody::Event(event) => Some(StaffTimelineItem {
                title: format!("{}: {}", role_words(linked), event.summary()),
                byline: short_time(event.occurred_from()),
                datetime: event.occurred_from().to_rfc3339(),
                text: event.crime_category().map(ToString::to_string),
                internal: false,
            }),
            _ => None,
        })
        .collect();
    let kind = kind_label(&view.record.body);
    let add_links = if pages::handles_reports(user.principal.subject.role) {
        [
            ("person", RecordKind::Person, "Add a linked person"),
            ("vehicle", RecordKind::Object, "Add a linked vehicle"),
            ("location", RecordKind::Location, "Add a linked place"),
        ]
        .into_iter()
        .filter(|(_, new, _)| {
            !super::add_record::roles_between(*new, view.record.kind()).is_empty()
        })
        .map(|(value, _, words)| {
            (
                format!("/staff/records/{id}/add?kind={value}&{keep}"),
                words.to_owned(),
            )
        })
        .collect()
    } else {
        Vec::new()
    };
    let handling = handling_form(state, user, &view.record, &chosen, error.as_ref()).await;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = RecordPage {
        chrome: pages::chrome_in(
            state,
            &format!("{kind}: {}", one_line(&view.record)),
            Some(user),
            error.is_some(),
            "/staff/search",
        ),
        kind: kind.to_owned(),
        title: one_line(&view.record),
        purpose: pages::sentence(purpose.as_str()),
        purpose_href: format!("/staff/records/{id}"),
        facts: details(&view.record),
        links,
        timeline,
        add_links,
        errors: error.into_iter().collect(),
        handling,
    };
    finish(render(status, &page), Vec::new())
}
