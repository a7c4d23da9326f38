//! `GET /staff/audit`: the audit log for information managers — a filter form (record,
//! username, kind of processing, words of the purpose, first and last day) with the access
//! purpose pre-filled, the entries found newest first, `GET /staff/audit/{seq}` for one entry
//! with its inclusion proof checked against the latest signed checkpoint, and
//! `GET /staff/audit/export` for the same search as CSV. Every search, entry and download is
//! itself audited by the application with the purpose given.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bluelamp_app::{AppError, AuditPage as FoundEntries, AuditQuery, AuditRecord};
use bluelamp_audit::{LogKind, Outcome, format_canonical_time, verify_inclusion};
use bluelamp_domain::calendar::end_of_london_day;
use bluelamp_domain::ids::RecordId;
use bluelamp_domain::values::Purpose;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::Deserialize;

use super::auth::{SignedIn, signed_in};
use super::queue::short_time;
use super::records::{RecordPurpose, purpose_page};
use super::view::{AuditEntryPage, AuditPage, AuditProofView, AuditRow, Choice, Fact};
use super::{finish, pages, query_value};
use crate::AppState;
use crate::portal::view::{ErrorItem, TextField, render};

/// Entries on a page.
const PAGE: u32 = 50;

/// The access purpose the form starts with: checking the log is supervision and review.
const DEFAULT_PURPOSE: &str = "supervision-review";

/// The filter form, the access purpose and the cursor.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct AuditForm {
    record: Option<String>,
    username: Option<String>,
    kind: Option<String>,
    contains: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<String>,
    #[serde(flatten)]
    purpose: RecordPurpose,
}

impl AuditForm {
    /// The query string of the filters and the access purpose (no cursor).
    fn query(&self) -> String {
        let mut query = String::new();
        for (name, value) in [
            ("record", &self.record),
            ("username", &self.username),
            ("kind", &self.kind),
            ("contains", &self.contains),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                query.push_str(name);
                query.push('=');
                query.push_str(&query_value(value));
                query.push('&');
            }
        }
        query.push_str(&self.purpose.query());
        query
    }

    /// What to search for and why, or the errors to show.
    fn read(&self, state: &AppState) -> Result<(AuditQuery, Purpose, Option<u64>), Vec<ErrorItem>> {
        let mut errors = Vec::new();
        let mut error = |target: &str, message: String| {
            errors.push(ErrorItem {
                target: target.to_owned(),
                message,
            });
        };
        let given = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let record = given(&self.record).and_then(|text| match text.parse::<RecordId>() {
            Ok(id) => Some(id),
            Err(_) => {
                error(
                    "record",
                    "Enter a record id like 0190a1b2-0000-7000-8000-000000000001".to_owned(),
                );
                None
            }
        });
        let kind = given(&self.kind).and_then(|text| match text.parse::<LogKind>() {
            Ok(kind) => Some(kind),
            Err(_) => {
                error(
                    "kind",
                    "Choose a kind of processing from the list".to_owned(),
                );
                None
            }
        });
        let from = given(&self.from).and_then(|text| match start_of_day(&text) {
            Some(at) => Some(at),
            None => {
                error("from", date_message("From"));
                None
            }
        });
        let to = given(&self.to).and_then(|text| match start_of_day_after(&text) {
            Some(at) => Some(at),
            None => {
                error("to", date_message("To"));
                None
            }
        });
        if let (Some(from), Some(to)) = (from, to)
            && to <= from
        {
            error(
                "to",
                "The last day must be the same as or after the first day".to_owned(),
            );
        }
        let before = given(&self.before).and_then(|text| text.parse::<u64>().ok());
        let purpose = match self.purpose.justification(state) {
            Ok(purpose) => Some(purpose),
            Err(message) => {
                error("purpose", message);
                None
            }
        };
        match purpose {
            Some(purpose) if errors.is_empty() => Ok((
                AuditQuery {
                    record,
                    username: given(&self.username),
                    kind,
                    purpose: given(&self.contains),
                    from,
                    to,
                    ..AuditQuery::default()
                },
                purpose,
                before,
            )),
            _ => Err(errors),
        }
    }
}

fn date_message(which: &str) -> String {
    format!("{which} must be a date like 2026-11-27")
}

/// The first instant of a London day written `YYYY-MM-DD`.
fn start_of_day(text: &str) -> Option<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    start_of_day_after_date(date.pred_opt()?)
}

/// The first instant after a London day written `YYYY-MM-DD` (the day is included).
fn start_of_day_after(text: &str) -> Option<DateTime<Utc>> {
    start_of_day_after_date(NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?)
}

fn start_of_day_after_date(date: NaiveDate) -> Option<DateTime<Utc>> {
    end_of_london_day(date)
        .ok()?
        .checked_add_signed(TimeDelta::nanoseconds(1))
}

/// A kind of processing in words.
fn kind_words(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Collection => "Collection",
        LogKind::Alteration => "Alteration",
        LogKind::Consultation => "Consultation",
        LogKind::Disclosure => "Disclosure",
        LogKind::Combination => "Combination",
        LogKind::Erasure => "Erasure",
    }
}

fn outcome_words(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Allowed => "Allowed",
        Outcome::Denied => "Denied",
    }
}

/// The records an entry names, as links to their pages carrying the access purpose.
fn record_links(found: &AuditRecord, keep: &str) -> Vec<(String, String)> {
    found
        .entry
        .entry
        .records
        .iter()
        .map(|id| (format!("/staff/records/{id}?{keep}"), id.to_string()))
        .collect()
}

/// `GET /staff/audit`.
#[tracing::instrument(skip_all)]
pub(crate) async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(form): Query<AuditForm>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    // The form is shown first with the purpose pre-filled; a search runs once it is sent.
    if form.purpose.purpose.is_none() {
        // The empty form reads nothing; only those who may search it are shown it (anything
        // sent is decided, and a refusal audited, by the application).
        if user.principal.subject.role != Some(bluelamp_policy::Role::InformationManager) {
            return pages::forbidden(&state, &user);
        }
        let mut first = form;
        first.purpose.purpose = Some(DEFAULT_PURPOSE.to_owned());
        return page(&state, &user, &first, Vec::new(), None);
    }
    let (query, purpose, before) = match form.read(&state) {
        Ok(read) => read,
        Err(errors) => return page(&state, &user, &form, errors, None),
    };
    match state
        .app
        .search_audit(&user.principal, &query, &purpose, before, PAGE)
        .await
    {
        Ok(found) => page(&state, &user, &form, Vec::new(), Some(found)),
        Err(AppError::Invalid { field, message, .. }) if field == "username" => {
            let errors = vec![ErrorItem {
                target: "username".to_owned(),
                message: pages::sentence(&message),
            }];
            page(&state, &user, &form, errors, None)
        }
        Err(error) => pages::app_error(&state, Some(&user), &error),
    }
}

/// The audit log page: the form as sent, its errors, and what was found.
fn page(
    state: &AppState,
    user: &SignedIn,
    form: &AuditForm,
    errors: Vec<ErrorItem>,
    found: Option<FoundEntries>,
) -> Response {
    let error_at = |name: &str| {
        errors
            .iter()
            .find(|error| error.target == name)
            .map(|error| error.message.clone())
    };
    let value = |text: &Option<String>| text.clone().unwrap_or_default();
    let field = |name: &str, label: &str, text: &Option<String>, hint: Option<&str>| TextField {
        hint: hint.map(str::to_owned),
        spellcheck: false,
        error: error_at(name),
        ..TextField::text(name, label, &value(text))
    };
    let chosen_kind = value(&form.kind);
    let kinds: Vec<Choice> = std::iter::once(("", "Any"))
        .chain(
            LogKind::ALL
                .iter()
                .map(|kind| (kind.as_str(), kind_words(*kind))),
        )
        .map(|(code, words)| (code.to_owned(), words.to_owned(), code == chosen_kind))
        .collect();
    let chosen_purpose = value(&form.purpose.purpose);
    let purposes = pages::purpose_choices(state, &chosen_purpose);
    let keep = form.query();
    let purpose_keep = form.purpose.query();
    let searched = found.is_some();
    let (rows, older_href) = match found {
        None => (Vec::new(), None),
        Some(found) => {
            let rows = found
                .entries
                .iter()
                .map(|entry| {
                    let e = &entry.entry.entry;
                    AuditRow {
                        seq: entry.entry.seq,
                        href: format!("/staff/audit/{}?{purpose_keep}", entry.entry.seq),
                        time: short_time(e.at),
                        time_iso: format_canonical_time(&e.at),
                        actor: e.actor.clone(),
                        kind: kind_words(e.kind).to_owned(),
                        action: e.action.clone(),
                        purpose: e.purpose.clone().unwrap_or_else(|| "None given".to_owned()),
                        records: record_links(entry, &purpose_keep),
                        outcome: outcome_words(e.outcome).to_owned(),
                        denied: e.outcome == Outcome::Denied,
                    }
                })
                .collect();
            let older = found
                .next_before
                .map(|before| format!("/staff/audit?{keep}&before={before}"));
            (rows, older)
        }
    };
    let page = AuditPage {
        chrome: pages::chrome_in(
            state,
            "Audit log",
            Some(user),
            !errors.is_empty(),
            "/staff/audit",
        ),
        record: field(
            "record",
            "Record id",
            &form.record,
            Some("Entries naming this record"),
        ),
        username: field(
            "username",
            "Username",
            &form.username,
            Some("Entries by this member of staff"),
        ),
        kinds,
        contains: field(
            "contains",
            "Purpose recorded contains",
            &form.contains,
            Some("Words of the purpose, for example a crime or report reference"),
        ),
        from: TextField {
            input_type: "date",
            width: " govuk-input--width-10",
            ..field(
                "from",
                "From (first day)",
                &form.from,
                Some("For example 2026-11-27"),
            )
        },
        to: TextField {
            input_type: "date",
            width: " govuk-input--width-10",
            ..field(
                "to",
                "To (last day)",
                &form.to,
                Some("For example 2026-11-28"),
            )
        },
        purposes,
        purpose_text: field(
            "purpose_text",
            "Reference or description",
            &form.purpose.purpose_text,
            Some(
                "The complaint, case or request reference, or, for Other, the purpose in your words",
            ),
        ),
        errors,
        searched,
        rows,
        older_href,
        export_href: format!("/staff/audit/export?{keep}"),
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    finish(render(status, &page), Vec::new())
}

/// `GET /staff/audit/export`: the search as CSV (at most the application's limit).
#[tracing::instrument(skip_all)]
pub(crate) async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(form): Query<AuditForm>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let (query, purpose, _) = match form.read(&state) {
        Ok(read) => read,
        Err(errors) => return page(&state, &user, &form, errors, None),
    };
    let found = match state
        .app
        .search_audit(
            &user.principal,
            &query,
            &purpose,
            None,
            bluelamp_app::MAX_AUDIT_RESULTS,
        )
        .await
    {
        Ok(found) => found,
        Err(AppError::Invalid { field, message, .. }) if field == "username" => {
            let errors = vec![ErrorItem {
                target: "username".to_owned(),
                message: pages::sentence(&message),
            }];
            return page(&state, &user, &form, errors, None);
        }
        Err(error) => return pages::app_error(&state, Some(&user), &error),
    };
    let mut csv = String::from(
        "seq,time,actor,kind,action,purpose,records,recipients,digest,outcome,leaf_hash\r\n",
    );
    for found in &found.entries {
        let e = &found.entry.entry;
        let records: Vec<String> = e.records.iter().map(ToString::to_string).collect();
        let cells = [
            found.entry.seq.to_string(),
            format_canonical_time(&e.at),
            e.actor.clone(),
            e.kind.as_str().to_owned(),
            e.action.clone(),
            e.purpose.clone().unwrap_or_default(),
            records.join(" "),
            e.recipients.join(" "),
            e.digest.clone().unwrap_or_default(),
            e.outcome.as_str().to_owned(),
            hex::encode(found.leaf_hash),
        ];
        let line: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    }
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"audit-log.csv\""),
    );
    finish(response, Vec::new())
}

/// One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, with quotes
/// doubled; a cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, carriage
/// return) starts with `'` so it is shown as text.
fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// `GET /staff/audit/{seq}`: one entry, its leaf hash and its inclusion proof.
#[tracing::instrument(skip_all)]
pub(crate) async fn entry(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(seq): Path<String>,
    Query(chosen): Query<RecordPurpose>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let Ok(seq) = seq.parse::<u64>() else {
        return pages::not_found(&state, Some(&user), "audit entry");
    };
    let action = format!("/staff/audit/{seq}");
    if !chosen.chosen() {
        return purpose_page(&state, &user, "this audit entry", &action, &chosen, None);
    }
    let purpose = match chosen.justification(&state) {
        Ok(purpose) => purpose,
        Err(message) => {
            return purpose_page(
                &state,
                &user,
                "this audit entry",
                &action,
                &chosen,
                Some(message),
            );
        }
    };
    let found = match state
        .app
        .read_audit_entry(&user.principal, seq, &purpose)
        .await
    {
        Ok(found) => found,
        Err(error) => return pages::app_error(&state, Some(&user), &error),
    };
    let proof = match state.app.audit_inclusion_proof(&user.principal, seq).await {
        Ok(proof) => proof,
        Err(error) => return pages::app_error(&state, Some(&user), &error),
    };
    let keep = chosen.query();
    let e = &found.entry.entry;
    let fact = |key: &str, value: String| Fact {
        key: key.to_owned(),
        value,
        warning: false,
    };
    let facts = vec![
        fact(
            "Time",
            format!("{} ({})", short_time(e.at), format_canonical_time(&e.at)),
        ),
        fact("Who", e.actor.clone()),
        fact("Kind of processing", kind_words(e.kind).to_owned()),
        fact("Action", e.action.clone()),
        fact(
            "Purpose",
            e.purpose.clone().unwrap_or_else(|| "None given".to_owned()),
        ),
        fact(
            "Recipients",
            if e.recipients.is_empty() {
                "None".to_owned()
            } else {
                e.recipients.join(", ")
            },
        ),
        fact(
            "Evidence digest",
            e.digest.clone().unwrap_or_else(|| "None".to_owned()),
        ),
        Fact {
            key: "Outcome".to_owned(),
            value: outcome_words(e.outcome).to_owned(),
            warning: e.outcome == Outcome::Denied,
        },
    ];
    let proof = proof.map(|proof| {
        let checkpoint = &proof.checkpoint.checkpoint;
        AuditProofView {
            verified: verify_inclusion(
                &found.leaf_hash,
                seq,
                checkpoint.size,
                &proof.proof,
                &checkpoint.root,
            )
            .is_ok()
                && proof.leaf_hash == found.leaf_hash
                && proof.checkpoint.verify(&state.app.verifying_key()).is_ok(),
            size: checkpoint.size,
            root: STANDARD.encode(checkpoint.root),
            signed_at: short_time(checkpoint.time),
            hashes: proof.proof.iter().map(hex::encode).collect(),
            checkpoint_text: proof.checkpoint.to_text(),
        }
    });
    let page = AuditEntryPage {
        chrome: pages::chrome_in(
            &state,
            &format!("Audit entry {seq}"),
            Some(&user),
            false,
            "/staff/audit",
        ),
        seq,
        facts,
        records: record_links(&found, &keep),
        leaf_hash: hex::encode(found.leaf_hash),
        proof,
        back_href: format!("/staff/audit?{keep}"),
    };
    finish(render(StatusCode::OK, &page), Vec::new())
}
