//! Report intake: a report read (or kept as failed, with the reason), each of its events matched
//! by source address to the service that held it at the time, then added to the open case of
//! that service and category (its verified events grow, escalation follows) or gathered into a
//! case that waits for staff to verify it; events nobody held go to the triage list. Staff
//! verify or dismiss waiting cases and match or dismiss unmatched events. The public forms
//! (`/report`, `/report/dsa`) come in here too.

use crate::domain::actor::Actor;
use crate::domain::audit::to_hex;
use crate::domain::ids::{OrgId, ServiceId, UserId};
use crate::domain::inventory::address_key;
use crate::domain::notice::{NoticeCategory, NoticeSource};
use crate::domain::report::{
    self, reference, EventState, IntakeChannel, IntakeStatus, ReportFormat, ReportedEvent,
};
use crate::domain::time_format::utc;
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::server::db::reports::{self as store, EventRow, IntakeRow, NewEvent, NewIntake};
use crate::server::db::{inventory, TurnKey, Tx};
use crate::server::intake::{parse_report, BodyKind, ParsedReport};
use crate::server::state::AppState;
use crate::views::reports::*;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// Who or what handed a report in.
#[derive(Debug, Clone)]
pub struct Received {
    /// The channel.
    pub channel: IntakeChannel,
    /// The admin behind the API token or the command, if any.
    pub by: Option<UserId>,
    /// The client's address (public forms).
    pub client_address: Option<String>,
}

/// What became of a report, as the API answers and `portal ingest` prints.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IntakeOutcome {
    /// The intake's id.
    pub id: i64,
    /// `AR-000042`.
    pub reference: String,
    /// Accepted or failed.
    pub status: IntakeStatus,
    /// Why it failed.
    pub failure: Option<String>,
    /// The same report (same identifier, same reporter) was received before as this intake:
    /// nothing was recorded or counted again.
    pub duplicate_of: Option<i64>,
    /// Where each event went.
    pub events: Vec<EventOutcome>,
}

/// Where one event went.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EventOutcome {
    /// The source.
    pub source: String,
    /// Its state.
    pub state: EventState,
    /// The open notice it was added to.
    pub notice_id: Option<i64>,
    /// The case waiting for verification it joined.
    pub pending_id: Option<i64>,
}

/// Takes a report in: parses it and records it with its events (one transaction), or records
/// it as failed with the reason. Only a database failure is an `Err`; an unreadable report is an
/// outcome with `status: failed`.
pub async fn ingest(
    st: &AppState,
    received: &Received,
    bytes: &[u8],
    kind: BodyKind,
) -> Result<IntakeOutcome, AppError> {
    let now = st.now();
    let sha256 = to_hex(&Sha256::digest(bytes));
    match parse_report(bytes, kind, now) {
        Ok(report) => record(st, received, &report, bytes.len(), &sha256, None, now).await,
        Err(e) => {
            let failure = e.to_string();
            let kept = crate::server::intake::outer_headers(bytes);
            let sender = kept
                .iter()
                .find(|(name, _)| name == "From")
                .map(|(_, value)| value.clone());
            let mut tx = st.db.begin_write().await?;
            let id = store::insert_intake(
                &mut tx,
                &NewIntake {
                    received_at: now,
                    channel: received.channel,
                    format: ReportFormat::Unknown,
                    failure: Some(&failure),
                    reporter: sender.as_deref(),
                    external_id: None,
                    byte_count: bytes.len() as i64,
                    sha256: &sha256,
                    kept_fields: &kept_json(&kept),
                    description: None,
                    received_by: received.by,
                    client_address: received.client_address.as_deref(),
                    event_count: 0,
                },
            )
            .await?;
            tx.commit().await?;
            tracing::warn!(intake = id, reason = %failure, "report could not be read");
            Ok(IntakeOutcome {
                id,
                reference: reference(ReportFormat::Unknown, id),
                status: IntakeStatus::Failed,
                failure: Some(failure),
                duplicate_of: None,
                events: Vec::new(),
            })
        }
    }
}

fn kept_json(kept: &[(String, String)]) -> String {
    serde_json::to_string(kept).unwrap_or_else(|_| "[]".into())
}

/// Records a report that was read, and routes its events.
async fn record(
    st: &AppState,
    received: &Received,
    report: &ParsedReport,
    byte_count: usize,
    sha256: &str,
    description: Option<&str>,
    now: OffsetDateTime,
) -> Result<IntakeOutcome, AppError> {
    let mut tx = st.db.begin_write().await?;
    tx.take_turn(TurnKey::Reports).await?;
    if let Some(external_id) = &report.external_id {
        if let Some((earlier, format)) =
            store::same_report_in_tx(&mut tx, external_id, report.reporter.as_deref()).await?
        {
            let format: ReportFormat = format.parse().map_err(corrupt)?;
            return Ok(IntakeOutcome {
                id: earlier,
                reference: reference(format, earlier),
                status: IntakeStatus::Accepted,
                failure: None,
                duplicate_of: Some(earlier),
                events: Vec::new(),
            });
        }
    }
    let id = store::insert_intake(
        &mut tx,
        &NewIntake {
            received_at: now,
            channel: received.channel,
            format: report.format,
            failure: None,
            reporter: report.reporter.as_deref(),
            external_id: report.external_id.as_deref(),
            byte_count: byte_count as i64,
            sha256,
            kept_fields: &kept_json(&report.kept),
            description,
            received_by: received.by,
            client_address: received.client_address.as_deref(),
            event_count: report.events.len() as i64,
        },
    )
    .await?;
    let reference = reference(report.format, id);
    let mut events = Vec::with_capacity(report.events.len());
    let stated: Vec<i64> = report.events.iter().map(|e| e.incidents).collect();
    let counted = report::counted_incidents(&stated);
    let vouched = received.channel.vouches_for_sender();
    for (event, counted) in report.events.iter().zip(counted) {
        let event = &counted_event(event, counted);
        let routed = route(&mut tx, st, &reference, event, vouched, now).await?;
        let (notice, pending) = (routed.notice, routed.pending);
        store::insert_event(
            &mut tx,
            &NewEvent {
                intake: id,
                source: &event.source,
                occurred_at: event.occurred_at.min(now),
                category: event.category,
                incidents: event.incidents,
                detail: &event.detail,
                state: routed.state,
                holder: routed.holder.as_ref().map(|(o, s, b)| (*o, *s, b.as_str())),
                notice,
                pending,
            },
        )
        .await?;
        events.push(EventOutcome {
            source: event.source.clone(),
            state: routed.state,
            notice_id: notice,
            pending_id: pending,
        });
    }
    tx.commit().await?;
    tracing::info!(intake = id, events = events.len(), "report taken in");
    Ok(IntakeOutcome {
        id,
        reference,
        status: IntakeStatus::Accepted,
        failure: None,
        duplicate_of: None,
        events,
    })
}

/// `event` counting `counted` incidents: when that is fewer than it stated, its detail says so.
fn counted_event(event: &ReportedEvent, counted: i64) -> ReportedEvent {
    let mut event = event.clone();
    if counted < event.incidents {
        event.detail = format!(
            "{} (the report stated {} incidents; {counted} counted)",
            event.detail, event.incidents
        );
        event.incidents = counted;
    }
    event
}

/// Where an event goes.
struct Routed {
    state: EventState,
    holder: Option<(OrgId, ServiceId, String)>,
    notice: Option<i64>,
    pending: Option<i64>,
}

/// Matches an event to the service that held its address at the time and adds it to the open
/// case of that service and category when its channel `vouched` for the sender, or else to the
/// case waiting for verification (made if none).
async fn route(
    tx: &mut Tx,
    st: &AppState,
    reference: &str,
    event: &ReportedEvent,
    vouched: bool,
    now: OffsetDateTime,
) -> Result<Routed, AppError> {
    let at = event.occurred_at.min(now);
    let holder = match event.ip {
        Some(ip) => inventory::holder_at_in_tx(tx, &address_key(ip), at).await?,
        None => None,
    };
    match holder {
        Some(held) => route_to(tx, st, reference, event, &held, vouched, now).await,
        None => Ok(Routed {
            state: EventState::Unmatched,
            holder: None,
            notice: None,
            pending: None,
        }),
    }
}

/// Adds `incidents` verified events, seen within `seen` from `blocks`, to the open notice
/// `open` (its id, event count and escalation level, as `store::open_notice_for` read them),
/// with its trail entries: `actor` added them, `what` says from where.
#[allow(clippy::too_many_arguments)]
async fn grow_open_notice(
    tx: &mut Tx,
    st: &AppState,
    open: (i64, i64, i64),
    incidents: i64,
    seen: (OffsetDateTime, OffsetDateTime),
    blocks: &[String],
    actor: &str,
    what: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let (notice, before, level) = open;
    let rules = &st.config.reports.escalation;
    let after = before + incidents;
    let new_level = (rules.level(after) as i64).max(level);
    store::grow_notice(
        tx, notice, incidents, seen.0, seen.1, blocks, new_level, now,
    )
    .await?;
    super::audit::record_case(
        st,
        tx,
        notice,
        now,
        actor,
        "events_added",
        &format!("{what}: {after} verified event(s) now."),
    )
    .await?;
    if let Some(threshold) = rules
        .threshold(new_level as usize)
        .filter(|_| new_level > level)
    {
        super::audit::record_case(
            st,
            tx,
            notice,
            now,
            "system",
            "escalated",
            &format!("Escalated: {threshold} verified events reached (level {new_level})."),
        )
        .await?;
    }
    Ok(())
}

/// Adds an event to the open case of the service `held` names when the channel `vouched` for
/// its sender; otherwise, or when no case is open, to the service's case waiting for
/// verification.
async fn route_to(
    tx: &mut Tx,
    st: &AppState,
    reference: &str,
    event: &ReportedEvent,
    held: &crate::server::db::inventory::AssignmentRow,
    vouched: bool,
    now: OffsetDateTime,
) -> Result<Routed, AppError> {
    let at = event.occurred_at.min(now);
    let (org, service) = (OrgId(held.organisation_id), ServiceId(held.service_id));
    let holder = Some((org, service, held.block.clone()));
    let open = if vouched {
        store::open_notice_for(tx, service, event.category).await?
    } else {
        None
    };
    if let Some(open) = open {
        let notice = open.0;
        let what = format!(
            "{} reported event(s) added from {reference} ({} from {} at {})",
            event.incidents,
            event.detail,
            event.source,
            utc(at)
        );
        grow_open_notice(
            tx,
            st,
            open,
            event.incidents,
            (at, at),
            std::slice::from_ref(&held.block),
            "system",
            &what,
            now,
        )
        .await?;
        return Ok(Routed {
            state: EventState::AddedToCase,
            holder,
            notice: Some(notice),
            pending: None,
        });
    }
    let pending = match store::live_pending(tx, service, event.category).await? {
        Some(id) => {
            store::grow_pending(tx, id, event.incidents, at, now).await?;
            id
        }
        None => {
            store::insert_pending(tx, org, service, event.category, event.incidents, at, now)
                .await?
        }
    };
    Ok(Routed {
        state: EventState::NeedsVerification,
        holder,
        notice: None,
        pending: Some(pending),
    })
}

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

fn corrupt(e: crate::domain::names::UnknownName) -> AppError {
    crate::server::errors::internal(e)
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
    let label = super::audit::actor_label(st, who).await?;
    if let Some(notice) = verify_into_open_notice(st, who, &label, &row, category, &v).await? {
        return Ok(notice);
    }
    let form = super::notices::OpenNotice {
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
    let (staff, mut new, service_label) = super::notices::prepare_notice(st, who, form).await?;
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
    let notice =
        super::notices::open_in_tx(&mut tx, st, staff, &label, &new, &service_label).await?;
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
    let note = super::audit::written_reason(
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
    let reason = super::audit::written_reason("reason", reason, "Write the reason")?.into_string();
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    tx.take_turn(TurnKey::Reports).await?;
    if !store::decide_pending(&mut tx, id, None, who.user_id, &reason, st.now()).await? {
        return Err(AppError::Conflict(
            "This case was decided already, or does not exist.".into(),
        ));
    }
    super::audit::record_provider(
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
    let reason = super::audit::written_reason("reason", reason, "Write the reason")?.into_string();
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

// ----- the public forms -----

const FORM_PURPOSE: &[u8] = b"public report form";

/// A ticket for a public form shown now: the time and a random number, signed, so that neither
/// can be forged; with what was typed into the form when it was last refused (`draft`), to show
/// again. A ticket carries one report: it is used up when the report is accepted.
pub fn form_ticket(st: &AppState, draft: Vec<(String, String)>) -> FormTicket {
    let shown = st.now().unix_timestamp();
    let nonce = to_hex(&rand::random::<[u8; 12]>());
    FormTicket {
        ticket: format!("{shown}.{nonce}.{}", ticket_mac(st, shown, &nonce)),
        draft,
    }
}

fn ticket_mac(st: &AppState, shown: i64, nonce: &str) -> String {
    let mut input = shown.to_be_bytes().to_vec();
    input.extend_from_slice(nonce.as_bytes());
    to_hex(&st.audit_keys.current().derive(FORM_PURPOSE, &input)[..16])
}

/// A genuine ticket: when its form was shown, and its random number.
struct Ticket {
    shown: OffsetDateTime,
    nonce: String,
}

/// The ticket, if it is genuine.
fn read_ticket(st: &AppState, ticket: &str) -> Option<Ticket> {
    let mut parts = ticket.split('.');
    let (shown, nonce, mac) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || nonce.len() != 24 || !nonce.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    let shown: i64 = shown.parse().ok()?;
    let expected = ticket_mac(st, shown, nonce);
    let same = expected.len() == mac.len()
        && expected
            .bytes()
            .zip(mac.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same.then(|| {
        OffsetDateTime::from_unix_timestamp(shown)
            .ok()
            .map(|shown| Ticket {
                shown,
                nonce: nonce.to_owned(),
            })
    })
    .flatten()
}

/// The hour `now` falls in, for the rate limits' windows.
fn hour_of(now: OffsetDateTime) -> OffsetDateTime {
    now.replace_minute(0)
        .and_then(|t| t.replace_second(0))
        .unwrap_or(now)
}

/// Checks the anti-spam measure of a public form and its rate limits: per client address key
/// (IPv6 by /64, see `domain::throttle::address_key`), and for every client together.
async fn admit_form(
    st: &AppState,
    ticket: &str,
    trap: &str,
    client: &str,
) -> Result<Ticket, AppError> {
    let now = st.now();
    let ticket = read_ticket(st, ticket).ok_or_else(|| {
        AppError::invalid(
            "ticket",
            "The form could not be checked; reload the page and send it again.",
        )
    })?;
    report::form_sent_by_a_person(ticket.shown, now, trap)
        .map_err(|m| AppError::invalid("ticket", m))?;
    let window = hour_of(now);
    let retry = || AppError::RateLimited {
        retry_after_s: (window + Duration::hours(1) - now).whole_seconds().max(1) as u64,
    };
    let hits = store::hit(&st.db, &format!("report-form:{client}"), window).await?;
    if hits > st.config.reports.form_per_hour {
        return Err(retry());
    }
    let everyone = store::hit(&st.db, "report-form-all", window).await?;
    if everyone > st.config.reports.form_global_per_hour {
        tracing::warn!(hits = everyone, "the public forms' hourly cap is reached");
        return Err(retry());
    }
    Ok(ticket)
}

/// Uses up a form's ticket as its report is accepted: a second report with the same ticket is
/// refused (the form must be loaded again), however fast it follows.
async fn use_up(st: &AppState, ticket: &Ticket) -> Result<(), AppError> {
    let uses = store::hit(
        &st.db,
        &format!("report-ticket:{}", ticket.nonce),
        ticket.shown,
    )
    .await?;
    if uses > 1 {
        return Err(AppError::invalid(
            "ticket",
            "This form was sent already. Load the page again to send another report.",
        ));
    }
    Ok(())
}

fn field_errors(errors: Vec<report::FieldError>) -> AppError {
    AppError::InvalidFields(
        errors
            .into_iter()
            .map(|(field, message)| crate::domain::form::FieldError {
                field: field.to_owned(),
                message,
            })
            .collect(),
    )
}

/// A report from the public form at `/report`: checked, rate-limited, recorded and routed like
/// any report whose sender nobody vouches for (it waits for staff to verify it); the reporter
/// gets a reference number.
pub async fn submit_public_report(
    st: &AppState,
    input: &report::PublicReportInput,
    ticket: &str,
    trap: &str,
    client: &str,
) -> Result<ReportReceipt, AppError> {
    let ticket = admit_form(st, ticket, trap, client).await?;
    let now = st.now();
    let checked = report::public_report(input, now).map_err(field_errors)?;
    use_up(st, &ticket).await?;
    let reporter = if checked.name.is_empty() {
        checked.email.clone()
    } else {
        format!("{} <{}>", checked.name, checked.email)
    };
    let parsed = ParsedReport {
        format: ReportFormat::WebForm,
        reporter: Some(reporter),
        external_id: None,
        kept: vec![
            ("address".into(), checked.event.source.clone()),
            ("category".into(), checked.event.category.label().into()),
            ("occurred_at".into(), utc(checked.event.occurred_at)),
        ],
        events: vec![checked.event],
    };
    let bytes = checked.description.len();
    let sha = to_hex(&Sha256::digest(checked.description.as_bytes()));
    let received = Received {
        channel: IntakeChannel::WebForm,
        by: None,
        client_address: Some(client.to_owned()),
    };
    let outcome = record(
        st,
        &received,
        &parsed,
        bytes,
        &sha,
        Some(&checked.description),
        now,
    )
    .await?;
    Ok(ReportReceipt {
        reference: outcome.reference,
        received_text: utc(now),
    })
}

/// A DSA notice from `/report/dsa` (Art. 16): checked for every element, rate-limited and
/// recorded; when its location names an address the provider holds, it is routed as an event
/// (category fraud: illegal content), else it waits in the triage list.
pub async fn submit_dsa_notice(
    st: &AppState,
    input: &report::DsaNoticeInput,
    ticket: &str,
    trap: &str,
    client: &str,
) -> Result<ReportReceipt, AppError> {
    let ticket = admit_form(st, ticket, trap, client).await?;
    let now = st.now();
    let notice = report::dsa_notice(input).map_err(field_errors)?;
    use_up(st, &ticket).await?;
    let first_location = notice
        .location
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let event = ReportedEvent {
        source: notice
            .ip
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| first_location.chars().take(200).collect()),
        ip: notice.ip,
        occurred_at: now,
        category: NoticeCategory::Fraud,
        incidents: 1,
        detail: "DSA notice (Art. 16): illegal content reported".into(),
    };
    let parsed = ParsedReport {
        format: ReportFormat::DsaNotice,
        reporter: Some(format!("{} <{}>", notice.name, notice.email)),
        external_id: None,
        kept: vec![
            (
                "location".into(),
                notice.location.chars().take(500).collect(),
            ),
            ("good_faith_statement".into(), "confirmed".into()),
        ],
        events: vec![event],
    };
    let sha = to_hex(&Sha256::digest(notice.explanation.as_bytes()));
    let received = Received {
        channel: IntakeChannel::DsaForm,
        by: None,
        client_address: Some(client.to_owned()),
    };
    let outcome = record(
        st,
        &received,
        &parsed,
        notice.explanation.len(),
        &sha,
        Some(&notice.explanation),
        now,
    )
    .await?;
    Ok(ReportReceipt {
        reference: outcome.reference,
        received_text: utc(now),
    })
}

/// Forgets the public forms' rate-limit windows older than a day (the sweeper).
pub async fn forget_old_windows(st: &AppState) -> Result<u64, AppError> {
    Ok(store::forget_windows(&st.db, st.now() - Duration::days(1)).await?)
}
