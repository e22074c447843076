//! `/billing/{id}`: one invoice for the customer: why each line is owed (the policy section,
//! the case and service), how to pay (bank-transfer reference, or card when on), what paying
//! changes (which service it restores and what else still holds it), payments with receipts,
//! and credit notes. Prints as a document.

use super::api::{get_invoice, PayByCard};
use super::components::{InvoiceDocument, PaymentsAndCredits, ReactivationPanel};
use crate::domain::billing::invoice::Standing;
use crate::error::AppError;
use crate::ui::components::{form_action, loaded, FormError, PrintButton};
use crate::views::billing::InvoiceDetailView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The invoice page.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let params = use_params_map();
    let invoice = Resource::new(
        move || params.read().get("id"),
        |id| {
            Box::pin(async move {
                match id.and_then(|id| id.parse::<i64>().ok()) {
                    Some(id) => get_invoice(id).await,
                    None => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        <p class="breadcrumb"><a href="/billing">"← Billing"</a></p>
        {loaded(invoice, move |data| view! { <Invoice data/> })}
    }
}

/// The sentence under the heading: what is owed and by when, or that nothing is.
pub fn invoice_lead(data: &InvoiceDetailView) -> String {
    let r = &data.row;
    if r.balance.minor < 0 {
        let over = crate::domain::billing::money::Money {
            minor: -r.balance.minor,
            ..r.balance
        };
        return format!(
            "Paid, and {over} more than owed: the abuse desk will refund the difference."
        );
    }
    match r.standing {
        Standing::Draft => {
            return "A draft: the customer does not see it yet. Check the lines, then issue it."
                .into()
        }
        Standing::Void => return "Void: this draft was never issued.".into(),
        _ => {}
    }
    if r.standing.owes() {
        let due = r.due_text.clone().unwrap_or_default();
        if r.standing == Standing::Overdue {
            format!("{} was due on {due} and is overdue.", r.balance)
        } else {
            format!("{} is due by {due}.", r.balance)
        }
    } else {
        format!("{}: nothing is left to pay.", r.standing.label())
    }
}

#[component]
fn Invoice(data: InvoiceDetailView) -> impl IntoView {
    let query = use_query_map();
    let card_note = move || {
        match query.read().get("card").as_deref() {
        Some("paid") => Some(("notice notice-ok", "Thank you. Stripe confirms card payments to us within a minute or two; this page shows the payment once it has.")),
        Some("cancelled") => Some(("notice notice-info", "The card payment was cancelled; nothing was charged.")),
        _ => None,
    }
    };
    let pay = form_action::<PayByCard>();
    let r = data.row.clone();
    let lead = invoice_lead(&data);
    let id = r.id.to_string();
    let form_key = data.form_key.clone();
    view! {
        <Title text=format!("{} · Abuse-case portal", r.title)/>
        <div class="page-heading heading-with-action">
            <div>
                <p class="eyebrow">"Billing"</p>
                <h1>{r.title.clone()}</h1>
                <p class="lead">{lead}</p>
            </div>
            <PrintButton label="Print the invoice"/>
        </div>
        {move || card_note().map(|(class, text)| view! { <p class=class role="status">{text}</p> })}
        <InvoiceDocument data=data.clone() case_base="/notices"/>
        {data.how_to_pay.clone().filter(|h| h.card).map(|_| view! {
            <section class="panel" aria-labelledby="pay-card-heading">
                <h2 id="pay-card-heading">"Pay by card"</h2>
                <p>{format!("Pay the balance of {} on Stripe's secure payment page. The invoice is marked paid as soon as Stripe confirms the payment.", r.balance)}</p>
                <ActionForm action=pay attr:class="inline-form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <input type="hidden" name="form_key" value=form_key.clone()/>
                    <button type="submit" class="button button-primary">"Pay by card"</button>
                </ActionForm>
                <FormError action=pay/>
            </section>
        })}
        {match data.reactivation.clone() {
            Some(reactivation) => view! {
                <ReactivationPanel reactivation notice_id=r.notice_id service_label=r.service_label.clone() case_base="/notices" heading="What paying changes"/>
            }.into_any(),
            None if r.standing.owes() => view! {
                <section class="panel" aria-labelledby="paying-changes-heading">
                    <h2 id="paying-changes-heading">"What paying changes"</h2>
                    <p>{format!("No service is suspended by case #{}: paying settles the invoice and restores nothing, because nothing is held back.", r.notice_id)}</p>
                </section>
            }.into_any(),
            None => ().into_any(),
        }}
        <PaymentsAndCredits data=data.clone()/>
    }
}
