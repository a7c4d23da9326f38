//! What the templates show: the page chrome, form fields with their values and errors,
//! and one struct per template (askama compiles each into Rust at build time).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// The name every page title ends with.
pub(crate) const PRODUCT: &str = "Bluelamp";

/// The service name of pages outside a journey.
pub(crate) const PORTAL_SERVICE: &str = "Contact the police online";

/// What every page has around its content.
#[derive(Clone, Debug)]
pub(crate) struct Chrome {
    /// The whole `<title>`, e.g. "When did it happen? – Report a crime – Bluelamp".
    pub(crate) title: String,
    /// The force's name, in the header.
    pub(crate) force_name: String,
    /// The service, under it.
    pub(crate) service: String,
    /// Where "Leave this site" goes.
    pub(crate) quick_exit_url: String,
    /// The session's CSRF token, on pages with a form.
    pub(crate) csrf_token: Option<String>,
    /// Seconds of inactivity after which the session ends (for the timeout warning), on
    /// pages whose answers would be lost.
    pub(crate) idle_seconds: Option<u64>,
}

/// One entry of the error summary: a link to the field and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ErrorItem {
    /// The id of the element to go to, e.g. `when-day`.
    pub(crate) target: String,
    /// The message.
    pub(crate) message: String,
}

/// A text input.
#[derive(Clone, Debug, Default)]
pub(crate) struct TextField {
    /// Name and id.
    pub(crate) name: String,
    /// The label.
    pub(crate) label: String,
    /// Whether the label is the page's heading.
    pub(crate) is_heading: bool,
    /// Hint under the label.
    pub(crate) hint: Option<String>,
    /// The value as typed.
    pub(crate) value: String,
    /// The error, if any.
    pub(crate) error: Option<String>,
    /// `autocomplete` attribute.
    pub(crate) autocomplete: Option<&'static str>,
    /// `type` attribute ("text", "email", "tel").
    pub(crate) input_type: &'static str,
    /// `inputmode` attribute.
    pub(crate) inputmode: Option<&'static str>,
    /// A width class such as ` govuk-input--width-10` (with its leading space), or "".
    pub(crate) width: &'static str,
    /// Whether the browser may check spelling (off for names, codes and addresses).
    pub(crate) spellcheck: bool,
    /// Rows of a textarea.
    pub(crate) rows: u32,
}

impl TextField {
    /// A plain text input.
    pub(crate) fn text(name: &str, label: &str, value: &str) -> TextField {
        TextField {
            name: name.to_owned(),
            label: label.to_owned(),
            value: value.to_owned(),
            input_type: "text",
            spellcheck: true,
            rows: 5,
            ..TextField::default()
        }
    }

    /// `aria-describedby`: the hint and the error.
    pub(crate) fn described_by(&self) -> String {
        described_by(&self.name, self.hint.is_some(), self.error.is_some())
    }
}

/// One of the three boxes of a date input.
#[derive(Clone, Debug)]
pub(crate) struct DatePart {
    /// `day`, `month` or `year`.
    pub(crate) suffix: &'static str,
    /// "Day", "Month", "Year".
    pub(crate) label: &'static str,
    /// The value as typed.
    pub(crate) value: String,
    /// Whether this box is at fault.
    pub(crate) error: bool,
    /// Width class.
    pub(crate) width: &'static str,
    /// `autocomplete` attribute, e.g. `bday-day`.
    pub(crate) autocomplete: Option<&'static str>,
}

/// A GOV.UK date input (`<name>-day`, `<name>-month`, `<name>-year`).
#[derive(Clone, Debug)]
pub(crate) struct DateField {
    /// Base name.
    pub(crate) name: String,
    /// The legend.
    pub(crate) legend: String,
    /// Whether the legend is the page's heading.
    pub(crate) is_heading: bool,
    /// Hint.
    pub(crate) hint: Option<String>,
    /// The error, if any.
    pub(crate) error: Option<String>,
    /// Day, month, year.
    pub(crate) parts: Vec<DatePart>,
}

impl DateField {
    /// `aria-describedby` of the fieldset.
    pub(crate) fn described_by(&self) -> String {
        described_by(&self.name, self.hint.is_some(), self.error.is_some())
    }
}

/// One radio or checkbox.
#[derive(Clone, Debug)]
pub(crate) struct ChoiceOption {
    /// Element id (the field's name for the first option).
    pub(crate) id: String,
    /// Value sent.
    pub(crate) value: String,
    /// Label.
    pub(crate) label: String,
    /// Hint under it.
    pub(crate) hint: Option<String>,
    /// Whether it is selected.
    pub(crate) checked: bool,
}

/// Radios or checkboxes in a fieldset.
#[derive(Clone, Debug)]
pub(crate) struct ChoiceField {
    /// Name.
    pub(crate) name: String,
    /// Legend.
    pub(crate) legend: String,
    /// Whether the legend is the page's heading.
    pub(crate) is_heading: bool,
    /// Hint.
    pub(crate) hint: Option<String>,
    /// The error, if any.
    pub(crate) error: Option<String>,
    /// The options.
    pub(crate) options: Vec<ChoiceOption>,
    /// Show the radios side by side (yes/no).
    pub(crate) inline: bool,
}

impl ChoiceField {
    /// A choice field whose options are `(value, label, hint)`, `selected` being the values
    /// chosen.
    pub(crate) fn new(
        name: &str,
        legend: &str,
        options: &[(&str, &str, Option<&str>)],
        selected: &[String],
    ) -> ChoiceField {
        let options = options
            .iter()
            .enumerate()
            .map(|(index, (value, label, hint))| ChoiceOption {
                id: if index == 0 {
                    name.to_owned()
                } else {
                    format!("{name}-{value}")
                },
                value: (*value).to_owned(),
                label: (*label).to_owned(),
                hint: hint.map(str::to_owned),
                checked: selected.iter().any(|chosen| chosen == value),
            })
            .collect();
        ChoiceField {
            name: name.to_owned(),
            legend: legend.to_owned(),
            is_heading: false,
            hint: None,
            error: None,
            options,
            inline: false,
        }
    }

    /// `aria-describedby` of the fieldset.
    pub(crate) fn described_by(&self) -> String {
        described_by(&self.name, self.hint.is_some(), self.error.is_some())
    }
}

/// A file input.
#[derive(Clone, Debug)]
pub(crate) struct FileField {
    /// Name and id (`file`).
    pub(crate) name: String,
    /// Label.
    pub(crate) label: String,
    /// Hint.
    pub(crate) hint: Option<String>,
    /// The error, if any.
    pub(crate) error: Option<String>,
}

impl FileField {
    /// `aria-describedby`.
    pub(crate) fn described_by(&self) -> String {
        described_by(&self.name, self.hint.is_some(), self.error.is_some())
    }
}

fn described_by(name: &str, hint: bool, error: bool) -> String {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{name}-hint"));
    }
    if error {
        ids.push(format!("{name}-error"));
    }
    ids.join(" ")
}

/// A form field of a question page.
#[derive(Clone, Debug)]
pub(crate) enum Field {
    /// A text input.
    Text(TextField),
    /// A textarea.
    Textarea(TextField),
    /// A date.
    Date(DateField),
    /// Radios.
    Radios(ChoiceField),
    /// Checkboxes.
    Checkboxes(ChoiceField),
    /// A file upload.
    File(FileField),
}

/// Content shown before the fields.
#[derive(Clone, Debug)]
pub(crate) enum Block {
    /// A paragraph.
    Para(String),
    /// A bulleted list.
    Bullets(Vec<String>),
    /// A numbered list of titles with a line under each.
    Numbered(Vec<(String, String)>),
    /// A sub-heading.
    Heading(String),
    /// Inset text.
    Inset(String),
    /// Warning text.
    Warning(String),
}

/// A row of a summary list.
#[derive(Clone, Debug)]
pub(crate) struct SummaryRow {
    /// The question.
    pub(crate) key: String,
    /// The answer, line by line.
    pub(crate) lines: Vec<String>,
    /// Where "Change" goes, if it can be changed.
    pub(crate) change_href: Option<String>,
}

/// A titled summary list.
#[derive(Clone, Debug)]
pub(crate) struct SummarySection {
    /// Its heading.
    pub(crate) title: String,
    /// Its rows.
    pub(crate) rows: Vec<SummaryRow>,
}

/// A file already uploaded, as listed back (never its metadata).
#[derive(Clone, Debug)]
pub(crate) struct FileRow {
    /// Its position, for `remove=<n>`.
    pub(crate) index: usize,
    /// Its name.
    pub(crate) name: String,
    /// Its type, e.g. "JPEG image".
    pub(crate) type_label: String,
    /// Its size for people, e.g. "1.5 MB".
    pub(crate) size: String,
}

/// A question page (and the tracking forms, which look the same).
#[derive(Template)]
#[template(path = "portal/question.html")]
pub(crate) struct QuestionPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The back link.
    pub(crate) back_link: Option<String>,
    /// The caption over the heading (the journey).
    pub(crate) caption: Option<String>,
    /// The page heading, when no field's label or legend is the heading.
    pub(crate) heading: Option<String>,
    /// Content before the fields.
    pub(crate) intro: Vec<Block>,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// Files uploaded so far (the evidence step).
    pub(crate) files: Vec<FileRow>,
    /// Where the form posts.
    pub(crate) action: String,
    /// Whether the form sends files.
    pub(crate) multipart: bool,
    /// The fields.
    pub(crate) fields: Vec<Field>,
    /// The main button's words.
    pub(crate) button: String,
    /// A secondary submit button `(name, value, words)`.
    pub(crate) secondary: Option<(String, String, String)>,
    /// Content after the form.
    pub(crate) outro: Vec<Block>,
}

/// "Check your answers".
#[derive(Template)]
#[template(path = "portal/check.html")]
pub(crate) struct CheckPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// Back link.
    pub(crate) back_link: String,
    /// Errors found on submission that belong to no step.
    pub(crate) errors: Vec<ErrorItem>,
    /// The answers.
    pub(crate) sections: Vec<SummarySection>,
    /// Where the form posts.
    pub(crate) action: String,
    /// Declaration above the button.
    pub(crate) declaration: String,
}

/// The confirmation.
#[derive(Template)]
#[template(path = "portal/done.html")]
pub(crate) struct DonePage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The panel's title.
    pub(crate) panel_title: String,
    /// The reference.
    pub(crate) reference: String,
    /// What happens next.
    pub(crate) next: Vec<Block>,
}

/// The start page.
#[derive(Template)]
#[template(path = "portal/start.html")]
pub(crate) struct StartPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The force's name.
    pub(crate) force_name: String,
    /// `(href, title, description)` of each journey.
    pub(crate) journeys: Vec<(String, String, String)>,
    /// Minutes a session lasts.
    pub(crate) idle_minutes: u64,
}

/// A page of text: the static pages and the error pages.
#[derive(Template)]
#[template(path = "portal/text.html")]
pub(crate) struct TextPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The heading.
    pub(crate) heading: String,
    /// The content.
    pub(crate) blocks: Vec<Block>,
    /// A link at the end `(href, words)`.
    pub(crate) link: Option<(String, String)>,
}

/// A report as its reporter follows it.
#[derive(Template)]
#[template(path = "portal/track_report.html")]
pub(crate) struct TrackReportPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// A success message.
    pub(crate) flash: Option<String>,
    /// The error summary of the message form.
    pub(crate) errors: Vec<ErrorItem>,
    /// The reference.
    pub(crate) reference: String,
    /// Status, type, crime number, officer.
    pub(crate) facts: Vec<SummaryRow>,
    /// The status as words.
    pub(crate) status: String,
    /// The outcome `(label, explanation)`.
    pub(crate) outcome: Option<(String, String)>,
    /// The timeline, newest first.
    pub(crate) timeline: Vec<TimelineItem>,
    /// The message box.
    pub(crate) message: TextField,
    /// The file input.
    pub(crate) file: FileField,
}

/// One entry of the timeline.
#[derive(Clone, Debug)]
pub(crate) struct TimelineItem {
    /// Heading.
    pub(crate) title: String,
    /// "By the police, 27 November 2026 at 2:05pm".
    pub(crate) byline: String,
    /// Machine-readable time.
    pub(crate) datetime: String,
    /// Words.
    pub(crate) text: Option<String>,
    /// Files added.
    pub(crate) files: Vec<String>,
}

/// Renders a template as an HTML response with `status`.
pub(crate) fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "rendering a page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(
                    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sorry, \
                     there is a problem with the service – Bluelamp</title></head><body><main>\
                     <h1>Sorry, there is a problem with the service</h1><p>Try again later.</p>\
                     </main></body></html>",
                ),
            )
                .into_response()
        }
    }
}

/// A size for people: "340 bytes", "12 KB", "1.5 MB", "2.1 GB" (decimal units, as
/// operating systems show file sizes).
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "KB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let tenths = u128::from(bytes) * 10 / u128::from(unit);
            let (whole, tenth) = (tenths / 10, tenths % 10);
            return if tenth == 0 || whole >= 100 {
                format!("{whole} {name}")
            } else {
                format!("{whole}.{tenth} {name}")
            };
        }
    }
    if bytes == 1 {
        "1 byte".to_owned()
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(human_size(1_500_000), "1.5 MB");
        assert_eq!(human_size(250_000_000), "250 MB");
        assert_eq!(human_size(2_000_000_000), "2 GB");
    }

    #[test]
    fn first_option_takes_the_fields_id() {
        let field = ChoiceField::new(
            "anonymous",
            "Stay anonymous?",
            &[("yes", "Yes", None), ("no", "No", None)],
            &["no".to_owned()],
        );
        let ids: Vec<_> = field.options.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["anonymous", "anonymous-no"]);
        assert!(field.options.iter().any(|o| o.checked && o.value == "no"));
    }
}
