//! Server functions of the abuse desk's billing pages. Every function requires a staff role.

// A server function's arguments are its form's fields, one each; the #[server] macro does not
// pass an item-level allow on to the code it generates.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::views::billing::{StaffBillingView, StaffInvoiceView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn optional_id(raw: Option<String>, field: &str) -> Result<Option<i64>, AppError> {
    raw.filter(|r| !r.trim().is_empty())
        .map(|r| {
            r.trim()
                .parse::<i64>()
                .map_err(|_| AppError::invalid(field, "Choose one of the entries offered."))
        })
        .transpose()
}

/// A page of invoices, newest first; `status` narrows it to one status.
#[server(endpoint = "admin/billing/list")]
pub async fn get_staff_billing(
    status: Option<String>,
    before: Option<String>,
) -> Result<StaffBillingView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    let before = optional_id(before, "before")?;
    crate::server::usecase::billing_views::staff_list(&st, &who, status, before).await
}

/// One invoice, with what staff may do to it.
#[server(endpoint = "admin/billing/get")]
pub async fn get_staff_invoice(id: i64) -> Result<StaffInvoiceView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::billing_views::staff_invoice(&st, &who, id).await
}

/// Drafts an invoice for a case with the lines the rules propose, and opens it.
#[server(endpoint = "admin/billing/draft")]
pub async fn draft_invoice(notice: i64) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    let id = crate::server::usecase::billing::draft_from_case(&st, &who, notice).await?;
    leptos_axum::redirect(&format!("/admin/billing/{id}"));
    Ok(())
}

/// Adds a line to a draft.
#[server(endpoint = "admin/billing/add_line")]
pub async fn add_line(
    id: i64,
    kind: String,
    amount: String,
    hours: Option<String>,
    source: String,
    note: String,
) -> Result<(), AppError> {
    use crate::domain::billing::fees::LineInput;
    use crate::server::usecase::billing::{edit_draft, DraftEdit};
    let (st, who) = crate::server::state::caller().await?;
    let input = LineInput {
        kind,
        amount,
        hours: hours.unwrap_or_default(),
        source,
        note,
    };
    edit_draft(&st, &who, id, DraftEdit::AddLine(input)).await
}

/// Removes a line from a draft.
#[server(endpoint = "admin/billing/remove_line")]
pub async fn remove_line(id: i64, line: i64) -> Result<(), AppError> {
    use crate::server::usecase::billing::{edit_draft, DraftEdit};
    let (st, who) = crate::server::state::caller().await?;
    edit_draft(&st, &who, id, DraftEdit::RemoveLine(line)).await
}

/// Sets whether the draft must be settled before the service is restored (`blocks` checked).
#[server(endpoint = "admin/billing/set_blocking")]
pub async fn set_blocking(id: i64, blocks: Option<String>) -> Result<(), AppError> {
    use crate::server::usecase::billing::{edit_draft, DraftEdit};
    let (st, who) = crate::server::state::caller().await?;
    edit_draft(
        &st,
        &who,
        id,
        DraftEdit::BlocksReactivation(blocks.is_some()),
    )
    .await
}

/// Issues a draft.
#[server(endpoint = "admin/billing/issue")]
pub async fn issue_invoice(id: i64) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::billing::issue(&st, &who, id).await?;
    Ok(())
}

/// Voids a draft, with a reason.
#[server(endpoint = "admin/billing/void")]
pub async fn void_invoice(id: i64, reason: String) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::billing::void_draft(&st, &who, id, &reason).await
}

/// Records a bank transfer against an invoice (`id`, from its page) or against the invoice
/// whose payment reference was typed (the billing list). `form_key` makes a double submission
/// one payment. From the list, leads to the invoice.
#[server(endpoint = "admin/billing/record")]
pub async fn record_transfer(
    id: Option<String>,
    reference: String,
    amount: String,
    received_on: String,
    note: String,
    form_key: String,
) -> Result<(), AppError> {
    use crate::server::usecase::billing::{self, Transfer};
    let (st, who) = crate::server::state::caller().await?;
    let id = optional_id(id, "reference")?;
    let recorded = billing::record_transfer(
        &st,
        &who,
        id,
        Transfer {
            amount,
            received_on,
            reference,
            note,
            idempotency_key: form_key,
        },
    )
    .await?;
    if id.is_none() {
        leptos_axum::redirect(&format!("/admin/billing/{}", recorded.invoice_id));
    }
    Ok(())
}

/// Issues a credit note (`what` = `note`, with an amount), waives a line (`line`, naming it) or
/// waives the rest (`rest`), with a written reason.
#[server(endpoint = "admin/billing/credit")]
pub async fn credit_invoice(
    id: i64,
    what: String,
    line: Option<String>,
    amount: Option<String>,
    reason: String,
) -> Result<(), AppError> {
    use crate::server::usecase::billing::{credit, Credit};
    let (st, who) = crate::server::state::caller().await?;
    let what = match what.as_str() {
        "note" => Credit::Note {
            amount: amount.unwrap_or_default(),
        },
        "line" => Credit::Line(
            optional_id(line, "line")?
                .ok_or_else(|| AppError::invalid("line", "Choose the line to waive."))?,
        ),
        "rest" => Credit::Rest,
        _ => {
            return Err(AppError::invalid(
                "what",
                "Choose one of the actions offered.",
            ))
        }
    };
    credit(&st, &who, id, what, &reason).await?;
    Ok(())
}

/// Keeps a case's service suspended by hand (`action` = `hold`) or releases that hold
/// (`release`), with a reason.
#[server(endpoint = "admin/billing/hold")]
pub async fn hold_reactivation(
    notice: i64,
    action: String,
    hold_reason: String,
) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    let hold = match action.as_str() {
        "hold" => true,
        "release" => false,
        _ => {
            return Err(AppError::invalid(
                "action",
                "Choose one of the actions offered.",
            ))
        }
    };
    crate::server::usecase::billing::set_hold(&st, &who, notice, hold, &hold_reason).await
}

/// Reactivates a case's service by hand, whatever is owed, with a reason.
#[server(endpoint = "admin/billing/reactivate")]
pub async fn reactivate_service(notice: i64, reactivate_reason: String) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::billing::reactivate_now(&st, &who, notice, &reactivate_reason).await
}
