//! The audit trails in use cases: one helper that writes an entry in the transaction of the change
//! it records, and checking every sealed trail at once (for operators: `portal audit verify`).

use crate::error::AppError;
use crate::server::db::audit::{self, Trail};
use crate::server::db::notices;
use crate::server::state::AppState;

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
    tx: &mut crate::server::db::Tx,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<(), AppError> {
    audit::append_provider(
        tx,
        &st.audit_keys,
        st.now(),
        audit::AuditEvent {
            actor,
            action,
            detail,
        },
    )
    .await?;
    Ok(())
}
