//! `/notices/{id}`: what happened, the countdown, the responses allowed now, and the timeline.

use super::api::{get_notice_detail, AcknowledgeNotice, DisputeNotice};
use super::facts::CaseFacts;
use super::history::{DisputesPanel, SubmissionsPanel, Timeline};
use super::list_page::StateBadge;
use crate::domain::evidence::{
    check_declared, display_name, EvidenceFileKind, EvidenceLimits, Statement,
};
use crate::domain::notice::{transition, NoticeEvent, NoticeState};
use crate::error::AppError;
use crate::ui::billing::CaseBillingPanel;
use crate::ui::components::{
    action_field, form_action, kept, loaded, Countdown, FieldError, FormError,
};
use crate::views::notices::{EvidenceDraft, FileView, MeasureView, NoticeDetailView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// One notice.
#[component]
pub fn NoticeDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let acknowledge = form_action::<AcknowledgeNotice>();
    let dispute = form_action::<DisputeNotice>();
    let detail = Resource::new(
        move || (id(), acknowledge.version().get(), dispute.version().get()),
        |(id, ..)| {
            Box::pin(async move {
                match id {
                    Some(id) => get_notice_detail(id).await,
                    None => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        {loaded(detail, move |data| view! { <Detail data acknowledge dispute/> })}
    }
}

fn allowed(state: NoticeState, event: NoticeEvent) -> bool {
    transition(state, event).is_ok()
}

#[component]
fn Detail(
    data: NoticeDetailView,
    acknowledge: ServerAction<AcknowledgeNotice>,
    dispute: ServerAction<DisputeNotice>,
) -> impl IntoView {
    let row = data.row.clone();
    let state = row.state;
    let awaits = state.response_owed();
    let title = format!("Notice #{} · Abuse-case portal", row.id);
    let id = row.id;
    view! {
        <Title text=title/>
        <p class="breadcrumb"><a href="/notices">"← All notices"</a></p>
        <div class="page-heading notice-heading">
            <p class="eyebrow">{format!("Notice #{id} · {}", data.source)}</p>
            <h1>{row.category.label()}</h1>
            <p class="heading-tags">
                <StateBadge state/>
                {row.high_risk.then(|| view! { <span class="tag tag-danger">"High risk: may be enforced without notice"</span> })}
                {(data.escalation_level > 0).then(|| view! { <span class="tag tag-danger">"Escalated: reports keep arriving"</span> })}
            </p>
        </div>

        {(!data.trail_intact).then(|| view! {
            <p class="notice notice-error" role="alert">"This case's history failed its integrity check. The abuse desk has been alerted; contact them before relying on it."</p>
        })}

        <section class="deadline-panel" class:deadline-overdue=state == NoticeState::Overdue aria-labelledby="deadline-heading">
            <h2 id="deadline-heading">{if awaits { "Your response is due" } else { "Response" }}</h2>
            {if awaits {
                view! {
                    <p class="deadline-figure"><Countdown deadline_unix=row.deadline_unix now_unix=data.now_unix/></p>
                    <p>"Deadline: " <strong>{row.deadline_text.clone()}</strong></p>
                    {data.deadline_reason.clone().map(|r| view! { <p class="muted">"Deadline set by the abuse desk: " {r}</p> })}
                    <p>"Fix the cause, then submit remediation evidence below, or dispute the notice if you think it is wrong. Without a response by the deadline the abuse desk may block, suspend or terminate the service (policy §5)."</p>
                }.into_any()
            } else {
                view! { <p>{next_step_text(state)}</p> }.into_any()
            }}
        </section>

        <CaseFacts detail=data.clone()/>

        <section class="panel" aria-labelledby="measures-heading">
            <h2 id="measures-heading">"Measures on this service"</h2>
            <MeasureList measures=data.measures.clone()/>
        </section>
        <CaseBillingPanel billing=data.billing.clone() notice_id=data.row.id service_label=data.row.service_label.clone()/>

        {allowed(state, NoticeEvent::Acknowledge).then(|| view! {
            <section class="panel" aria-labelledby="ack-heading">
                <h2 id="ack-heading">"Acknowledge"</h2>
                <p>"Let the abuse desk know you are working on it. Evidence or a dispute is still due by the deadline."</p>
                <ActionForm action=acknowledge attr:class="inline-actions">
                    <FormError action=acknowledge/>
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="button button-secondary">"Acknowledge notice"</button>
                </ActionForm>
            </section>
        })}

        {allowed(state, NoticeEvent::SubmitEvidence).then(|| view! {
            <EvidenceForm id draft=data.draft.clone().unwrap_or_default() limits_text=data.limits_text.clone() limits=data.limits refused=refused_evidence()/>
        })}
        {allowed(state, NoticeEvent::Dispute).then(|| view! { <DisputeForm id action=dispute/> })}

        <SubmissionsPanel submissions=data.submissions.clone() heading="Your evidence" heading_id="subs-heading"/>
        <DisputesPanel disputes=data.disputes.clone() heading="Your dispute" heading_id="disputes-heading"/>
        <Timeline entries=data.timeline.clone() heading="Timeline" heading_id="timeline-heading"/>
    }
}

fn next_step_text(state: NoticeState) -> &'static str {
    match state {
        NoticeState::EvidenceSubmitted | NoticeState::UnderReview => {
            "Your evidence is with the abuse desk. You will see their decision here."
        }
        NoticeState::Disputed => {
            "Your dispute is with the abuse desk. You will see their decision and reasons here."
        }
        NoticeState::Resolved => "Resolved: the abuse desk accepted your evidence.",
        NoticeState::Withdrawn => "The abuse desk withdrew this notice.",
        NoticeState::Closed => "This case is closed.",
        _ => "",
    }
}

/// Enforcement measures taken for a case: those in force first, then the ended ones.
#[component]
pub fn MeasureList(measures: Vec<MeasureView>) -> impl IntoView {
    if measures.is_empty() {
        return view! { <p class="muted">"No enforcement measures have been taken for this notice."</p> }.into_any();
    }
    let (live, ended): (Vec<_>, Vec<_>) = measures.into_iter().partition(|m| m.in_force);
    let item = |m: MeasureView| {
        view! {
            <li class:measure-live=m.in_force>
                <strong>{m.kind.clone()}</strong>" on "{m.scope.clone()}
                {m.in_force.then(|| view! { <span class="tag tag-danger">"In force"</span> })}
                <span class="row-sub">
                    {format!("Since {}", m.since_text)}
                    {m.until_text.clone().map(|u| format!(" · until {u}"))}
                    {format!(" · by {}", m.started_by)}
                    {m.upstream_requested.then_some(" · upstream provider asked")}
                </span>
                <span class="row-sub">"Reason: "{m.reason.clone()}</span>
                {m.end_reason.clone().map(|r| view! { <span class="row-sub">"Ended: "{r}</span> })}
            </li>
        }
    };
    view! {
        {if live.is_empty() {
            view! { <p>"No measures are in force now."</p> }.into_any()
        } else {
            view! { <ul class="measure-list" aria-label="In force now">{live.into_iter().map(item).collect_view()}</ul> }.into_any()
        }}
        {(!ended.is_empty()).then(|| view! {
            <details class="past-measures">
                <summary>{format!("Ended measures ({})", ended.len())}</summary>
                <ul class="measure-list">{ended.into_iter().map(item).collect_view()}</ul>
            </details>
        })}
    }
    .into_any()
}

/// The files of a submission, each a download link.
#[component]
pub fn FileList(files: Vec<FileView>) -> impl IntoView {
    (!files.is_empty()).then(|| {
        view! {
            <ul class="file-list" aria-label="Files">
                {files.into_iter().map(|f| view! {
                    <li>
                        <a href=format!("/evidence/{}", f.id) download=f.name.clone() rel="external">{f.name.clone()}</a>
                        <span class="row-sub">{format!("{} · {} · {}", f.kind, f.detected, f.size_text)}</span>
                        <span class="row-sub hash">"SHA-256 "<code>{f.sha256.clone()}</code></span>
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

/// How many files one submission form offers.
const FILE_SLOTS: usize = 3;

/// The field and message of an evidence upload the server refused, from the query it sent the
/// browser back with (`evidence_field`, `evidence_error`).
fn refused_evidence() -> Option<(String, String)> {
    let query = use_query_map();
    let q = query.read_untracked();
    Some((q.get("evidence_field")?, q.get("evidence_error")?))
}

/// The evidence form: a plain multipart post to `/notices/{id}/evidence`, so that files stream
/// to the server with or without JavaScript. A refused input comes back in the query
/// (`refused`), and the statement typed comes back from the session (`draft`). An island: in
/// the browser it checks the files before anything is sent.
#[island]
fn EvidenceForm(
    id: i64,
    draft: EvidenceDraft,
    limits_text: String,
    limits: EvidenceLimits,
    refused: Option<(String, String)>,
) -> impl IntoView {
    let error_for = |field: &str| {
        refused
            .as_ref()
            .filter(|(refused_field, _)| refused_field == field)
            .map(|(_, message)| message.clone())
    };
    let sig = |field: &'static str| Signal::stored(error_for(field));
    // The file the server refused, if any (the message itself stands next to that file).
    let refused_file = refused
        .as_ref()
        .and_then(|(field, _)| field.strip_prefix("file_").map(str::to_owned));
    let (cause, fix, prevention) = (sig("cause"), sig("fix"), sig("prevention"));
    let file_inputs: [NodeRef<leptos::html::Input>; FILE_SLOTS] =
        std::array::from_fn(|_| NodeRef::new());
    let file_errors: [RwSignal<Option<String>>; FILE_SLOTS] =
        std::array::from_fn(|i| RwSignal::new(error_for(&format!("file_{}", i + 1))));
    // The form's own refusals, and any about a field this form does not show, go on top.
    let shown_here = |field: &str| {
        matches!(field, "cause" | "fix" | "prevention")
            || field
                .strip_prefix("file_")
                .and_then(|n| n.parse::<usize>().ok())
                .is_some_and(|n| (1..=FILE_SLOTS).contains(&n))
    };
    let form_error = refused
        .as_ref()
        .filter(|(field, _)| !shown_here(field))
        .map(|(_, message)| message.clone());
    // With JavaScript the files are checked before anything is sent, with the server's own
    // rules and words, so a customer never waits for an upload that will be refused.
    let check_files = move || -> Option<usize> {
        let mut first_refused = None;
        let (mut count, mut total) = (0usize, 0u64);
        for (i, input) in file_inputs.iter().enumerate() {
            file_errors[i].set(None);
            let Some(file) = input
                .get()
                .and_then(|el| el.files())
                .and_then(|files| files.get(0))
            else {
                continue;
            };
            let name = display_name(&file.name());
            let size = file.size() as u64;
            let verdict = check_declared(&name, &file.type_())
                .map_err(|e| format!("{name}: {e}"))
                .and_then(|()| {
                    limits
                        .check_next(&name, size, count, total)
                        .map_err(|e| e.to_string())
                });
            match verdict {
                Ok(()) => {
                    count += 1;
                    total += size;
                }
                Err(message) => {
                    file_errors[i].set(Some(message));
                    first_refused.get_or_insert(i);
                }
            }
        }
        first_refused
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(i) = check_files() {
            ev.prevent_default();
            if let Some(el) = file_inputs[i].get() {
                let _ = el.focus();
            }
        }
    };
    view! {
        <section class="panel" aria-labelledby="evidence-heading">
            <h2 id="evidence-heading">"Submit remediation evidence"</h2>
            <p class="notice notice-info">"Describe what you found and fixed. Do not upload message contents or recipients' personal data: the provider keeps no message payloads."</p>
            {form_error.map(|m| view! { <p class="notice notice-error" role="alert" id="evidence-form-error">{m}</p> })}
            {refused_file.map(|n| view! {
                <p class="notice notice-error" role="alert" id="evidence-form-error">
                    {format!("Your evidence was not sent: see File {n} below. Your statement was kept.")}
                </p>
            })}
            <form class="form" method="post" action=format!("/notices/{id}/evidence") enctype="multipart/form-data" on:submit=on_submit>
                <div class="field">
                    <label for="evidence-cause">"What caused the abuse?"</label>
                    <textarea id="evidence-cause" name="cause" rows="3" required maxlength=Statement::MAX_CHARS aria-describedby="evidence-cause-error" aria-invalid=move || cause.get().is_some().to_string()>{draft.cause.clone()}</textarea>
                    <FieldError id="evidence-cause-error" message=cause/>
                </div>
                <div class="field">
                    <label for="evidence-fix">"What did you fix?"</label>
                    <textarea id="evidence-fix" name="fix" rows="3" required maxlength=Statement::MAX_CHARS aria-describedby="evidence-fix-error" aria-invalid=move || fix.get().is_some().to_string()>{draft.fix.clone()}</textarea>
                    <FieldError id="evidence-fix-error" message=fix/>
                </div>
                <div class="field">
                    <label for="evidence-prevention">"How do you prevent it from happening again?"</label>
                    <textarea id="evidence-prevention" name="prevention" rows="3" required maxlength=Statement::MAX_CHARS aria-describedby="evidence-prevention-error" aria-invalid=move || prevention.get().is_some().to_string()>{draft.prevention.clone()}</textarea>
                    <FieldError id="evidence-prevention-error" message=prevention/>
                </div>
                <fieldset class="choices">
                    <legend>"Files (optional)"</legend>
                    <p class="muted" id="evidence-limits">{limits_text}</p>
                    {(0..FILE_SLOTS).map(|i| {
                        let n = i + 1;
                        let error = file_errors[i];
                        view! {
                            <div class="file-slot">
                                <div class="field">
                                    <label for=format!("evidence-kind-{n}")>{format!("File {n} is a")}</label>
                                    <select id=format!("evidence-kind-{n}") name=format!("kind_{n}")>
                                        {EvidenceFileKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for=format!("evidence-file-{n}")>{format!("File {n}")}</label>
                                    <input
                                        type="file"
                                        id=format!("evidence-file-{n}")
                                        name=format!("file_{n}")
                                        node_ref=file_inputs[i]
                                        aria-describedby=format!("evidence-file-{n}-error evidence-limits")
                                        aria-invalid=move || error.get().is_some().to_string()
                                        accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/csv,.log,.csv,.txt"
                                        on:change=move |_| { check_files(); }
                                    />
                                    <FieldError id=format!("evidence-file-{n}-error") message=error/>
                                </div>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button button-primary">"Submit evidence"</button>
            </form>
        </section>
    }
}

#[component]
fn DisputeForm(id: i64, action: ServerAction<DisputeNotice>) -> impl IntoView {
    let reasons = action_field(action, "reasons");
    view! {
        <section class="panel" aria-labelledby="dispute-heading">
            <h2 id="dispute-heading">"Dispute this notice"</h2>
            <p>"If you believe the notice is wrong (for example the address was not yours at the time), explain why. The abuse desk decides and gives you its reasons."</p>
            <ActionForm action=action attr:class="form">
                <FormError action/>
                <input type="hidden" name="id" value=id/>
                <div class="field">
                    <label for="dispute-reasons">"Why is the notice wrong?"</label>
                    <textarea id="dispute-reasons" name="reasons" rows="4" required maxlength=*crate::domain::notice::DISPUTE_REASONS_CHARS.end() aria-describedby="dispute-reasons-error" aria-invalid=move || reasons.get().is_some().to_string()>{kept::<DisputeNotice>("reasons")}</textarea>
                    <FieldError id="dispute-reasons-error" message=reasons/>
                </div>
                <button type="submit" class="button button-secondary">"Send dispute"</button>
            </ActionForm>
        </section>
    }
}
