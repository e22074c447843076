//! Evidence upload and download as plain HTTP routes: uploads stream to disk under the limits,
//! with types judged by content; downloads go only to the owning organisation and staff, as
//! attachments with `nosniff`.
//!
//! The upload is a plain multipart form post (it works without JavaScript): on success it goes
//! back to the notice; on a refused input it goes back with the message and the field's name in
//! the query, which the notice page shows next to that field.

use super::auth::session::TypedSession;
use super::db::responses::{self, NewFile};
use super::state::{actor_of, AppState};
use super::storage::{StagedFile, StoreError};
use super::usecase::notices;
use crate::domain::evidence::{
    display_name, EvidenceFileKind, EvidenceLimits, LimitError, Statement,
};
use crate::error::AppError;
use crate::ui::notices::api::EvidenceDraft;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// The request body limit for an upload: the submission limit plus room for the form fields.
pub fn body_limit(limits: &EvidenceLimits) -> usize {
    (limits.max_submission_bytes + 1024 * 1024) as usize
}

fn back_to(id: i64, field: &str, message: &str) -> Response {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("evidence_error", message)
        .append_pair("evidence_field", field)
        .finish();
    Redirect::to(&format!("/notices/{id}?{q}#evidence-heading")).into_response()
}

fn status_page(err: &AppError) -> Response {
    let code = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, format!("{}\n", err.user_message())).into_response()
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
        Err(AppError::NotSignedIn) => return Redirect::to("/login").into_response(),
        Err(e) => return status_page(&e),
    };
    // Check access and state before reading any file.
    match notices::get_notice(&st, &who, id).await {
        Ok(n)
            if crate::domain::notice::transition(
                n.state,
                crate::domain::notice::NoticeEvent::SubmitEvidence,
            )
            .is_ok() => {}
        Ok(_) => {
            return back_to(
                id,
                "form",
                "Evidence cannot be submitted in this case's current state.",
            )
        }
        Err(e) => return status_page(&e),
    }
    let limits = st.config.evidence;
    let mut text = std::collections::HashMap::<String, String>::new();
    let mut kinds = std::collections::HashMap::<String, EvidenceFileKind>::new();
    let mut staged: Vec<(String, String, StagedFile)> = Vec::new();
    let mut total = 0u64;
    let outcome: Result<(), (String, String)> = async {
        loop {
            let field = match form.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => return Ok(()),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    let err = LimitError::SubmissionTooLarge {
                        max: limits.max_submission_bytes,
                    };
                    return Err(("form".into(), err.to_string()));
                }
                Err(e) => {
                    return Err((
                        "form".into(),
                        format!("The upload was interrupted ({e}). Please try again."),
                    ))
                }
            };
            let name = field.name().unwrap_or_default().to_owned();
            if let Some(slot) = name.strip_prefix("file_") {
                let Some(raw_name) = field
                    .file_name()
                    .map(str::to_owned)
                    .filter(|n| !n.is_empty())
                else {
                    continue;
                };
                let shown = display_name(&raw_name);
                if staged.len() >= limits.max_files {
                    return Err((
                        name.clone(),
                        format!(
                            "Attach at most {} files to one submission.",
                            limits.max_files
                        ),
                    ));
                }
                let room = limits
                    .max_file_bytes
                    .min(limits.max_submission_bytes.saturating_sub(total));
                match st.evidence.stage(field, room).await {
                    Ok(file) => {
                        total += file.size;
                        staged.push((slot.to_owned(), shown, file));
                    }
                    Err(StoreError::TooLarge { .. }) => {
                        let err = if room < limits.max_file_bytes {
                            LimitError::SubmissionTooLarge {
                                max: limits.max_submission_bytes,
                            }
                        } else {
                            LimitError::FileTooLarge {
                                name: shown,
                                max: limits.max_file_bytes,
                            }
                        };
                        return Err((name.clone(), err.to_string()));
                    }
                    Err(StoreError::Type(e)) => {
                        return Err((name.clone(), format!("{shown}: {e}")))
                    }
                    Err(e) => {
                        return Err((
                            "form".into(),
                            format!("The file could not be stored ({e}). Please try again."),
                        ))
                    }
                }
            } else if let Some(slot) = name.strip_prefix("kind_") {
                let value = field.text().await.unwrap_or_default();
                let kind = value
                    .parse()
                    .map_err(|_| (name.clone(), "Choose what the file is.".to_owned()))?;
                kinds.insert(slot.to_owned(), kind);
            } else {
                text.insert(name.clone(), field.text().await.unwrap_or_default());
            }
        }
    }
    .await;
    let discard = |staged: Vec<(String, String, StagedFile)>| async {
        for (_, _, f) in staged {
            st.evidence.discard(f).await;
        }
    };
    let get = |k: &str| text.get(k).map(String::as_str).unwrap_or_default();
    // Whatever happens next, the statement typed is kept until it is accepted.
    let draft = EvidenceDraft {
        cause: get("cause").to_owned(),
        fix: get("fix").to_owned(),
        prevention: get("prevention").to_owned(),
    };
    if let Err(e) = session.save_evidence_draft(id, &draft).await {
        tracing::warn!(cause = %e, "could not keep the evidence draft");
    }
    if let Err((field, message)) = outcome {
        discard(staged).await;
        return back_to(
            id,
            &field,
            &format!("{message} Your statement was kept; choose the files again."),
        );
    }
    let statement = match Statement::parse(get("cause"), get("fix"), get("prevention")) {
        Ok(s) => s,
        Err(e) => {
            discard(staged).await;
            return back_to(id, e.field, &e.message);
        }
    };
    let mut files = Vec::new();
    for (slot, shown, file) in &staged {
        if let Err(e) = st.evidence.commit(file).await {
            tracing::error!(cause = %e, "evidence file could not be moved into place");
            return status_page(&super::errors::internal(e));
        }
        files.push(NewFile {
            kind: kinds.get(slot).copied().unwrap_or(EvidenceFileKind::Other),
            display_name: shown.clone(),
            size_bytes: file.size as i64,
            detected: file.detected,
            sha256: file.sha256.clone(),
        });
    }
    match notices::submit_evidence_with_files(&st, &who, id, statement, files).await {
        Ok(_) => {
            let _ = session.clear_evidence_draft(id).await;
            Redirect::to(&format!("/notices/{id}")).into_response()
        }
        Err(AppError::Invalid { field, message }) => back_to(id, &field, &message),
        Err(AppError::Conflict(message)) => back_to(id, "form", &message),
        Err(e) => status_page(&e),
    }
}

/// `GET /evidence/{file_id}`: the file, for the owning organisation and staff only (another
/// organisation gets 404), as an attachment with the type found in its content.
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
    if let Err(e) = notices::get_notice(&st, &who, file.notice_id).await {
        return status_page(&e);
    }
    let Some(path) = st.evidence.path_of(&file.sha256) else {
        return status_page(&AppError::NotFound);
    };
    let body = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) => {
            return status_page(&super::errors::internal(format!(
                "evidence file {} missing: {e}",
                file.sha256
            )))
        }
    };
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
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}
