//! A finished draft → the application's [`NewReport`], and the application's refusals →
//! the step whose answer they are about.

use std::collections::BTreeMap;

use bluelamp_app::{EvidenceReceipt, NewReport};
use bluelamp_domain::object::{Property, Vehicle};
use bluelamp_domain::person::{ContactDetails, Person};
use serde_json::{Value, json};

use super::checks;
use super::draft::{Draft, PendingError, UploadedFile};
use super::journey::{Journey, Step};
use super::parse::{self, FieldError};
use super::steps::StepContext;

/// Why a draft could not become a report: the step to send the person back to.
#[derive(Debug)]
pub(crate) struct BuildError {
    /// The step.
    pub(crate) step: Step,
    /// The error.
    pub(crate) error: FieldError,
}

fn at(step: Step) -> impl Fn(FieldError) -> BuildError {
    move |error| BuildError { step, error }
}

/// The evidence receipt of an uploaded file.
pub(crate) fn receipt(file: &UploadedFile) -> EvidenceReceipt {
    EvidenceReceipt {
        blob_key: file.key.to_string(),
        file_name: file.name.clone(),
        media_type: file.media_type.mime().to_owned(),
        size_bytes: file.size,
        sha256: file.sha256.clone(),
        metadata: metadata_map(&file.metadata),
    }
}

/// Metadata as name → value, for investigators.
fn metadata_map(metadata: &bluelamp_evidence::EvidenceMetadata) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    if let Some(gps) = metadata.gps {
        map.insert("gps_latitude".to_owned(), gps.latitude.to_string());
        map.insert("gps_longitude".to_owned(), gps.longitude.to_string());
    }
    if let Some(taken) = metadata.taken_at {
        map.insert(
            "taken_at".to_owned(),
            taken.format("%Y-%m-%dT%H:%M:%S").to_string(),
        );
    }
    if let Some(camera) = &metadata.camera {
        map.insert("camera".to_owned(), camera.clone());
    }
    if let (Some(width), Some(height)) = (metadata.width, metadata.height) {
        map.insert("width".to_owned(), width.to_string());
        map.insert("height".to_owned(), height.to_string());
    }
    map
}

/// Builds the report of a finished draft.
pub(crate) fn build(draft: &Draft, context: &StepContext<'_>) -> Result<NewReport, BuildError> {
    let journey = draft.journey;
    let active = draft.active_steps();
    let asks = |step: Step| active.contains(&step);

    let report_type = if asks(Step::Type) {
        Some(draft.value("report_type").to_owned())
    } else {
        None
    };
    let summary_label = if journey == Journey::Information {
        "Information"
    } else {
        "What happened"
    };
    let summary = parse::required_text(
        "summary",
        summary_label,
        draft.value("summary"),
        parse::summary_limit(),
        "Enter what happened",
    )
    .map_err(at(Step::What))?;
    let occurred_from = checks::check_when(context, draft)
        .map_err(at(Step::When))?
        .unwrap_or_else(chrono::Utc::now);
    let place = parse::place(&checks::place_input(draft), journey != Journey::Information)
        .map_err(|errors| BuildError {
            step: Step::Where,
            error: errors
                .into_iter()
                .next()
                .unwrap_or_else(|| FieldError::new("address_line_1", "Enter where it happened")),
        })?;

    let reporter = if asks(Step::You) {
        Some(reporter(draft, context).map_err(at(Step::You))?)
    } else {
        None
    };

    let mut suspects = Vec::new();
    if asks(Step::Suspect) {
        let description = parse::optional_text(
            "suspect_description",
            "Description",
            draft.value("suspect_description"),
            1000,
        )
        .map_err(at(Step::Suspect))?;
        let name = draft.value("suspect_name");
        if !name.trim().is_empty() || description.is_some() {
            suspects.push(
                parse::described_person("suspect_name", "their name", name, description)
                    .map_err(at(Step::Suspect))?,
            );
        }
    }

    let mut vehicles = Vec::new();
    if asks(Step::Vehicle) {
        let optional = |name: &str, label: &str| {
            parse::optional_text(name, label, draft.value(name), parse::SHORT_LIMIT)
                .map_err(at(Step::Vehicle))
        };
        vehicles.push(Vehicle {
            vrm: parse::vrm("vrm", draft.value("vrm")).map_err(at(Step::Vehicle))?,
            make: optional("vehicle_make", "Make")?,
            model: optional("vehicle_model", "Model")?,
            colour: optional("vehicle_colour", "Colour")?,
        });
    }

    let mut property = Vec::new();
    if asks(Step::Property) {
        let description = parse::optional_text(
            "property_description",
            "Description of the property",
            draft.value("property_description"),
            1000,
        )
        .map_err(at(Step::Property))?;
        let serial = draft.value("serial_number");
        let serial_numbers = if serial.trim().is_empty() {
            Vec::new()
        } else {
            vec![parse::serial_number("serial_number", serial).map_err(at(Step::Property))?]
        };
        if let Some(description) = description {
            property.push(Property {
                description,
                serial_numbers,
            });
        }
        let vrm = draft.value("vrm");
        if !vrm.trim().is_empty() {
            vehicles.push(Vehicle {
                vrm: parse::vrm("vrm", vrm).map_err(at(Step::Property))?,
                make: None,
                model: None,
                colour: None,
            });
        }
    }

    let mut victim = None;
    let mut reporter_is_victim = false;
    if asks(Step::Victim) {
        if draft.value("victim") == "me" {
            reporter_is_victim = true;
        } else {
            victim = Some(
                contact_person(draft, "victim_name", "the victim's name", "victim_contact")
                    .map_err(at(Step::Victim))?,
            );
        }
    }
    let mut witnesses = Vec::new();
    if asks(Step::Witness) && draft.value("witness_known") == "yes" {
        witnesses.push(
            contact_person(
                draft,
                "witness_name",
                "the witness's name",
                "witness_contact",
            )
            .map_err(at(Step::Witness))?,
        );
    }

    Ok(NewReport {
        kind: journey.kind(),
        idempotency_key: draft.idempotency_key.clone(),
        report_type,
        summary,
        occurred_from,
        occurred_to: None,
        place,
        reporter,
        reporter_is_victim,
        victim,
        witnesses,
        suspects,
        vehicles,
        property,
        evidence: draft.files.iter().map(receipt).collect(),
        details: details(draft, &active),
    })
}

fn reporter(draft: &Draft, context: &StepContext<'_>) -> Result<Person, FieldError> {
    let name = parse::person_name("full_name", "your full name", draft.value("full_name"))?;
    let mut person = Person::named(name);
    person.date_of_birth = parse::date_of_birth(
        checks::date_input(draft, "dob"),
        draft.journey == Journey::RoadTraffic,
        context.today,
    )?;
    let email = draft.value("email");
    let phone = draft.value("phone");
    person.contact = ContactDetails {
        email: (!email.trim().is_empty())
            .then(|| parse::email("email", email))
            .transpose()?,
        phone: (!phone.trim().is_empty())
            .then(|| parse::phone("phone", phone))
            .transpose()?,
        address: parse::optional_text(
            "contact_address",
            "Your address",
            draft.value("contact_address"),
            500,
        )?,
    };
    Ok(person)
}

fn contact_person(
    draft: &Draft,
    name_field: &str,
    name_label: &str,
    contact_field: &str,
) -> Result<Person, FieldError> {
    let mut person = Person::named(parse::person_name(
        name_field,
        name_label,
        draft.value(name_field),
    )?);
    person.contact = parse::contact_in_one_box(
        contact_field,
        "Their contact details",
        draft.value(contact_field),
    )?;
    Ok(person)
}

/// The answers that are not POLE content.
fn details(draft: &Draft, active: &[Step]) -> Value {
    let mut details = serde_json::Map::new();
    let mut put = |key: &str, value: Value| {
        details.insert(key.to_owned(), value);
    };
    let text = |name: &str| draft.value(name).trim().to_owned();
    if active.contains(&Step::Rules) {
        let confirmed = |value: &str| draft.values("confirm").iter().any(|chosen| chosen == value);
        put("age_confirmed", json!(confirmed("age")));
        put("statement_willing", json!(confirmed("statement")));
        put("clip_within_limits", json!(confirmed("clip")));
    }
    if draft.journey == Journey::Information {
        put("anonymous", json!(draft.anonymous()));
    }
    if !text("when_time").is_empty() {
        put("when_time", json!(text("when_time")));
    }
    if active.contains(&Step::Suspect) {
        put("suspect_known", json!(text("suspect_known")));
    }
    if active.contains(&Step::Victim) {
        put("victim", json!(text("victim")));
    }
    if active.contains(&Step::Witness) {
        put("witness_known", json!(text("witness_known")));
    }
    if active.contains(&Step::Support) {
        put("support", json!(draft.values("support")));
        if !text("support_details").is_empty() {
            put("support_details", json!(text("support_details")));
        }
    }
    if active.contains(&Step::Contact) {
        put("contact_preference", json!(text("contact_preference")));
        if !text("contact_times").is_empty() {
            put("contact_times", json!(text("contact_times")));
        }
    }
    if active.contains(&Step::VictimsCode) {
        put("victims_code_shown", json!(true));
    }
    put("channel", json!("web portal"));
    Value::Object(details)
}

/// The step and field an application refusal is about, for the journey's steps; `None`
/// when it belongs to no step the journey has.
pub(crate) fn step_of(journey: Journey, field: &str) -> Option<(Step, &'static str)> {
    let head = field.split('.').next().unwrap_or(field);
    let (step, target) = match (head, field) {
        (_, "you.date_of_birth") => (Step::You, "dob"),
        ("report_type", _) => (Step::Type, "report_type"),
        ("when", _) => (Step::When, "when"),
        ("where" | "place", _) => (Step::Where, "address_line_1"),
        ("summary", _) => (Step::What, "summary"),
        ("you" | "reporter", _) => (Step::You, "full_name"),
        ("vehicles" | "vrm", _) => (Step::Vehicle, "vrm"),
        ("evidence", _) => (Step::Evidence, "file"),
        ("statement_willing" | "clip_within_limits" | "age_confirmed", _) => {
            (Step::Rules, "confirm")
        }
        ("suspects", _) => (Step::Suspect, "suspect_name"),
        ("victim", _) => (Step::Victim, "victim"),
        ("witnesses", _) => (Step::Witness, "witness_name"),
        ("property", _) => (Step::Property, "property_description"),
        _ => return None,
    };
    journey.steps().contains(&step).then_some((step, target))
}

/// The pending error of an application refusal, or `None` when it is about no step.
pub(crate) fn pending_error(journey: Journey, field: &str, message: &str) -> Option<PendingError> {
    let (step, target) = step_of(journey, field)?;
    Some(PendingError {
        step,
        field: target.to_owned(),
        message: parse::capitalise(message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_go_to_their_step() {
        assert_eq!(
            step_of(Journey::RoadTraffic, "you.date_of_birth"),
            Some((Step::You, "dob"))
        );
        assert_eq!(
            step_of(Journey::RoadTraffic, "statement_willing"),
            Some((Step::Rules, "confirm"))
        );
        assert_eq!(step_of(Journey::Crime, "vehicles"), None);
        assert_eq!(step_of(Journey::Crime, "when"), Some((Step::When, "when")));
        let pending = pending_error(
            Journey::Crime,
            "when",
            "the date it happened must be today or in the past",
        )
        .unwrap();
        assert_eq!(
            pending.message,
            "The date it happened must be today or in the past"
        );
    }
}
