//! The events of a case from both sides (acknowledge, evidence, dispute, review, accept,
//! reject, close…), each checked against the case's state and written with its audit entry.

use crate::domain::actor::Actor;
use crate::domain::evidence::Statement;
use crate::domain::notice::{transition, NoticeEvent, NoticeState};
use crate::domain::notification::{self, NotificationKind};
use crate::error::AppError;
use crate::server::db::notices::{self};
use crate::server::db::responses;
use crate::server::state::AppState;

/// What a response carries besides the event itself.
#[derive(Debug, Clone)]
pub enum Response {
    /// Nothing more (acknowledge, start review, close…).
    Plain,
    /// A remediation statement (evidence submission) and its files, already stored.
    Evidence(Statement, Vec<responses::NewFile>),
    /// The customer's reasons for disputing.
    Dispute(String),
}

/// Applies a lifecycle event caused by a person and records it: staff decisions need a written
/// reason (stored with the evidence or dispute decided, and shown to the customer); customers
/// act only on their own organisation's notices.
pub async fn apply_event(
    st: &AppState,
    who: &Actor,
    id: i64,
    event: NoticeEvent,
    reason: &str,
) -> Result<NoticeState, AppError> {
    let response = match event {
        NoticeEvent::SubmitEvidence | NoticeEvent::Dispute => {
            return Err(AppError::Conflict(
                "Evidence and disputes are submitted with their own forms.".into(),
            ))
        }
        _ => Response::Plain,
    };
    record(st, who, id, event, reason, response).await
}

/// Submits remediation evidence (a statement of cause, fix and prevention).
pub async fn submit_evidence(
    st: &AppState,
    who: &Actor,
    id: i64,
    statement: Statement,
) -> Result<NoticeState, AppError> {
    submit_evidence_with_files(st, who, id, statement, Vec::new()).await
}

/// Submits remediation evidence with files already moved into the evidence store.
pub async fn submit_evidence_with_files(
    st: &AppState,
    who: &Actor,
    id: i64,
    statement: Statement,
    files: Vec<responses::NewFile>,
) -> Result<NoticeState, AppError> {
    let response = Response::Evidence(statement, files);
    record(st, who, id, NoticeEvent::SubmitEvidence, "", response).await
}

/// Disputes a notice, with reasons.
pub async fn dispute(
    st: &AppState,
    who: &Actor,
    id: i64,
    reasons: &str,
) -> Result<NoticeState, AppError> {
    let reasons = crate::domain::notice::dispute_reasons(reasons)
        .map_err(|message| AppError::invalid("reasons", message))?;
    record(
        st,
        who,
        id,
        NoticeEvent::Dispute,
        "",
        Response::Dispute(reasons),
    )
    .await
}

async fn record(
    st: &AppState,
    who: &Actor,
    id: i64,
    event: NoticeEvent,
    reason: &str,
    response: Response,
) -> Result<NoticeState, AppError> {
    if !event.caused_by().allows(who.role) {
        return Err(AppError::Forbidden);
    }
    let reason = if event.needs_written_reason() {
        crate::server::usecase::audit::written_reason("reason", reason, "Write a reason")?
            .into_string()
    } else {
        reason.trim().to_owned()
    };
    let reason = reason.as_str();
    let notice = crate::server::usecase::case_access::get_notice(st, who, id).await?;
    let label = crate::server::usecase::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let current = notices::lock_state(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let next = transition(current, event).map_err(|e| AppError::Conflict(e.user_message()))?;
    notices::set_state(&mut tx, id, next, now).await?;
    let mut detail = if reason.is_empty() {
        format!("{} → {}", current.label(), next.label())
    } else {
        format!("{} → {}: {reason}", current.label(), next.label())
    };
    match (&response, event) {
        (Response::Evidence(statement, files), _) => {
            let needed: u64 = files.iter().map(|f| f.size_bytes.max(0) as u64).sum();
            if needed > 0 {
                let used = responses::lock_org_evidence_bytes(&mut tx, notice.org_id).await?;
                st.config
                    .evidence
                    .check_quota(used, needed)
                    .map_err(|e| AppError::invalid("form", e.to_string()))?;
            }
            let sub =
                responses::insert_submission(&mut tx, id, who.user_id, now, statement).await?;
            for f in files {
                responses::insert_file(&mut tx, sub, f).await?;
            }
            let names: Vec<String> = files
                .iter()
                .map(|f| {
                    format!(
                        "{} ({}, SHA-256 {})",
                        f.display_name,
                        f.kind.label(),
                        f.sha256
                    )
                })
                .collect();
            if names.is_empty() {
                detail.push_str(&format!(" (submission #{sub})"));
            } else {
                detail.push_str(&format!(
                    " (submission #{sub}; files: {})",
                    names.join("; ")
                ));
            }
        }
        (Response::Dispute(reasons), _) => {
            responses::insert_dispute(&mut tx, id, who.user_id, now, reasons).await?;
            detail.push_str(&format!(": {reasons}"));
        }
        (Response::Plain, NoticeEvent::AcceptEvidence | NoticeEvent::RejectEvidence) => {
            let decision = if event == NoticeEvent::AcceptEvidence {
                "accepted"
            } else {
                "rejected"
            };
            responses::decide_submission(
                &mut tx,
                who.require_staff()?,
                id,
                decision,
                who.user_id,
                now,
                reason,
            )
            .await?;
        }
        (Response::Plain, NoticeEvent::UpholdNotice | NoticeEvent::WithdrawNotice) => {
            let outcome = if event == NoticeEvent::UpholdNotice {
                "upheld"
            } else {
                "withdrawn"
            };
            responses::decide_dispute(
                &mut tx,
                who.require_staff()?,
                id,
                outcome,
                who.user_id,
                now,
                reason,
            )
            .await?;
        }
        (Response::Plain, _) => {}
    }
    crate::server::usecase::audit::record_case(
        st,
        &mut tx,
        id,
        now,
        &label,
        event_action(event),
        &detail,
    )
    .await?;
    if let Some(title) = notification::decision_title(event, id) {
        crate::server::usecase::notifications::tell(
            &mut tx,
            st,
            notice.org_id,
            NotificationKind::NoticeDecision,
            |_| title.clone(),
            &format!("/notices/{id}"),
            now,
        )
        .await?;
    }
    if event == NoticeEvent::AcceptEvidence {
        // Accepted evidence may be the last condition of the service's reactivation. Boxed:
        // its future would otherwise swell every caller's (the evidence upload's overflowed a
        // worker thread's stack in debug builds).
        Box::pin(crate::server::usecase::billing::reactivate_if_clear(
            &mut tx, st, id, now,
        ))
        .await?;
    }
    tx.commit().await?;
    tracing::info!(notice_id = id, ?event, "case event");
    Ok(next)
}

/// The stable audit action name of an event.
pub fn event_action(event: NoticeEvent) -> &'static str {
    match event {
        NoticeEvent::Acknowledge => "acknowledged",
        NoticeEvent::SubmitEvidence => "evidence_submitted",
        NoticeEvent::Dispute => "disputed",
        NoticeEvent::StartReview => "review_started",
        NoticeEvent::AcceptEvidence => "evidence_accepted",
        NoticeEvent::RejectEvidence => "evidence_rejected",
        NoticeEvent::UpholdNotice => "notice_upheld",
        NoticeEvent::WithdrawNotice => "notice_withdrawn",
        NoticeEvent::MarkOverdue => "marked_overdue",
        NoticeEvent::Reopen => "reopened",
        NoticeEvent::Close => "closed",
    }
}
