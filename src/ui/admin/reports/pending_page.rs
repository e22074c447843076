//! `/admin/reports/cases/{id}`: a reported case waiting for verification: its events, and the
//! two decisions: verify (a notice opens and the customer's 48 hours start) or dismiss with a
//! reason.

use super::api::{get_pending, DismissReportedCase, VerifyReportedCase};
use super::EventTable;
use crate::domain::notice::NoticeSource;
use crate::error::AppError;
use crate::ui::components::{
    action_field, form_action, kept, kept_checked, kept_or, loaded, FieldError, FormError,
};
use crate::views::reports::PendingView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The waiting case's page.
#[component]
pub fn PendingCasePage() -> impl IntoView {
    let params = use_params_map();
    let verify = form_action::<VerifyReportedCase>();
    let dismiss = form_action::<DismissReportedCase>();
    let case = Resource::new(
        move || (params.read().get("id"), dismiss.version().get()),
        |(id, _)| {
            Box::pin(async move {
                match id.and_then(|id| id.parse::<i64>().ok()) {
                    Some(id) => get_pending(id).await,
                    None => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        <p class="breadcrumb"><a href="/admin/reports">"← Reports to verify"</a></p>
        {loaded(case, move |data| view! { <Pending data verify dismiss/> })}
    }
}

#[component]
fn Pending(
    data: PendingView,
    verify: ServerAction<VerifyReportedCase>,
    dismiss: ServerAction<DismissReportedCase>,
) -> impl IntoView {
    let p = data.row.clone();
    let verify_id = p.id.to_string();
    let dismiss_id = p.id.to_string();
    let waiting = data.state == "needs_verification";
    let open_notice = data.open_notice;
    view! {
        <Title text=format!("Reported case #{} · Abuse desk", p.id)/>
        <div class="page-heading">
            <p class="eyebrow">{format!("Abuse desk · {}", p.organisation)}</p>
            <h1>{format!("Reported case #{}: {} from {}", p.id, p.category.label(), p.service.1)}</h1>
            <p class="heading-tags">
                {if waiting {
                    view! { <span class="tag tag-warning">"Needs verification"</span> }.into_any()
                } else {
                    view! { <span class="tag">{if data.notice_id.is_some() { "Verified" } else { "Dismissed" }}</span> }.into_any()
                }}
                {p.high_risk.then(|| view! { " "<span class="tag tag-danger">"High-risk (policy §5)"</span> })}
            </p>
            <p class="lead">{format!("{} incident(s) reported, {}; waiting {}.", p.event_count, p.span_text, p.waiting_text)}</p>
        </div>
        {data.decision.clone().map(|(by, at, why)| view! {
            <div class="notice notice-ok" role="status">
                <p>{format!("Decided by {by} on {at}: {why}")}</p>
                {data.notice_id.map(|n| view! { <p><a href=format!("/admin/cases/{n}")>{format!("Open case #{n}")}</a></p> })}
            </div>
        })}
        <section class="panel" aria-labelledby="pending-events">
            <h2 id="pending-events">"Events"</h2>
            <p class="muted">{match open_notice {
                Some(open) => format!("The customer has not been told yet. Notice #{open} is open for this service and category: verifying adds these events to it, where the customer sees them."),
                None => "The customer has not been told yet: a notice opens only when you verify.".to_owned(),
            }}</p>
            <EventTable events=data.events.clone() caption="The reported events, newest first"/>
        </section>
        {waiting.then(|| view! {
            <div class="two-columns">
                <section class="panel" aria-labelledby="pending-verify">
                    <h2 id="pending-verify">"Verify and notify the customer"</h2>
                    <ActionForm action=verify attr:class="form">
                        <FormError action=verify/>
                        <input type="hidden" name="id" value=verify_id/>
                        {match open_notice {
                            // The events join an open notice: its source and summary stay.
                            Some(open) => view! {
                                <input type="hidden" name="source" value=data.suggested_source.as_str()/>
                                <input type="hidden" name="summary" value=data.suggested_summary.clone()/>
                                <p class="hint">{format!("These events join notice #{open}: its summary and deadline stay as they are, and its trail shows the events with your note.")}</p>
                            }.into_any(),
                            None => view! {
                                <div class="field">
                                    <label for="verify-source">"Source of the reports"</label>
                                    <select id="verify-source" name="source" aria-describedby="verify-source-error">
                                        {NoticeSource::ALL.iter().map(|s| view! {
                                            <option value=s.as_str() selected={kept_or::<VerifyReportedCase>("source", data.suggested_source.as_str()) == s.as_str()}>{s.label()}</option>
                                        }).collect_view()}
                                    </select>
                                    <FieldError id="verify-source-error" message=action_field(verify, "source")/>
                                </div>
                                <div class="field">
                                    <label for="verify-summary">"What was observed (the customer reads it; no message content)"</label>
                                    <textarea id="verify-summary" name="summary" rows="4" aria-describedby="verify-summary-error">{kept_or::<VerifyReportedCase>("summary", data.suggested_summary.clone())}</textarea>
                                    <FieldError id="verify-summary-error" message=action_field(verify, "summary")/>
                                </div>
                            }.into_any(),
                        }}
                        <div class="field">
                            <label for="verify-note">"How you verified the reports (staff only)"</label>
                            <textarea id="verify-note" name="verification_note" rows="3" aria-describedby="verify-note-error">{kept::<VerifyReportedCase>("verification_note")}</textarea>
                            <FieldError id="verify-note-error" message=action_field(verify, "verification_note")/>
                        </div>
                        {open_notice.is_none().then(|| view! {
                            <div class="field field-checkbox">
                                <input type="checkbox" id="verify-high-risk" name="high_risk" value="on" checked={p.high_risk || kept_checked::<VerifyReportedCase>("high_risk", "on", false)} disabled=p.high_risk/>
                                <label for="verify-high-risk">"High-risk: may be enforced at once (policy §5)"</label>
                            </div>
                        })}
                        <button type="submit" class="button button-primary">{match open_notice {
                            Some(open) => format!("Verify and add to notice #{open}"),
                            None => "Verify and open the notice".to_owned(),
                        }}</button>
                    </ActionForm>
                </section>
                <section class="panel" aria-labelledby="pending-dismiss">
                    <h2 id="pending-dismiss">"Dismiss"</h2>
                    <ActionForm action=dismiss attr:class="form">
                        <FormError action=dismiss/>
                        <input type="hidden" name="id" value=dismiss_id/>
                        <div class="field">
                            <label for="dismiss-reason">"Reason (kept in the provider's log)"</label>
                            <textarea id="dismiss-reason" name="reason" rows="3" aria-describedby="dismiss-reason-error">{kept::<DismissReportedCase>("reason")}</textarea>
                            <FieldError id="dismiss-reason-error" message=action_field(dismiss, "reason")/>
                        </div>
                        <button type="submit" class="button button-danger">"Dismiss the reports"</button>
                    </ActionForm>
                </section>
            </div>
        })}
    }
}
