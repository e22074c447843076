//! A report taken in: read (or kept as failed, with the reason), each of its events matched by
//! source address to the service that held it at the time, then added to the open case of that
//! service and category or gathered into a case that waits for staff to verify it.

use super::corrupt;
use crate::domain::audit::to_hex;
use crate::domain::ids::{OrgId, ServiceId, UserId};
use crate::domain::inventory::address_key;
use crate::domain::report::{
    self, reference, EventState, IntakeChannel, IntakeStatus, ReportFormat, ReportedEvent,
};
use crate::domain::time_format::utc;
use crate::error::AppError;
use crate::server::db::reports::{self as store, NewEvent, NewIntake};
use crate::server::db::{inventory, TurnKey, Tx};
use crate::server::intake::{parse_report, BodyKind, ParsedReport};
use crate::server::state::AppState;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

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
pub(super) async fn record(
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
pub(super) struct Routed {
    /// What became of the event.
    pub(super) state: EventState,
    /// The organisation, service and service label that held the address, if any.
    pub(super) holder: Option<(OrgId, ServiceId, String)>,
    /// The open case it was added to.
    pub(super) notice: Option<i64>,
    /// The case waiting for verification it joined.
    pub(super) pending: Option<i64>,
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
pub(super) async fn grow_open_notice(
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
    crate::server::usecase::audit::record_case(
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
        crate::server::usecase::audit::record_case(
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
pub(super) async fn route_to(
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
