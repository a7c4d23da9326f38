//! `GET /staff/records/{id}`: a person, vehicle, location or event page — the record's
//! details (a person's identifiers and warning markers first), its links with the records
//! at their other ends, and, for anything linked to events, a timeline of those events.
//!
//! Like a report, a record opens only with a purpose (`?purpose=CODE&purpose_text=…`: the
//! reference or description the purpose needs); links carry the purpose on, so working
//! through linked records never asks again. Without one, the page asks why first.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::{AppError, LinkedRecord, RecordView};
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::object::Object;
use bluelamp_domain::person::PersonIdentifier;
use bluelamp_domain::record::{Record, RecordBody};
use bluelamp_domain::values::Purpose;
use serde::Deserialize;

use super::auth::{SignedIn, signed_in};
use super::queue::short_time;
use super::view::{Choice, Fact, LinkRow, PurposePage, RecordPage, StaffTimelineItem};
use super::{finish, pages, query_value};
use crate::AppState;
use crate::portal::view::{ErrorItem, TextField, render};

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
        RecordBody::Location(location) => address_line(location),
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
            facts.push(fact("Address", address_line(location)));
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
    facts.push(fact("Marking", record.marking.to_string()));
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
    let action = format!("/staff/records/{id}");
    if !chosen.chosen() {
        return purpose_page(&state, &user, "this record", &action, &chosen, None);
    }
    let purpose = match chosen.justification(&state) {
        Ok(purpose) => purpose,
        Err(message) => {
            return purpose_page(
                &state,
                &user,
                "this record",
                &action,
                &chosen,
                Some(message),
            );
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
                Ok(tombstone) => super::reviews::tombstone_page(&state, &user, &tombstone),
                Err(error) => pages::app_error(&state, Some(&user), &error),
            };
        }
        Err(error) => return pages::app_error(&state, Some(&user), &error),
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
    let page = RecordPage {
        chrome: pages::chrome_in(
            &state,
            &format!("{kind}: {}", one_line(&view.record)),
            Some(&user),
            false,
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
    };
    finish(render(StatusCode::OK, &page), Vec::new())
}
