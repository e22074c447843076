//! Abuse cases: opening a notice, reading and listing notices within the caller's scope, the
//! lifecycle events of both sides, deadline changes, and marking overdue cases. Every change is
//! written with its audit entry in one transaction.

mod deadlines;
mod opening;
mod responses;

pub use deadlines::*;
pub use opening::*;
pub use responses::*;

use crate::domain::actor::Actor;
use crate::domain::deadline::DeadlineError;
use crate::error::AppError;
use crate::server::db::notices::{self, ListCursor, NoticeFilter, NoticeRecord};
use crate::server::db::responses as response_store;
use crate::server::state::AppState;

fn deadline_error(field: &str, e: DeadlineError) -> AppError {
    AppError::invalid(field, e.to_string())
}

/// A page of notices within the caller's scope; a customer's filter is always narrowed to their
/// own organisation, whatever it asked for.
pub async fn list_notices(
    st: &AppState,
    who: &Actor,
    mut filter: NoticeFilter,
    after: Option<ListCursor>,
    limit: i64,
) -> Result<Vec<NoticeRecord>, AppError> {
    if let Some(org) = who.reach()?.org_filter() {
        filter.org = Some(org);
    }
    Ok(notices::list(&st.db, &filter, after.as_ref(), limit.clamp(1, 100)).await?)
}

/// Adds an internal note to a case (staff only; never shown to the customer). The audit trail
/// records that a note was added, and staff see its text there; customers see neither.
pub async fn add_note(st: &AppState, who: &Actor, id: i64, body: &str) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 5_000 {
        return Err(AppError::invalid(
            "note",
            "Write a note of 1 to 5,000 characters.",
        ));
    }
    super::case_access::get_notice(st, who, id).await?;
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    response_store::insert_note(&mut tx, staff, id, who.user_id, now, body).await?;
    let detail = format!("Internal note: {body}");
    super::audit::record_case(st, &mut tx, id, now, &label, INTERNAL_NOTE, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// The audit action of internal notes, which customers' views leave out.
pub const INTERNAL_NOTE: &str = "internal_note";

/// Whether a trail entry is for staff only: internal notes, and invoice drafts (not documents
/// until issued).
pub fn staff_only(action: &str) -> bool {
    action == INTERNAL_NOTE || super::billing::STAFF_ONLY_ACTIONS.contains(&action)
}
