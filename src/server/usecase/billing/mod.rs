//! Billing (policy §5 and §6): staff draft an invoice from a case, edit it while a draft and
//! issue it (a gapless number per year, a payment reference, a due date); payments arrive by
//! bank transfer (recorded by staff) or by card (confirmed by Stripe's signed webhook) into an
//! append-only ledger; corrections and waivers are numbered credit notes. After every payment,
//! credit, accepted evidence or released hold, a suspended service comes back by itself when
//! its case's reactivation conditions are all met. Every change is written with its audit
//! entry in one transaction.

mod credits;
mod invoices;
mod payments;
mod reactivation;

pub use credits::*;
pub use invoices::*;
pub use payments::*;
pub use reactivation::*;

use crate::domain::actor::Actor;
use crate::domain::billing::invoice::{self, InvoiceStatus};
use crate::domain::ids::ServiceId;
use crate::error::AppError;
use crate::server::db::billing::{self as store, InvoiceRecord};
use crate::server::db::{enforcement, Db, DbError, Tx};
use crate::server::state::AppState;
use time::OffsetDateTime;

/// Trail actions that only staff see: drafts are not documents yet.
pub const STAFF_ONLY_ACTIONS: [&str; 2] = ["invoice_draft", "invoice_voided"];

/// The written reason of a waiver, a credit note, a void or a hold, from the form field `field`.
fn reason_text(field: &str, raw: &str) -> Result<String, AppError> {
    Ok(super::audit::written_reason(field, raw, "Write a reason")?.into_string())
}

fn invoice_error(e: invoice::InvoiceError) -> AppError {
    AppError::Conflict(e.to_string())
}

/// One invoice within the caller's scope: customers see their organisation's issued invoices
/// (never drafts or void ones); staff see all. Anything else is "not found".
pub async fn get_invoice(st: &AppState, who: &Actor, id: i64) -> Result<InvoiceRecord, AppError> {
    let invoice = store::get(&st.db, id).await?.ok_or(AppError::NotFound)?;
    who.may_access_org(invoice.org_id)?;
    if !who.role.is_provider()
        && matches!(invoice.status, InvoiceStatus::Draft | InvoiceStatus::Void)
    {
        return Err(AppError::NotFound);
    }
    Ok(invoice)
}

async fn lock_invoice(tx: &mut Tx, id: i64) -> Result<InvoiceRecord, AppError> {
    store::lock(tx, id).await?.ok_or(AppError::NotFound)
}

/// Whether a suspension from the case is in force on its service now.
async fn case_suspended(
    db: &Db,
    service: ServiceId,
    notice_id: i64,
    now: OffsetDateTime,
) -> Result<bool, DbError> {
    let actions = enforcement::for_service(db, service).await?;
    Ok(!enforcement::suspensions_of(&actions, notice_id, now).is_empty())
}
