//! `/smtp/{id}`: one request: where it stands, what was asked, the DNS checks, its history, and
//! the written approval (printable and downloadable).

use super::api::{get_request, WithdrawRequest};
use crate::domain::smtp::checks::{CheckResult, CheckStatus};
use crate::domain::smtp::RequestDetails;
use crate::domain::smtp::{ApprovalDocument, RequestStatus};
use crate::domain::time_format::utc;
use crate::error::AppError;
use crate::ui::components::{form_action, loaded, FormError, Port25Badge};
use crate::views::smtp::{RequestDetailView, RequestEventView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The request page.
#[component]
pub fn RequestDetailPage() -> impl IntoView {
    let params = use_params_map();
    let withdraw = form_action::<WithdrawRequest>();
    let request = Resource::new(
        move || (params.read().get("id"), withdraw.version().get()),
        |(id, _)| {
            Box::pin(async move {
                match id.and_then(|id| id.parse::<i64>().ok()) {
                    Some(id) => get_request(id).await,
                    None => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        <p class="breadcrumb"><a href="/smtp">"← Outbound mail (port 25)"</a></p>
        {loaded(request, move |data| view! { <Request data withdraw/> })}
    }
}

/// A request's status as a badge.
#[component]
pub fn RequestStatusBadge(
    /// The status.
    status: RequestStatus,
) -> impl IntoView {
    let class = match status {
        RequestStatus::Approved => "badge badge-active",
        RequestStatus::Pending | RequestStatus::Draft => "badge badge-restricted",
        RequestStatus::Rejected | RequestStatus::Revoked | RequestStatus::Suspended => {
            "badge badge-suspended"
        }
        RequestStatus::Withdrawn => "badge",
    };
    view! { <span class=class>{status.label()}</span> }
}

fn what_now(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Draft => "This request is a draft: finish it and submit it for review.",
        RequestStatus::Pending => "The abuse desk is reviewing this request. You will see their decision here.",
        RequestStatus::Approved => "Approved in writing. Keep to the conditions below: the approval can be revoked.",
        RequestStatus::Rejected => "The abuse desk rejected this request; their reason is in the history below.",
        RequestStatus::Revoked => "The approval was revoked; port 25 is restricted again.",
        RequestStatus::Suspended => "The approval is suspended because an abuse case was opened on this address. Resolve the case; the abuse desk then reviews the approval.",
        RequestStatus::Withdrawn => "You withdrew this request.",
    }
}

#[component]
fn Request(data: RequestDetailView, withdraw: ServerAction<WithdrawRequest>) -> impl IntoView {
    let r = data.row.clone();
    view! {
        <Title text=format!("Port-25 request #{} · Abuse-case portal", r.id)/>
        <div class="page-heading">
            <p class="eyebrow">"Outbound mail (port 25)"</p>
            <h1>{format!("Request #{} for {}", r.id, r.ip)}</h1>
            <p class="heading-tags">
                <RequestStatusBadge status=r.status/>" "
                <Port25Badge state=data.port25/>
            </p>
            <p class="lead">{what_now(r.status)}</p>
        </div>
        {data.is_draft.then(|| view! { <p><a href="/smtp/new" class="button button-primary">"Continue the draft"</a></p> })}
        {data.approval.clone().map(|doc| view! { <ApprovalDocumentView doc/> })}
        <div class="two-columns">
            <section class="panel" aria-labelledby="req-asked">
                <h2 id="req-asked">"What was asked"</h2>
                {match data.details.clone() {
                    Some(details) => view! { <RequestFacts details service_id=data.service_id service_label=r.service_label.clone()/> }.into_any(),
                    None => view! { <p class="muted">"Not submitted yet."</p> }.into_any(),
                }}
            </section>
            <section class="panel" aria-labelledby="req-history">
                <h2 id="req-history">"History"</h2>
                <RequestHistory events=data.events.clone()/>
                {data.can_withdraw.then(|| view! {
                    <ActionForm action=withdraw attr:class="inline-form">
                        <input type="hidden" name="id" value=r.id.to_string()/>
                        <button type="submit" class="button button-secondary">"Withdraw this request"</button>
                    </ActionForm>
                })}
                <FormError action=withdraw/>
            </section>
        </div>
        {data.checks.clone().map(|(at, results)| view! { <CheckList at results demo=data.dns_demo/> })}
    }
}

/// What a submitted request asks for, as facts.
#[component]
pub fn RequestFacts(
    /// The request as submitted.
    details: RequestDetails,
    /// Its service.
    service_id: i64,
    /// The service's name.
    service_label: String,
) -> impl IntoView {
    let d = details;
    view! {
        <dl class="facts">
            <dt>"Service"</dt><dd><a href=format!("/services/{service_id}")>{service_label}</a></dd>
            <dt>"Use case"</dt><dd>{d.use_case.label()}</dd>
            {(!d.use_case_details.is_empty()).then(|| view! { <dt>"In their words"</dt><dd>{d.use_case_details.clone()}</dd> })}
            <dt>"Sending domains"</dt><dd>{d.sending_domains.join(", ")}</dd>
            <dt>"Volume"</dt><dd>{format!("{} a day, at most {} an hour", d.daily_volume, d.peak_per_hour)}</dd>
            <dt>"Consent"</dt><dd>{d.consent.clone()}</dd>
            <dt>"Bounces and complaints"</dt><dd>{d.bounce_handling.clone()}</dd>
            <dt>"Software"</dt><dd>{d.software.clone()}</dd>
            <dt>"HELO name"</dt><dd><code>{d.helo_name.clone()}</code></dd>
            <dt>"DKIM selector"</dt><dd><code>{d.dkim_selector.clone()}</code></dd>
            <dt>"Why not port 587"</dt><dd>{d.why_not_relay.clone()}</dd>
        </dl>
    }
}

/// A request's history, oldest first, with the written reasons.
#[component]
pub fn RequestHistory(events: Vec<RequestEventView>) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="muted">"Nothing has happened yet."</p> }.into_any();
    }
    view! {
        <ol class="timeline">
            {events.into_iter().map(|e| view! {
                <li>
                    <strong>{e.what}</strong>
                    <span class="row-sub">{format!("{} · {}", e.at_text, e.who)}</span>
                    {e.reason.map(|reason| view! { <p class="reason">{reason}</p> })}
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// The DNS checks of a request: pass, fail or could not check, why, and what to change.
#[component]
pub fn CheckList(
    /// When they ran, in words.
    at: String,
    /// The results.
    results: Vec<CheckResult>,
    /// Whether the answers came from the built-in demo zone.
    demo: bool,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="req-checks">
            <h2 id="req-checks">"DNS checks"</h2>
            <p class="muted">{format!("Checked {at}. A failing check does not stop the review, but the abuse desk sees it.")}</p>
            {demo.then(|| view! { <p class="notice" role="note">"Demo mode: these answers come from the portal's built-in demo zone, not from the internet."</p> })}
            <ul class="check-list">
                {results.into_iter().map(|c| {
                    let class = match c.status {
                        CheckStatus::Pass => "badge badge-active",
                        CheckStatus::Fail => "badge badge-suspended",
                        CheckStatus::Unknown => "badge badge-restricted",
                    };
                    view! {
                        <li>
                            <span class=class>{c.status.label()}</span>" "
                            <strong>{c.kind.label()}</strong>" · "<code>{c.subject.clone()}</code>
                            <p>{c.reason.clone()}</p>
                            {c.fix.clone().map(|fix| view! { <p class="fix"><strong>"To fix: "</strong>{fix}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The written approval as issued: printable (print styles keep only it) and downloadable as
/// a text file.
#[component]
pub fn ApprovalDocumentView(doc: ApprovalDocument) -> impl IntoView {
    let text = document_text(&doc);
    let href = format!(
        "data:text/plain;charset=utf-8,{}",
        crate::ui::components::percent_encode(&text)
    );
    let file = format!("{}.txt", doc.number);
    view! {
        <article class="panel approval-document" aria-labelledby="approval-heading">
            <p class="eyebrow">"Written approval"</p>
            <h2 id="approval-heading">{format!("Outbound SMTP (port 25) approval {}", doc.number)}</h2>
            <dl class="facts">
                <dt>"Issued"</dt><dd>{utc(doc.issued_at)}</dd>
                <dt>"Customer"</dt><dd>{doc.organisation.clone()}</dd>
                <dt>"Service"</dt><dd>{format!("{} ({})", doc.service_label, doc.service_kind)}</dd>
                <dt>"Address"</dt><dd><code>{doc.ip.clone()}</code></dd>
                <dt>"Use case"</dt><dd>{doc.use_case.clone()}</dd>
                <dt>"Sending domains"</dt><dd>{doc.sending_domains.join(", ")}</dd>
                <dt>"Conditions"</dt>
                <dd>
                    {if doc.conditions.is_empty() {
                        view! { "None beyond the abuse policy." }.into_any()
                    } else {
                        view! { <ul>{doc.conditions.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul> }.into_any()
                    }}
                </dd>
                <dt>"Approved by"</dt><dd>{format!("{}, {}", doc.approver, doc.approver_role)}</dd>
            </dl>
            <p class="approval-text">{doc.approval_text.clone()}</p>
            <p class="no-print"><a href=href download=file class="button button-secondary">"Download the approval"</a></p>
        </article>
    }
}

/// The approval as plain text, for the downloaded file.
fn document_text(doc: &ApprovalDocument) -> String {
    let mut lines = vec![
        format!("Outbound SMTP (port 25) approval {}", doc.number),
        String::new(),
        format!("Issued:          {}", utc(doc.issued_at)),
        format!("Customer:        {}", doc.organisation),
        format!(
            "Service:         {} ({})",
            doc.service_label, doc.service_kind
        ),
        format!("Address:         {}", doc.ip),
        format!("Use case:        {}", doc.use_case),
        format!("Sending domains: {}", doc.sending_domains.join(", ")),
        format!("Daily volume:    {} (declared)", doc.daily_volume),
    ];
    if doc.conditions.is_empty() {
        lines.push("Conditions:      none beyond the abuse policy".into());
    } else {
        lines.push("Conditions:".into());
        lines.extend(doc.conditions.iter().map(|c| format!("  - {c}")));
    }
    lines.push(format!(
        "Approved by:     {}, {}",
        doc.approver, doc.approver_role
    ));
    lines.push(String::new());
    lines.push(doc.approval_text.clone());
    lines.join("\n") + "\n"
}
