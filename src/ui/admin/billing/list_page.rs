//! `/admin/billing`: every invoice, newest first, filtered by status; and the form that records
//! a bank transfer against the invoice whose payment reference the statement shows.

use super::api::{get_staff_billing, RecordTransfer};
use crate::domain::billing::invoice::InvoiceStatus;
use crate::ui::billing::InvoiceTable;
use crate::ui::components::{
    action_field, form_action, kept, loaded, FieldError, FormError, Pager,
};
use crate::views::billing::{StaffBillingView, OVERDUE_FILTER};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The staff billing list.
#[component]
pub fn StaffBillingPage() -> impl IntoView {
    let query = use_query_map();
    let record = form_action::<RecordTransfer>();
    let page = Resource::new(
        move || {
            let q = query.read();
            (q.get("status"), q.get("before"), record.version().get())
        },
        |(status, before, _)| Box::pin(get_staff_billing(status, before)),
    );
    view! {
        <Title text="Billing · Abuse desk"/>
        <div class="page-heading">
            <p class="eyebrow">"Abuse desk"</p>
            <h1>"Billing"</h1>
            <p class="lead">"Invoices drafted from cases (policy §5 and §6). Draft one from its case's page; record bank transfers here by their payment reference."</p>
        </div>
        {loaded(page, move |data| view! { <List data record/> })}
    }
}

#[component]
fn List(data: StaffBillingView, record: ServerAction<RecordTransfer>) -> impl IntoView {
    let query = use_query_map();
    let status = query.read_untracked().get("status").unwrap_or_default();
    let err = move |name: &'static str| action_field(record, name);
    view! {
        <section class="panel" aria-labelledby="record-heading">
            <h2 id="record-heading">"Record a bank transfer"</h2>
            <ActionForm action=record attr:class="form">
                <FormError action=record/>
                <input type="hidden" name="form_key" value=data.form_key.clone()/>
                <div class="two-columns">
                    <div class="field">
                        <label for="transfer-reference">"Payment reference (from the bank statement)"</label>
                        <input type="text" id="transfer-reference" name="reference" value={kept::<RecordTransfer>("reference")} autocomplete="off" spellcheck="false" aria-describedby="transfer-reference-error"/>
                        <FieldError id="transfer-reference-error" message=err("reference")/>
                    </div>
                    <div class="field">
                        <label for="transfer-amount">"Amount received (USD)"</label>
                        <input type="text" inputmode="decimal" id="transfer-amount" name="amount" value={kept::<RecordTransfer>("amount")} autocomplete="off" aria-describedby="transfer-amount-error"/>
                        <FieldError id="transfer-amount-error" message=err("amount")/>
                    </div>
                    <div class="field">
                        <label for="transfer-date">"Received on"</label>
                        <input type="date" id="transfer-date" name="received_on" value={kept::<RecordTransfer>("received_on")} aria-describedby="transfer-date-error"/>
                        <FieldError id="transfer-date-error" message=err("received_on")/>
                    </div>
                    <div class="field">
                        <label for="transfer-note">"Note (optional)"</label>
                        <input type="text" id="transfer-note" name="note" value={kept::<RecordTransfer>("note")} aria-describedby="transfer-note-error"/>
                        <FieldError id="transfer-note-error" message=err("note")/>
                    </div>
                </div>
                <button type="submit" class="button button-primary">"Record the payment"</button>
            </ActionForm>
        </section>
        <form method="get" action="/admin/billing" class="filters" role="search" aria-label="Filter invoices">
            <div class="field">
                <label for="billing-status">"Status"</label>
                <select id="billing-status" name="status">
                    <option value="" selected=status.is_empty()>"All"</option>
                    <option value=OVERDUE_FILTER selected=status == OVERDUE_FILTER>"Overdue (issued, past the due date)"</option>
                    {InvoiceStatus::ALL.iter().map(|s| view! {
                        <option value=s.as_str() selected=status == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button button-secondary">"Apply"</button>
        </form>
        {if data.rows.is_empty() {
            view! { <p class="empty">"No invoices here. Draft one from a case's page."</p> }.into_any()
        } else {
            view! { <InvoiceTable rows=data.rows base="/admin/billing" case_base="/admin/cases" with_customer=true/> }.into_any()
        }}
        <Pager label="Invoice pages" cursor=&["before"] next=data.next.map(|before| vec![("before", before.to_string())]) words=("Newer invoices", "Older invoices")/>
    }
}
