//! `/billing/{id}/receipts/{payment}`: a receipt for one payment, printable.

use super::api::get_receipt;
use crate::error::AppError;
use crate::ui::components::{loaded, PrintButton};
use crate::views::billing::ReceiptView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The receipt page.
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let params = use_params_map();
    let receipt = Resource::new(
        move || (params.read().get("id"), params.read().get("payment")),
        |(invoice, payment)| {
            Box::pin(async move {
                match (
                    invoice.and_then(|i| i.parse::<i64>().ok()),
                    payment.and_then(|p| p.parse::<i64>().ok()),
                ) {
                    (Some(invoice), Some(payment)) => get_receipt(invoice, payment).await,
                    _ => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        {loaded(receipt, move |data| view! { <Receipt data/> })}
    }
}

#[component]
fn Receipt(data: ReceiptView) -> impl IntoView {
    let p = data.payment;
    let i = data.invoice;
    view! {
        <Title text=format!("Receipt {} · Abuse-case portal", p.receipt_number)/>
        <p class="breadcrumb"><a href=format!("/billing/{}", i.id)>{format!("← {}", i.title)}</a></p>
        <div class="page-heading heading-with-action">
            <div>
                <p class="eyebrow">"Billing"</p>
                <h1>{format!("Receipt {}", p.receipt_number)}</h1>
            </div>
            <PrintButton label="Print the receipt"/>
        </div>
        <article class="panel print-document" aria-labelledby="receipt-heading">
            <p class="eyebrow">"Receipt"</p>
            <h2 id="receipt-heading">{format!("{} received with thanks", p.amount)}</h2>
            <dl class="facts">
                <dt>"Receipt"</dt><dd>{p.receipt_number.clone()}</dd>
                <dt>"From"</dt><dd>{i.organisation.clone()}</dd>
                <dt>"For"</dt><dd>{format!("{} (case #{}, {})", i.title, i.notice_id, i.service_label)}</dd>
                <dt>"Method"</dt><dd>{p.method.clone()}</dd>
                <dt>"Received"</dt><dd>{p.received_text.clone()}</dd>
                {p.reference.clone().map(|r| view! { <dt>"Reference"</dt><dd><code>{r}</code></dd> })}
                <dt>"Recorded"</dt><dd>{p.recorded_text.clone()}</dd>
                <dt>"Invoice balance now"</dt><dd>{i.balance.to_string()}</dd>
            </dl>
        </article>
    }
}
