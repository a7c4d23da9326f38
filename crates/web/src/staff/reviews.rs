//! MoPI review for information managers: `GET /staff/reviews` lists the records due for
//! review; `GET /staff/reviews/{id}` asks for the decision and its reason and
//! `POST /staff/reviews/{id}` makes it (retain, or dispose of the record);
//! `GET /staff/records/{id}/certificate` is a disposed record's deletion certificate.
//!
//! The list shows ids, kinds, groups and dates only; the record itself opens on its own page,
//! for a purpose. Every change is a POST with the session's CSRF token.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::{AppError, DeletionCertificate, DueReview, Tombstone};
use bluelamp_domain::ids::{RecordId, RecordKind};
use serde::Deserialize;

use super::auth::{SignedIn, signed_in, signed_in_form};
use super::queue::short_time;
use super::view::{CertificatePage, Fact, Para, ReviewPage, ReviewRow, ReviewsPage};
use super::{finish, pages};
use crate::AppState;
use crate::portal::see_other;
use crate::portal::view::{ErrorItem, TextField, render};

/// The section's href.
const SECTION: &str = "/staff/reviews";

/// What was just done, for the success banner.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

/// A record kind in words.
fn kind_words(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Person => "Person",
        RecordKind::Object => "Object",
        RecordKind::Location => "Location",
        RecordKind::Event => "Event",
    }
}

/// A date as the workspace writes it.
fn long_date(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// A group with its name from the reference data, e.g. "3: All other offences".
fn group_words(state: &AppState, group: &str) -> String {
    let today = bluelamp_domain::calendar::london_date(state.app.now());
    match state.app.refdata().retention_groups.get(group, today) {
        Some(entry) => format!("{group}: {}", entry.label),
        None => group.to_owned(),
    }
}

fn review_row(state: &AppState, due: &DueReview) -> ReviewRow {
    ReviewRow {
        id: due.id.to_string(),
        kind: kind_words(due.kind).to_owned(),
        group: group_words(state, due.group.as_str()),
        clear_period_start: long_date(due.clear_period_start),
        due: long_date(due.next_review),
    }
}

/// `GET /staff/reviews`.
#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<DoneQuery>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let due = match state.app.due_reviews(&user.principal).await {
        Ok(due) => due,
        Err(error) => return pages::app_error(&state, Some(&user), &error),
    };
    let flash = match query.done.as_deref() {
        Some("retained") => Some("Record retained. Its next review date has moved on.".to_owned()),
        _ => None,
    };
    let page = ReviewsPage {
        chrome: pages::chrome_in(&state, "Reviews", Some(&user), false, SECTION),
        flash,
        rows: due.iter().map(|due| review_row(&state, due)).collect(),
    };
    finish(render(StatusCode::OK, &page), Vec::new())
}

/// The decision page for record `id`, with `errors` and the reason as typed.
fn review_page(
    state: &AppState,
    user: &SignedIn,
    id: RecordId,
    errors: Vec<ErrorItem>,
    reason: &str,
) -> Response {
    let error = errors.first().map(|item| item.message.clone());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ReviewPage {
        chrome: pages::chrome_in(
            state,
            "Review a record",
            Some(user),
            !errors.is_empty(),
            SECTION,
        ),
        errors,
        id: id.to_string(),
        reason: TextField {
            hint: Some(
                "Recorded with the decision. For a retained record, say which National Retention Assessment Criteria apply. Do not include personal details."
                    .to_owned(),
            ),
            error,
            ..TextField::text("reason", "Reason for the decision", reason)
        },
    };
    finish(render(status, &page), Vec::new())
}

/// `GET /staff/reviews/{id}`: the decision form. Only information managers see it.
#[tracing::instrument(skip_all)]
pub(crate) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    if user.principal.subject.role != Some(bluelamp_policy::Role::InformationManager) {
        return pages::forbidden(&state, &user);
    }
    let Ok(id) = id.parse::<RecordId>() else {
        return pages::not_found(&state, Some(&user), "record");
    };
    review_page(&state, &user, id, Vec::new(), "")
}

/// `POST /staff/reviews/{id}`: retain (with a reason) or dispose of the record.
#[tracing::instrument(skip_all)]
pub(crate) async fn decide(
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
    let reason = form.trimmed("reason").to_owned();
    let decided = match form.get("decision") {
        "retain" => state
            .app
            .retain_record(&user.principal, id, &reason)
            .await
            .map(|_| "/staff/reviews?done=retained".to_owned()),
        "dispose" => state
            .app
            .dispose_record(&user.principal, id, &reason)
            .await
            .map(|_| format!("/staff/records/{id}/certificate?done=disposed")),
        _ => Err(AppError::invalid(
            "decision",
            "required",
            "choose to retain or to dispose of the record",
        )),
    };
    match decided {
        Ok(next) => finish(see_other(&next), Vec::new()),
        Err(AppError::Invalid { field, message, .. })
            if field == "reason" || field == "decision" =>
        {
            let message = match field.as_str() {
                "reason" if reason.is_empty() => "Enter the reason for the decision".to_owned(),
                _ => pages::sentence(&message),
            };
            let item = ErrorItem {
                target: "reason".to_owned(),
                message,
            };
            review_page(&state, &user, id, vec![item], &reason)
        }
        Err(error) => pages::app_error(&state, Some(&user), &error),
    }
}

/// The facts of a tombstone, as the certificate and the disposed record's page show them.
fn tombstone_facts(state: &AppState, tombstone: &Tombstone) -> Vec<Fact> {
    let fact = |key: &str, value: String| Fact {
        key: key.to_owned(),
        value,
        warning: false,
    };
    let group = match &tombstone.group_label {
        Some(label) => format!("MoPI group {}: {label}", tombstone.group),
        None => format!("MoPI group {}", group_words(state, &tombstone.group)),
    };
    vec![
        fact("Record", tombstone.id.to_string()),
        fact("Kind", kind_words(tombstone.kind).to_owned()),
        fact("Disposed of", short_time(tombstone.disposed_at)),
        fact("Disposed of by", tombstone.disposed_by.clone()),
        fact("Rule", group),
        fact("Reason", tombstone.reason.clone()),
        fact("Links removed", tombstone.links_removed.to_string()),
        fact(
            "Audit entry",
            format!("Erasure, sequence number {}", tombstone.audit_seq),
        ),
    ]
}

/// `GET /staff/records/{id}/certificate`: a disposed record's deletion certificate, for
/// information managers.
#[tracing::instrument(skip_all)]
pub(crate) async fn certificate(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let Ok(id) = id.parse::<RecordId>() else {
        return pages::not_found(&state, Some(&user), "disposed record");
    };
    let certificate: DeletionCertificate =
        match state.app.deletion_certificate(&user.principal, id).await {
            Ok(certificate) => certificate,
            Err(error) => return pages::app_error(&state, Some(&user), &error),
        };
    let mut facts = tombstone_facts(&state, &certificate.tombstone);
    facts.push(Fact {
        key: "Audit entry leaf hash".to_owned(),
        value: certificate.leaf_hash.clone(),
        warning: false,
    });
    if let Some(checkpoint) = &certificate.checkpoint {
        facts.push(Fact {
            key: "Covered by checkpoint".to_owned(),
            value: format!(
                "Tree size {}, signed {}",
                checkpoint.size,
                short_time(checkpoint.time)
            ),
            warning: false,
        });
    }
    let flash = match query.done.as_deref() {
        Some("disposed") => Some("Record disposed of".to_owned()),
        _ => None,
    };
    let page = CertificatePage {
        chrome: pages::chrome_in(&state, "Deletion certificate", Some(&user), false, SECTION),
        flash,
        id: id.to_string(),
        facts,
        checkpoint: certificate.checkpoint.map(|checkpoint| checkpoint.text),
    };
    finish(render(StatusCode::OK, &page), Vec::new())
}

/// The page of a disposed record: its tombstone, never its old content (the record page
/// answers with it when the record is gone).
pub(crate) fn tombstone_page(state: &AppState, user: &SignedIn, tombstone: &Tombstone) -> Response {
    let mut paras: Vec<Para> = vec![Para::Text(
        "This record was disposed of under the Management of Police Information (MoPI) rules. Its content has been erased; only this tombstone remains."
            .to_owned(),
    )];
    paras.extend(
        tombstone_facts(state, tombstone)
            .into_iter()
            .map(|fact| Para::Text(format!("{}: {}", fact.key, fact.value))),
    );
    if user.principal.subject.role == Some(bluelamp_policy::Role::InformationManager) {
        paras.push(Para::Link(
            format!("/staff/records/{}/certificate", tombstone.id),
            "View the deletion certificate".to_owned(),
        ));
    }
    pages::text(
        state,
        Some(user),
        StatusCode::GONE,
        "This record has been disposed of",
        paras,
    )
}
