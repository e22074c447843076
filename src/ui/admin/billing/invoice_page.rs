//! `/admin/billing/{id}`: one invoice for the abuse desk. A draft's lines are edited (the rules'
//! proposals, pass-through items, labour), then it is issued or voided; an issued invoice takes
//! bank transfers, credit notes and waivers, each with a written reason; and the case's
//! suspension can be held or ended by hand.

use super::api::{
    get_staff_invoice, AddLine, CreditInvoice, HoldReactivation, IssueInvoice, ReactivateService,
    RecordTransfer, RemoveLine, SetBlocking, VoidInvoice,
};
use crate::domain::billing::fees::{events_in_words, FeeKind};
use crate::domain::billing::invoice::Standing;
use crate::error::AppError;
use crate::ui::billing::{InvoiceDocument, PaymentsAndCredits, ReactivationPanel, StandingBadge};
use crate::ui::components::{
    action_field as field, form_action, kept, kept_checked, kept_in, kept_or, loaded,
    named_form_action, FieldError, FormError, FormName, PrintButton,
};
use crate::views::billing::{InvoiceDetailView, StaffInvoiceView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The actions of the page; any of them reloads the invoice when it completes.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddLine>,
    remove: ServerAction<RemoveLine>,
    blocking: ServerAction<SetBlocking>,
    issue: ServerAction<IssueInvoice>,
    void: ServerAction<VoidInvoice>,
    record: ServerAction<RecordTransfer>,
    credit_note: ServerAction<CreditInvoice>,
    waive_line: ServerAction<CreditInvoice>,
    waive_rest: ServerAction<CreditInvoice>,
    hold: ServerAction<HoldReactivation>,
    reactivate: ServerAction<ReactivateService>,
}

impl Actions {
    fn new() -> Actions {
        Actions {
            add: form_action(),
            remove: form_action(),
            blocking: form_action(),
            issue: form_action(),
            void: form_action(),
            record: form_action(),
            credit_note: named_form_action("note"),
            waive_line: named_form_action("line"),
            waive_rest: named_form_action("rest"),
            hold: form_action(),
            reactivate: form_action(),
        }
    }

    fn versions(&self) -> [usize; 11] {
        [
            self.add.version().get(),
            self.remove.version().get(),
            self.blocking.version().get(),
            self.issue.version().get(),
            self.void.version().get(),
            self.record.version().get(),
            self.credit_note.version().get(),
            self.waive_line.version().get(),
            self.waive_rest.version().get(),
            self.hold.version().get(),
            self.reactivate.version().get(),
        ]
    }
}

/// The staff's invoice page.
#[component]
pub fn StaffInvoicePage() -> impl IntoView {
    let params = use_params_map();
    let actions = Actions::new();
    let invoice = Resource::new(
        move || (params.read().get("id"), actions.versions()),
        |(id, _)| {
            Box::pin(async move {
                match id.and_then(|id| id.parse::<i64>().ok()) {
                    Some(id) => get_staff_invoice(id).await,
                    None => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        <p class="breadcrumb"><a href="/admin/billing">"← Billing"</a></p>
        {loaded(invoice, move |data| view! { <Invoice data actions/> })}
    }
}

#[component]
fn Invoice(data: StaffInvoiceView, actions: Actions) -> impl IntoView {
    let d = data.detail.clone();
    let r = d.row.clone();
    let draft = r.standing == Standing::Draft;
    let open = r.standing.owes();
    view! {
        <Title text=format!("{} · Abuse desk", r.title)/>
        <div class="page-heading heading-with-action">
            <div>
                <p class="eyebrow">{format!("Abuse desk · {}", r.organisation)}</p>
                <h1>{r.title.clone()}</h1>
                <p class="heading-tags"><StandingBadge standing=r.standing/></p>
                <p class="lead">{crate::ui::billing::invoice_lead(&d)}</p>
            </div>
            <PrintButton label="Print the invoice"/>
        </div>
        {d.void_reason.clone().map(|why| view! { <p class="notice notice-info" role="note">{format!("Voided: {why}")}</p> })}
        <InvoiceDocument data=d.clone() case_base="/admin/cases"/>
        {draft.then(|| view! { <DraftPanels data=data.clone() actions/> })}
        {open.then(|| view! { <OpenPanels data=d.clone() actions/> })}
        <PaymentsAndCredits data=d.clone()/>
        <ReactivationPanels data=data.clone() actions/>
    }
}

#[component]
fn DraftPanels(data: StaffInvoiceView, actions: Actions) -> impl IntoView {
    let d = data.detail.clone();
    let id = d.row.id;
    let blocks = d.row.blocks_reactivation;
    let add = actions.add;
    view! {
        <section class="panel" aria-labelledby="draft-lines-heading">
            <h2 id="draft-lines-heading">"Lines of this draft"</h2>
            {if d.lines.is_empty() {
                view! { <p class="muted">"No lines yet: add one below."</p> }.into_any()
            } else {
                view! {
                    <ul class="measure-list" aria-label="Draft lines">
                        {d.lines.clone().into_iter().map(|l| {
                            let line_id = l.id.to_string();
                            view! {
                                <li>
                                    <strong>{format!("{} · {}", l.description, l.amount)}</strong>
                                    <ActionForm action=actions.remove attr:class="inline-form">
                                        <input type="hidden" name="id" value=id.to_string()/>
                                        <input type="hidden" name="line" value=line_id/>
                                        <button type="submit" class="button button-secondary" aria-label=format!("Remove the line {}", l.description)>"Remove"</button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <FormError action=actions.remove/>
            <h3>"Add a line"</h3>
            <ActionForm action=add attr:class="form">
                <FormError action=add/>
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="two-columns">
                    <div class="field">
                        <label for="line-kind">"Charge for"</label>
                        <select id="line-kind" name="kind" aria-describedby="line-kind-error">
                            {FeeKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected={kept::<AddLine>("kind") == k.as_str()}>{format!("{} ({})", k.label(), k.policy_section())}</option> }).collect_view()}
                        </select>
                        <FieldError id="line-kind-error" message=field(add, "kind")/>
                    </div>
                    <div class="field">
                        <label for="line-amount">"Amount in USD (labour: the rate per hour)"</label>
                        <input type="text" inputmode="decimal" id="line-amount" name="amount" value={kept::<AddLine>("amount")} autocomplete="off" aria-describedby="line-amount-hint line-amount-error"/>
                        <p class="hint" id="line-amount-hint">{format!("Damages follow the case's {}. Remediation and blacklist-removal fees start at USD 500.00. Reactivation fee: {}; labour: {} an hour.", events_in_words(d.event_count), data.reactivation_fee, data.labour_rate)}</p>
                        <FieldError id="line-amount-error" message=field(add, "amount")/>
                    </div>
                    <div class="field">
                        <label for="line-hours">"Hours (labour only)"</label>
                        <input type="text" inputmode="decimal" id="line-hours" name="hours" value={kept::<AddLine>("hours")} autocomplete="off" aria-describedby="line-hours-error"/>
                        <FieldError id="line-hours-error" message=field(add, "hours")/>
                    </div>
                    <div class="field">
                        <label for="line-source">"Source (pass-through items and labour: who charged or did it)"</label>
                        <input type="text" id="line-source" name="source" value={kept::<AddLine>("source")} aria-describedby="line-source-error"/>
                        <FieldError id="line-source-error" message=field(add, "source")/>
                    </div>
                </div>
                <div class="field">
                    <label for="line-note">"Note printed on the invoice (optional)"</label>
                    <input type="text" id="line-note" name="note" value={kept::<AddLine>("note")} aria-describedby="line-note-error"/>
                    <FieldError id="line-note-error" message=field(add, "note")/>
                </div>
                <button type="submit" class="button button-secondary">"Add the line"</button>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="draft-issue-heading">
            <h2 id="draft-issue-heading">"Issue or void"</h2>
            <ActionForm action=actions.blocking attr:class="form">
                <FormError action=actions.blocking/>
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="field-checkbox">
                    <input type="checkbox" id="draft-blocks" name="blocks" value="on" checked={kept_checked::<SetBlocking>("blocks", "on", blocks)}/>
                    <label for="draft-blocks">"Must be paid before the service is restored (policy §5)"</label>
                </div>
                <button type="submit" class="button button-secondary">"Save this choice"</button>
            </ActionForm>
            <p>"Issuing gives the invoice its number, payment reference and due date; it cannot change afterwards (corrections are credit notes)."</p>
            <ActionForm action=actions.issue attr:class="inline-form">
                <input type="hidden" name="id" value=id.to_string()/>
                <button type="submit" class="button button-primary">"Issue the invoice"</button>
            </ActionForm>
            <FormError action=actions.issue/>
            <ActionForm action=actions.void attr:class="form">
                <FormError action=actions.void/>
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="field">
                    <label for="void-reason">"Why void this draft"</label>
                    <input type="text" id="void-reason" name="reason" value={kept::<VoidInvoice>("reason")} aria-describedby="void-reason-error"/>
                    <FieldError id="void-reason-error" message=field(actions.void, "reason")/>
                </div>
                <button type="submit" class="button button-danger">"Void the draft"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn OpenPanels(data: InvoiceDetailView, actions: Actions) -> impl IntoView {
    let id = data.row.id;
    let reference = data
        .how_to_pay
        .as_ref()
        .map(|h| h.reference.clone())
        .unwrap_or_default();
    let balance = data.row.balance;
    let open_lines: Vec<_> = data
        .lines
        .iter()
        .filter(|l| l.waived_by.is_none())
        .cloned()
        .collect();
    let record = actions.record;
    view! {
        <section class="panel" aria-labelledby="record-payment-heading">
            <h2 id="record-payment-heading">"Record a bank transfer"</h2>
            <ActionForm action=record attr:class="form">
                <FormError action=record/>
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="form_key" value=data.form_key.clone()/>
                <div class="two-columns">
                    <div class="field">
                        <label for="payment-reference">"Payment reference on the statement"</label>
                        <input type="text" id="payment-reference" name="reference" value={kept_or::<RecordTransfer>("reference", reference)} autocomplete="off" spellcheck="false" aria-describedby="payment-reference-error"/>
                        <FieldError id="payment-reference-error" message=field(record, "reference")/>
                    </div>
                    <div class="field">
                        <label for="payment-amount">"Amount received (USD)"</label>
                        <input type="text" inputmode="decimal" id="payment-amount" name="amount" value={kept::<RecordTransfer>("amount")} autocomplete="off" aria-describedby="payment-amount-hint payment-amount-error"/>
                        <p class="hint" id="payment-amount-hint">{format!("Balance: {balance}. Part payments are fine.")}</p>
                        <FieldError id="payment-amount-error" message=field(record, "amount")/>
                    </div>
                    <div class="field">
                        <label for="payment-date">"Received on (empty: today)"</label>
                        <input type="date" id="payment-date" name="received_on" value={kept::<RecordTransfer>("received_on")} aria-describedby="payment-date-error"/>
                        <FieldError id="payment-date-error" message=field(record, "received_on")/>
                    </div>
                    <div class="field">
                        <label for="payment-note">"Note (optional, staff only)"</label>
                        <input type="text" id="payment-note" name="note" value={kept::<RecordTransfer>("note")} aria-describedby="payment-note-error"/>
                        <FieldError id="payment-note-error" message=field(record, "note")/>
                    </div>
                </div>
                <button type="submit" class="button button-primary">"Record the payment"</button>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="credit-heading">
            <h2 id="credit-heading">"Credit notes and waivers"</h2>
            <p class="muted">"Each is a numbered credit note with your reason; the customer reads the reason."</p>
            <h3>"Credit note"</h3>
            <ActionForm action=actions.credit_note attr:class="form">
                <FormError action=actions.credit_note/>
                <input type="hidden" name="id" value=id.to_string()/>
                <FormName name="note"/>
                <input type="hidden" name="what" value="note"/>
                <div class="two-columns">
                    <div class="field">
                        <label for="credit-amount">"Amount to credit (USD)"</label>
                        <input type="text" inputmode="decimal" id="credit-amount" name="amount" value={kept_in::<CreditInvoice>("note", "amount")} autocomplete="off" aria-describedby="credit-amount-error"/>
                        <FieldError id="credit-amount-error" message=field(actions.credit_note, "amount")/>
                    </div>
                    <div class="field">
                        <label for="credit-reason">"Why (the correction)"</label>
                        <input type="text" id="credit-reason" name="reason" value={kept_in::<CreditInvoice>("note", "reason")} aria-describedby="credit-reason-error"/>
                        <FieldError id="credit-reason-error" message=field(actions.credit_note, "reason")/>
                    </div>
                </div>
                <button type="submit" class="button button-secondary">"Issue the credit note"</button>
            </ActionForm>
            {(!open_lines.is_empty()).then(|| view! {
                <h3>"Waive a line"</h3>
                <ActionForm action=actions.waive_line attr:class="form">
                    <FormError action=actions.waive_line/>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <FormName name="line"/>
                    <input type="hidden" name="what" value="line"/>
                    <div class="two-columns">
                        <div class="field">
                            <label for="waive-line">"Line"</label>
                            <select id="waive-line" name="line" aria-describedby="waive-line-error">
                                {open_lines.iter().map(|l| view! { <option value=l.id.to_string() selected={kept_in::<CreditInvoice>("line", "line") == l.id.to_string()}>{format!("{} · {}", l.description, l.amount)}</option> }).collect_view()}
                            </select>
                            <FieldError id="waive-line-error" message=field(actions.waive_line, "line")/>
                        </div>
                        <div class="field">
                            <label for="waive-line-reason">"Why waive it"</label>
                            <input type="text" id="waive-line-reason" name="reason" value={kept_in::<CreditInvoice>("line", "reason")} aria-describedby="waive-line-reason-error"/>
                            <FieldError id="waive-line-reason-error" message=field(actions.waive_line, "reason")/>
                        </div>
                    </div>
                    <button type="submit" class="button button-secondary">"Waive the line"</button>
                </ActionForm>
            })}
            <h3>"Waive what is left"</h3>
            <ActionForm action=actions.waive_rest attr:class="form">
                <FormError action=actions.waive_rest/>
                <input type="hidden" name="id" value=id.to_string()/>
                <FormName name="rest"/>
                <input type="hidden" name="what" value="rest"/>
                <div class="field">
                    <label for="waive-rest-reason">{format!("Why waive the remaining {balance}")}</label>
                    <input type="text" id="waive-rest-reason" name="reason" value={kept_in::<CreditInvoice>("rest", "reason")} aria-describedby="waive-rest-reason-error"/>
                    <FieldError id="waive-rest-reason-error" message=field(actions.waive_rest, "reason")/>
                </div>
                <button type="submit" class="button button-danger">"Waive the invoice"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ReactivationPanels(data: StaffInvoiceView, actions: Actions) -> impl IntoView {
    let d = data.detail;
    let notice = d.row.notice_id;
    let Some(reactivation) = d.reactivation.clone() else {
        return view! {
            <p class="muted">{format!("No suspension from case #{} is in force.", d.row.notice_id)}</p>
        }
        .into_any();
    };
    let held = data.hold.is_some();
    view! {
        <ReactivationPanel reactivation notice_id=d.row.notice_id service_label=d.row.service_label.clone() case_base="/admin/cases" heading="Reactivation"/>
        <section class="panel" aria-labelledby="hold-heading">
            <h2 id="hold-heading">"Hold or reactivate by hand"</h2>
            <ActionForm action=actions.hold attr:class="form">
                <FormError action=actions.hold/>
                <input type="hidden" name="notice" value=notice.to_string()/>
                <input type="hidden" name="action" value={if held { "release" } else { "hold" }}/>
                <div class="field">
                    <label for="hold-reason">{if held { "Why release the hold" } else { "Why keep the service suspended whatever is paid" }}</label>
                    <input type="text" id="hold-reason" name="hold_reason" value={kept::<HoldReactivation>("hold_reason")} aria-describedby="hold-reason-error"/>
                    <FieldError id="hold-reason-error" message=field(actions.hold, "hold_reason")/>
                </div>
                <button type="submit" class="button button-secondary">{if held { "Release the hold" } else { "Keep suspended" }}</button>
            </ActionForm>
            <ActionForm action=actions.reactivate attr:class="form">
                <FormError action=actions.reactivate/>
                <input type="hidden" name="notice" value=notice.to_string()/>
                <div class="field">
                    <label for="reactivate-reason">"Why reactivate now, whatever is owed"</label>
                    <input type="text" id="reactivate-reason" name="reactivate_reason" value={kept::<ReactivateService>("reactivate_reason")} aria-describedby="reactivate-reason-error"/>
                    <FieldError id="reactivate-reason-error" message=field(actions.reactivate, "reactivate_reason")/>
                </div>
                <button type="submit" class="button button-danger">"Reactivate the service now"</button>
            </ActionForm>
        </section>
    }
    .into_any()
}
