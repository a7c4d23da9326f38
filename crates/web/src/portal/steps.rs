//! Each question page: what it asks (its fields, filled with the answers so far or as just
//! typed, with their errors) and how its answers are checked.

use bluelamp_domain::refdata::ReferenceData;
use chrono::NaiveDate;

use super::draft::Draft;
use super::form::FormData;
use super::journey::{Journey, Step};
use super::parse::{self, FieldError};
use super::view::{Block, ChoiceField, DateField, DatePart, Field, TextField};

/// Where the answers shown come from: the draft, or the form just posted.
pub(crate) trait Answers {
    /// The first value of `name`, or "".
    fn value(&self, name: &str) -> String;
    /// Every value of `name`.
    fn values(&self, name: &str) -> Vec<String>;
}

impl Answers for Draft {
    fn value(&self, name: &str) -> String {
        Draft::value(self, name).to_owned()
    }
    fn values(&self, name: &str) -> Vec<String> {
        Draft::values(self, name).to_vec()
    }
}

impl Answers for FormData {
    fn value(&self, name: &str) -> String {
        self.get(name).to_owned()
    }
    fn values(&self, name: &str) -> Vec<String> {
        self.all(name)
    }
}

/// What a step needs to know besides the answers.
pub(crate) struct StepContext<'a> {
    /// The journey.
    pub(crate) journey: Journey,
    /// Reference data in force.
    pub(crate) refdata: &'a ReferenceData,
    /// Today in the UK.
    pub(crate) today: NaiveDate,
}

impl StepContext<'_> {
    pub(crate) fn snap_rule(&self, code: &str, fallback: u32) -> u32 {
        self.refdata
            .operation_snap_rule(code, self.today)
            .unwrap_or(fallback)
    }
}

/// A question page's content.
pub(crate) struct StepView {
    /// The page heading when no field carries it.
    pub(crate) heading: Option<String>,
    /// Content before the fields.
    pub(crate) intro: Vec<Block>,
    /// The fields.
    pub(crate) fields: Vec<Field>,
}

/// The question a step asks (its page title).
pub(crate) fn question(step: Step, journey: Journey) -> &'static str {
    let information = journey == Journey::Information;
    match step {
        Step::Rules => "Before you send footage",
        Step::Anonymous => "Do you want to stay anonymous?",
        Step::Type => "What are you reporting?",
        Step::When if information => "When did it happen? (optional)",
        Step::When => "When did it happen?",
        Step::Where if information => "Where did it happen? (optional)",
        Step::Where => "Where did it happen?",
        Step::What if information => "What do you want to tell us?",
        Step::What => "What happened?",
        Step::Vehicle => "Which vehicle are you reporting?",
        Step::Suspect if information => "Do you know who is involved?",
        Step::Suspect => "Do you know who did it?",
        Step::Property => "Was anything stolen or damaged?",
        Step::Evidence => "Do you have photos, videos or documents?",
        Step::Victim => "Who did it happen to?",
        Step::Witness => "Did anyone else see what happened?",
        Step::You => "Your details",
        Step::Support => "Do you need any support?",
        Step::Contact => "How should we contact you?",
        Step::VictimsCode => "Your rights as a victim of crime",
    }
}

fn error_of(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|error| error.field == field)
        .map(|error| error.message.clone())
}

fn text(name: &str, label: &str, answers: &dyn Answers, errors: &[FieldError]) -> TextField {
    let mut field = TextField::text(name, label, &answers.value(name));
    field.error = error_of(errors, name);
    field
}

fn yes_no(name: &str, legend: &str, answers: &dyn Answers, errors: &[FieldError]) -> ChoiceField {
    let mut field = ChoiceField::new(
        name,
        legend,
        &[("yes", "Yes", None), ("no", "No", None)],
        &answers.values(name),
    );
    field.inline = true;
    field.error = error_of(errors, name);
    field
}

fn date_field(
    name: &str,
    legend: &str,
    answers: &dyn Answers,
    errors: &[FieldError],
    autocomplete: Option<[&'static str; 3]>,
) -> DateField {
    let error = errors.iter().find(|error| error.field == name);
    let parts = [("day", "Day"), ("month", "Month"), ("year", "Year")]
        .into_iter()
        .enumerate()
        .map(|(index, (suffix, label))| DatePart {
            suffix,
            label,
            value: answers.value(&format!("{name}-{suffix}")),
            error: error.is_some_and(|error| error.parts.contains(&suffix)),
            width: if suffix == "year" {
                "govuk-input--width-4"
            } else {
                "govuk-input--width-2"
            },
            autocomplete: autocomplete.and_then(|names| names.get(index).copied()),
        })
        .collect();
    DateField {
        name: name.to_owned(),
        legend: legend.to_owned(),
        is_heading: false,
        hint: None,
        error: error.map(|error| error.message.clone()),
        parts,
    }
}

/// The fields of `step`, filled from `answers`, with `errors`.
pub(crate) fn view(
    step: Step,
    context: &StepContext<'_>,
    answers: &dyn Answers,
    errors: &[FieldError],
) -> StepView {
    let journey = context.journey;
    let title = question(step, journey).to_owned();
    let mut view = StepView {
        heading: None,
        intro: Vec::new(),
        fields: Vec::new(),
    };
    match step {
        Step::Rules => {
            let days = context.snap_rule("submission-days", 7);
            let minutes = context.snap_rule("max-clip-minutes", 10);
            let margin = context.snap_rule("margin-minutes", 1);
            let age = context.snap_rule("minimum-age", 18);
            view.heading = Some(title);
            view.intro = vec![
                Block::Para(
                    "You can send us dashcam, helmet camera or phone footage of a driving offence you saw. We use it to decide whether to warn, prosecute or take no further action against the driver.".to_owned(),
                ),
                Block::Bullets(vec![
                    format!("send it within {days} days of the incident"),
                    format!("the clip can be at most {minutes} minutes long, with about {margin} minute before and after the incident"),
                    "do not edit the footage, other than to shorten it".to_owned(),
                    format!("you must be {age} or over"),
                    "you must be willing to give a witness statement and, if needed, go to court".to_owned(),
                ]),
                Block::Warning(
                    "If someone was hurt or is in danger, call 999 instead.".to_owned(),
                ),
            ];
            let mut field = ChoiceField::new(
                "confirm",
                "Confirm each of these to continue",
                &[
                    ("age", &format!("I am {age} or over"), None),
                    (
                        "statement",
                        "I am willing to give a witness statement and go to court if needed",
                        None,
                    ),
                    (
                        "clip",
                        &format!(
                            "My clip is at most {minutes} minutes long, with about {margin} minute before and after the incident"
                        ),
                        None,
                    ),
                ],
                &answers.values("confirm"),
            );
            field.hint = Some("Select all that apply.".to_owned());
            field.error = error_of(errors, "confirm");
            view.fields.push(Field::Checkboxes(field));
        }
        Step::Anonymous => {
            let mut field = yes_no("anonymous", &title, answers, errors);
            field.is_heading = true;
            field.hint = Some(
                "If you stay anonymous, we will not ask for your name or contact details, and we will not be able to tell you what happens.".to_owned(),
            );
            view.fields.push(Field::Radios(field));
        }
        Step::Type => {
            let options: Vec<(String, String, Option<String>)> = context
                .refdata
                .online_report_types
                .current(context.today)
                .filter(|entry| entry.attribute("journey") == Some(journey.refdata_journey()))
                .map(|entry| {
                    (
                        entry.code.clone(),
                        entry.label.clone(),
                        entry.attribute("hint").map(str::to_owned),
                    )
                })
                .collect();
            let borrowed: Vec<(&str, &str, Option<&str>)> = options
                .iter()
                .map(|(code, label, hint)| (code.as_str(), label.as_str(), hint.as_deref()))
                .collect();
            let mut field = ChoiceField::new(
                "report_type",
                &title,
                &borrowed,
                &answers.values("report_type"),
            );
            field.is_heading = true;
            field.error = error_of(errors, "report_type");
            view.fields.push(Field::Radios(field));
        }
        Step::When => {
            view.heading = Some(title);
            if journey == Journey::RoadTraffic {
                let days = context.snap_rule("submission-days", 7);
                view.intro.push(Block::Inset(format!(
                    "Footage must be sent within {days} days of the incident. For an older incident, call 101."
                )));
            }
            let mut date = date_field("when", "Date it happened", answers, errors, None);
            date.hint = Some(if journey == Journey::Information {
                "If you know it, for example 27 3 2026. Leave it empty if you do not know."
                    .to_owned()
            } else {
                "If it went on for some time, when it started. For example, 27 3 2026.".to_owned()
            });
            view.fields.push(Field::Date(date));
            let mut time = text("when_time", "Time (optional)", answers, errors);
            time.hint = Some("Use the 24-hour clock, for example 14:30.".to_owned());
            time.width = " govuk-input--width-5";
            time.spellcheck = false;
            view.fields.push(Field::Text(time));
        }
        Step::Where => {
            view.heading = Some(title);
            view.intro.push(Block::Para(
                "Give the address, or the postcode if you do not know the address.".to_owned(),
            ));
            let lines = [
                (
                    "address_line_1",
                    "Address line 1",
                    Some("address-line1"),
                    "",
                ),
                (
                    "address_line_2",
                    "Address line 2 (optional)",
                    Some("address-line2"),
                    "",
                ),
                (
                    "address_town",
                    "Town or city",
                    Some("address-level2"),
                    " govuk-!-width-two-thirds",
                ),
                (
                    "address_postcode",
                    "Postcode",
                    Some("postal-code"),
                    " govuk-input--width-10",
                ),
            ];
            for (name, label, autocomplete, width) in lines {
                let mut field = text(name, label, answers, errors);
                field.autocomplete = autocomplete;
                field.width = width;
                field.spellcheck = false;
                view.fields.push(Field::Text(field));
            }
            let mut description = text(
                "where_description",
                "Describe the place (optional)",
                answers,
                errors,
            );
            description.hint = Some(
                "For example, outside the shop, in the car park or on the footpath by the canal."
                    .to_owned(),
            );
            description.rows = 3;
            view.fields.push(Field::Textarea(description));
        }
        Step::What => {
            let mut summary = text("summary", &title, answers, errors);
            summary.is_heading = true;
            summary.rows = 10;
            summary.hint = Some(format!(
                "Tell us in your own words, with as much detail as you can. You can enter up to {} characters.",
                parse::with_commas(parse::summary_limit())
            ));
            view.fields.push(Field::Textarea(summary));
        }
        Step::Vehicle => {
            view.heading = Some(title);
            let mut vrm = text("vrm", "Registration number", answers, errors);
            vrm.hint = Some("For example, AB12 CDE.".to_owned());
            vrm.width = " govuk-input--width-10";
            vrm.spellcheck = false;
            view.fields.push(Field::Text(vrm));
            for (name, label) in [
                ("vehicle_make", "Make (optional)"),
                ("vehicle_model", "Model (optional)"),
                ("vehicle_colour", "Colour (optional)"),
            ] {
                let mut field = text(name, label, answers, errors);
                field.width = " govuk-!-width-one-half";
                view.fields.push(Field::Text(field));
            }
        }
        Step::Suspect => {
            view.heading = Some(title.clone());
            let mut known = yes_no(
                "suspect_known",
                if journey == Journey::Information {
                    "Do you know who is involved?"
                } else {
                    "Do you know who did it?"
                },
                answers,
                errors,
            );
            known.hint =
                Some("If you do not know their name, you can still describe them.".to_owned());
            view.fields.push(Field::Radios(known));
            let mut name = text(
                "suspect_name",
                "Their name, if you know it",
                answers,
                errors,
            );
            name.spellcheck = false;
            view.fields.push(Field::Text(name));
            let mut description = text(
                "suspect_description",
                "Describe them (optional)",
                answers,
                errors,
            );
            description.hint = Some(
                "For example, their age, height, build, hair, clothes, or anything else you noticed.".to_owned(),
            );
            view.fields.push(Field::Textarea(description));
        }
        Step::Property => {
            view.heading = Some(title);
            view.intro.push(Block::Para(
                "Leave this page empty if nothing was stolen or damaged.".to_owned(),
            ));
            let mut description = text(
                "property_description",
                "What was stolen or damaged (optional)",
                answers,
                errors,
            );
            description.hint = Some("For example, a black Carrera mountain bike.".to_owned());
            description.rows = 4;
            view.fields.push(Field::Textarea(description));
            let mut vrm = text(
                "vrm",
                "Registration number of a vehicle (optional)",
                answers,
                errors,
            );
            vrm.hint =
                Some("If a vehicle was stolen or damaged. For example, AB12 CDE.".to_owned());
            vrm.width = " govuk-input--width-10";
            vrm.spellcheck = false;
            view.fields.push(Field::Text(vrm));
            let mut serial = text("serial_number", "Serial number (optional)", answers, errors);
            serial.hint = Some(
                "For example, the frame number of a bicycle or the IMEI of a phone.".to_owned(),
            );
            serial.width = " govuk-!-width-one-half";
            serial.spellcheck = false;
            view.fields.push(Field::Text(serial));
        }
        Step::Evidence => {}
        Step::Victim => {
            view.heading = Some(title.clone());
            let mut victim = ChoiceField::new(
                "victim",
                &title,
                &[("me", "Me", None), ("someone-else", "Someone else", None)],
                &answers.values("victim"),
            );
            victim.error = error_of(errors, "victim");
            view.fields.push(Field::Radios(victim));
            let mut name = text(
                "victim_name",
                "If someone else, their name",
                answers,
                errors,
            );
            name.spellcheck = false;
            view.fields.push(Field::Text(name));
            let mut contact = text(
                "victim_contact",
                "If someone else, their phone number, e-mail or address (optional)",
                answers,
                errors,
            );
            contact.spellcheck = false;
            view.fields.push(Field::Text(contact));
        }
        Step::Witness => {
            view.heading = Some(title.clone());
            let known = yes_no("witness_known", &title, answers, errors);
            view.fields.push(Field::Radios(known));
            let mut name = text("witness_name", "If yes, their name", answers, errors);
            name.spellcheck = false;
            view.fields.push(Field::Text(name));
            let mut contact = text(
                "witness_contact",
                "Their phone number, e-mail or address (optional)",
                answers,
                errors,
            );
            contact.spellcheck = false;
            view.fields.push(Field::Text(contact));
        }
        Step::You => {
            view.heading = Some(title);
            view.intro.push(Block::Para(
                "We need a way to contact you about your report: an e-mail address or a telephone number. With an e-mail address you can also follow your report online.".to_owned(),
            ));
            let mut name = text("full_name", "Full name", answers, errors);
            name.autocomplete = Some("name");
            name.spellcheck = false;
            view.fields.push(Field::Text(name));
            let mut dob = date_field(
                "dob",
                if journey == Journey::RoadTraffic {
                    "Date of birth"
                } else {
                    "Date of birth (optional)"
                },
                answers,
                errors,
                Some(["bday-day", "bday-month", "bday-year"]),
            );
            dob.hint = Some("For example, 31 3 1980.".to_owned());
            view.fields.push(Field::Date(dob));
            let mut email = text("email", "Email address", answers, errors);
            email.autocomplete = Some("email");
            email.input_type = "email";
            email.spellcheck = false;
            view.fields.push(Field::Text(email));
            let mut phone = text("phone", "Telephone number", answers, errors);
            phone.autocomplete = Some("tel");
            phone.input_type = "tel";
            phone.width = " govuk-input--width-20";
            view.fields.push(Field::Text(phone));
            let mut address = text(
                "contact_address",
                "Your address (optional)",
                answers,
                errors,
            );
            address.autocomplete = Some("street-address");
            address.rows = 4;
            address.spellcheck = false;
            view.fields.push(Field::Textarea(address));
        }
        Step::Support => {
            let mut support = ChoiceField::new(
                "support",
                &title,
                &[
                    ("victim-support", "Help from a victim support service", None),
                    ("interpreter", "An interpreter", None),
                    (
                        "accessibility",
                        "Help because of a disability or health condition",
                        None,
                    ),
                    ("safety", "Advice about staying safe", None),
                ],
                &answers.values("support"),
            );
            support.is_heading = true;
            support.hint = Some("Select all that apply, or none.".to_owned());
            support.error = error_of(errors, "support");
            view.fields.push(Field::Checkboxes(support));
            let mut details = text(
                "support_details",
                "Tell us more about the support you need (optional)",
                answers,
                errors,
            );
            details.hint =
                Some("For example, the language you need an interpreter for.".to_owned());
            details.rows = 3;
            view.fields.push(Field::Textarea(details));
        }
        Step::Contact => {
            let mut preference = ChoiceField::new(
                "contact_preference",
                &title,
                &[
                    ("email", "E-mail", None),
                    ("phone", "Telephone", None),
                    ("post", "Post", None),
                ],
                &answers.values("contact_preference"),
            );
            preference.is_heading = true;
            preference.error = error_of(errors, "contact_preference");
            view.fields.push(Field::Radios(preference));
            let mut times = text(
                "contact_times",
                "When is it safe to contact you? (optional)",
                answers,
                errors,
            );
            times.hint =
                Some("For example, weekdays after 6pm, or do not leave voicemail.".to_owned());
            view.fields.push(Field::Text(times));
        }
        Step::VictimsCode => {
            view.heading = Some(title);
            view.intro.push(Block::Para(
                "The Code of Practice for Victims of Crime (the Victims' Code) gives you these rights, whether or not you are sure you want to go ahead:".to_owned(),
            ));
            let rights = context
                .refdata
                .victims_code_rights
                .current(context.today)
                .map(|entry| {
                    (
                        entry.label.clone(),
                        entry.attribute("summary").unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            view.intro.push(Block::Numbered(rights));
        }
    }
    view
}
