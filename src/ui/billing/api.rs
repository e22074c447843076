//! Server functions of the customer's billing pages. Customers read their own organisation's
//! issued invoices and pay them; another organisation's invoice is not found.

use crate::error::AppError;
use crate::views::billing::{BillingOverviewView, InvoiceDetailView, ReceiptView};
use leptos::prelude::*;

/// The caller's billing overview; `before`: the keyset cursor of the next page.
#[server(endpoint = "billing/overview")]
pub async fn get_billing_overview(before: Option<String>) -> Result<BillingOverviewView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    let before = before
        .filter(|b| !b.is_empty())
        .map(|b| {
            b.parse::<i64>()
                .map_err(|_| AppError::invalid("before", "That page does not exist."))
        })
        .transpose()?;
    crate::server::usecase::billing_views::overview(&st, &who, before).await
}

/// One invoice.
#[server(endpoint = "billing/get")]
pub async fn get_invoice(id: i64) -> Result<InvoiceDetailView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::billing_views::invoice_detail(&st, &who, id).await
}

/// One receipt.
#[server(endpoint = "billing/receipt")]
pub async fn get_receipt(invoice: i64, payment: i64) -> Result<ReceiptView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::billing_views::receipt(&st, &who, invoice, payment).await
}

/// Pays the invoice's balance by card: sends the customer to Stripe's payment page. The
/// invoice is paid when Stripe confirms it.
#[server(endpoint = "billing/pay_by_card")]
pub async fn pay_by_card(id: i64, form_key: String) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    let url = crate::server::usecase::billing::start_card_payment(&st, &who, id, &form_key).await?;
    leptos_axum::redirect(&url);
    Ok(())
}
