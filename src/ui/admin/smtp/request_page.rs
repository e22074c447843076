//! `/admin/smtp/{id}`: one port-25 request for the abuse desk: what was asked, the checks, the
//! customer's other requests and cases, and the written decisions.

use super::api::{get_staff_request, ApproveRequest, DecideRequest, RecheckRequest};
use crate::domain::smtp::RequestStatus;
use crate::error::AppError;
use crate::ui::components::{
    action_field, form_action, kept, loaded, FieldError, FormError, Port25Badge,
};
use crate::ui::smtp::CheckList;
use crate::ui::smtp::{ApprovalDocumentView, RequestFacts, RequestHistory, RequestStatusBadge};
use crate::views::smtp::StaffRequestView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The staff's request page.
#[component]
pub fn StaffRequestPage() -> impl IntoView {
    let params = use_params_map();
    let approve = form_action::<ApproveRequest>();
    let decide = form_action::<DecideRequest>();
    let recheck = form_action::<RecheckRequest>();
    let request = Resource::new(
        move || {
            (
                params.read().get("id"),
                approve.version().get(),
                decide.version().get(),
                recheck.version().get(),
            )
        },
        |(id, _, _, _)| {
            Box::pin(async move {
                match id.and_then(|id| id.parse::<i64>().ok()) {
                    Some(id) => get_staff_request(id).await,
                    None => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        <p class="breadcrumb"><a href="/admin/smtp">"← Port-25 requests"</a></p>
        {loaded(request, move |data| view! { <Request data approve decide recheck/> })}
    }
}

#[component]
fn Request(
    data: StaffRequestView,
    approve: ServerAction<ApproveRequest>,
    decide: ServerAction<DecideRequest>,
    recheck: ServerAction<RecheckRequest>,
) -> impl IntoView {
    let d = data.request.clone();
    let r = d.row.clone();
    let id = r.id.to_string();
    let decide_id = id.clone();
    let may_approve =
        matches!(r.status, RequestStatus::Pending | RequestStatus::Suspended) || data.review_due;
    let may_reject = r.status == RequestStatus::Pending;
    let may_revoke = matches!(r.status, RequestStatus::Approved | RequestStatus::Suspended);
    let approve_err = move |name: &'static str| action_field(approve, name);
    let decide_err = action_field(decide, "reason");
    view! {
        <Title text=format!("Port-25 request #{} · Abuse desk", r.id)/>
        <div class="page-heading">
            <p class="eyebrow">{format!("Abuse desk · {}", r.organisation)}</p>
            <h1>{format!("Request #{} for {}", r.id, r.ip)}</h1>
            <p class="heading-tags">
                <RequestStatusBadge status=r.status/>" "<Port25Badge state=d.port25/>
                {data.review_due.then(|| view! { " "<span class="tag tag-danger">"Probation ended: review due"</span> })}
            </p>
            <p class="lead">{r.when_text.clone()}</p>
        </div>
        {d.approval.clone().map(|doc| view! { <ApprovalDocumentView doc/> })}
        <div class="two-columns">
            <section class="panel" aria-labelledby="staff-asked">
                <h2 id="staff-asked">"What the customer asked"</h2>
                {match d.details.clone() {
                    Some(details) => view! { <RequestFacts details service_id=d.service_id service_label=r.service_label.clone()/> }.into_any(),
                    None => view! { <p class="muted">"Not submitted."</p> }.into_any(),
                }}
            </section>
            <section class="panel" aria-labelledby="staff-customer">
                <h2 id="staff-customer">"The customer's history"</h2>
                <h3>"Cases"</h3>
                {if data.cases.is_empty() {
                    view! { <p class="muted">"No abuse cases."</p> }.into_any()
                } else {
                    view! { <ul class="measure-list">{data.cases.iter().map(|(cid, category, state)| view! {
                        <li><a href=format!("/admin/cases/{cid}")>{format!("Case #{cid} · {category}")}</a><span class="row-sub">{state.clone()}</span></li>
                    }).collect_view()}</ul> }.into_any()
                }}
                <h3>"Other port-25 requests"</h3>
                {if data.other_requests.is_empty() {
                    view! { <p class="muted">"None."</p> }.into_any()
                } else {
                    view! { <ul class="measure-list">{data.other_requests.iter().map(|o| view! {
                        <li><a href=format!("/admin/smtp/{}", o.id)>{format!("Request #{} · {}", o.id, o.ip)}</a>" "<RequestStatusBadge status=o.status/></li>
                    }).collect_view()}</ul> }.into_any()
                }}
            </section>
        </div>
        {d.checks.clone().map(|(at, results)| view! { <CheckList at results demo=d.dns_demo/> })}
        {d.details.is_some().then(|| view! {
            <ActionForm action=recheck attr:class="inline-form">
                <FormError action=recheck/>
                <input type="hidden" name="id" value=r.id.to_string()/>
                <button type="submit" class="button button-secondary">"Run the DNS checks again"</button>
            </ActionForm>
        })}
        <section class="panel" aria-labelledby="staff-history">
            <h2 id="staff-history">"History"</h2>
            <RequestHistory events=d.events.clone()/>
        </section>
        {may_approve.then(|| view! {
            <section class="panel" aria-labelledby="staff-approve">
                <h2 id="staff-approve">"Approve in writing"</h2>
                <ActionForm action=approve attr:class="form">
                    <FormError action=approve/>
                    <input type="hidden" name="id" value=id.clone()/>
                    <div class="field">
                        <label for="approval-text">"Approval text (printed on the document the customer receives)"</label>
                        <textarea id="approval-text" name="approval_text" rows="3" aria-describedby="approval-text-error">{kept::<ApproveRequest>("approval_text")}</textarea>
                        <FieldError id="approval-text-error".to_owned() message=approve_err("approval_text")/>
                    </div>
                    <div class="two-columns">
                        <div class="field">
                            <label for="approval-cap">"Daily cap (messages, optional)"</label>
                            <input type="text" inputmode="numeric" id="approval-cap" name="daily_cap" value={kept::<ApproveRequest>("daily_cap")} aria-describedby="approval-cap-error"/>
                            <FieldError id="approval-cap-error".to_owned() message=approve_err("daily_cap")/>
                        </div>
                        <div class="field">
                            <label for="approval-probation">"Probation ends (optional)"</label>
                            <input type="date" id="approval-probation" name="probation_until" value={kept::<ApproveRequest>("probation_until")} aria-describedby="approval-probation-error"/>
                            <FieldError id="approval-probation-error".to_owned() message=approve_err("probation_until")/>
                        </div>
                    </div>
                    <button type="submit" class="button button-primary">"Approve and issue the document"</button>
                </ActionForm>
            </section>
        })}
        {(may_reject || may_revoke).then(|| view! {
            <section class="panel" aria-labelledby="staff-refuse">
                <h2 id="staff-refuse">{if may_revoke { "Revoke the approval" } else { "Reject the request" }}</h2>
                <ActionForm action=decide attr:class="form">
                    <FormError action=decide/>
                    <input type="hidden" name="id" value=decide_id.clone()/>
                    <input type="hidden" name="decision" value=if may_revoke { "revoke" } else { "reject" }/>
                    <div class="field">
                        <label for="decision-reason">"Reason (the customer reads it)"</label>
                        <textarea id="decision-reason" name="reason" rows="3" aria-describedby="decision-reason-error">{kept::<DecideRequest>("reason")}</textarea>
                        <FieldError id="decision-reason-error".to_owned() message=decide_err/>
                    </div>
                    <button type="submit" class="button button-danger">{if may_revoke { "Revoke" } else { "Reject" }}</button>
                </ActionForm>
            </section>
        })}
    }
}
