//! Staff work the intake: the lists of received reports, cases waiting to be verified and
//! unmatched events; verify or dismiss a waiting case, match again or dismiss an event.

use super::corrupt;
use super::intake::{grow_open_notice, route_to};
use crate::domain::actor::Actor;
use crate::domain::ids::ServiceId;
use crate::domain::inventory::address_key;
use crate::domain::notice::{NoticeCategory, NoticeSource};
use crate::domain::report::{reference, EventState, IntakeChannel, ReportFormat, ReportedEvent};
use crate::domain::time_format::utc;
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::server::db::reports::{self as store, EventRow, IntakeRow};
use crate::server::db::{inventory, TurnKey};
use crate::server::state::AppState;
use crate::views::reports::*;
use time::{Duration, OffsetDateTime};

/// Rows per page of the intake lists.
pub const PAGE: i64 = 50;

/// Which list of the intake page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IntakeTab {
    /// Cases waiting for verification, oldest first.
    Verify,
    /// Unmatched events, newest first.
    Unmatched,
    /// Reports that could not be read, newest first.
    Failed,
    /// Every report, newest first.
    All,
}

impl IntakeTab {
    /// From the query string (`verify` when absent or unknown).
    pub fn parse(raw: &str) -> IntakeTab {
        match raw {
            "unmatched" => IntakeTab::Unmatched,
            "failed" => IntakeTab::Failed,
            "all" => IntakeTab::All,
            _ => IntakeTab::Verify,
        }
    }
}

/// What waits for staff at the intake.
pub async fn counts(st: &AppState, who: &Actor) -> Result<IntakeCounts, AppError> {
    who.require_staff()?;
    let (to_verify, unmatched, failed_this_week) =
        store::waiting_counts(&st.db, st.now() - Duration::days(7)).await?;
    Ok(IntakeCounts {
        to_verify,
        unmatched,
        failed_this_week,
    })
}

/// One list of the intake page, a page at a time after cursor `after`.
pub async fn list(
    st: &AppState,
    who: &Actor,
    tab: IntakeTab,
    after: Option<i64>,
) -> Result<IntakeListView, AppError> {
    let counts = counts(st, who).await?;
    let mut view = IntakeListView {
        counts,
        pending: Vec::new(),
        unmatched: Vec::new(),
        intakes: Vec::new(),
        next: None,
    };
    match tab {
        IntakeTab::Verify => {
            let mut rows = store::pending_page(&st.db, after, PAGE + 1).await?;
            if rows.len() as i64 > PAGE {
                rows.truncate(PAGE as usize);
                view.next = rows.last().map(|r| r.id);
            }
            view.pending = rows
                .into_iter()
                .map(|r| pending_row(&r, st.now(), &who.zone))
                .collect::<Result<_, _>>()?;
        }
        IntakeTab::Unmatched => {
            let mut rows = store::unmatched_page(&st.db, after, PAGE + 1).await?;
            if rows.len() as i64 > PAGE {
                rows.truncate(PAGE as usize);
                view.next = rows.last().map(|r| r.id);
            }
            view.unmatched = rows
                .iter()
                .map(|r| event_view(r, &who.zone))
                .collect::<Result<_, _>>()?;
        }
        IntakeTab::Failed | IntakeTab::All => {
            let mut rows =
                store::intakes_page(&st.db, tab == IntakeTab::Failed, after, PAGE + 1).await?;
            if rows.len() as i64 > PAGE {
                rows.truncate(PAGE as usize);
                view.next = rows.last().map(|r| r.id);
            }
            view.intakes = rows
                .iter()
                .map(|r| intake_row(r, &who.zone))
                .collect::<Result<_, _>>()?;
        }
    }
    Ok(view)
}

fn intake_row(r: &IntakeRow, zone: &Zone) -> Result<IntakeRowView, AppError> {
    let format: ReportFormat = r.format.parse().map_err(corrupt)?;
    Ok(IntakeRowView {
        id: r.id,
        reference: reference(format, r.id),
        received_text: zone.show(r.received_at),
        channel: r.channel.parse().map_err(corrupt)?,
        format,
        status: r.status.parse().map_err(corrupt)?,
        failure: r.failure.clone(),
        reporter: r.reporter.clone(),
        event_count: r.event_count,
    })
}

fn event_view(r: &EventRow, zone: &Zone) -> Result<EventView, AppError> {
    let format: ReportFormat = r.format.parse().map_err(corrupt)?;
    Ok(EventView {
        id: r.id,
        report: (reference(format, r.intake_id), r.intake_id),
        source: r.source.clone(),
        occurred_text: zone.show(r.occurred_at),
        category: r.category.parse().map_err(corrupt)?,
        incidents: r.incidents,
        detail: r.detail.clone(),
        state: r.state.parse().map_err(corrupt)?,
        holder: match (
            &r.organisation_name,
            r.service_id,
            &r.service_label,
            &r.block,
        ) {
            (Some(o), Some(s), Some(l), Some(b)) => Some((o.clone(), s, l.clone(), b.clone())),
            _ => None,
        },
        notice_id: r.notice_id,
        pending_id: r.pending_id,
        decision_reason: r.decision_reason.clone(),
    })
}

fn pending_row(
    r: &store::PendingRow,
    now: OffsetDateTime,
    zone: &Zone,
) -> Result<PendingRowView, AppError> {
    let category: NoticeCategory = r.category.parse().map_err(corrupt)?;
    let waited = (now - r.created_at).whole_seconds().max(0) as u64;
    Ok(PendingRowView {
        id: r.id,
        organisation: r.organisation_name.clone(),
        service: (r.service_id, r.service_label.clone()),
        category,
        high_risk: category.high_risk_by_default(),
        event_count: r.event_count,
        span_text: if r.first_seen_at == r.last_seen_at {
            zone.show(r.first_seen_at)
        } else {
            format!(
                "{} – {}",
                zone.show(r.first_seen_at),
                zone.show(r.last_seen_at)
            )
        },
        waiting_text: format!(
            "since {} ({})",
            zone.show(r.created_at),
            crate::domain::time_format::wait_in_words(waited)
        ),
    })
}

/// One report, whole (staff).
pub async fn intake(st: &AppState, who: &Actor, id: i64) -> Result<IntakeView, AppError> {
    who.require_staff()?;
    let row = store::intake(&st.db, id).await?.ok_or(AppError::NotFound)?;
    let kept: Vec<(String, String)> = serde_json::from_str(&row.kept_fields).unwrap_or_default();
    let events = store::events_of_intake(&st.db, id)
        .await?
        .iter()
        .map(|r| event_view(r, &who.zone))
        .collect::<Result<_, _>>()?;
    Ok(IntakeView {
        row: intake_row(&row, &who.zone)?,
        external_id: row.external_id,
        byte_count: row.byte_count,
        sha256: row.sha256,
        kept,
        description: row.description,
        received_by: row.received_by_email,
        client_address: row.client_address,
        events,
    })
}

/// The most events shown on a waiting case's page.
const EVENTS_SHOWN: i64 = 200;

/// A case waiting for verification, whole (staff).
pub async fn pending(st: &AppState, who: &Actor, id: i64) -> Result<PendingView, AppError> {
    who.require_staff()?;
    let row = store::pending(&st.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let events: Vec<EventView> = store::events_of_pending(&st.db, id, EVENTS_SHOWN)
        .await?
        .iter()
        .map(|r| event_view(r, &who.zone))
        .collect::<Result<_, _>>()?;
    let view_row = pending_row(&row, st.now(), &who.zone)?;
    let reports: std::collections::BTreeSet<&str> =
        events.iter().map(|e| e.report.0.as_str()).collect();
    let suggested_summary = format!(
        "{} {} incident(s) from {} reported between {} and {} ({} report(s): {}).",
        row.event_count,
        view_row.category.label().to_lowercase(),
        row.service_label,
        utc(row.first_seen_at),
        utc(row.last_seen_at),
        reports.len(),
        reports
            .iter()
            .take(5)
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    );
    let suggested_source = if view_row.category == NoticeCategory::Blacklisting {
        NoticeSource::BlacklistListing
    } else {
        NoticeSource::ThirdPartyReport
    };
    let open_notice = if row.state == "needs_verification" {
        store::open_notice_id(&st.db, ServiceId(row.service_id), view_row.category).await?
    } else {
        None
    };
    Ok(PendingView {
        state: row.state.clone(),
        notice_id: row.notice_id,
        open_notice,
        decision: match (&row.decided_by_email, row.decided_at, &row.decision_reason) {
            (Some(by), Some(at), Some(why)) => Some((by.clone(), who.zone.show(at), why.clone())),
            _ => None,
        },
        row: view_row,
        events,
        suggested_summary,
        suggested_source,
    })
}

/// What staff enter to verify a waiting case.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The source of the reports.
    pub source: NoticeSource,
    /// What was observed (no message content).
    pub summary: String,
    /// How the reports were verified.
    pub verification_note: String,
    /// Mark high-risk (§5 categories are anyway).
    pub high_risk: bool,
}

/// Verifies a waiting case: a notice opens with its events (the customer's 48 hours start), in
/// one transaction; `Conflict` when someone decided first.
pub async fn verify(st: &AppState, who: &Actor, id: i64, v: Verification) -> Result<i64, AppError> {
    who.require_staff()?;
    let row = store::pending(&st.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.state != "needs_verification" {
        return Err(AppError::Conflict("This case was decided already.".into()));
    }
    let category: NoticeCategory = row.category.parse().map_err(corrupt)?;
    let label = crate::server::usecase::audit::actor_label(st, who).await?;
    if let Some(notice) = verify_into_open_notice(st, who, &label, &row, category, &v).await? {
        return Ok(notice);
    }
    let form = crate::server::usecase::notices::OpenNotice {
        service: ServiceId(row.service_id),
        ips: Vec::new(),
        category,
        source: v.source,
        high_risk: v.high_risk,
        summary: v.summary,
        event_count: row.event_count,
        first_seen_at: row.first_seen_at,
        last_seen_at: row.last_seen_at,
        verification_note: v.verification_note,
        shorter_deadline: None,
    };
    let (staff, mut new, service_label) =
        crate::server::usecase::notices::prepare_notice(st, who, form).await?;
    let mut tx = st.db.begin_write().await?;
    tx.take_turn(TurnKey::Reports).await?;
    // The count may have grown since it was read: the case's events as they stand now.
    let now_row = store::pending(&st.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    new.event_count = now_row.event_count;
    new.first_seen_at = now_row.first_seen_at;
    new.last_seen_at = now_row.last_seen_at;
    // The addresses the reports named, where the service still holds them; else all of its own.
    let named: Vec<String> = store::blocks_of_pending_in_tx(&mut tx, id)
        .await?
        .into_iter()
        .filter(|b| new.ips.contains(b))
        .collect();
    if !named.is_empty() {
        new.ips = named;
    }
    let notice = crate::server::usecase::notices::open_in_tx(
        &mut tx,
        st,
        staff,
        &label,
        &new,
        &service_label,
    )
    .await?;
    let level = st.config.reports.escalation.level(new.event_count) as i64;
    if level > 0 {
        store::set_escalation(&mut tx, notice, level).await?;
    }
    let why = format!("Verified into notice #{notice}.");
    if !store::decide_pending(&mut tx, id, Some(notice), who.user_id, &why, st.now()).await? {
        return Err(AppError::Conflict("This case was decided already.".into()));
    }
    tx.commit().await?;
    tracing::info!(pending = id, notice, "reported case verified");
    Ok(notice)
}

/// Verifies waiting case `row` into the notice open for its service and category, if there is
/// one (its events came through a channel that could not vouch for them): they are added to
/// that notice, with the verification note in its trail. `None` when no notice is open.
async fn verify_into_open_notice(
    st: &AppState,
    who: &Actor,
    label: &str,
    row: &store::PendingRow,
    category: NoticeCategory,
    v: &Verification,
) -> Result<Option<i64>, AppError> {
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    tx.take_turn(TurnKey::Reports).await?;
    let Some(open) = store::open_notice_for(&mut tx, ServiceId(row.service_id), category).await?
    else {
        return Ok(None);
    };
    // The same rule, in the same words, as for a notice opened from the case.
    let note = crate::server::usecase::audit::written_reason(
        "verification_note",
        &v.verification_note,
        "Record how the report was verified",
    )?;
    let note = note.as_str();
    // The case's events as they stand now (more may have joined since the page was read).
    let now_row = store::pending(&st.db, row.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let blocks = store::blocks_of_pending_in_tx(&mut tx, row.id).await?;
    let what = format!(
        "{} reported event(s) verified by the abuse desk and added ({})",
        now_row.event_count, note
    );
    grow_open_notice(
        &mut tx,
        st,
        open,
        now_row.event_count,
        (now_row.first_seen_at, now_row.last_seen_at),
        &blocks,
        label,
        &what,
        now,
    )
    .await?;
    let why = format!("Verified into open notice #{}.", open.0);
    if !store::decide_pending(&mut tx, row.id, Some(open.0), who.user_id, &why, now).await? {
        return Err(AppError::Conflict("This case was decided already.".into()));
    }
    tx.commit().await?;
    tracing::info!(
        pending = row.id,
        notice = open.0,
        "reported case verified into an open notice"
    );
    Ok(Some(open.0))
}

/// Dismisses a waiting case with a reason (the reports were wrong); its events stay recorded.
pub async fn dismiss(st: &AppState, who: &Actor, id: i64, reason: &str) -> Result<(), AppError> {
    who.require_staff()?;
    let reason =
        crate::server::usecase::audit::written_reason("reason", reason, "Write the reason")?
            .into_string();
    let label = crate::server::usecase::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    tx.take_turn(TurnKey::Reports).await?;
    if !store::decide_pending(&mut tx, id, None, who.user_id, &reason, st.now()).await? {
        return Err(AppError::Conflict(
            "This case was decided already, or does not exist.".into(),
        ));
    }
    crate::server::usecase::audit::record_provider(
        st,
        &mut tx,
        &label,
        "reported_case_dismissed",
        &format!("Reported case #{id} dismissed: {reason}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Matches an unmatched event again after the inventory was corrected: to the service that
/// held its address then, or else to the one that holds it now (staff ask for it knowingly);
/// `Conflict` when none does, or the event was handled already.
pub async fn rematch(st: &AppState, who: &Actor, id: i64) -> Result<EventState, AppError> {
    who.require_staff()?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    tx.take_turn(TurnKey::Reports).await?;
    let (intake, source, occurred_at, category, incidents, detail) =
        store::lock_unmatched(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::Conflict("This event was handled already.".into()))?;
    let intake_row = store::intake(&st.db, intake).await?;
    let vouched = intake_row
        .as_ref()
        .and_then(|r| r.channel.parse::<IntakeChannel>().ok())
        .is_some_and(IntakeChannel::vouches_for_sender);
    let format = intake_row.map(|r| r.format).unwrap_or_default();
    let event = ReportedEvent {
        ip: source.parse().ok(),
        source,
        occurred_at,
        category: category.parse().map_err(corrupt)?,
        incidents,
        detail,
    };
    let format: ReportFormat = format.parse().unwrap_or(ReportFormat::Unknown);
    // Who held the address then; else (the inventory learnt of it only now) who holds it now:
    // staff decide that by asking.
    let mut holder = None;
    if let Some(ip) = event.ip {
        let key = address_key(ip);
        holder = inventory::holder_at_in_tx(&mut tx, &key, event.occurred_at.min(now)).await?;
        if holder.is_none() {
            holder = inventory::holder_at_in_tx(&mut tx, &key, now).await?;
        }
    }
    let Some(held) = holder else {
        return Err(AppError::Conflict(format!(
            "No service holds {} now, nor held it at {}: add the address to the inventory first, or dismiss the event.",
            event.source,
            utc(event.occurred_at)
        )));
    };
    let routed = route_to(
        &mut tx,
        st,
        &reference(format, intake),
        &event,
        &held,
        vouched,
        now,
    )
    .await?;
    store::resolve_event(
        &mut tx,
        id,
        &store::Resolution {
            state: routed.state,
            holder: routed.holder.as_ref().map(|(o, s, b)| (*o, *s, b.as_str())),
            notice: routed.notice,
            pending: routed.pending,
            decided: Some((who.user_id, "Matched again by hand.")),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(routed.state)
}

/// Dismisses an unmatched event with a reason (not the provider's address, a wrong report).
pub async fn dismiss_event(
    st: &AppState,
    who: &Actor,
    id: i64,
    reason: &str,
) -> Result<(), AppError> {
    who.require_staff()?;
    let reason =
        crate::server::usecase::audit::written_reason("reason", reason, "Write the reason")?
            .into_string();
    let mut tx = st.db.begin_write().await?;
    if store::lock_unmatched(&mut tx, id).await?.is_none() {
        return Err(AppError::Conflict("This event was handled already.".into()));
    }
    store::resolve_event(
        &mut tx,
        id,
        &store::Resolution {
            state: EventState::Dismissed,
            holder: None,
            notice: None,
            pending: None,
            decided: Some((who.user_id, &reason)),
        },
        st.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The reported events of a notice, newest first (staff: the case page).
pub async fn events_of_notice(
    st: &AppState,
    who: &Actor,
    notice: i64,
) -> Result<Vec<EventView>, AppError> {
    who.require_staff()?;
    store::events_of_notice(&st.db, notice, EVENTS_SHOWN)
        .await?
        .iter()
        .map(|r| event_view(r, &who.zone))
        .collect()
}
