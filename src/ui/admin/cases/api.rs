//! Server functions of the staff's case pages. Every function requires a staff
//! role; the views carry what only staff may see (verification notes, who did what).

// A server function's arguments are its form's fields, one each; the #[server] macro does not
// pass an item-level allow on to the code it generates.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::views::cases::{CaseQueueView, CaseView, NewCaseOptions};
use leptos::prelude::*;

/// A page of the queue. `status`: a state, `active` (default: every case not finished) or `all`.
#[server(endpoint = "admin/cases/queue")]
pub async fn get_case_queue(
    status: Option<String>,
    category: Option<String>,
    org: Option<i64>,
    kind: Option<String>,
    high_risk: Option<String>,
    after: Option<String>,
) -> Result<CaseQueueView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::notice_views::staff_queue(
        &st, &who, status, category, org, kind, high_risk, after,
    )
    .await
}

/// One case.
#[server(endpoint = "admin/cases/get")]
pub async fn get_case(id: i64) -> Result<CaseView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::notice_views::staff_case(&st, &who, id).await
}

/// A staff decision on a case (a [`StaffDecision`](crate::domain::notice::StaffDecision) by its
/// form value), with the written reason the decision needs.
#[server(endpoint = "admin/cases/decide")]
pub async fn decide_case(id: i64, decision: String, reason: String) -> Result<(), AppError> {
    use crate::domain::notice::StaffDecision;
    let (st, who) = crate::server::state::caller().await?;
    who.require_staff()?;
    let decision = StaffDecision::parse(&decision)
        .ok_or_else(|| AppError::invalid("decision", "Choose one of the decisions offered."))?;
    crate::server::usecase::notices::apply_event(&st, &who, id, decision.event(), &reason).await?;
    Ok(())
}

/// Moves a case's deadline (`datetime-local`, in the caller's time zone), with a reason.
#[server(endpoint = "admin/cases/deadline")]
pub async fn change_case_deadline(
    id: i64,
    deadline: String,
    reason: String,
) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    let at = who.zone.parse_input(&deadline).ok_or_else(|| {
        AppError::invalid("deadline", format!("Enter a date and time ({}).", who.zone))
    })?;
    crate::server::usecase::notices::change_deadline(&st, &who, id, at, &reason).await
}

/// The choices of the new-notice form.
#[server(endpoint = "admin/cases/new_options")]
pub async fn get_new_case_options() -> Result<NewCaseOptions, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::notice_views::new_case_options(&st, &who).await
}

/// Opens a notice (staff); goes to the new case's page.
#[server(endpoint = "admin/cases/open")]
pub async fn open_case(
    service: i64,
    category: String,
    source: String,
    high_risk: Option<String>,
    summary: String,
    event_count: String,
    first_seen: String,
    last_seen: String,
    verification_note: String,
    shorter_deadline: String,
    deadline_reason: String,
) -> Result<(), AppError> {
    use crate::domain::ids::ServiceId;
    use crate::server::usecase::notices::{open_notice, OpenNotice};
    let (st, who) = crate::server::state::caller().await?;
    let time = |field: &str, raw: &str| {
        who.zone.parse_input(raw).ok_or_else(|| {
            AppError::invalid(field, format!("Enter a date and time ({}).", who.zone))
        })
    };
    let shorter = if shorter_deadline.trim().is_empty() {
        None
    } else {
        Some((time("deadline", &shorter_deadline)?, deadline_reason))
    };
    let form = OpenNotice {
        service: ServiceId(service),
        ips: Vec::new(),
        category: category
            .parse()
            .map_err(|_| AppError::invalid("category", "Choose a category."))?,
        source: source
            .parse()
            .map_err(|_| AppError::invalid("source", "Choose where the report came from."))?,
        high_risk: high_risk.is_some(),
        summary,
        event_count: event_count.trim().parse().map_err(|_| {
            AppError::invalid(
                "event_count",
                "Enter the number of verified abuse events (at least 1).",
            )
        })?,
        first_seen_at: time("first_seen", &first_seen)?,
        last_seen_at: time("last_seen", &last_seen)?,
        verification_note,
        shorter_deadline: shorter,
    };
    let id = open_notice(&st, &who, form).await?;
    leptos_axum::redirect(&format!("/admin/cases/{id}"));
    Ok(())
}

/// Starts an enforcement measure on the case's service. `scope_ip` empty: the whole service;
/// `scope_port` empty: every port.
#[server(endpoint = "admin/cases/start_measure")]
pub async fn start_measure(
    id: i64,
    kind: String,
    scope_ip: String,
    scope_port: String,
    reason: String,
    upstream: Option<String>,
    ends_at: String,
) -> Result<(), AppError> {
    use crate::domain::enforcement::Scope;
    use crate::server::usecase::enforcement::{start, StartMeasure};
    let (st, who) = crate::server::state::caller().await?;
    let ip = Some(scope_ip.trim().to_owned()).filter(|s| !s.is_empty());
    let port = match scope_port.trim() {
        "" => None,
        p => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| AppError::invalid("scope_port", "Enter a port from 1 to 65535."))?,
        ),
    };
    let scope = match (port, ip) {
        (Some(port), ip) => Scope::Port { port, ip },
        (None, Some(ip)) => Scope::Ip(ip),
        (None, None) => Scope::Service,
    };
    let ends_at = match ends_at.trim() {
        "" => None,
        raw => Some(who.zone.parse_input(raw).ok_or_else(|| {
            AppError::invalid("ends_at", format!("Enter a date and time ({}).", who.zone))
        })?),
    };
    let measure = StartMeasure {
        kind: kind
            .parse()
            .map_err(|_| AppError::invalid("kind", "Choose a measure."))?,
        scope,
        reason,
        upstream_requested: upstream.is_some(),
        ends_at,
    };
    start(&st, &who, id, measure).await?;
    Ok(())
}

/// Ends a measure now, with a reason.
#[server(endpoint = "admin/cases/end_measure")]
pub async fn end_measure(action_id: i64, end_reason: String) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::enforcement::end(&st, &who, action_id, &end_reason).await
}

/// Adds an internal note (never shown to the customer).
#[server(endpoint = "admin/cases/add_note")]
pub async fn add_case_note(id: i64, note: String) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::notices::add_note(&st, &who, id, &note).await
}
