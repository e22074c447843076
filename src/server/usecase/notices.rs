//! Abuse cases: opening a notice, reading and listing notices within the caller's scope, the
//! lifecycle events of both sides, deadline changes, and marking overdue cases. Every change is
//! written with its audit entry in one transaction.

use crate::domain::actor::{Actor, StaffToken};
use crate::domain::deadline::{self, DeadlineError};
use crate::domain::evidence::Statement;
use crate::domain::ids::ServiceId;
use crate::domain::notice::{transition, NoticeCategory, NoticeEvent, NoticeSource, NoticeState};
use crate::domain::notification::{self, NotificationKind};
use crate::error::AppError;
use crate::server::db::notices::{self, ListCursor, NewNotice, NoticeFilter, NoticeRecord};
use crate::server::db::responses;
use crate::server::db::services;
use crate::server::state::AppState;
use time::OffsetDateTime;

fn deadline_error(field: &str, e: DeadlineError) -> AppError {
    AppError::invalid(field, e.to_string())
}

/// What staff enter to open a notice.
#[derive(Debug, Clone)]
pub struct OpenNotice {
    /// The affected service.
    pub service: ServiceId,
    /// Affected addresses; each must belong to the service. Empty: all of them.
    pub ips: Vec<String>,
    /// Abuse kind.
    pub category: NoticeCategory,
    /// Report source.
    pub source: NoticeSource,
    /// Mark high-risk; categories on the §5 list are high-risk anyway.
    pub high_risk: bool,
    /// What was observed (no message contents).
    pub summary: String,
    /// Verified abuse events.
    pub event_count: i64,
    /// First and last event.
    pub first_seen_at: OffsetDateTime,
    /// Last event.
    pub last_seen_at: OffsetDateTime,
    /// How the report was verified (recorded, shown to staff).
    pub verification_note: String,
    /// A deadline shorter than 48 hours, with its reason.
    pub shorter_deadline: Option<(OffsetDateTime, String)>,
}

/// Opens a notice against a service (staff only); the customer's 48 hours start now.
pub async fn open_notice(st: &AppState, who: &Actor, form: OpenNotice) -> Result<i64, AppError> {
    let (staff, new, service_label) = prepare_notice(st, who, form).await?;
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    let id = open_in_tx(&mut tx, st, staff, &label, &new, &service_label).await?;
    tx.commit().await?;
    tracing::info!(notice_id = id, "notice opened");
    Ok(id)
}

/// Checks what staff entered to open a notice and makes the notice to insert, with the
/// service's label; nothing is written.
pub async fn prepare_notice(
    st: &AppState,
    who: &Actor,
    form: OpenNotice,
) -> Result<(StaffToken, NewNotice, String), AppError> {
    let staff = who.require_staff()?;
    let now = st.now();
    let service = services::get(&st.db, form.service)
        .await?
        .ok_or_else(|| AppError::invalid("service", "Choose a service."))?;
    let ips = if form.ips.is_empty() {
        service.ips.clone()
    } else {
        form.ips.clone()
    };
    if let Some(stranger) = ips.iter().find(|ip| !service.ips.contains(ip)) {
        return Err(AppError::invalid(
            "ips",
            format!("{stranger} is not an address of {}.", service.label),
        ));
    }
    let summary = form.summary.trim().to_owned();
    if summary.chars().count() < 20 {
        return Err(AppError::invalid(
            "summary",
            "Describe what was observed in at least 20 characters.",
        ));
    }
    if crate::domain::notice::looks_like_message_payload(&summary) {
        return Err(AppError::invalid(
            "summary",
            "This looks like message content (headers or a body). Summarise what was observed instead: we keep no message payloads.",
        ));
    }
    if form.event_count < 1 {
        return Err(AppError::invalid(
            "event_count",
            "Enter the number of verified abuse events (at least 1).",
        ));
    }
    if form.first_seen_at > form.last_seen_at || form.last_seen_at > now {
        return Err(AppError::invalid(
            "last_seen",
            "The first event must come before the last, and neither in the future.",
        ));
    }
    super::audit::written_reason(
        "verification_note",
        &form.verification_note,
        "Record how the report was verified",
    )?;
    let shorter = form
        .shorter_deadline
        .as_ref()
        .map(|(at, why)| (*at, why.as_str()));
    let deadline_at =
        deadline::initial_deadline(now, shorter).map_err(|e| deadline_error("deadline", e))?;
    let high_risk = form.high_risk || form.category.high_risk_by_default();
    let new = NewNotice {
        org: service.org_id,
        service: service.id,
        ips,
        category: form.category,
        source: form.source,
        high_risk,
        summary,
        event_count: form.event_count,
        first_seen_at: form.first_seen_at,
        last_seen_at: form.last_seen_at,
        verification_note: form.verification_note.trim().to_owned(),
        verified_by: who.user_id,
        notified_at: now,
        deadline_at,
        deadline_reason: form.shorter_deadline.map(|(_, why)| why.trim().to_owned()),
    };
    Ok((staff, new, service.label))
}

/// Inserts a prepared notice in `tx` with its first audit entries (verification, opening) and
/// the port-25 block its category brings.
pub async fn open_in_tx(
    tx: &mut crate::server::db::Tx,
    st: &AppState,
    staff: StaffToken,
    label: &str,
    new: &NewNotice,
    service_label: &str,
) -> Result<i64, AppError> {
    let now = new.notified_at;
    let id = notices::insert(tx, staff, new, now).await?;
    let verified = format!("Report verified: {}", new.verification_note);
    super::audit::record_case(st, tx, id, now, label, "report_verified", &verified).await?;
    let opened = format!(
        "Notice opened: {} ({}), {} verified event(s), against {}. Response due {}{}.",
        new.category.label(),
        new.source.label(),
        new.event_count,
        service_label,
        crate::domain::time_format::utc(new.deadline_at),
        new.deadline_reason
            .as_deref()
            .map(|r| format!(" (shortened: {r})"))
            .unwrap_or_default()
    );
    super::audit::record_case(st, tx, id, now, label, "notice_opened", &opened).await?;
    super::smtp::reblock_for_new_case(tx, st, id, new.service, new.category, &new.ips).await?;
    super::notifications::tell(
        tx,
        st,
        new.org,
        NotificationKind::NoticeOpened,
        |zone| notification::opened_title(id, new.category, &zone.show(new.deadline_at)),
        &format!("/notices/{id}"),
        now,
    )
    .await?;
    Ok(id)
}

/// A page of notices within the caller's scope; a customer's filter is always narrowed to their
/// own organisation, whatever it asked for.
pub async fn list_notices(
    st: &AppState,
    who: &Actor,
    mut filter: NoticeFilter,
    after: Option<ListCursor>,
    limit: i64,
) -> Result<Vec<NoticeRecord>, AppError> {
    if let Some(org) = who.reach()?.org_filter() {
        filter.org = Some(org);
    }
    Ok(notices::list(&st.db, &filter, after.as_ref(), limit.clamp(1, 100)).await?)
}

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
        super::audit::written_reason("reason", reason, "Write a reason")?.into_string()
    } else {
        reason.trim().to_owned()
    };
    let reason = reason.as_str();
    let notice = super::case_access::get_notice(st, who, id).await?;
    let label = super::audit::actor_label(st, who).await?;
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
    super::audit::record_case(st, &mut tx, id, now, &label, event_action(event), &detail).await?;
    if let Some(title) = notification::decision_title(event, id) {
        super::notifications::tell(
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
        Box::pin(super::billing::reactivate_if_clear(&mut tx, st, id, now)).await?;
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

/// Moves a case's deadline (staff only), later or earlier, with a reason. Moving an overdue
/// case's deadline into the future makes a response due again.
pub async fn change_deadline(
    st: &AppState,
    who: &Actor,
    id: i64,
    new: OffsetDateTime,
    reason: &str,
) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let notice = super::case_access::get_notice(st, who, id).await?;
    if notice.state.is_finished() || notice.state.awaits_staff() {
        return Err(AppError::Conflict(
            "The deadline only matters while a response from the customer is due.".into(),
        ));
    }
    let now = st.now();
    let checked = if new > notice.deadline_at {
        deadline::extend(notice.deadline_at, new, now, reason)
    } else {
        deadline::shorten(notice.deadline_at, new, now, reason)
    }
    .map_err(|e| {
        deadline_error(
            if matches!(e, DeadlineError::Reason(_)) {
                "reason"
            } else {
                "deadline"
            },
            e,
        )
    })?;
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    let state = notices::lock_state(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    notices::set_deadline(&mut tx, staff, id, checked, reason.trim(), now).await?;
    notices::clear_reminders(&mut tx, id).await?;
    let verb = if new > notice.deadline_at {
        "extended"
    } else {
        "shortened"
    };
    let detail = format!(
        "Deadline {verb} from {} to {}: {}",
        crate::domain::time_format::utc(notice.deadline_at),
        crate::domain::time_format::utc(checked),
        reason.trim()
    );
    super::audit::record_case(st, &mut tx, id, now, &label, "deadline_changed", &detail).await?;
    if state == NoticeState::Overdue {
        notices::set_state(
            &mut tx,
            id,
            transition(state, NoticeEvent::Reopen).expect("overdue reopens"),
            now,
        )
        .await?;
        super::audit::record_case(
            st,
            &mut tx,
            id,
            now,
            &label,
            "reopened",
            "Overdue → Open: new deadline",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Marks every case whose deadline passed without the response that was due as overdue, with
/// an audit entry by the system. Returns how many. Safe to run from several processes: each
/// case is re-checked under lock, so no case is marked twice.
pub async fn mark_overdue(st: &AppState) -> Result<usize, AppError> {
    const BATCH: i64 = 200;
    let now = st.now();
    let mut marked = 0;
    loop {
        let due = notices::due_for_overdue(&st.db, now, BATCH).await?;
        let full_batch = due.len() as i64 == BATCH;
        let mut changed = 0;
        for id in due {
            let mut tx = st.db.begin_write().await?;
            let Some(current) = notices::lock_state(&mut tx, id).await? else {
                continue;
            };
            let Ok(next) = transition(current, NoticeEvent::MarkOverdue) else {
                continue;
            };
            notices::set_state(&mut tx, id, next, now).await?;
            let detail = format!(
                "{} → {}: no response by the deadline",
                current.label(),
                next.label()
            );
            super::audit::record_case(st, &mut tx, id, now, "system", "marked_overdue", &detail)
                .await?;
            let org = notices::org_of_in_tx(&mut tx, id).await?;
            super::notifications::tell(
                &mut tx,
                st,
                org,
                NotificationKind::NoticeOverdue,
                |_| format!("Notice #{id}: the deadline passed without a response. Respond now: the service may be blocked or suspended."),
                &format!("/notices/{id}"),
                now,
            )
            .await?;
            tx.commit().await?;
            changed += 1;
        }
        marked += changed;
        // Another process may have taken some; stop when nothing is left or nothing changed.
        if !full_batch || changed == 0 {
            return Ok(marked);
        }
    }
}

/// Sends the reminders that are due: 4 hours, then 24 hours before each deadline that awaits the
/// customer, once each (a notice told of less than an hour ago gets none: that news said the
/// deadline). Run by the deadline watcher; returns how many went out.
pub async fn remind(st: &AppState) -> Result<usize, AppError> {
    const BATCH: i64 = 200;
    let now = st.now();
    let mut sent = 0;
    for hours in notification::REMINDER_HOURS {
        for id in notices::due_for_reminder(&st.db, hours, now, BATCH).await? {
            let mut tx = st.db.begin_write().await?;
            let still_due = notices::lock_state(&mut tx, id)
                .await?
                .is_some_and(|state| state.awaits_customer());
            if !still_due {
                continue;
            }
            let Some((org, deadline, notified)) =
                notices::mark_reminded(&mut tx, id, hours, now).await?
            else {
                continue;
            };
            if !notification::told_just_now(notified, now) {
                super::notifications::tell(
                    &mut tx,
                    st,
                    org,
                    NotificationKind::DeadlineSoon,
                    |zone| notification::reminder_title(id, hours, &zone.show(deadline)),
                    &format!("/notices/{id}"),
                    now,
                )
                .await?;
                sent += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(sent)
}

/// Adds an internal note to a case (staff only; never shown to the customer). The audit trail
/// records that a note was added, and staff see its text there; customers see neither.
pub async fn add_note(st: &AppState, who: &Actor, id: i64, body: &str) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 5_000 {
        return Err(AppError::invalid(
            "note",
            "Write a note of 1 to 5,000 characters.",
        ));
    }
    super::case_access::get_notice(st, who, id).await?;
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    responses::insert_note(&mut tx, staff, id, who.user_id, now, body).await?;
    let detail = format!("Internal note: {body}");
    super::audit::record_case(st, &mut tx, id, now, &label, INTERNAL_NOTE, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// The audit action of internal notes, which customers' views leave out.
pub const INTERNAL_NOTE: &str = "internal_note";

/// Whether a trail entry is for staff only: internal notes, and invoice drafts (not documents
/// until issued).
pub fn staff_only(action: &str) -> bool {
    action == INTERNAL_NOTE || super::billing::STAFF_ONLY_ACTIONS.contains(&action)
}
