//! `/admin/cases/{id}`: everything the customer sees, plus the verification note, and the staff
//! decisions allowed in the case's state, each with its written reason.

use super::api::{get_case, AddCaseNote, ChangeCaseDeadline, DecideCase, EndMeasure, StartMeasure};
use crate::domain::enforcement::EnforcementKind;
use crate::domain::notice::StaffDecision;
use crate::error::AppError;
use crate::ui::admin::billing::api::DraftInvoice;
use crate::ui::billing::CaseBillingPanel;
use crate::ui::components::{
    action_field, form_action, kept, kept_checked, kept_or, loaded, Countdown, FieldError,
    FormError,
};
use crate::ui::notices::{
    CaseFacts, DisputesPanel, MeasureList, StateBadge, SubmissionsPanel, Timeline,
};
use crate::views::cases::{CaseView, NoteView};
use crate::views::notices::MeasureView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One case, for staff.
#[component]
pub fn CasePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let decide = form_action::<DecideCase>();
    let deadline = form_action::<ChangeCaseDeadline>();
    let start = form_action::<StartMeasure>();
    let end = form_action::<EndMeasure>();
    let note = form_action::<AddCaseNote>();
    let case = Resource::new(
        move || {
            (
                id(),
                decide.version().get(),
                deadline.version().get(),
                start.version().get(),
                end.version().get(),
                note.version().get(),
            )
        },
        |(id, ..)| {
            Box::pin(async move {
                match id {
                    Some(id) => get_case(id).await,
                    None => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        {loaded(case, move |data| view! { <Case data decide deadline start end note/> })}
    }
}

/// The case: its heading and deadline, what the customer sees, then a panel per job of the desk
/// (enforcement, the decision, the deadline, internal notes) and the audit trail.
#[component]
fn Case(
    data: CaseView,
    decide: ServerAction<DecideCase>,
    deadline: ServerAction<ChangeCaseDeadline>,
    start: ServerAction<StartMeasure>,
    end: ServerAction<EndMeasure>,
    note: ServerAction<AddCaseNote>,
) -> impl IntoView {
    let d = data.detail.clone();
    let row = d.row.clone();
    let (id, state) = (row.id, row.state);
    let draft_invoice = form_action::<DraftInvoice>();
    let awaits = state.response_owed();
    view! {
        <Title text=format!("Case #{id} · Abuse-case portal")/>
        <p class="breadcrumb"><a href="/admin/cases">"← Case queue"</a></p>
        <div class="page-heading">
            <p class="eyebrow">{format!("Case #{id} · {} · {}", data.org_name, d.source)}</p>
            <h1>{row.category.label()}</h1>
            <p class="heading-tags">
                <StateBadge state/>
                {row.high_risk.then(|| view! { <span class="tag tag-danger">"High risk"</span> })}
                {(d.escalation_level > 0).then(|| view! { <span class="tag tag-danger">{format!("Escalated (level {})", d.escalation_level)}</span> })}
                {(!d.trail_intact).then(|| view! { <span class="tag tag-danger">"Audit trail failed verification"</span> })}
            </p>
        </div>

        <div class="two-columns">
            <section class="panel" aria-labelledby="case-deadline">
                <h2 id="case-deadline">"Deadline"</h2>
                {if awaits {
                    view! { <p class="deadline-figure"><Countdown deadline_unix=row.deadline_unix now_unix=d.now_unix/></p> }.into_any()
                } else {
                    view! { <p class="muted">"No customer response is due in this state."</p> }.into_any()
                }}
                <p>{row.deadline_text.clone()}</p>
                {d.deadline_reason.clone().map(|r| view! { <p class="muted">"Reason: " {r}</p> })}
            </section>
            <section class="panel" aria-labelledby="case-verification">
                <h2 id="case-verification">"Verification (staff only)"</h2>
                <p class="summary">{data.verification_note.clone()}</p>
            </section>
        </div>

        <CaseFacts detail=d.clone() customer=data.org_name.clone()/>
        {(!data.reported_events.is_empty()).then(|| view! {
            <section class="panel" aria-labelledby="case-reported">
                <h2 id="case-reported">{format!("Reported events ({})", data.reported_events.len())}</h2>
                <crate::ui::admin::reports::EventTable events=data.reported_events.clone() caption="Reported events counted in this case, newest first"/>
            </section>
        })}

        <CaseBillingPanel billing=d.billing.clone() notice_id=id service_label=row.service_label.clone() staff=true>
            <ActionForm action=draft_invoice attr:class="inline-form">
                <FormError action=draft_invoice/>
                <input type="hidden" name="notice" value=id.to_string()/>
                <button type="submit" class="button button-secondary">"Draft an invoice"</button>
            </ActionForm>
            <p class="hint">"The draft proposes the policy's lines for this case: damages from its verified events, and the reactivation fee while it is suspended."</p>
        </CaseBillingPanel>

        <EnforcementPanel id ips=row.ips.clone() measures=d.measures.clone() zone=data.zone.clone() start end/>
        <DecisionPanel id decisions=StaffDecision::offered_in(state) decide/>
        {awaits.then(|| view! { <DeadlinePanel id zone=data.zone.clone() current=data.deadline_input.clone() deadline/> })}
        <SubmissionsPanel submissions=d.submissions.clone() heading="Evidence submissions" heading_id="case-subs"/>
        <DisputesPanel disputes=d.disputes.clone() heading="Disputes" heading_id="case-disputes"/>
        <NotesPanel id notes=data.notes.clone() note/>
        <Timeline entries=d.timeline.clone() heading="Audit trail" heading_id="case-timeline"/>
    }
}

/// The measures on the case's service, a form to end one in force and a form to start one.
#[component]
fn EnforcementPanel(
    id: i64,
    /// The case's addresses, which a measure may be limited to.
    ips: Vec<String>,
    measures: Vec<MeasureView>,
    /// The zone typed times are read in.
    zone: String,
    start: ServerAction<StartMeasure>,
    end: ServerAction<EndMeasure>,
) -> impl IntoView {
    let endable: Vec<(i64, String)> = measures
        .iter()
        .filter(|m| m.in_force && !m.permanent)
        .map(|m| (m.id, format!("{} on {}", m.kind, m.scope)))
        .collect();
    let end_reason_error = action_field(end, "end_reason");
    let scope_ip_error = action_field(start, "scope_ip");
    let port_error = action_field(start, "scope_port");
    let measure_reason_error = action_field(start, "reason");
    let ends_error = action_field(start, "ends_at");
    view! {
        <section class="panel" aria-labelledby="case-measures">
            <h2 id="case-measures">"Enforcement"</h2>
            <MeasureList measures/>
            {(!endable.is_empty()).then(|| view! {
                <ActionForm action=end attr:class="form inline-form-row">
                    <FormError action=end/>
                    <div class="field">
                        <label for="end-measure">"End a measure in force"</label>
                        <select id="end-measure" name="action_id">
                            {endable.iter().map(|(id, label)| view! { <option value=id.to_string() selected={kept::<EndMeasure>("action_id") == id.to_string()}>{label.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="end-reason">"Why it ends"</label>
                        <input type="text" id="end-reason" name="end_reason" value={kept::<EndMeasure>("end_reason")} required aria-describedby="end-reason-error" aria-invalid=move || end_reason_error.get().is_some().to_string()/>
                        <FieldError id="end-reason-error" message=end_reason_error/>
                    </div>
                    <button type="submit" class="button button-secondary">"End measure"</button>
                </ActionForm>
            })}
            <h3>"Start a measure"</h3>
            <ActionForm action=start attr:class="form">
                <FormError action=start/>
                <input type="hidden" name="id" value=id/>
                <div class="two-columns three">
                    <div class="field">
                        <label for="measure-kind">"Measure"</label>
                        <select id="measure-kind" name="kind">
                            {EnforcementKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected={kept::<StartMeasure>("kind") == k.as_str()}>{k.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="measure-ip">"Address"</label>
                        <select id="measure-ip" name="scope_ip" aria-describedby="measure-ip-error">
                            <option value="">"Whole service"</option>
                            {ips.into_iter().map(|ip| view! { <option value=ip.clone() selected={kept::<StartMeasure>("scope_ip") == ip}>{ip.clone()}</option> }).collect_view()}
                        </select>
                        <FieldError id="measure-ip-error" message=scope_ip_error/>
                    </div>
                    <div class="field">
                        <label for="measure-port">"Port (optional)"</label>
                        <input type="number" id="measure-port" name="scope_port" value={kept::<StartMeasure>("scope_port")} min="1" max="65535" aria-describedby="measure-port-error" aria-invalid=move || port_error.get().is_some().to_string()/>
                        <FieldError id="measure-port-error" message=port_error/>
                    </div>
                </div>
                <div class="field">
                    <label for="measure-reason">"Why the measure is taken"</label>
                    <input type="text" id="measure-reason" name="reason" value={kept::<StartMeasure>("reason")} required aria-describedby="measure-reason-error" aria-invalid=move || measure_reason_error.get().is_some().to_string()/>
                    <FieldError id="measure-reason-error" message=measure_reason_error/>
                </div>
                <div class="two-columns">
                    <div class="field">
                        <label for="measure-ends">{format!("Ends ({zone}, optional)")}</label>
                        <input type="datetime-local" id="measure-ends" name="ends_at" value={kept::<StartMeasure>("ends_at")} aria-describedby="measure-ends-error"/>
                        <FieldError id="measure-ends-error" message=ends_error/>
                    </div>
                    <div class="field field-checkbox">
                        <input type="checkbox" id="measure-upstream" name="upstream" value="1" checked={kept_checked::<StartMeasure>("upstream", "1", false)}/>
                        <label for="measure-upstream">"The upstream provider was asked to apply it"</label>
                    </div>
                </div>
                <button type="submit" class="button button-primary">"Start measure"</button>
            </ActionForm>
        </section>
    }
}

/// The decisions the case's state allows, with the written reason the customer reads. Nothing
/// when none is allowed.
#[component]
fn DecisionPanel(
    id: i64,
    decisions: Vec<StaffDecision>,
    decide: ServerAction<DecideCase>,
) -> impl IntoView {
    let reason_error = action_field(decide, "reason");
    (!decisions.is_empty()).then(|| view! {
        <section class="panel" aria-labelledby="case-decide">
            <h2 id="case-decide">"Decision"</h2>
            <ActionForm action=decide attr:class="form">
                <FormError action=decide/>
                <input type="hidden" name="id" value=id/>
                <fieldset class="choices">
                    <legend>"Choose one"</legend>
                    {decisions.iter().enumerate().map(|(i, decision)| {
                        let value = decision.as_str();
                        let input_id = format!("decision-{value}");
                        view! {
                            <div class="choice">
                                <input type="radio" id=input_id.clone() name="decision" value=value checked={kept_or::<DecideCase>("decision", if i == 0 { value } else { "" }) == value} required/>
                                <label for=input_id>{decision.label()}{decision.needs_reason().then_some(" (reason required)")}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="decision-reason">"Written reason (the customer sees it)"</label>
                    <textarea id="decision-reason" name="reason" rows="3" aria-describedby="decision-reason-error" aria-invalid=move || reason_error.get().is_some().to_string()>{kept::<DecideCase>("reason")}</textarea>
                    <FieldError id="decision-reason-error" message=reason_error/>
                </div>
                <button type="submit" class="button button-primary">"Record decision"</button>
            </ActionForm>
        </section>
    })
}

/// Moves the deadline of a case that awaits the customer, with a reason.
#[component]
fn DeadlinePanel(
    id: i64,
    /// The zone typed times are read in.
    zone: String,
    /// The current deadline, as the field shows it.
    current: String,
    deadline: ServerAction<ChangeCaseDeadline>,
) -> impl IntoView {
    let deadline_error = action_field(deadline, "deadline");
    let reason_error = action_field(deadline, "reason");
    view! {
        <section class="panel" aria-labelledby="case-move-deadline">
            <h2 id="case-move-deadline">"Extend or shorten the deadline"</h2>
            <ActionForm action=deadline attr:class="form">
                <FormError action=deadline/>
                <input type="hidden" name="id" value=id/>
                <div class="field">
                    <label for="deadline-at">{format!("New deadline ({zone})")}</label>
                    <input type="datetime-local" id="deadline-at" name="deadline" value={kept_or::<ChangeCaseDeadline>("deadline", current)} required aria-describedby="deadline-at-error" aria-invalid=move || deadline_error.get().is_some().to_string()/>
                    <FieldError id="deadline-at-error" message=deadline_error/>
                </div>
                <div class="field">
                    <label for="deadline-reason">"Why the deadline moves"</label>
                    <input type="text" id="deadline-reason" name="reason" value={kept::<ChangeCaseDeadline>("reason")} required aria-describedby="deadline-reason-error" aria-invalid=move || reason_error.get().is_some().to_string()/>
                    <FieldError id="deadline-reason-error" message=reason_error/>
                </div>
                <button type="submit" class="button button-secondary">"Change deadline"</button>
            </ActionForm>
        </section>
    }
}

/// The desk's internal notes on the case (the customer never sees them), and a form to add one.
#[component]
fn NotesPanel(id: i64, notes: Vec<NoteView>, note: ServerAction<AddCaseNote>) -> impl IntoView {
    let note_error = action_field(note, "note");
    view! {
        <section class="panel internal-notes" aria-labelledby="case-notes">
            <h2 id="case-notes">"Internal notes"</h2>
            <p class="muted">"Only the abuse desk sees these; the customer never does."</p>
            {if notes.is_empty() {
                view! { <p>"No notes yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="measure-list" aria-label="Notes">
                        {notes.into_iter().map(|n| view! {
                            <li><span class="row-sub">{format!("{} · {}", n.at_text, n.author)}</span><p class="summary">{n.body}</p></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ActionForm action=note attr:class="form">
                <FormError action=note/>
                <input type="hidden" name="id" value=id/>
                <div class="field">
                    <label for="note-body">"Add a note"</label>
                    <textarea id="note-body" name="note" rows="2" required aria-describedby="note-body-error" aria-invalid=move || note_error.get().is_some().to_string()>{kept::<AddCaseNote>("note")}</textarea>
                    <FieldError id="note-body-error" message=note_error/>
                </div>
                <button type="submit" class="button button-secondary">"Add note"</button>
            </ActionForm>
        </section>
    }
}
