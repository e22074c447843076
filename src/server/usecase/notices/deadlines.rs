//! A case's clock: staff move a deadline, the watcher marks cases overdue, and reminders go out
//! before a deadline passes.

use super::deadline_error;
use crate::domain::actor::Actor;
use crate::domain::deadline::{self, DeadlineError};
use crate::domain::notice::{transition, NoticeEvent, NoticeState};
use crate::domain::notification::{self, NotificationKind};
use crate::error::AppError;
use crate::server::db::notices::{self};
use crate::server::state::AppState;
use time::OffsetDateTime;

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
    let notice = crate::server::usecase::case_access::get_notice(st, who, id).await?;
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
    let label = crate::server::usecase::audit::actor_label(st, who).await?;
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
    crate::server::usecase::audit::record_case(
        st,
        &mut tx,
        id,
        now,
        &label,
        "deadline_changed",
        &detail,
    )
    .await?;
    if state == NoticeState::Overdue {
        notices::set_state(
            &mut tx,
            id,
            transition(state, NoticeEvent::Reopen).expect("overdue reopens"),
            now,
        )
        .await?;
        crate::server::usecase::audit::record_case(
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
            crate::server::usecase::audit::record_case(
                st,
                &mut tx,
                id,
                now,
                "system",
                "marked_overdue",
                &detail,
            )
            .await?;
            let org = notices::org_of_in_tx(&mut tx, id).await?;
            crate::server::usecase::notifications::tell(
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
                crate::server::usecase::notifications::tell(
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
