//! The audit trails in use cases: who acts ([`actor_label`]) and why ([`written_reason`]), the
//! two helpers that write an entry in the transaction of the change it records ([`record_case`],
//! [`record_provider`]), and checking every sealed trail at once (`portal audit verify`).

use crate::domain::actor::Actor;
use crate::domain::reason::WrittenReason;
use crate::error::AppError;
use crate::server::db::audit::{self, AuditEvent, Trail};
use crate::server::db::{notices, Tx};
use crate::server::state::AppState;
use time::OffsetDateTime;

/// How a person appears in the audit trail: `email (role)`.
pub async fn actor_label(st: &AppState, who: &Actor) -> Result<String, AppError> {
    let user = crate::server::state::user_row(st, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    Ok(format!("{} ({})", user.email, who.role.as_str()))
}

/// The reason typed in the form field `field`, checked against the one rule for written
/// reasons; refused, the field's error says `ask` ("Write why the measure ends") and the rule.
pub fn written_reason(field: &str, raw: &str, ask: &str) -> Result<WrittenReason, AppError> {
    WrittenReason::parse(raw).map_err(|e| AppError::invalid(field, e.asking(ask)))
}

/// Appends an entry to case `notice_id`'s trail inside `tx`, the transaction of the change it
/// records: the change and its entry commit together or not at all.
pub async fn record_case(
    st: &AppState,
    tx: &mut Tx,
    notice_id: i64,
    at: OffsetDateTime,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<(), AppError> {
    let event = AuditEvent {
        actor,
        action,
        detail,
    };
    audit::append(tx, &st.audit_keys, notice_id, at, event).await?;
    Ok(())
}

/// What [`verify_all`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Case trails checked.
    pub trails: usize,
    /// Entries in the provider-wide log.
    pub provider_entries: usize,
    /// Trails that fail, with what is wrong ("case 12", "provider log").
    pub broken: Vec<(String, String)>,
}

/// Verifies every case's trail and the provider-wide log with the portal's keys.
pub async fn verify_all(st: &AppState) -> Result<VerifyReport, AppError> {
    let mut report = VerifyReport::default();
    for id in notices::all_ids(&st.db).await? {
        report.trails += 1;
        if let Err(e) = audit::verify(&st.db, &st.audit_keys, id).await? {
            report.broken.push((format!("case {id}"), e.to_string()));
        }
    }
    let log = audit::list_trail(&st.db, Trail::Provider).await?;
    report.provider_entries = log.len();
    if let Err(e) = audit::verify_loaded(&st.db, &st.audit_keys, Trail::Provider, &log).await? {
        report
            .broken
            .push(("provider log".to_owned(), e.to_string()));
    }
    Ok(report)
}

/// Appends an entry to the provider-wide log inside `tx`, the transaction of the change it
/// records: the change and its entry commit together or not at all.
pub async fn record_provider(
    st: &AppState,
    tx: &mut Tx,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<(), AppError> {
    let event = AuditEvent {
        actor,
        action,
        detail,
    };
    audit::append_provider(tx, &st.audit_keys, st.now(), event).await?;
    Ok(())
}
