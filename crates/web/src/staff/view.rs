//! What the staff templates show: the chrome around every page and one struct per page.

use askama::Template;

use crate::portal::view::{ErrorItem, Field, TextField};

/// The service name in the header and in every title.
pub(crate) const SERVICE: &str = "Staff workspace";

/// One link of the workspace's navigation.
#[derive(Clone, Debug)]
pub(crate) struct NavItem {
    /// Where it goes.
    pub(crate) href: &'static str,
    /// Its words.
    pub(crate) label: &'static str,
    /// Whether it is the current section.
    pub(crate) current: bool,
}

/// Who is signed in, as the chrome shows it.
#[derive(Clone, Debug)]
pub(crate) struct ChromeUser {
    /// Their name.
    pub(crate) name: String,
    /// Their role, in words.
    pub(crate) role: String,
    /// The navigation their role has.
    pub(crate) nav: Vec<NavItem>,
}

/// What every staff page has around its content.
#[derive(Clone, Debug)]
pub(crate) struct Chrome {
    /// The whole `<title>`.
    pub(crate) title: String,
    /// The force's name.
    pub(crate) force_name: String,
    /// Who is signed in, if anyone.
    pub(crate) user: Option<ChromeUser>,
    /// The CSRF token every form of the page carries (sign-out included).
    pub(crate) csrf_token: Option<String>,
}

/// A paragraph or a list on a text page.
#[derive(Clone, Debug)]
pub(crate) enum Para {
    /// A paragraph.
    Text(String),
    /// A link `(href, words)` on its own line.
    Link(String, String),
}

/// A page of text: errors, signed out, nothing to do.
#[derive(Template)]
#[template(path = "staff/text.html")]
pub(crate) struct TextPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The heading.
    pub(crate) heading: String,
    /// The content.
    pub(crate) paras: Vec<Para>,
}

/// The sign-in page: username and password.
#[derive(Template)]
#[template(path = "staff/sign_in.html")]
pub(crate) struct SignInPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// Why the person is here again ("You were signed out…").
    pub(crate) notice: Option<String>,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// Username.
    pub(crate) username: TextField,
    /// Password (never shown back).
    pub(crate) password: TextField,
    /// The form's token.
    pub(crate) form_token: String,
}

/// A one-field form after the password: the code, or the enrolment's confirmation.
#[derive(Template)]
#[template(path = "staff/code.html")]
pub(crate) struct CodePage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The heading.
    pub(crate) heading: String,
    /// Words before the field.
    pub(crate) intro: Vec<String>,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// The code field.
    pub(crate) code: TextField,
    /// Where the form posts.
    pub(crate) action: String,
    /// The form's token.
    pub(crate) form_token: String,
    /// The button's words.
    pub(crate) button: String,
    /// The QR code (an SVG drawn here, never fetched) and the secret, when enrolling.
    pub(crate) enrolment: Option<(String, String)>,
}

/// A step with one button (begin enrolment).
#[derive(Template)]
#[template(path = "staff/button.html")]
pub(crate) struct ButtonPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The heading.
    pub(crate) heading: String,
    /// Words before the button.
    pub(crate) intro: Vec<String>,
    /// Where the form posts.
    pub(crate) action: String,
    /// The form's token.
    pub(crate) form_token: String,
    /// The button's words.
    pub(crate) button: String,
}

/// Change your own password.
#[derive(Template)]
#[template(path = "staff/password.html")]
pub(crate) struct PasswordPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// A success message.
    pub(crate) flash: Option<String>,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// The new password.
    pub(crate) password: TextField,
    /// It again.
    pub(crate) confirm: TextField,
}

/// One row of a table: cells of text, the first optionally a link.
#[derive(Clone, Debug)]
pub(crate) struct QueueRow {
    /// The reference.
    pub(crate) reference: String,
    /// Where the reference links to (with the purpose pre-filled).
    pub(crate) href: String,
    /// Type of report.
    pub(crate) type_label: String,
    /// When received, for people.
    pub(crate) received: String,
    /// Machine-readable time received.
    pub(crate) received_iso: String,
    /// Status in words.
    pub(crate) status: String,
    /// Response grade.
    pub(crate) grade: String,
    /// The recording decision's due time, for people, or "Decided".
    pub(crate) recording: String,
    /// Whether the recording decision is overdue.
    pub(crate) breached: bool,
    /// Crime number.
    pub(crate) crime_number: String,
}

/// A select's option `(value, words, selected)`.
pub(crate) type Choice = (String, String, bool);

/// The triage queue.
#[derive(Template)]
#[template(path = "staff/queue.html")]
pub(crate) struct QueuePage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The status filter's options.
    pub(crate) statuses: Vec<Choice>,
    /// Whether only overdue recording decisions are shown.
    pub(crate) only_breached: bool,
    /// How many shown reports are past their recording deadline.
    pub(crate) breaches: usize,
    /// Whether the viewer supervises (breaches are theirs to chase).
    pub(crate) supervisor: bool,
    /// The rows.
    pub(crate) rows: Vec<QueueRow>,
}

/// The purpose picker shown before a report is opened without one.
#[derive(Template)]
#[template(path = "staff/purpose.html")]
pub(crate) struct PurposePage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The record being opened, e.g. "report 7K3M-9QXD-2H4".
    pub(crate) what: String,
    /// Where the form goes (GET).
    pub(crate) action: String,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// The purposes `(code, label, checked)`.
    pub(crate) purposes: Vec<Choice>,
    /// The free-text purpose, as typed.
    pub(crate) purpose_text: TextField,
}

/// One line of a report's facts.
#[derive(Clone, Debug)]
pub(crate) struct Fact {
    /// The key.
    pub(crate) key: String,
    /// The value.
    pub(crate) value: String,
    /// Whether the value is a warning (shown as a red tag).
    pub(crate) warning: bool,
}

/// One timeline entry on the staff view.
#[derive(Clone, Debug)]
pub(crate) struct StaffTimelineItem {
    /// Heading.
    pub(crate) title: String,
    /// Who and when, for people.
    pub(crate) byline: String,
    /// Machine-readable time.
    pub(crate) datetime: String,
    /// Words under it.
    pub(crate) text: Option<String>,
    /// Whether only police see it.
    pub(crate) internal: bool,
}

/// A task on the report page.
#[derive(Clone, Debug)]
pub(crate) struct TaskRow {
    /// Its id (for completing it).
    pub(crate) id: String,
    /// What is to be done.
    pub(crate) title: String,
    /// Whether it is a Victims' Code deadline.
    pub(crate) victims_code: bool,
    /// Due, for people.
    pub(crate) due: String,
    /// Who is to do it.
    pub(crate) assignee: String,
    /// Whether it is done, and when, for people.
    pub(crate) done: Option<String>,
    /// Whether it is past its due time and not done.
    pub(crate) overdue: bool,
}

/// The forms a member of staff may use on a report.
#[derive(Clone, Debug, Default)]
pub(crate) struct ReportForms {
    /// The assessment: grades `(code, label, checked)` and the THRIVE fields.
    pub(crate) grades: Vec<Choice>,
    /// THRIVE fields (threat, harm, risk, investigation, vulnerability, engagement).
    pub(crate) thrive: Vec<TextField>,
    /// The Home Office classifications `(code, "code – label", selected)`.
    pub(crate) classifications: Vec<Choice>,
    /// The reason a report is not a crime.
    pub(crate) not_a_crime: TextField,
    /// Whether the viewer may allocate to anyone (contact handlers, supervisors).
    pub(crate) can_allocate: bool,
    /// Officers to allocate to `(id, name, selected)`.
    pub(crate) officers: Vec<Choice>,
    /// Teams to allocate to `(id, name, selected)`.
    pub(crate) teams: Vec<Choice>,
    /// A new task's title.
    pub(crate) task_title: TextField,
    /// A new task's due date.
    pub(crate) task_due: TextField,
    /// Who may be given a task `(id, name, selected)` (with "Nobody in particular").
    pub(crate) assignees: Vec<Choice>,
    /// Victims' Code triggers `(code, label, selected)`.
    pub(crate) triggers: Vec<Choice>,
    /// When the trigger happened (`datetime-local`).
    pub(crate) trigger_at: TextField,
    /// The other report's reference (duplicates).
    pub(crate) duplicate_of: TextField,
    /// Why it is a duplicate.
    pub(crate) duplicate_reason: TextField,
    /// Why the report is closed.
    pub(crate) close_reason: TextField,
    /// A message to the reporter.
    pub(crate) message: TextField,
    /// The outcome categories.
    pub(crate) outcomes: Vec<Choice>,
    /// The note to the reporter with the outcome.
    pub(crate) outcome_note: TextField,
    /// Whether the report can still be recorded or decided (no decision yet, not closed).
    pub(crate) deciding: bool,
    /// Whether it is recorded as a crime.
    pub(crate) recorded: bool,
    /// Whether the report is closed.
    pub(crate) closed: bool,
}

/// A report as police staff see it.
#[derive(Template)]
#[template(path = "staff/report.html")]
pub(crate) struct ReportPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// A success message.
    pub(crate) flash: Option<String>,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// The reference.
    pub(crate) reference: String,
    /// The reference in compact form (for addresses).
    pub(crate) compact: String,
    /// The purpose recorded for this view, in words.
    pub(crate) purpose: String,
    /// The purpose's code, which every form carries.
    pub(crate) purpose_code: String,
    /// The words of a free-text purpose, which every form carries.
    pub(crate) purpose_text: Option<String>,
    /// The purpose picker of this report (to change the purpose).
    pub(crate) purpose_href: String,
    /// Facts at the top.
    pub(crate) facts: Vec<Fact>,
    /// What the reporter told us.
    pub(crate) account: Vec<Fact>,
    /// The tasks, open first.
    pub(crate) tasks: Vec<TaskRow>,
    /// The timeline, newest first.
    pub(crate) timeline: Vec<StaffTimelineItem>,
    /// The forms, when the viewer may act.
    pub(crate) forms: Option<ReportForms>,
}

/// Record an incident reported by phone, at a front counter or in person.
#[derive(Template)]
#[template(path = "staff/incident.html")]
pub(crate) struct IncidentPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// The form's own key, so that sending it twice records one report.
    pub(crate) key: String,
    /// How it was received `(code, words, checked)`.
    pub(crate) received: Vec<Choice>,
    /// What is being reported.
    pub(crate) report_types: Vec<Choice>,
    /// What happened.
    pub(crate) summary: TextField,
    /// When.
    pub(crate) when: TextField,
    /// Where: building and street, town, postcode.
    pub(crate) place: Vec<TextField>,
    /// The caller: name, phone, e-mail.
    pub(crate) caller: Vec<TextField>,
    /// Whether the caller is the victim.
    pub(crate) caller_is_victim: bool,
}

/// One search result.
#[derive(Clone, Debug)]
pub(crate) struct SearchRow {
    /// "Person", "Vehicle", …
    pub(crate) kind: String,
    /// Its page, purpose kept.
    pub(crate) href: String,
    /// One line about it.
    pub(crate) summary: String,
}

/// The one-box search.
#[derive(Template)]
#[template(path = "staff/search.html")]
pub(crate) struct SearchPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The search box.
    pub(crate) q: TextField,
    /// Kinds `(value, words, selected)`.
    pub(crate) kinds: Vec<Choice>,
    /// Purposes.
    pub(crate) purposes: Vec<Choice>,
    /// The purpose's reference or words.
    pub(crate) purpose_text: TextField,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// Whether a search ran.
    pub(crate) searched: bool,
    /// What the box was understood as.
    pub(crate) understood: Vec<String>,
    /// The results, best first.
    pub(crate) rows: Vec<SearchRow>,
}

/// Add a person, vehicle or place linked to a record.
#[derive(Template)]
#[template(path = "staff/add_record.html")]
pub(crate) struct AddRecordPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// "Add a linked person".
    pub(crate) heading: String,
    /// The record it will be linked to, in one line.
    pub(crate) linked_to: String,
    /// Where the form posts (purpose kept).
    pub(crate) action: String,
    /// The roles `(value, words, selected)`.
    pub(crate) roles: Vec<Choice>,
    /// The new record's fields.
    pub(crate) fields: Vec<TextField>,
}

/// A link on a record page.
#[derive(Clone, Debug)]
pub(crate) struct LinkRow {
    /// The role as seen from the record shown, e.g. "Victim of".
    pub(crate) role: String,
    /// The other record's kind in words.
    pub(crate) kind: String,
    /// One line naming the other record (or saying it is withheld).
    pub(crate) text: String,
    /// Its page (purpose kept), when the viewer may open it.
    pub(crate) href: Option<String>,
}

/// A person, vehicle, location or event.
#[derive(Template)]
#[template(path = "staff/record.html")]
pub(crate) struct RecordPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// "Person", "Vehicle", …
    pub(crate) kind: String,
    /// One line naming it.
    pub(crate) title: String,
    /// The purpose recorded for this view, in words.
    pub(crate) purpose: String,
    /// The purpose picker of this record.
    pub(crate) purpose_href: String,
    /// Its details.
    pub(crate) facts: Vec<Fact>,
    /// Its links.
    pub(crate) links: Vec<LinkRow>,
    /// Linked events, newest first.
    pub(crate) timeline: Vec<StaffTimelineItem>,
    /// "Add a linked …" links `(href, words)`, for those who may.
    pub(crate) add_links: Vec<(String, String)>,
    /// Errors of the handling form, for the summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// The need-to-know handling form, for those who may set it.
    pub(crate) handling: Option<HandlingForm>,
}

/// The need-to-know handling form of a record page.
#[derive(Clone, Debug)]
pub(crate) struct HandlingForm {
    /// Where it posts.
    pub(crate) action: String,
    /// The purpose the page was opened for (kept on the way back).
    pub(crate) purpose: String,
    /// Its words, if the purpose needs them.
    pub(crate) purpose_text: String,
    /// Restriction, flags, teams and staff, as checkboxes.
    pub(crate) fields: Vec<Field>,
}

/// One report on "My work".
#[derive(Clone, Debug)]
pub(crate) struct WorkRow {
    /// The reference.
    pub(crate) reference: String,
    /// Where it links to (purpose pre-filled).
    pub(crate) href: String,
    /// Type.
    pub(crate) type_label: String,
    /// Status.
    pub(crate) status: String,
    /// Crime number.
    pub(crate) crime_number: String,
    /// Allocated to.
    pub(crate) allocated: String,
    /// The next open task's due time, for people.
    pub(crate) next_due: String,
    /// Whether anything is overdue.
    pub(crate) overdue: bool,
}

/// "My work": reports allocated to the viewer or their team.
#[derive(Template)]
#[template(path = "staff/work.html")]
pub(crate) struct WorkPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The rows, most urgent first.
    pub(crate) rows: Vec<WorkRow>,
    /// How many have something overdue.
    pub(crate) overdue: usize,
}

/// A staff account's row in the administrators' list.
#[derive(Clone, Debug)]
pub(crate) struct UserRow {
    /// Link to the account's page.
    pub(crate) href: String,
    /// Username.
    pub(crate) username: String,
    /// Name.
    pub(crate) name: String,
    /// Role in words.
    pub(crate) role: String,
    /// Team.
    pub(crate) team: String,
    /// State in words ("Active", "Locked", "Disabled", "No second factor").
    pub(crate) state: String,
    /// Whether the state needs attention.
    pub(crate) attention: bool,
    /// Last sign-in for people.
    pub(crate) last_sign_in: String,
}

/// The administrators' list of accounts, with the form to add one.
#[derive(Template)]
#[template(path = "staff/users.html")]
pub(crate) struct UsersPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// A success message.
    pub(crate) flash: Option<String>,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// The accounts.
    pub(crate) rows: Vec<UserRow>,
    /// New account: username, name, first password.
    pub(crate) new_fields: Vec<TextField>,
    /// Roles `(code, words, selected)`.
    pub(crate) roles: Vec<Choice>,
}

/// One account, with what an administrator can do to it.
#[derive(Template)]
#[template(path = "staff/user.html")]
pub(crate) struct UserPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// A success message.
    pub(crate) flash: Option<String>,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// The account's id.
    pub(crate) id: String,
    /// The account's name.
    pub(crate) name: String,
    /// Facts about it.
    pub(crate) facts: Vec<Fact>,
    /// Roles.
    pub(crate) roles: Vec<Choice>,
    /// Teams (with "No team").
    pub(crate) teams: Vec<Choice>,
    /// Whether it is locked.
    pub(crate) locked: bool,
    /// Whether it is active.
    pub(crate) active: bool,
    /// Whether it has a second factor.
    pub(crate) totp_enrolled: bool,
    /// A new password for it.
    pub(crate) password: TextField,
    /// Its vetting: clearance and briefed caveats.
    pub(crate) vetting: Vec<Field>,
}

/// The teams.
#[derive(Template)]
#[template(path = "staff/teams.html")]
pub(crate) struct TeamsPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// A success message.
    pub(crate) flash: Option<String>,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// Team names and when made.
    pub(crate) teams: Vec<(String, String)>,
    /// A new team's name.
    pub(crate) name: TextField,
}

/// One entry in the audit log's results.
#[derive(Clone, Debug)]
pub(crate) struct AuditRow {
    /// Its position in the log.
    pub(crate) seq: u64,
    /// Its page.
    pub(crate) href: String,
    /// When, in words (UK time).
    pub(crate) time: String,
    /// When, machine-readable.
    pub(crate) time_iso: String,
    /// Who.
    pub(crate) actor: String,
    /// The s.62 kind.
    pub(crate) kind: String,
    /// The action.
    pub(crate) action: String,
    /// The purpose recorded, or "None given".
    pub(crate) purpose: String,
    /// The records named: `(href, id)`.
    pub(crate) records: Vec<(String, String)>,
    /// `Allowed` or `Denied`.
    pub(crate) outcome: String,
    /// Whether it was denied (shown as a red tag).
    pub(crate) denied: bool,
}

/// The audit log: the filter form and the entries found.
#[derive(Template)]
#[template(path = "staff/audit.html")]
pub(crate) struct AuditPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// The record id filter.
    pub(crate) record: TextField,
    /// The username filter.
    pub(crate) username: TextField,
    /// Kinds `(value, words, selected)`.
    pub(crate) kinds: Vec<Choice>,
    /// The purpose-text filter.
    pub(crate) contains: TextField,
    /// The first day.
    pub(crate) from: TextField,
    /// The last day.
    pub(crate) to: TextField,
    /// Access purposes.
    pub(crate) purposes: Vec<Choice>,
    /// The access purpose's reference or words.
    pub(crate) purpose_text: TextField,
    /// Whether a search ran.
    pub(crate) searched: bool,
    /// The entries found, newest first.
    pub(crate) rows: Vec<AuditRow>,
    /// The next (older) page, if any.
    pub(crate) older_href: Option<String>,
    /// The same search as CSV.
    pub(crate) export_href: String,
}

/// One audit entry with its inclusion proof.
#[derive(Template)]
#[template(path = "staff/audit_entry.html")]
pub(crate) struct AuditEntryPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// Its position in the log.
    pub(crate) seq: u64,
    /// What it says.
    pub(crate) facts: Vec<Fact>,
    /// The records named: `(href, id)`.
    pub(crate) records: Vec<(String, String)>,
    /// Its leaf hash (hex).
    pub(crate) leaf_hash: String,
    /// The checkpoint and the proof, when one covers the entry.
    pub(crate) proof: Option<AuditProofView>,
    /// Back to the search, keeping the purpose.
    pub(crate) back_href: String,
}

/// An inclusion proof as the entry page shows it.
#[derive(Clone, Debug)]
pub(crate) struct AuditProofView {
    /// Whether the proof leads from the leaf hash to the checkpoint's root.
    pub(crate) verified: bool,
    /// The checkpoint's size.
    pub(crate) size: u64,
    /// The checkpoint's root (base64).
    pub(crate) root: String,
    /// When the checkpoint was signed, in words.
    pub(crate) signed_at: String,
    /// The proof's hashes (hex), lowest level first.
    pub(crate) hashes: Vec<String>,
    /// The checkpoint in its signed text form.
    pub(crate) checkpoint_text: String,
}

/// One record due for MoPI review, as the review queue lists it.
#[derive(Clone, Debug)]
pub(crate) struct ReviewRow {
    /// The record's id.
    pub(crate) id: String,
    /// Its kind in words.
    pub(crate) kind: String,
    /// Its MoPI group, e.g. "3: All other offences".
    pub(crate) group: String,
    /// When its clear period started.
    pub(crate) clear_period_start: String,
    /// When its review fell due.
    pub(crate) due: String,
}

/// The information managers' review queue: records due for MoPI review.
#[derive(Template)]
#[template(path = "staff/reviews.html")]
pub(crate) struct ReviewsPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// A success message.
    pub(crate) flash: Option<String>,
    /// The records due.
    pub(crate) rows: Vec<ReviewRow>,
}

/// The review decision on one record: retain or dispose, with the reason.
#[derive(Template)]
#[template(path = "staff/review.html")]
pub(crate) struct ReviewPage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// The error summary.
    pub(crate) errors: Vec<ErrorItem>,
    /// The record's id.
    pub(crate) id: String,
    /// The reason.
    pub(crate) reason: TextField,
}

/// The deletion certificate of a disposed record.
#[derive(Template)]
#[template(path = "staff/certificate.html")]
pub(crate) struct CertificatePage {
    /// The chrome.
    pub(crate) chrome: Chrome,
    /// A success message.
    pub(crate) flash: Option<String>,
    /// The record's id.
    pub(crate) id: String,
    /// What, when, by whom, under which rule, the audit entry.
    pub(crate) facts: Vec<Fact>,
    /// The signed checkpoint covering the erasure entry, in its text form.
    pub(crate) checkpoint: Option<String>,
}
