//! Reactivation (policy §5): a suspended service comes back by itself once its case's evidence
//! is accepted, its invoices settled and no hold is open; staff may hold it, or reactivate now.

use super::reason_text;
use crate::domain::actor::Actor;
use crate::domain::billing::invoice::InvoiceStatus;
use crate::domain::billing::reactivation::{BlockingInvoice, ReactivationFacts};
use crate::domain::enforcement::service_state;
use crate::error::AppError;
use crate::server::db::billing::{self as store, InvoiceRecord};
use crate::server::db::{enforcement, Db, DbError, Tx};
use crate::server::state::AppState;
use time::OffsetDateTime;

/// The conditions of a case's reactivation, read in `tx`.
pub async fn reactivation_facts_in_tx(
    tx: &mut Tx,
    notice_id: i64,
) -> Result<ReactivationFacts, DbError> {
    let invoices = store::for_notice_in_tx(tx, notice_id).await?;
    Ok(ReactivationFacts {
        evidence_accepted: store::evidence_accepted_in_tx(tx, notice_id).await?,
        invoices: blocking(&invoices),
        hold: store::open_hold_in_tx(tx, notice_id).await?,
    })
}

/// The conditions of a case's reactivation.
pub async fn reactivation_facts(db: &Db, notice_id: i64) -> Result<ReactivationFacts, DbError> {
    let invoices = store::for_notice(db, notice_id).await?;
    Ok(ReactivationFacts {
        evidence_accepted: store::evidence_accepted(db, notice_id).await?,
        invoices: blocking(&invoices),
        hold: store::open_hold(db, notice_id).await?,
    })
}

fn blocking(invoices: &[InvoiceRecord]) -> Vec<BlockingInvoice> {
    invoices
        .iter()
        .filter(|i| i.blocks_reactivation && i.status != InvoiceStatus::Void)
        .map(|i| BlockingInvoice {
            number: i.number.clone(),
            balance: i.totals.balance(),
            settled: matches!(i.status, InvoiceStatus::Paid | InvoiceStatus::Waived),
        })
        .collect()
}

/// Ends the case's suspensions, by the portal, when every reactivation condition is met: run
/// in the transaction of each change that can meet the last one (a payment, a credit, accepted
/// evidence, a released hold, a voided draft). Returns the trail's words when it did.
pub async fn reactivate_if_clear(
    tx: &mut Tx,
    st: &AppState,
    notice_id: i64,
    now: OffsetDateTime,
) -> Result<Option<String>, AppError> {
    let service = crate::server::db::notices::service_of_in_tx(tx, notice_id).await?;
    let actions = enforcement::records_in_tx(tx, service).await?;
    let suspensions = enforcement::suspensions_of(&actions, notice_id, now);
    if suspensions.is_empty() {
        return Ok(None);
    }
    let facts = reactivation_facts_in_tx(tx, notice_id).await?;
    if !facts.clear() {
        return Ok(None);
    }
    let why = format!("Reactivation conditions met: {}.", facts.summary());
    for s in &suspensions {
        enforcement::end_by_portal(tx, s.id, now, &why).await?;
    }
    let (state, measures) = enforcement::measures_in_tx(tx, service).await?;
    let next = service_state(state, &measures, now);
    enforcement::set_service_state(tx, service, next).await?;
    let detail = format!(
        "Suspension ended automatically. {why} Service is {}.",
        next.label().to_lowercase()
    );
    super::super::audit::record_case(
        st,
        tx,
        notice_id,
        now,
        "system",
        "service_reactivated",
        &detail,
    )
    .await?;
    tracing::info!(notice_id, "service reactivated automatically");
    Ok(Some(detail))
}

/// Staff keep a case's service suspended whatever is paid or accepted (`hold`), or release that
/// hold; each with a reason in the case's trail. Releasing may reactivate the service at once.
pub async fn set_hold(
    st: &AppState,
    who: &Actor,
    notice_id: i64,
    hold: bool,
    reason: &str,
) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let reason = reason_text("hold_reason", reason)?;
    let notice = super::super::case_access::get_notice(st, who, notice_id).await?;
    let label = super::super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    if hold {
        match store::insert_hold(&mut tx, staff, notice.id, &reason, who.user_id, now).await {
            Err(DbError::Duplicate) => {
                return Err(AppError::Conflict(
                    "The service is already kept suspended.".into(),
                ))
            }
            other => other?,
        }
    } else if !store::release_hold(&mut tx, staff, notice.id, &reason, who.user_id, now).await? {
        return Err(AppError::Conflict(
            "The service is not kept suspended by hand.".into(),
        ));
    }
    let detail = if hold {
        format!("Service kept suspended by hand until the abuse desk releases it: {reason}")
    } else {
        format!("Hold on reactivation released: {reason}")
    };
    super::super::audit::record_case(
        st,
        &mut tx,
        notice.id,
        now,
        &label,
        if hold {
            "reactivation_held"
        } else {
            "reactivation_hold_released"
        },
        &detail,
    )
    .await?;
    if !hold {
        reactivate_if_clear(&mut tx, st, notice.id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Staff reactivate a case's service by hand, whatever is still owed: every suspension from the
/// case ends now, with the reason in the trail.
pub async fn reactivate_now(
    st: &AppState,
    who: &Actor,
    notice_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let reason = reason_text("reactivate_reason", reason)?;
    let notice = super::super::case_access::get_notice(st, who, notice_id).await?;
    let label = super::super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let actions = enforcement::records_in_tx(&mut tx, notice.service_id).await?;
    let mut ended = 0;
    for a in enforcement::suspensions_of(&actions, notice.id, now) {
        if enforcement::end(&mut tx, staff, a.id, who.user_id, now, &reason).await? {
            ended += 1;
        }
    }
    if ended == 0 {
        return Err(AppError::Conflict(
            "No suspension from this case is in force.".into(),
        ));
    }
    let (state, measures) = enforcement::measures_in_tx(&mut tx, notice.service_id).await?;
    let next = service_state(state, &measures, now);
    enforcement::set_service_state(&mut tx, notice.service_id, next).await?;
    super::super::audit::record_case(
        st,
        &mut tx,
        notice.id,
        now,
        &label,
        "service_reactivated",
        &format!(
            "Suspension ended by hand: {reason}. Service is {}.",
            next.label().to_lowercase()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
