//! The rows of "Check your answers": each answer as the person gave it, with a `Change`
//! link back to its step.

use bluelamp_domain::values::{Postcode, Vrm};
use chrono::NaiveDate;

use super::draft::Draft;
use super::journey::{Journey, Step};
use super::report::step_url;
use super::steps::StepContext;
use super::view::{SummaryRow, SummarySection, human_size};

const NOT_GIVEN: &str = "Not given";

fn row(draft: &Draft, step: Step, key: &str, lines: Vec<String>) -> SummaryRow {
    let lines: Vec<String> = lines
        .into_iter()
        .map(|line| line.trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect();
    SummaryRow {
        key: key.to_owned(),
        lines: if lines.is_empty() {
            vec![NOT_GIVEN.to_owned()]
        } else {
            lines
        },
        change_href: Some(format!("{}?return=check", step_url(draft.journey, step))),
    }
}

/// The registration number as it is written on a plate, e.g. "AB12 CDE".
fn registration(draft: &Draft) -> String {
    let typed = draft.value("vrm");
    Vrm::parse(typed).map_or_else(|_| typed.to_owned(), |vrm| vrm.to_string())
}

fn one(draft: &Draft, name: &str) -> Vec<String> {
    vec![draft.value(name).to_owned()]
}

fn yes_no(value: &str) -> String {
    match value {
        "yes" => "Yes".to_owned(),
        "no" => "No".to_owned(),
        other => other.to_owned(),
    }
}

/// "27 March 2026", or the date as typed if it is not one.
fn date_of(draft: &Draft, name: &str) -> String {
    let day = draft.value(&format!("{name}-day")).trim().to_owned();
    let month = draft.value(&format!("{name}-month")).trim().to_owned();
    let year = draft.value(&format!("{name}-year")).trim().to_owned();
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return String::new();
    }
    let parsed = match (day.parse(), month.parse(), year.parse()) {
        (Ok(d), Ok(m), Ok(y)) => NaiveDate::from_ymd_opt(y, m, d),
        _ => None,
    };
    parsed.map_or_else(
        || format!("{day} {month} {year}"),
        |date| date.format("%-d %B %Y").to_string(),
    )
}

fn rows_of(draft: &Draft, step: Step, context: &StepContext<'_>) -> Vec<SummaryRow> {
    match step {
        Step::Rules => vec![row(
            draft,
            step,
            "Operation Snap rules",
            vec!["Confirmed".to_owned()],
        )],
        Step::Anonymous => vec![row(
            draft,
            step,
            "Stay anonymous",
            vec![yes_no(draft.value("anonymous"))],
        )],
        Step::Type => {
            let code = draft.value("report_type");
            let label = context
                .refdata
                .online_report_types
                .get(code, context.today)
                .map_or_else(|| code.to_owned(), |entry| entry.label.clone());
            vec![row(draft, step, "What you are reporting", vec![label])]
        }
        Step::When => {
            let mut when = date_of(draft, "when");
            let time = draft.value("when_time").trim();
            if !time.is_empty() {
                when = format!("{when} at {time}");
            }
            vec![row(draft, step, "When it happened", vec![when])]
        }
        Step::Where => vec![
            row(
                draft,
                step,
                "Address",
                vec![
                    draft.value("address_line_1").to_owned(),
                    draft.value("address_line_2").to_owned(),
                    draft.value("address_town").to_owned(),
                    Postcode::parse(draft.value("address_postcode")).map_or_else(
                        |_| draft.value("address_postcode").to_owned(),
                        |postcode| postcode.to_string(),
                    ),
                ],
            ),
            row(
                draft,
                step,
                "Description of the place",
                one(draft, "where_description"),
            ),
        ],
        Step::What => vec![row(
            draft,
            step,
            if draft.journey == Journey::Information {
                "Information"
            } else {
                "What happened"
            },
            one(draft, "summary"),
        )],
        Step::Vehicle => vec![
            row(
                draft,
                step,
                "Registration number",
                vec![registration(draft)],
            ),
            row(
                draft,
                step,
                "Make, model and colour",
                ["vehicle_make", "vehicle_model", "vehicle_colour"]
                    .iter()
                    .map(|name| draft.value(name).to_owned())
                    .collect(),
            ),
        ],
        Step::Suspect => vec![
            row(
                draft,
                step,
                if draft.journey == Journey::Information {
                    "Know who is involved"
                } else {
                    "Know who did it"
                },
                vec![yes_no(draft.value("suspect_known"))],
            ),
            row(draft, step, "Their name", one(draft, "suspect_name")),
            row(
                draft,
                step,
                "Description of them",
                one(draft, "suspect_description"),
            ),
        ],
        Step::Property => vec![
            row(
                draft,
                step,
                "Property stolen or damaged",
                one(draft, "property_description"),
            ),
            row(
                draft,
                step,
                "Vehicle registration number",
                vec![registration(draft)],
            ),
            row(draft, step, "Serial number", one(draft, "serial_number")),
        ],
        Step::Evidence => {
            let files = draft
                .files
                .iter()
                .map(|file| {
                    format!(
                        "{} ({}, {})",
                        file.name,
                        file.media_type.label(),
                        human_size(file.size)
                    )
                })
                .collect::<Vec<_>>();
            let mut evidence = row(draft, step, "Files", files);
            if draft.files.is_empty() {
                evidence.lines = vec!["None".to_owned()];
            }
            vec![evidence]
        }
        Step::Victim => {
            let who = match draft.value("victim") {
                "me" => "Me".to_owned(),
                "someone-else" => "Someone else".to_owned(),
                other => other.to_owned(),
            };
            let mut rows = vec![row(draft, step, "Who it happened to", vec![who])];
            if draft.value("victim") == "someone-else" {
                rows.push(row(
                    draft,
                    step,
                    "The victim",
                    vec![
                        draft.value("victim_name").to_owned(),
                        draft.value("victim_contact").to_owned(),
                    ],
                ));
            }
            rows
        }
        Step::Witness => {
            let mut rows = vec![row(
                draft,
                step,
                "Anyone else saw it",
                vec![yes_no(draft.value("witness_known"))],
            )];
            if draft.value("witness_known") == "yes" {
                rows.push(row(
                    draft,
                    step,
                    "The witness",
                    vec![
                        draft.value("witness_name").to_owned(),
                        draft.value("witness_contact").to_owned(),
                    ],
                ));
            }
            rows
        }
        Step::You => vec![
            row(draft, step, "Full name", one(draft, "full_name")),
            row(draft, step, "Date of birth", vec![date_of(draft, "dob")]),
            row(draft, step, "Email address", one(draft, "email")),
            row(draft, step, "Telephone number", one(draft, "phone")),
            row(draft, step, "Your address", one(draft, "contact_address")),
        ],
        Step::Support => {
            let chosen: Vec<String> = draft
                .values("support")
                .iter()
                .map(|value| {
                    match value.as_str() {
                        "victim-support" => "Help from a victim support service",
                        "interpreter" => "An interpreter",
                        "accessibility" => "Help because of a disability or health condition",
                        "safety" => "Advice about staying safe",
                        other => other,
                    }
                    .to_owned()
                })
                .collect();
            let mut support = row(draft, step, "Support you need", chosen);
            if draft.values("support").is_empty() {
                support.lines = vec!["None".to_owned()];
            }
            vec![
                support,
                row(
                    draft,
                    step,
                    "About the support",
                    one(draft, "support_details"),
                ),
            ]
        }
        Step::Contact => {
            let preference = match draft.value("contact_preference") {
                "email" => "E-mail",
                "phone" => "Telephone",
                "post" => "Post",
                other => other,
            }
            .to_owned();
            vec![
                row(draft, step, "How to contact you", vec![preference]),
                row(
                    draft,
                    step,
                    "When it is safe to contact you",
                    one(draft, "contact_times"),
                ),
            ]
        }
        Step::VictimsCode => Vec::new(),
    }
}

/// The sections of "Check your answers" for `draft`.
pub(crate) fn sections(draft: &Draft, context: &StepContext<'_>) -> Vec<SummarySection> {
    let groups: [(&str, &[Step]); 3] = [
        (
            if draft.journey == Journey::Information {
                "The information"
            } else {
                "What happened"
            },
            &[
                Step::Rules,
                Step::Anonymous,
                Step::Type,
                Step::When,
                Step::Where,
                Step::What,
                Step::Vehicle,
                Step::Suspect,
                Step::Property,
                Step::Evidence,
            ],
        ),
        ("People involved", &[Step::Victim, Step::Witness]),
        ("About you", &[Step::You, Step::Support, Step::Contact]),
    ];
    let active = draft.active_steps();
    groups
        .iter()
        .map(|(title, steps)| SummarySection {
            title: (*title).to_owned(),
            rows: steps
                .iter()
                .filter(|step| active.contains(step))
                .flat_map(|step| rows_of(draft, *step, context))
                .collect(),
        })
        .filter(|section| !section.rows.is_empty())
        .collect()
}
