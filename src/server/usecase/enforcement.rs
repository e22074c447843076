//! Starting and ending enforcement measures (staff only). Each is recorded on its case's audit
//! trail, and the service's state follows the measures in force (a suspension suspends it, a
//! termination ends it for good).

use crate::domain::actor::Actor;
use crate::domain::enforcement::{service_state, EnforcementKind, Measure, Scope};
use crate::domain::time_format::utc;
use crate::error::AppError;
use crate::server::db::enforcement::{self, NewAction};
use crate::server::state::AppState;
use time::OffsetDateTime;

/// What staff enter to start a measure.
#[derive(Debug, Clone)]
pub struct StartMeasure {
    /// Kind.
    pub kind: EnforcementKind,
    /// Scope; an IP must be one of the case's service's addresses.
    pub scope: Scope,
    /// Why.
    pub reason: String,
    /// Whether the upstream provider was asked.
    pub upstream_requested: bool,
    /// Planned end, if any.
    pub ends_at: Option<OffsetDateTime>,
}

/// Starts a measure on the service of case `notice_id`.
pub async fn start(
    st: &AppState,
    who: &Actor,
    notice_id: i64,
    m: StartMeasure,
) -> Result<i64, AppError> {
    let staff = who.require_staff()?;
    let notice = super::case_access::get_notice(st, who, notice_id).await?;
    super::audit::written_reason("reason", &m.reason, "Write why the measure is taken")?;
    let ip_ok = |ip: &str| notice.ips.iter().any(|x| x == ip) || ip.is_empty();
    match &m.scope {
        Scope::Ip(ip) | Scope::Port { ip: Some(ip), .. } if !ip_ok(ip) => {
            return Err(AppError::invalid(
                "scope_ip",
                format!("{ip} is not an address of {}.", notice.service_label),
            ))
        }
        _ => {}
    }
    let now = st.now();
    if m.ends_at.is_some_and(|end| end <= now) {
        return Err(AppError::invalid(
            "ends_at",
            "The end must be in the future.",
        ));
    }
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    let (current, _) = enforcement::measures_in_tx(&mut tx, notice.service_id).await?;
    if current == crate::domain::service::ServiceState::Terminated {
        return Err(AppError::Conflict(
            "The service is terminated; no further measures apply.".into(),
        ));
    }
    let action = NewAction {
        service: notice.service_id,
        notice_id: Some(notice_id),
        measure: Measure {
            kind: m.kind,
            scope: m.scope.clone(),
            starts_at: now,
            ends_at: m.ends_at,
        },
        reason: m.reason.trim().to_owned(),
        upstream_requested: m.upstream_requested,
        started_by: Some(who.user_id),
        smtp_request_id: None,
    };
    let id = enforcement::insert(&mut tx, staff, &action).await?;
    let (state, measures) = enforcement::measures_in_tx(&mut tx, notice.service_id).await?;
    let next = service_state(state, &measures, now);
    enforcement::set_service_state(&mut tx, notice.service_id, next).await?;
    let detail = format!(
        "Measure started: {} on {} ({}){}{}. Service is {}.",
        m.kind.label(),
        m.scope.describe(),
        action.reason,
        if m.upstream_requested {
            "; upstream provider asked"
        } else {
            ""
        },
        m.ends_at
            .map(|e| format!("; until {}", utc(e)))
            .unwrap_or_default(),
        next.label().to_lowercase()
    );
    super::audit::record_case(
        st,
        &mut tx,
        notice_id,
        now,
        &label,
        "measure_started",
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Ends a measure now, with a reason; the service's state follows.
pub async fn end(st: &AppState, who: &Actor, action_id: i64, reason: &str) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let action = enforcement::get(&st.db, staff, action_id)
        .await?
        .ok_or(AppError::NotFound)?;
    super::audit::written_reason("end_reason", reason, "Write why the measure ends")?;
    if action.measure.kind == EnforcementKind::Termination {
        return Err(AppError::Conflict("A termination is permanent.".into()));
    }
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let service = crate::domain::ids::ServiceId(action.service_id);
    let mut tx = st.db.begin_write().await?;
    if !enforcement::end(&mut tx, staff, action_id, who.user_id, now, reason.trim()).await? {
        return Err(AppError::Conflict("This measure has already ended.".into()));
    }
    let (state, measures) = enforcement::measures_in_tx(&mut tx, service).await?;
    let next = service_state(state, &measures, now);
    enforcement::set_service_state(&mut tx, service, next).await?;
    let detail = format!(
        "Measure ended: {} on {} ({}). Service is {}.",
        action.measure.kind.label(),
        action.measure.scope.describe(),
        reason.trim(),
        next.label().to_lowercase()
    );
    match action.notice_id {
        Some(notice_id) => {
            super::audit::record_case(
                st,
                &mut tx,
                notice_id,
                now,
                &label,
                "measure_ended",
                &detail,
            )
            .await?;
        }
        None => {
            // A measure of no case (a standing restriction) is recorded in the provider-wide log,
            // named by its service.
            let detail = format!("Service {}: {detail}", action.service_id);
            super::audit::record_provider(st, &mut tx, &label, "measure_ended", &detail).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
