//! Credit notes and waivers: numbered corrections of an issued invoice, each with its reason.

use super::reactivation::reactivate_if_clear;
use super::{invoice_error, lock_invoice, reason_text};
use crate::domain::actor::Actor;
use crate::domain::billing::fees::FeeKind;
use crate::domain::billing::invoice::{self, credit_note_number, CreditKind};
use crate::domain::billing::money::Money;
use crate::error::AppError;
use crate::server::db::billing::{self as store, NewCredit};
use crate::server::state::AppState;

/// What staff credit or waive.
#[derive(Debug, Clone)]
pub enum Credit {
    /// A credit note for an amount, correcting the invoice.
    Note {
        /// The amount, as typed.
        amount: String,
    },
    /// One line waived in full.
    Line(i64),
    /// Whatever is left to pay, waived.
    Rest,
}

/// Staff issue a numbered credit note (a correction, a waived line, or the rest waived) with a
/// written reason. Returns its number.
pub async fn credit(
    st: &AppState,
    who: &Actor,
    id: i64,
    credit: Credit,
    reason: &str,
) -> Result<String, AppError> {
    let staff = who.require_staff()?;
    let reason = reason_text("reason", reason)?;
    let label = super::super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let invoice = lock_invoice(&mut tx, id).await?;
    invoice::ensure_open(invoice.status).map_err(invoice_error)?;
    let currency = invoice.totals.total.currency;
    let (kind, line_id, amount, what) = match credit {
        Credit::Note { amount } => {
            let amount = Money::parse_positive(&amount, currency)
                .map_err(|e| AppError::invalid("amount", e.to_string()))?;
            (
                CreditKind::CreditNote,
                None,
                amount,
                format!("Credit note for {amount}"),
            )
        }
        Credit::Line(line_id) => {
            let (minor, kind, waived) = store::line_in_tx(&mut tx, id, line_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if waived {
                return Err(invoice_error(invoice::InvoiceError::LineAlreadyWaived));
            }
            let kind: FeeKind = kind
                .parse()
                .map_err(|e: crate::domain::names::UnknownName| {
                    crate::server::errors::internal(e)
                })?;
            let amount = Money { minor, currency };
            (
                CreditKind::LineWaiver,
                Some(line_id),
                amount,
                format!("{} line waived ({amount})", kind.label()),
            )
        }
        Credit::Rest => {
            let balance = invoice.totals.balance();
            (
                CreditKind::InvoiceWaiver,
                None,
                balance,
                format!("Remaining {balance} waived"),
            )
        }
    };
    invoice::check_credit(amount, &invoice.totals).map_err(|e| match credit_field(kind) {
        Some(field) => AppError::invalid(field, e.to_string()),
        None => invoice_error(e),
    })?;
    if !amount.is_positive() {
        return Err(AppError::Conflict("Nothing is left to waive.".into()));
    }
    let seq = store::next_number(&mut tx, "credit_note", now.year()).await?;
    let number = credit_note_number(now.year(), seq);
    store::insert_credit(
        &mut tx,
        staff,
        &NewCredit {
            invoice_id: id,
            kind,
            number: &number,
            line_id,
            amount,
            reason: &reason,
            by: who.user_id,
            at: now,
        },
    )
    .await?;
    let mut totals = invoice.totals;
    totals.credited.minor += amount.minor;
    let status = totals.settled_status(invoice.status);
    store::apply_to_ledger(&mut tx, id, 0, amount.minor, status, now).await?;
    let detail = format!(
        "{what} on invoice {} by credit note {number}: {reason}. Balance {}.",
        invoice.number.as_deref().unwrap_or_default(),
        totals.balance()
    );
    super::super::audit::record_case(
        st,
        &mut tx,
        invoice.notice_id,
        now,
        &label,
        if kind == CreditKind::CreditNote {
            "credit_note_issued"
        } else {
            "invoice_waived"
        },
        &detail,
    )
    .await?;
    reactivate_if_clear(&mut tx, st, invoice.notice_id, now).await?;
    tx.commit().await?;
    Ok(number)
}

fn credit_field(kind: CreditKind) -> Option<&'static str> {
    match kind {
        CreditKind::CreditNote => Some("amount"),
        _ => None,
    }
}
