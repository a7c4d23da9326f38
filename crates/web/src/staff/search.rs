//! `GET /staff/search`: one search box over people, vehicles, places and events — names
//! spelt or sounding alike, dates of birth, identifiers, registration marks allowing for
//! misreads (0/O, 1/I), postcodes, addresses and event words — for a stated purpose, which
//! the results' links carry on to the record pages (one click each).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_app::AppError;
use bluelamp_domain::ids::RecordKind;
use serde::Deserialize;

use super::auth::signed_in;
use super::records::{RecordPurpose, kind_label};
use super::view::{Choice, SearchPage, SearchRow};
use super::{finish, pages};
use crate::AppState;
use crate::portal::view::{ErrorItem, TextField, render};

/// How many results a search shows.
const RESULTS: u32 = 50;

/// The search box, the kind filter and the purpose.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
    kind: Option<String>,
    #[serde(flatten)]
    purpose: RecordPurpose,
}

/// `GET /staff/search`.
#[tracing::instrument(skip_all)]
pub(crate) async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let text = query.q.as_deref().unwrap_or_default().trim().to_owned();
    let kind = query
        .kind
        .as_deref()
        .filter(|kind| !kind.is_empty())
        .and_then(|kind| kind.parse::<RecordKind>().ok());
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut understood = Vec::new();
    let mut searched = false;
    if !text.is_empty() {
        match query.purpose.justification(&state) {
            Err(message) => errors.push(ErrorItem {
                target: "purpose".to_owned(),
                message,
            }),
            Ok(purpose) => {
                match state
                    .app
                    .search_records(&user.principal, &text, kind, &purpose, RESULTS)
                    .await
                {
                    Ok(results) => {
                        searched = true;
                        understood = results.understood;
                        let keep = query.purpose.query();
                        rows = results
                            .hits
                            .into_iter()
                            .map(|hit| SearchRow {
                                kind: kind_label(&hit.record.body).to_owned(),
                                href: format!("/staff/records/{}?{keep}", hit.record.id),
                                summary: hit.summary,
                            })
                            .collect();
                    }
                    Err(AppError::Invalid { field, message, .. }) if field == "q" => {
                        errors.push(ErrorItem {
                            target: "q".to_owned(),
                            message: pages::sentence(&message),
                        });
                    }
                    Err(error) => return pages::app_error(&state, Some(&user), &error),
                }
            }
        }
    }
    let chosen_purpose = query.purpose.purpose.clone().unwrap_or_default();
    let purposes = pages::purpose_choices(&state, &chosen_purpose);
    let chosen_kind = query.kind.clone().unwrap_or_default();
    let kinds: Vec<Choice> = [
        ("", "Everything"),
        ("person", "People"),
        ("object", "Vehicles and property"),
        ("location", "Places"),
        ("event", "Events"),
    ]
    .into_iter()
    .map(|(value, words)| (value.to_owned(), words.to_owned(), value == chosen_kind))
    .collect();
    let error_at = |name: &str| {
        errors
            .iter()
            .find(|error| error.target == name)
            .map(|error| error.message.clone())
    };
    let page = SearchPage {
        chrome: pages::chrome_in(
            &state,
            "Search",
            Some(&user),
            !errors.is_empty(),
            "/staff/search",
        ),
        q: TextField {
            hint: Some(
                "A name, date of birth, registration mark, postcode, address, NHS or PNC number, or words about an event"
                    .to_owned(),
            ),
            spellcheck: false,
            error: error_at("q"),
            input_type: "search",
            ..TextField::text("q", "Search people, vehicles, places and events", &text)
        },
        kinds,
        purposes,
        purpose_text: TextField {
            hint: Some(
                "The report, crime, incident or request reference, or, for Other, the purpose in your words"
                    .to_owned(),
            ),
            spellcheck: false,
            error: error_at("purpose"),
            ..TextField::text(
                "purpose_text",
                "Reference or description",
                query.purpose.purpose_text.as_deref().unwrap_or_default(),
            )
        },
        errors,
        searched,
        understood,
        rows,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    finish(render(status, &page), Vec::new())
}
