//! Staff open a notice against a service and its addresses: checked, recorded with its first
//! audit entry, its measures and the customer's notification, in one transaction.

use super::deadline_error;
use crate::domain::actor::{Actor, StaffToken};
use crate::domain::deadline::{self};
use crate::domain::ids::ServiceId;
use crate::domain::notice::{NoticeCategory, NoticeSource};
use crate::domain::notification::{self, NotificationKind};
use crate::error::AppError;
use crate::server::db::notices::{self, NewNotice};
use crate::server::db::services;
use crate::server::state::AppState;
use time::OffsetDateTime;

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
    let label = crate::server::usecase::audit::actor_label(st, who).await?;
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
    crate::server::usecase::audit::written_reason(
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
    crate::server::usecase::audit::record_case(
        st,
        tx,
        id,
        now,
        label,
        "report_verified",
        &verified,
    )
    .await?;
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
    crate::server::usecase::audit::record_case(st, tx, id, now, label, "notice_opened", &opened)
        .await?;
    crate::server::usecase::smtp::reblock_for_new_case(
        tx,
        st,
        id,
        new.service,
        new.category,
        &new.ips,
    )
    .await?;
    crate::server::usecase::notifications::tell(
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
