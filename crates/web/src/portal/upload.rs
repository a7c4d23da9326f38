//! Evidence uploads: `multipart/form-data` read part by part, each file streamed through
//! [`BlobStore::receive`](bluelamp_evidence::BlobStore::receive) (typed by its content,
//! hashed, size-limited) without holding it in memory; and the evidence step's page.

use axum::extract::multipart::{Field as Part, Multipart, MultipartRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bluelamp_evidence::{MediaFamily, UploadLimits};

use super::draft::{Draft, MAX_FILES, UploadedFile};
use super::form::FormData;
use super::journey::{Journey, Step};
use super::parse::FieldError;
use super::report::{
    ReturnTo, StepPage, load, next_page, page_url, redirect_for, summary_of, take_pending,
};
use super::view::{Block, Field, FileField, FileRow, QuestionPage, human_size, render};
use super::{Portal, delete_blobs, finish, see_other};
use crate::AppState;

/// The longest text field of a multipart form, in bytes.
const MAX_TEXT_PART_BYTES: usize = 64 * 1024;

/// What a multipart post carried.
pub(crate) struct Upload {
    /// The session id.
    pub(crate) session_id: String,
    /// The session's CSRF token.
    pub(crate) csrf_token: String,
    /// The text fields.
    pub(crate) fields: FormData,
    /// The files received into the blob store.
    pub(crate) files: Vec<UploadedFile>,
    /// Why a file was refused (the files before it were kept).
    pub(crate) error: Option<String>,
}

async fn text_of(part: Part<'_>) -> Result<String, String> {
    let mut part = part;
    let mut bytes = Vec::new();
    loop {
        match part.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len().saturating_add(chunk.len()) > MAX_TEXT_PART_BYTES {
                    return Err("A field of the form is too long.".to_owned());
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(_) => {
                return Err(
                    "The upload stopped before the whole form arrived; please try again."
                        .to_owned(),
                );
            }
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads a multipart post: the CSRF token and honeypot (which the form puts before any
/// file) are checked before the first file is received; at most `room` files are taken.
/// After a refused file the rest of the body is read and dropped, so the browser gets the
/// page rather than a broken connection.
pub(crate) async fn read_upload(
    portal: &Portal,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
    room: usize,
) -> Result<Upload, Response> {
    let Ok(mut multipart) = multipart else {
        return Err(super::pages::forbidden(portal));
    };
    let mut fields = FormData::default();
    let mut checked: Option<(String, String)> = None;
    let mut files = Vec::new();
    let mut error: Option<String> = None;
    let limits = UploadLimits {
        max_bytes: portal.config.max_upload_bytes,
    };
    loop {
        let part = match multipart.next_field().await {
            Ok(Some(part)) => part,
            Ok(None) => break,
            Err(failure) => {
                tracing::info!(error = %failure, "a multipart upload stopped");
                error.get_or_insert_with(|| {
                    "The upload stopped before the whole file arrived, so nothing was kept; please try sending it again.".to_owned()
                });
                break;
            }
        };
        let name = part.name().unwrap_or_default().to_owned();
        if name != "file" {
            match text_of(part).await {
                Ok(value) => fields.push(name, value),
                Err(message) => {
                    error.get_or_insert(message);
                }
            }
            continue;
        }
        let declared = part.file_name().unwrap_or_default().to_owned();
        if checked.is_none() {
            match portal.check_post(headers, fields.get("csrf_token"), fields.get("website")) {
                Ok(found) => checked = Some(found),
                Err(refusal) => {
                    delete_blobs(
                        &portal.config.blobs,
                        files
                            .iter()
                            .map(|file: &UploadedFile| file.key.clone())
                            .collect(),
                    )
                    .await;
                    return Err(portal.refuse(&refusal));
                }
            }
        }
        if declared.trim().is_empty() || error.is_some() {
            drain(part).await;
            continue;
        }
        if files.len() >= room {
            error = Some(format!(
                "You can add up to {MAX_FILES} files to a report. Remove a file to add another."
            ));
            drain(part).await;
            continue;
        }
        match portal
            .config
            .blobs
            .receive(&declared, Box::pin(part), &limits)
            .await
        {
            Ok(blob) => {
                let sha256 = blob.sha256_hex();
                files.push(UploadedFile {
                    key: blob.key,
                    name: blob.declared_name,
                    media_type: blob.media_type,
                    size: blob.size,
                    sha256,
                    metadata: blob.metadata,
                });
            }
            Err(refused) => {
                if let Some(detail) = refused.detail() {
                    tracing::warn!(error = %refused, detail, "an evidence upload failed");
                }
                error = Some(refused.to_string());
            }
        }
    }
    let (session_id, csrf_token) = match checked {
        Some(found) => found,
        None => portal
            .check_post(headers, fields.get("csrf_token"), fields.get("website"))
            .map_err(|refusal| portal.refuse(&refusal))?,
    };
    Ok(Upload {
        session_id,
        csrf_token,
        fields,
        files,
        error,
    })
}

/// Reads the rest of a part and drops it.
async fn drain(part: Part<'_>) {
    let mut part = part;
    while let Ok(Some(_)) = part.chunk().await {}
}

/// The files of a draft as listed back.
fn file_rows(draft: &Draft) -> Vec<FileRow> {
    draft
        .files
        .iter()
        .enumerate()
        .map(|(index, file)| FileRow {
            index,
            name: file.name.clone(),
            type_label: file.media_type.label().to_owned(),
            size: human_size(file.size),
        })
        .collect()
}

fn render_evidence(state: &AppState, page: &StepPage<'_>, errors: &[FieldError]) -> Response {
    let portal = &state.portal;
    let journey = page.journey;
    let question = super::steps::question(Step::Evidence, journey);
    let limit = human_size(portal.config.max_upload_bytes);
    let mut intro = Vec::new();
    if journey == Journey::RoadTraffic {
        intro.push(Block::Para(
            "Upload the footage of the incident. You can add photos too.".to_owned(),
        ));
    } else {
        intro.push(Block::Para(
            "Photos, videos or documents can help us. If you do not have any, select Continue."
                .to_owned(),
        ));
    }
    intro.push(Block::Para(format!(
        "You can add up to {MAX_FILES} files, each up to {limit}: photos (JPEG, PNG, GIF, WebP or HEIC), videos (MP4, MOV, 3GP, WebM, MKV or AVI) or documents (PDF, Word, OpenDocument or plain text)."
    )));
    let error = errors
        .iter()
        .find(|error| error.field == "file")
        .map(|error| error.message.clone());
    let file = FileField {
        name: "file".to_owned(),
        label: if journey == Journey::RoadTraffic && page.draft.files.is_empty() {
            "Upload the footage".to_owned()
        } else {
            "Upload a file".to_owned()
        },
        hint: Some("You can choose more than one file.".to_owned()),
        error,
    };
    let template = QuestionPage {
        chrome: portal.form_chrome(
            question,
            journey.title(),
            !errors.is_empty(),
            page.csrf_token,
        ),
        back_link: Some(page.back_link()),
        caption: Some(journey.title().to_owned()),
        heading: Some(question.to_owned()),
        intro,
        errors: summary_of(errors),
        files: file_rows(page.draft),
        action: page.action(),
        multipart: true,
        fields: vec![Field::File(file)],
        button: "Continue".to_owned(),
        secondary: Some((
            "action".to_owned(),
            "upload".to_owned(),
            "Upload and add another file".to_owned(),
        )),
        outro: Vec::new(),
    };
    // A page showing errors is still a page: 200, as GOV.UK services answer it.
    let status = StatusCode::OK;
    render(status, &template)
}

/// The evidence step: the files added so far, each with its name, type and size (never
/// what the file says about itself), and the file input.
///
/// Who may call it: anyone with a draft of this journey.
#[tracing::instrument(skip_all, fields(journey = %journey))]
pub(crate) async fn show_evidence(
    State(state): State<AppState>,
    Path(journey): Path<String>,
    Query(back): Query<ReturnTo>,
    headers: HeaderMap,
) -> Response {
    let portal = &state.portal;
    let Some(journey) = Journey::from_slug(&journey) else {
        return super::pages::not_found(portal);
    };
    let (session, token, draft) = load(portal, &headers, journey);
    if let Some(to) = redirect_for(journey, Step::Evidence, draft.as_ref()) {
        return finish(see_other(&to), session.set_cookie);
    }
    let Some(draft) = draft else {
        return finish(
            see_other(&format!("/report/{}", journey.slug())),
            session.set_cookie,
        );
    };
    let errors: Vec<FieldError> = take_pending(portal, &session.id, journey, Step::Evidence)
        .into_iter()
        .collect();
    let page = StepPage {
        journey,
        step: Step::Evidence,
        draft: &draft,
        csrf_token: &token,
        return_to_check: back.check_requested(),
    };
    finish(render_evidence(&state, &page, &errors), session.set_cookie)
}

/// Receives evidence files, removes one (`remove=<n>`), or goes on (`Continue`).
///
/// Business rule: each file is streamed to the blob store and typed by its content; a file
/// whose content is not an accepted type, does not match its name, is empty or too large
/// is refused with a message on the page, and nothing of it is kept. At most 20 files per
/// report. Footage of a driving offence needs at least one video before going on.
///
/// Who may call it: the holder of a session with a draft of this journey (CSRF token).
#[tracing::instrument(skip_all, fields(journey = %journey))]
pub(crate) async fn receive_evidence(
    State(state): State<AppState>,
    Path(journey): Path<String>,
    Query(back): Query<ReturnTo>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let portal = &state.portal;
    let Some(journey) = Journey::from_slug(&journey) else {
        return super::pages::not_found(portal);
    };
    let (existing, _) = portal.sessions.existing(&headers);
    let room = existing
        .and_then(|id| {
            portal.sessions.with(&id, |stored| {
                stored.drafts.get(&journey).map_or(MAX_FILES, |draft| {
                    MAX_FILES.saturating_sub(draft.files.len())
                })
            })
        })
        .unwrap_or(MAX_FILES);
    let upload = match read_upload(portal, &headers, multipart, room).await {
        Ok(upload) => upload,
        Err(response) => return response,
    };
    let remove = upload.fields.trimmed("remove").parse::<usize>().ok();
    let received: Vec<_> = upload.files.iter().map(|file| file.key.clone()).collect();
    let outcome = portal
        .sessions
        .with(&upload.session_id, |stored| {
            let draft = stored
                .drafts
                .get_mut(&journey)
                .filter(|draft| draft.submitted.is_none())?;
            draft.files.extend(upload.files.iter().cloned());
            let removed = remove
                .filter(|index| *index < draft.files.len())
                .map(|index| draft.files.remove(index));
            Some((draft.clone(), removed))
        })
        .flatten();
    let Some((draft, removed)) = outcome else {
        delete_blobs(&portal.config.blobs, received).await;
        return finish(see_other(&format!("/report/{}", journey.slug())), None);
    };
    if let Some(file) = removed {
        delete_blobs(&portal.config.blobs, vec![file.key]).await;
    }
    let page = StepPage {
        journey,
        step: Step::Evidence,
        draft: &draft,
        csrf_token: &upload.csrf_token,
        return_to_check: back.check_requested(),
    };
    if let Some(message) = upload.error {
        return finish(
            render_evidence(&state, &page, &[FieldError::new("file", message)]),
            None,
        );
    }
    if remove.is_some() || upload.fields.get("action") == "upload" {
        return finish(see_other(&page.action()), None);
    }
    if journey == Journey::RoadTraffic
        && !draft
            .files
            .iter()
            .any(|file| file.media_type.family() == MediaFamily::Video)
    {
        let message = if draft.files.is_empty() {
            "Upload the video of the incident"
        } else {
            "Upload a video of the incident: the footage must be a video file, like an MP4"
        };
        return finish(
            render_evidence(&state, &page, &[FieldError::new("file", message)]),
            None,
        );
    }
    let next = portal
        .sessions
        .with(&upload.session_id, |stored| {
            let draft = stored.drafts.get_mut(&journey)?;
            draft.complete(Step::Evidence);
            if draft
                .pending
                .as_ref()
                .is_some_and(|pending| pending.step == Step::Evidence)
            {
                draft.pending = None;
            }
            Some(next_page(draft, Step::Evidence, back.check_requested()))
        })
        .flatten()
        .unwrap_or_else(|| page_url(journey, "check"));
    finish(see_other(&next), None)
}
