//! How each step's answers are checked when posted (the messages are GOV.UK style and name
//! what is wrong), and the checks a finished draft is built with.

use chrono::Datelike as _;

use super::draft::Draft;
use super::form::FormData;
use super::journey::{Journey, Step};
use super::parse::{self, DateInput, FieldError, PlaceInput};
use super::steps::StepContext;

/// Checks the answers posted for `step`; an empty list means they are accepted.
pub(crate) fn validate(step: Step, context: &StepContext<'_>, form: &FormData) -> Vec<FieldError> {
    let journey = context.journey;
    let mut errors = Vec::new();
    let mut push = |result: Result<(), FieldError>| {
        if let Err(error) = result {
            errors.push(error);
        }
    };
    match step {
        Step::Rules => {
            let chosen = form.all("confirm");
            let age = context.snap_rule("minimum-age", 18);
            let minutes = context.snap_rule("max-clip-minutes", 10);
            let missing: Vec<&str> = ["age", "statement", "clip"]
                .into_iter()
                .filter(|value| !chosen.iter().any(|chosen| chosen == value))
                .collect();
            let message = match missing.as_slice() {
                [] => None,
                [_, _, _] => Some("Confirm each of the 3 statements to send footage".to_owned()),
                ["age", ..] => Some(format!("Confirm you are {age} or over")),
                ["statement", ..] => Some(
                    "Confirm you are willing to give a witness statement and go to court if needed"
                        .to_owned(),
                ),
                _ => Some(format!(
                    "Confirm your clip is at most {minutes} minutes long"
                )),
            };
            if let Some(message) = message {
                push(Err(FieldError::new("confirm", message)));
            }
        }
        Step::Anonymous => {
            if !matches!(form.get("anonymous"), "yes" | "no") {
                push(Err(FieldError::new(
                    "anonymous",
                    "Select yes if you want to stay anonymous",
                )));
            }
        }
        Step::Type => {
            let chosen = form.get("report_type");
            let known = context
                .refdata
                .online_report_types
                .get(chosen, context.today)
                .is_some_and(|entry| entry.attribute("journey") == Some(journey.refdata_journey()));
            if !known {
                push(Err(FieldError::new(
                    "report_type",
                    "Select what you are reporting",
                )));
            }
        }
        Step::When => {
            push(check_when(context, form).map(|_| ()));
        }
        Step::Where => {
            if let Err(found) = parse::place(&place_input(form), journey != Journey::Information) {
                errors.extend(found);
            }
        }
        Step::What => {
            let missing = if journey == Journey::Information {
                "Enter the information you want to give"
            } else {
                "Enter what happened"
            };
            let label = if journey == Journey::Information {
                "Information"
            } else {
                "What happened"
            };
            push(
                parse::required_text(
                    "summary",
                    label,
                    form.get("summary"),
                    parse::summary_limit(),
                    missing,
                )
                .map(|_| ()),
            );
        }
        Step::Vehicle => {
            push(parse::vrm("vrm", form.get("vrm")).map(|_| ()));
            for (name, label) in [
                ("vehicle_make", "Make"),
                ("vehicle_model", "Model"),
                ("vehicle_colour", "Colour"),
            ] {
                push(
                    parse::optional_text(name, label, form.get(name), parse::SHORT_LIMIT)
                        .map(|_| ()),
                );
            }
        }
        Step::Suspect => {
            let known = form.get("suspect_known");
            if !matches!(known, "yes" | "no") {
                push(Err(FieldError::new(
                    "suspect_known",
                    if journey == Journey::Information {
                        "Select yes if you know who is involved"
                    } else {
                        "Select yes if you know who did it"
                    },
                )));
            }
            let description = parse::optional_text(
                "suspect_description",
                "Description",
                form.get("suspect_description"),
                1000,
            );
            let name = form.trimmed("suspect_name");
            if !name.is_empty() {
                push(parse::person_name("suspect_name", "their name", name).map(|_| ()));
            }
            match description {
                Err(error) => push(Err(error)),
                Ok(None) if known == "yes" && name.is_empty() => push(Err(FieldError::new(
                    "suspect_name",
                    "Enter their name or describe them",
                ))),
                Ok(_) => {}
            }
        }
        Step::Property => {
            let description = parse::optional_text(
                "property_description",
                "Description of the property",
                form.get("property_description"),
                1000,
            );
            let vrm = form.trimmed("vrm");
            if !vrm.is_empty() {
                push(parse::vrm("vrm", vrm).map(|_| ()));
            }
            let serial = form.trimmed("serial_number");
            if !serial.is_empty() {
                push(parse::serial_number("serial_number", serial).map(|_| ()));
            }
            match description {
                Err(error) => push(Err(error)),
                Ok(None) if !serial.is_empty() => push(Err(FieldError::new(
                    "property_description",
                    "Describe the property the serial number is on",
                ))),
                Ok(_) => {}
            }
        }
        Step::Evidence | Step::VictimsCode => {}
        Step::Victim => {
            let victim = form.get("victim");
            if !matches!(victim, "me" | "someone-else") {
                push(Err(FieldError::new("victim", "Select who it happened to")));
            }
            if victim == "someone-else" {
                push(
                    parse::person_name("victim_name", "the victim's name", form.get("victim_name"))
                        .map(|_| ()),
                );
                push(
                    parse::contact_in_one_box(
                        "victim_contact",
                        "Their contact details",
                        form.get("victim_contact"),
                    )
                    .map(|_| ()),
                );
            }
        }
        Step::Witness => {
            let known = form.get("witness_known");
            if !matches!(known, "yes" | "no") {
                push(Err(FieldError::new(
                    "witness_known",
                    "Select yes if anyone else saw what happened",
                )));
            }
            if known == "yes" {
                push(
                    parse::person_name(
                        "witness_name",
                        "the witness's name",
                        form.get("witness_name"),
                    )
                    .map(|_| ()),
                );
                push(
                    parse::contact_in_one_box(
                        "witness_contact",
                        "Their contact details",
                        form.get("witness_contact"),
                    )
                    .map(|_| ()),
                );
            }
        }
        Step::You => errors.extend(check_you(context, form)),
        Step::Support => {
            push(
                parse::optional_text(
                    "support_details",
                    "Details of the support you need",
                    form.get("support_details"),
                    1000,
                )
                .map(|_| ()),
            );
        }
        Step::Contact => {
            if !matches!(form.get("contact_preference"), "email" | "phone" | "post") {
                push(Err(FieldError::new(
                    "contact_preference",
                    "Select how you would like us to contact you",
                )));
            }
            push(
                parse::optional_text(
                    "contact_times",
                    "When it is safe to contact you",
                    form.get("contact_times"),
                    200,
                )
                .map(|_| ()),
            );
        }
    }
    errors
}

/// The place as typed.
pub(crate) fn place_input(answers: &impl AnswerSlice) -> PlaceInput<'_> {
    PlaceInput {
        line_1: answers.slice("address_line_1"),
        line_2: answers.slice("address_line_2"),
        town: answers.slice("address_town"),
        postcode: answers.slice("address_postcode"),
        description: answers.slice("where_description"),
    }
}

/// Borrowed access to answers (both the draft and a posted form have it).
pub(crate) trait AnswerSlice {
    /// The first value of `name`, or "".
    fn slice(&self, name: &str) -> &str;
}

impl AnswerSlice for Draft {
    fn slice(&self, name: &str) -> &str {
        self.value(name)
    }
}

impl AnswerSlice for FormData {
    fn slice(&self, name: &str) -> &str {
        self.get(name)
    }
}

/// A date's three boxes from answers.
pub(crate) fn date_input<'a>(answers: &'a impl AnswerSlice, name: &str) -> DateInput<'a> {
    DateInput {
        day: answers.slice(&format!("{name}-day")),
        month: answers.slice(&format!("{name}-month")),
        year: answers.slice(&format!("{name}-year")),
    }
}

/// When it happened, checked: a real date, not in the future, and for footage within the
/// submission window. `None` when it may be left out and was.
pub(crate) fn check_when(
    context: &StepContext<'_>,
    answers: &impl AnswerSlice,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, FieldError> {
    let required = context.journey != Journey::Information;
    let day = parse::date(
        "when",
        "Date it happened",
        date_input(answers, "when"),
        required,
        "Enter the date it happened",
    )?;
    let time = parse::time("when_time", answers.slice("when_time"))?;
    let Some(day) = day else {
        if time.is_some() {
            return Err(FieldError {
                field: "when".to_owned(),
                target: "when-day".to_owned(),
                message: "Enter the date it happened, or leave the time out".to_owned(),
                parts: vec!["day", "month", "year"],
            });
        }
        return Ok(None);
    };
    let all = vec!["day", "month", "year"];
    if day > context.today {
        return Err(FieldError {
            field: "when".to_owned(),
            target: "when-day".to_owned(),
            message: "Date it happened must be today or in the past".to_owned(),
            parts: all,
        });
    }
    if day.year() < 1900 {
        return Err(FieldError {
            field: "when".to_owned(),
            target: "when-day".to_owned(),
            message: "Date it happened must be the same as or after 1 January 1900".to_owned(),
            parts: all,
        });
    }
    let at = parse::uk_instant(day, time);
    if at > chrono::Utc::now() + chrono::Duration::minutes(5) {
        return Err(FieldError::new(
            "when_time",
            "Time it happened must be in the past",
        ));
    }
    if context.journey == Journey::RoadTraffic {
        let days = context.snap_rule("submission-days", 7);
        let oldest = context
            .today
            .checked_sub_signed(chrono::Duration::days(i64::from(days)))
            .unwrap_or(context.today);
        if day < oldest {
            return Err(FieldError {
                field: "when".to_owned(),
                target: "when-day".to_owned(),
                message: format!(
                    "Footage must be sent within {days} days of the incident. For an older incident, call 101"
                ),
                parts: all,
            });
        }
    }
    Ok(Some(at))
}

/// The reporter's details, checked.
fn check_you(context: &StepContext<'_>, form: &FormData) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Err(error) = parse::person_name("full_name", "your full name", form.get("full_name")) {
        errors.push(error);
    }
    let road_traffic = context.journey == Journey::RoadTraffic;
    match parse::date_of_birth(date_input(form, "dob"), road_traffic, context.today) {
        Err(error) => errors.push(error),
        Ok(Some(dob)) if road_traffic => {
            let age = context.snap_rule("minimum-age", 18);
            if dob.age_on(context.today).is_none_or(|years| years < age) {
                errors.push(FieldError {
                    field: "dob".to_owned(),
                    target: "dob-day".to_owned(),
                    message: format!("You must be {age} or over to send footage"),
                    parts: vec!["day", "month", "year"],
                });
            }
        }
        Ok(_) => {}
    }
    let email = form.trimmed("email");
    let phone = form.trimmed("phone");
    if email.is_empty() && phone.is_empty() {
        errors.push(FieldError::new(
            "email",
            "Enter an email address or a telephone number",
        ));
    }
    if !email.is_empty()
        && let Err(error) = parse::email("email", email)
    {
        errors.push(error);
    }
    if !phone.is_empty()
        && let Err(error) = parse::phone("phone", phone)
    {
        errors.push(error);
    }
    if let Err(error) = parse::optional_text(
        "contact_address",
        "Your address",
        form.get("contact_address"),
        500,
    ) {
        errors.push(error);
    }
    errors
}
