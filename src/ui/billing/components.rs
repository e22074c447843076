//! Pieces of the billing pages that the staff pages and the case pages reuse: the standing
//! badge, the invoice table, the invoice as a printable document, and the reactivation panel.

use crate::domain::billing::fees::events_in_words;
use crate::domain::billing::invoice::Standing;
use crate::views::billing::{CaseBillingView, InvoiceDetailView, InvoiceRowView, ReactivationView};
use leptos::prelude::*;

/// An invoice's standing as a coloured badge.
#[component]
pub fn StandingBadge(
    /// Where it stands.
    standing: Standing,
) -> impl IntoView {
    let tone = match standing {
        Standing::Paid | Standing::Waived => "badge badge-active",
        Standing::Open | Standing::PartlyPaid | Standing::Draft => "badge badge-restricted",
        Standing::Overdue => "badge badge-suspended",
        Standing::Void => "badge",
    };
    view! { <span class=tone>{standing.label()}</span> }
}

/// Invoices as a table: number, case and service, standing, amounts and due date. `base` is
/// where an invoice's page lives (`/billing` or `/admin/billing`).
#[component]
pub fn InvoiceTable(
    /// The invoices.
    rows: Vec<InvoiceRowView>,
    /// `/billing` or `/admin/billing`.
    base: &'static str,
    /// Where case links lead (`/notices` or `/admin/cases`).
    case_base: &'static str,
    /// Whether to show the customer column (staff).
    #[prop(optional)]
    with_customer: bool,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table stack-on-small-screens">
                <caption class="visually-hidden">"Invoices"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Invoice"</th>
                        {with_customer.then(|| view! { <th scope="col">"Customer"</th> })}
                        <th scope="col">"Case and service"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="numeric">"Total"</th>
                        <th scope="col" class="numeric">"Balance"</th>
                        <th scope="col">"Due"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <th scope="row"><a href=format!("{base}/{}", r.id)>{r.title.clone()}</a></th>
                            {with_customer.then(|| view! { <td data-label="Customer">{r.organisation.clone()}</td> })}
                            <td data-label="Case and service">
                                <a href=format!("{case_base}/{}", r.notice_id)>{format!("Case #{}", r.notice_id)}</a>
                                <span class="row-sub">{r.service_label.clone()}</span>
                            </td>
                            <td data-label="Status"><StandingBadge standing=r.standing/></td>
                            <td data-label="Total" class="numeric">{r.total.to_string()}</td>
                            <td data-label="Balance" class="numeric">{r.balance.to_string()}</td>
                            <td data-label="Due">{r.due_text.clone().unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What still holds a suspended service back, each condition met (✓) or not.
#[component]
pub fn ReactivationPanel(
    /// The conditions.
    reactivation: ReactivationView,
    /// The case whose suspension they end.
    notice_id: i64,
    /// The service's name.
    service_label: String,
    /// Where case links lead.
    case_base: &'static str,
    /// The panel's heading ("What paying changes" on an invoice, "Reactivation" elsewhere).
    heading: &'static str,
) -> impl IntoView {
    let all_met = reactivation.conditions.iter().all(|c| c.met);
    let heading_id = format!("reactivation-{notice_id}");
    let labelled_by = heading_id.clone();
    view! {
        <section class="panel reactivation" aria-labelledby=labelled_by>
            <h2 id=heading_id>{heading}</h2>
            <p>
                {format!("{service_label} is suspended by ")}
                <a href=format!("{case_base}/{notice_id}")>{format!("case #{notice_id}")}</a>
                {if all_met {
                    ". Every condition is met; the service is being restored."
                } else {
                    ". It is restored automatically as soon as every condition below is met (policy §5):"
                }}
            </p>
            <ul class="condition-list" aria-label="Conditions for reactivation">
                {reactivation.conditions.into_iter().map(|c| view! {
                    <li class={if c.met { "condition condition-met" } else { "condition condition-open" }}>
                        <span aria-hidden="true" class="condition-mark">{if c.met { "✓" } else { "✗" }}</span>
                        <span class="visually-hidden">{if c.met { "Met: " } else { "Not yet: " }}</span>
                        {c.text}
                    </li>
                }).collect_view()}
            </ul>
            {(!reactivation.other_cases.is_empty()).then(|| view! {
                <p class="notice notice-info">
                    "The service is also suspended by "
                    {reactivation.other_cases.iter().map(|id| view! { <a href=format!("{case_base}/{id}")>{format!("case #{id}")}</a>" " }).collect_view()}
                    "; it stays suspended until that is settled too."
                </p>
            })}
        </section>
    }
}

/// The invoice as a printable document: who, what for, each line with the policy section that
/// makes it owed, and the totals.
#[component]
pub fn InvoiceDocument(
    /// The invoice.
    data: InvoiceDetailView,
    /// Where case links lead.
    case_base: &'static str,
) -> impl IntoView {
    let r = data.row.clone();
    view! {
        <article class="panel print-document invoice-document" aria-labelledby="invoice-heading">
            <header class="document-header">
                <div>
                    <p class="eyebrow">"Invoice"</p>
                    <h2 id="invoice-heading">{r.title.clone()}</h2>
                </div>
                <StandingBadge standing=r.standing/>
            </header>
            <dl class="facts">
                <dt>"Customer"</dt><dd>{r.organisation.clone()}</dd>
                <dt>"Issued"</dt><dd>{r.issued_text.clone().unwrap_or_else(|| "Not yet (draft)".into())}</dd>
                <dt>"Due"</dt><dd>{r.due_text.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"For"</dt>
                <dd>
                    <a href=format!("{case_base}/{}", r.notice_id)>{format!("Case #{}", r.notice_id)}</a>
                    {format!(" · {} · {}", data.category, events_in_words(data.event_count))}
                </dd>
                <dt>"Service"</dt><dd>{r.service_label.clone()}</dd>
            </dl>
            <table class="data-table invoice-lines">
                <caption class="visually-hidden">"Invoice lines"</caption>
                <thead>
                    <tr><th scope="col">"What for, and why it is owed"</th><th scope="col" class="numeric">"Amount"</th></tr>
                </thead>
                <tbody>
                    {data.lines.iter().map(|l| view! {
                        <tr>
                            <td>
                                <strong>{l.description.clone()}</strong>
                                {l.waived_by.clone().map(|n| view! { " "<span class="tag tag-info">{format!("Waived ({n})")}</span> })}
                                <span class="row-sub">{format!("{} — {}", l.policy_section, l.why)}</span>
                                {l.source.clone().map(|s| view! { <span class="row-sub">{format!("Source: {s}")}</span> })}
                                {l.note.clone().map(|n| view! { <span class="row-sub">{format!("Note: {n}")}</span> })}
                            </td>
                            <td class="numeric">{l.amount.to_string()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr><th scope="row">"Total"</th><td class="numeric">{r.total.to_string()}</td></tr>
                    {r.credited.is_positive().then(|| view! { <tr><th scope="row">"Credited or waived"</th><td class="numeric">{format!("-{}", r.credited)}</td></tr> })}
                    {r.paid.is_positive().then(|| view! { <tr><th scope="row">"Paid"</th><td class="numeric">{format!("-{}", r.paid)}</td></tr> })}
                    <tr class="balance-row"><th scope="row">"Balance"</th><td class="numeric">{r.balance.to_string()}</td></tr>
                </tfoot>
            </table>
            {data.how_to_pay.clone().map(|h| view! {
                <div class="pay-by-transfer">
                    <h3>"Pay by bank transfer"</h3>
                    <p>"Quote this payment reference exactly, so that the transfer is matched to this invoice:"</p>
                    <p class="payment-reference"><code>{h.reference.clone()}</code></p>
                    {match h.bank_details.clone() {
                        Some(details) => view! { <p class="bank-details">{details}</p> }.into_any(),
                        None => view! { <p class="muted">"The provider's bank account is on your contract."</p> }.into_any(),
                    }}
                </div>
            })}
        </article>
    }
}

/// A case's invoices and, while a suspension from the case is in force, what still holds its
/// service back; on the customer's notice page and the staff's case page. Customers see nothing
/// here until an invoice is issued or a suspension applies.
#[component]
pub fn CaseBillingPanel(
    /// The case's billing.
    billing: CaseBillingView,
    /// The case.
    notice_id: i64,
    /// The service's name.
    service_label: String,
    /// Whether the viewer is staff (links lead to the staff pages).
    #[prop(optional)]
    staff: bool,
    /// What the staff page puts under the list (the "Draft an invoice" form).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    if !staff && billing.invoices.is_empty() && billing.reactivation.is_none() {
        return ().into_any();
    }
    let (base, case_base) = if staff {
        ("/admin/billing", "/admin/cases")
    } else {
        ("/billing", "/notices")
    };
    view! {
        <section class="panel" aria-labelledby="case-billing-heading">
            <h2 id="case-billing-heading">"Billing"</h2>
            {if billing.invoices.is_empty() {
                view! { <p class="muted">"No invoices for this case."</p> }.into_any()
            } else {
                view! { <InvoiceTable rows=billing.invoices base case_base/> }.into_any()
            }}
            {children.map(|c| c())}
        </section>
        {billing.reactivation.map(|reactivation| view! {
            <ReactivationPanel reactivation notice_id service_label case_base heading="Reactivation"/>
        })}
    }
    .into_any()
}

/// An invoice's payments (each with its receipt) and credit notes, side by side. Staff's
/// notes on payments appear only in staff's views (customers' views carry none).
#[component]
pub fn PaymentsAndCredits(
    /// The invoice.
    data: InvoiceDetailView,
) -> impl IntoView {
    let id = data.row.id;
    view! {
        <div class="two-columns">
            <section class="panel" aria-labelledby="ledger-payments">
                <h2 id="ledger-payments">"Payments"</h2>
                {if data.payments.is_empty() {
                    view! { <p class="muted">"None recorded."</p> }.into_any()
                } else {
                    view! {
                        <ul class="measure-list" aria-label="Payments">
                            {data.payments.iter().map(|p| view! {
                                <li>
                                    <strong>{format!("{} by {}", p.amount, p.method.to_lowercase())}</strong>
                                    <span class="row-sub">{format!("Received {} · {}", p.received_text, p.recorded_text)}</span>
                                    {p.reference.clone().map(|r| view! { <span class="row-sub">"Reference "<code>{r}</code></span> })}
                                    {p.note.clone().map(|n| view! { <p class="reason">{n}</p> })}
                                    <a href=format!("/billing/{id}/receipts/{}", p.id)>{format!("Receipt {}", p.receipt_number)}</a>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section class="panel" aria-labelledby="ledger-credits">
                <h2 id="ledger-credits">"Credit notes"</h2>
                {if data.credits.is_empty() {
                    view! { <p class="muted">"None."</p> }.into_any()
                } else {
                    view! {
                        <ul class="measure-list" aria-label="Credit notes">
                            {data.credits.iter().map(|c| view! {
                                <li>
                                    <strong>{format!("{} {}: {}", c.kind, c.number, c.amount)}</strong>
                                    <span class="row-sub">{format!("{} · {}", c.at_text, c.by)}</span>
                                    <p class="reason">{c.reason.clone()}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </div>
    }
}
