//! `/billing`: what the organisation owes and has paid, and its invoices, newest first.

use super::api::get_billing_overview;
use super::components::InvoiceTable;
use crate::ui::components::{loaded, Pager};
use crate::views::billing::BillingOverviewView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The billing overview.
#[component]
pub fn BillingPage() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(
        move || query.read().get("before"),
        |arg| Box::pin(get_billing_overview(arg)),
    );
    view! {
        <Title text="Billing · Abuse-case portal"/>
        <div class="page-heading">
            <p class="eyebrow">"Your account"</p>
            <h1>"Billing"</h1>
            <p class="lead">"Fees and damages the abuse policy charges for abuse cases (§5 and §6), what you have paid, and how to pay the rest."</p>
        </div>
        {loaded(page, move |data| view! { <Overview data/> })}
    }
}

#[component]
fn Overview(data: BillingOverviewView) -> impl IntoView {
    let card = |warn: bool| if warn { "card card-warning" } else { "card" };
    let owed_class = card(data.owed.is_positive());
    let overdue_class = card(data.overdue_count > 0);
    view! {
        <div class="summary-cards summary-cards-wide" role="group" aria-label="Totals">
            <div class=owed_class>
                <p class="card-figure">{data.owed.to_string()}</p>
                <p class="card-label">"Owed now"</p>
            </div>
            <div class="card">
                <p class="card-figure">{data.paid.to_string()}</p>
                <p class="card-label">"Paid to date"</p>
            </div>
            <div class=overdue_class>
                <p class="card-figure">{data.overdue_count}</p>
                <p class="card-label">{if data.overdue_count == 1 { "Invoice overdue" } else { "Invoices overdue" }}</p>
            </div>
        </div>
        {if data.rows.is_empty() {
            view! { <p class="empty">"No invoices. When the abuse desk charges a fee or damages for an abuse case, the invoice appears here with the reason for each line."</p> }.into_any()
        } else {
            view! { <InvoiceTable rows=data.rows base="/billing" case_base="/notices"/> }.into_any()
        }}
        <Pager label="Invoice pages" cursor=&["before"] next=data.next.map(|before| vec![("before", before.to_string())]) words=("Newer invoices", "Older invoices")/>
    }
}
