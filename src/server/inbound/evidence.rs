//! Evidence upload and download as plain HTTP routes: uploads stream to disk under the limits,
//! with types judged by content; downloads go only to the owning organisation and staff, as
//! streamed attachments with `nosniff` and a sandboxing Content-Security-Policy.
//!
//! The upload is a plain multipart form post (it works without JavaScript): on success it goes
//! back to the notice; on a refused input it goes back with the message and the field's name in
//! the query, which the notice page shows next to that field. A refused upload is read to its end
//! (up to [`drain_limit`]) before the answer, because a browser still sending its body when the
//! server answers shows "connection reset" instead of the form.

use crate::domain::evidence::{
    display_name, EvidenceFileKind, EvidenceLimits, LimitError, Statement,
};
use crate::error::AppError;
use crate::server::auth::session::TypedSession;
use crate::server::db::responses::{self, NewFile};
use crate::server::errors::status_page;
use crate::server::state::{actor_of, AppState};
use crate::server::storage::{AsyncChunks, CommittedFile, StagedFile, StoreError};
use crate::server::usecase::notices;
use crate::views::notices::EvidenceDraft;
use axum::extract::multipart::Field;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use tower_sessions::Session;

/// The largest request body read for an upload, refused parts included: the submission limit
/// twice over and some room. Beyond it the answer comes before the body has been read.
pub fn drain_limit(limits: &EvidenceLimits) -> usize {
    (limits.max_submission_bytes * 2 + 16 * 1024 * 1024) as usize
}

/// The most text kept from one form field (the statement fields are far shorter).
const MAX_TEXT_FIELD: usize = 64 * 1024;

fn back_to(id: i64, field: &str, message: &str) -> Response {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("evidence_error", message)
        .append_pair("evidence_field", field)
        .finish();
    Redirect::to(&format!("/notices/{id}?{q}#evidence-heading")).into_response()
}

type MultipartError = axum::extract::multipart::MultipartError;

/// Why an upload stopped before its end.
enum Broken {
    /// The body is larger than [`drain_limit`].
    TooLarge,
    /// The client went away or sent a malformed body.
    Interrupted(String),
}

impl From<MultipartError> for Broken {
    fn from(e: MultipartError) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Broken::TooLarge
        } else {
            Broken::Interrupted(e.body_text())
        }
    }
}

/// Reads the rest of a field and throws it away; returns how many bytes that was.
async fn drain(field: &mut Field<'_>) -> Result<u64, Broken> {
    let mut bytes = 0;
    while let Some(chunk) = field.chunk().await? {
        bytes += chunk.len() as u64;
    }
    Ok(bytes)
}

/// Reads a text field, keeping at most [`MAX_TEXT_FIELD`] bytes of it.
async fn text(field: &mut Field<'_>) -> Result<String, Broken> {
    let mut kept: Vec<u8> = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        let room = MAX_TEXT_FIELD.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..room.min(chunk.len())]);
    }
    Ok(String::from_utf8_lossy(&kept).into_owned())
}

/// A file field as the evidence store reads it, remembering why reading failed.
struct Chunks<'a, 'b> {
    field: &'a mut Field<'b>,
    failure: Option<Broken>,
}

impl AsyncChunks<String> for Chunks<'_, '_> {
    async fn next_chunk(&mut self) -> Result<Option<axum::body::Bytes>, String> {
        self.field.chunk().await.map_err(|e| {
            let message = e.body_text();
            self.failure = Some(e.into());
            message
        })
    }
}

/// What one upload form carried.
#[derive(Default)]
struct Upload {
    text: HashMap<String, String>,
    kinds: HashMap<String, EvidenceFileKind>,
    /// Checked files, with their slot and shown name.
    staged: Vec<(String, String, StagedFile)>,
    /// The first refusal: the field it concerns and the message.
    refused: Option<(String, String)>,
}

/// Reads the whole form. Files are staged within the limits and the organisation's storage
/// left (`quota_room`); after the first refusal the rest of the body is still read, its text
/// fields kept (so the statement survives) and its files counted, but nothing more is stored.
async fn read_upload(
    st: &AppState,
    form: &mut Multipart,
    quota_room: u64,
    up: &mut Upload,
) -> Result<(), Broken> {
    let limits = st.config.evidence;
    let mut total = 0u64;
    // When the quota refused a file: the bytes of the files from that one on.
    let mut over_quota: Option<u64> = None;
    while let Some(mut field) = form.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(slot) = name.strip_prefix("file_") {
            let Some(shown) = field
                .file_name()
                .filter(|n| !n.is_empty())
                .map(display_name)
            else {
                drain(&mut field).await?;
                continue;
            };
            if let Some(bytes) = over_quota.as_mut() {
                *bytes += drain(&mut field).await?;
                continue;
            }
            if up.refused.is_some() {
                drain(&mut field).await?;
                continue;
            }
            if up.staged.len() >= limits.max_files {
                let err = LimitError::TooManyFiles {
                    max: limits.max_files,
                };
                up.refused = Some((name.clone(), err.to_string()));
                drain(&mut field).await?;
                continue;
            }
            let by_limits = limits
                .max_file_bytes
                .min(limits.max_submission_bytes.saturating_sub(total));
            let room = by_limits.min(quota_room.saturating_sub(total));
            let mut chunks = Chunks {
                field: &mut field,
                failure: None,
            };
            match st.evidence.stage(&mut chunks, room).await {
                Ok(file) => {
                    total += file.size;
                    up.staged.push((slot.to_owned(), shown, file));
                }
                Err(StoreError::TooLarge { read, .. }) => {
                    let size = read + drain(&mut field).await?;
                    if size > limits.max_file_bytes {
                        let err = LimitError::FileTooLarge {
                            name: shown,
                            max: limits.max_file_bytes,
                        };
                        up.refused = Some((name.clone(), err.to_string()));
                    } else if total + size > limits.max_submission_bytes {
                        let err = LimitError::SubmissionTooLarge {
                            max: limits.max_submission_bytes,
                        };
                        up.refused = Some((name.clone(), err.to_string()));
                    } else {
                        over_quota = Some(total + size);
                    }
                }
                Err(StoreError::Type(e)) => {
                    up.refused = Some((name.clone(), format!("{shown}: {e}")));
                    drain(&mut field).await?;
                }
                Err(StoreError::Upload(message)) => {
                    return Err(chunks
                        .failure
                        .take()
                        .unwrap_or(Broken::Interrupted(message)));
                }
                Err(StoreError::Io(e)) => {
                    tracing::error!(cause = %e, "an evidence file could not be stored");
                    up.refused = Some((
                        "form".into(),
                        "The file could not be stored on our side. Please try again.".into(),
                    ));
                    drain(&mut field).await?;
                }
            }
        } else if let Some(slot) = name.strip_prefix("kind_") {
            match text(&mut field).await?.parse() {
                Ok(kind) => {
                    up.kinds.insert(slot.to_owned(), kind);
                }
                Err(_) => {
                    up.refused
                        .get_or_insert((name.clone(), "Choose what the file is.".to_owned()));
                }
            }
        } else {
            let value = text(&mut field).await?;
            up.text.insert(name.clone(), value);
        }
    }
    if let Some(needed) = over_quota {
        let used = limits.org_quota_bytes.saturating_sub(quota_room);
        if let Err(e) = limits.check_quota(used, needed) {
            up.refused.get_or_insert(("form".into(), e.to_string()));
        }
    }
    Ok(())
}

/// `POST /notices/{id}/evidence`: the statement (`cause`, `fix`, `prevention`) and up to the
/// limit of files, each `file_N` with its `kind_N`.
pub async fn upload(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    session: Session,
    mut form: Multipart,
) -> Response {
    let session = TypedSession(session);
    let who = match actor_of(&st, &session).await {
        Ok(who) => who,
        Err(AppError::NotSignedIn) => {
            return Redirect::to(&crate::domain::session::sign_in_path(&format!(
                "/notices/{id}"
            )))
            .into_response()
        }
        Err(e) => return status_page(&e),
    };
    // Check access and state before reading any file.
    let notice = match crate::server::usecase::case_access::get_notice(&st, &who, id).await {
        Ok(n) => n,
        Err(e) => return status_page(&e),
    };
    let open = crate::domain::notice::transition(
        notice.state,
        crate::domain::notice::NoticeEvent::SubmitEvidence,
    )
    .is_ok();
    if !open {
        return back_to(
            id,
            "form",
            "Evidence cannot be submitted in this case's current state.",
        );
    }
    let limits = st.config.evidence;
    let used = match responses::org_evidence_bytes(&st.db, notice.org_id).await {
        Ok(used) => used,
        Err(e) => return status_page(&e.into()),
    };
    let mut up = Upload::default();
    let quota_room = limits.org_quota_bytes.saturating_sub(used);
    let broken = read_upload(&st, &mut form, quota_room, &mut up).await.err();
    let get = |k: &str| up.text.get(k).map(String::as_str).unwrap_or_default();
    // Whatever happens next, the statement typed is kept until it is accepted.
    let draft = EvidenceDraft {
        cause: get("cause").to_owned(),
        fix: get("fix").to_owned(),
        prevention: get("prevention").to_owned(),
    };
    if let Err(e) = session.save_evidence_draft(id, &draft).await {
        tracing::warn!(cause = %e, "could not keep the evidence draft");
    }
    let keep = " Your statement was kept; choose the files again.";
    match broken {
        Some(Broken::TooLarge) => {
            let err = LimitError::SubmissionTooLarge {
                max: limits.max_submission_bytes,
            };
            return back_to(id, "form", &format!("{err}{keep}"));
        }
        Some(Broken::Interrupted(e)) => {
            return back_to(
                id,
                "form",
                &format!("The upload was interrupted ({e}). Please try again.{keep}"),
            )
        }
        None => {}
    }
    if let Some((field, message)) = &up.refused {
        return back_to(id, field, &format!("{message}{keep}"));
    }
    let statement = match Statement::parse(get("cause"), get("fix"), get("prevention")) {
        Ok(s) => s,
        Err(e) => return back_to(id, e.field, &e.message),
    };
    let Upload { staged, kinds, .. } = up;
    let mut committed: Vec<(String, String, CommittedFile)> = Vec::new();
    for (slot, shown, file) in staged {
        match st.evidence.commit(file).await {
            Ok(c) => committed.push((slot, shown, c)),
            Err(e) => {
                let done: Vec<CommittedFile> = committed.into_iter().map(|(_, _, c)| c).collect();
                st.evidence.remove(&done).await;
                return status_page(&crate::server::errors::internal(format!(
                    "evidence file could not be moved into place: {e}"
                )));
            }
        }
    }
    let files = committed
        .iter()
        .map(|(slot, shown, c)| NewFile {
            kind: kinds.get(slot).copied().unwrap_or(EvidenceFileKind::Other),
            display_name: shown.clone(),
            size_bytes: c.size as i64,
            detected: c.detected,
            sha256: c.sha256.clone(),
            storage_name: c.name.clone(),
        })
        .collect();
    let result = notices::submit_evidence_with_files(&st, &who, id, statement, files).await;
    if result.is_err() {
        // No row refers to the files: they go now, not at the next sweep.
        let done: Vec<CommittedFile> = committed.into_iter().map(|(_, _, c)| c).collect();
        st.evidence.remove(&done).await;
    }
    match result {
        Ok(_) => {
            let _ = session.clear_evidence_draft(id).await;
            Redirect::to(&format!("/notices/{id}")).into_response()
        }
        Err(AppError::Invalid { field, message }) => {
            back_to(id, &field, &format!("{message}{keep}"))
        }
        Err(AppError::Conflict(message)) => back_to(id, "form", &message),
        Err(e) => status_page(&e),
    }
}

/// `GET /evidence/{file_id}`: the file, for the owning organisation and staff only (another
/// organisation gets 404), streamed as an attachment with the type found in its content.
pub async fn download(
    State(st): State<AppState>,
    Path(file_id): Path<i64>,
    session: Session,
) -> Response {
    let who = match actor_of(&st, &TypedSession(session)).await {
        Ok(who) => who,
        Err(e) => return status_page(&e),
    };
    let file = match responses::file(&st.db, file_id).await {
        Ok(Some(f)) => f,
        Ok(None) => return status_page(&AppError::NotFound),
        Err(e) => return status_page(&e.into()),
    };
    if let Err(e) = crate::server::usecase::case_access::get_notice(&st, &who, file.notice_id).await
    {
        return status_page(&e);
    }
    let Some(path) = st.evidence.path_of(file.stored_as()) else {
        return status_page(&AppError::NotFound);
    };
    let opened = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => {
            return status_page(&crate::server::errors::internal(format!(
                "evidence file {} missing: {e}",
                file.stored_as()
            )))
        }
    };
    let length = opened.metadata().await.map(|m| m.len()).ok();
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(opened));
    let ascii: String = file
        .display_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String =
        url::form_urlencoded::byte_serialize(file.display_name.as_bytes()).collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encoded.replace('+', "%20")
    );
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.detected_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Some(length) = length {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Opened in a tab anyway, the file runs nothing and reaches nothing of the portal's.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}
