//! `/admin/services/{id}`: a service's addresses now and every assignment it had; admins assign,
//! release and move addresses and prefixes, rename or move the service, retire it.

use super::api::{get_admin_service, AssignBlock, ReleaseBlock, RetireService, UpdateService};
use super::AssignmentTable;
use crate::domain::service::ServiceKind;
use crate::error::AppError;
use crate::ui::components::{
    action_field, form_action, kept, kept_or, loaded, FieldError, FormError,
};
use crate::views::organisations::AdminServiceView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The forms of the page; any of them reloads the service when it completes.
#[derive(Clone, Copy)]
struct Actions {
    assign: ServerAction<AssignBlock>,
    release: ServerAction<ReleaseBlock>,
    update: ServerAction<UpdateService>,
    retire: ServerAction<RetireService>,
}

/// The service page.
#[component]
pub fn AdminServicePage() -> impl IntoView {
    let params = use_params_map();
    let actions = Actions {
        assign: form_action(),
        release: form_action(),
        update: form_action(),
        retire: form_action(),
    };
    let service = Resource::new(
        move || {
            (
                params.read().get("id"),
                actions.assign.version().get(),
                actions.release.version().get(),
                actions.update.version().get(),
                actions.retire.version().get(),
            )
        },
        |(id, ..)| {
            Box::pin(async move {
                match id.and_then(|id| id.parse::<i64>().ok()) {
                    Some(id) => get_admin_service(id).await,
                    None => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        {loaded(service, move |data| view! { <Service data actions/> })}
    }
}

#[component]
fn Service(data: AdminServiceView, actions: Actions) -> impl IntoView {
    let editable = data.may_edit && data.retired_text.is_none();
    view! {
        <Title text=format!("{} · Abuse desk", data.label)/>
        <p class="breadcrumb"><a href=format!("/admin/organisations/{}", data.organisation_id)>{format!("← {}", data.organisation_name)}</a></p>
        <div class="page-heading">
            <p class="eyebrow">{data.kind.label()}</p>
            <h1>{data.label.clone()}</h1>
            <p class="heading-tags">
                {match data.retired_text.clone() {
                    Some(when) => view! { <span class="badge badge-terminated">{format!("Retired {when}")}</span> }.into_any(),
                    None => view! { <span class=format!("badge badge-{}", data.state.as_str())>{data.state.label()}</span> }.into_any(),
                }}
                <a href=format!("/services/{}", data.id)>"Measures and cases"</a>
            </p>
            <p class="lead">{format!("Held by {} since {}.", data.organisation_name, data.created_text)}</p>
        </div>
        <section aria-labelledby="svc-current">
            <h2 id="svc-current">"Addresses now"</h2>
            {if data.current.is_empty() {
                view! { <p class="empty">"None."</p> }.into_any()
            } else {
                view! { <AssignmentTable rows=data.current.clone() caption="Addresses the service holds now"/> }.into_any()
            }}
        </section>
        {editable.then(|| view! { <AddressForms data=data.clone() actions/> })}
        <section aria-labelledby="svc-history">
            <h2 id="svc-history">"History"</h2>
            {if data.history.is_empty() {
                view! { <p class="empty">"No address was ever assigned."</p> }.into_any()
            } else {
                view! { <AssignmentTable rows=data.history.clone() caption="Every assignment of this service, newest first"/> }.into_any()
            }}
        </section>
        {editable.then(|| view! { <ServiceForms data=data.clone() actions/> })}
    }
}

#[component]
fn AddressForms(data: AdminServiceView, actions: Actions) -> impl IntoView {
    let (assign, release) = (actions.assign, actions.release);
    let id = data.id;
    view! {
        <div class="two-columns">
            <section class="panel" aria-labelledby="assign-heading">
                <h2 id="assign-heading">"Assign an address or prefix"</h2>
                <ActionForm action=assign attr:class="form">
                    <FormError action=assign/>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="field">
                        <label for="assign-block">"Address or prefix"</label>
                        <input type="text" id="assign-block" name="block" value={kept::<AssignBlock>("block")} spellcheck="false" placeholder="203.0.113.7 or 2001:db8::/64" aria-describedby="assign-block-error"/>
                        <FieldError id="assign-block-error" message=action_field(assign, "block")/>
                    </div>
                    <div class="field">
                        <label for="assign-reason">"Why (for the audit log)"</label>
                        <input type="text" id="assign-reason" name="reason" value={kept::<AssignBlock>("reason")} aria-describedby="assign-reason-error"/>
                        <FieldError id="assign-reason-error" message=action_field(assign, "reason")/>
                    </div>
                    <button type="submit" class="button button-primary">"Assign"</button>
                </ActionForm>
            </section>
            {(!data.current.is_empty()).then(|| view! {
                <section class="panel" aria-labelledby="release-heading">
                    <h2 id="release-heading">"Release or move an address"</h2>
                    <ActionForm action=release attr:class="form">
                        <FormError action=release/>
                        <div class="field">
                            <label for="release-block">"Address or prefix"</label>
                            <select id="release-block" name="block" aria-describedby="release-block-error">
                                {data.current.iter().map(|a| view! { <option value=a.block.clone() selected={kept::<ReleaseBlock>("block") == a.block}>{a.block.clone()}</option> }).collect_view()}
                            </select>
                            <FieldError id="release-block-error" message=action_field(release, "block")/>
                        </div>
                        <div class="field">
                            {match data.services.clone() {
                                Some(services) => view! {
                                    <label for="release-to">"Move it to"</label>
                                    <select id="release-to" name="to_service" aria-describedby="release-to-error">
                                        <option value="">"No service: release it"</option>
                                        {services.into_iter().map(|(sid, name)| view! { <option value=sid.to_string() selected={kept::<ReleaseBlock>("to_service") == sid.to_string()}>{name}</option> }).collect_view()}
                                    </select>
                                }.into_any(),
                                None => view! {
                                    <label for="release-to">"Move it to the service numbered (optional)"</label>
                                    <input type="text" inputmode="numeric" id="release-to" name="to_service" value={kept::<ReleaseBlock>("to_service")} aria-describedby="release-to-hint release-to-error"/>
                                    <p id="release-to-hint" class="field-hint">"Empty releases it. There are more services than a list can show: a service's number is in its address (/admin/services/…) and in the inventory search."</p>
                                }.into_any(),
                            }}
                            <FieldError id="release-to-error" message=action_field(release, "to_service")/>
                        </div>
                        <div class="field">
                            <label for="release-reason">"Why (for the audit log)"</label>
                            <input type="text" id="release-reason" name="reason" value={kept::<ReleaseBlock>("reason")} aria-describedby="release-reason-error"/>
                            <FieldError id="release-reason-error" message=action_field(release, "reason")/>
                        </div>
                        <button type="submit" class="button button-secondary">"Release or move"</button>
                    </ActionForm>
                </section>
            })}
        </div>
    }
}

#[component]
fn ServiceForms(data: AdminServiceView, actions: Actions) -> impl IntoView {
    let (update, retire) = (actions.update, actions.retire);
    let id = data.id;
    let current_kind = data.kind;
    let current_org = data.organisation_id;
    view! {
        <section class="panel" aria-labelledby="edit-service-heading">
            <h2 id="edit-service-heading">"Rename, change the kind or move to another organisation"</h2>
            <p class="muted">"Moving the service moves its addresses with it; their history shows both holders."</p>
            <ActionForm action=update attr:class="form">
                <FormError action=update/>
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="two-columns">
                    <div class="field">
                        <label for="edit-label">"Host name"</label>
                        <input type="text" id="edit-label" name="label" value={kept_or::<UpdateService>("label", data.label.clone())} spellcheck="false" aria-describedby="edit-label-error"/>
                        <FieldError id="edit-label-error" message=action_field(update, "label")/>
                    </div>
                    <div class="field">
                        <label for="edit-kind">"Kind"</label>
                        <select id="edit-kind" name="kind" aria-describedby="edit-kind-error">
                            {ServiceKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected={kept_or::<UpdateService>("kind", current_kind.as_str()) == k.as_str()}>{k.label()}</option> }).collect_view()}
                        </select>
                        <FieldError id="edit-kind-error" message=action_field(update, "kind")/>
                    </div>
                    <div class="field">
                        {match data.organisations.clone() {
                            Some(organisations) => view! {
                                <label for="edit-org">"Organisation"</label>
                                <select id="edit-org" name="organisation" aria-describedby="edit-org-error">
                                    {organisations.into_iter().map(|(oid, name)| view! { <option value=oid.to_string() selected={kept_or::<UpdateService>("organisation", current_org.to_string()) == oid.to_string()}>{name}</option> }).collect_view()}
                                </select>
                            }.into_any(),
                            None => view! {
                                <label for="edit-org">"Organisation number"</label>
                                <input type="text" inputmode="numeric" id="edit-org" name="organisation" required value={kept_or::<UpdateService>("organisation", current_org.to_string())} aria-describedby="edit-org-hint edit-org-error"/>
                                <p id="edit-org-hint" class="field-hint">"There are more organisations than a list can show: an organisation's number is in its address (/admin/organisations/…); this one's is filled in."</p>
                            }.into_any(),
                        }}
                        <FieldError id="edit-org-error" message=action_field(update, "organisation")/>
                    </div>
                    <div class="field">
                        <label for="edit-service-reason">"Why (for the audit log)"</label>
                        <input type="text" id="edit-service-reason" name="reason" value={kept::<UpdateService>("reason")} aria-describedby="edit-service-reason-error"/>
                        <FieldError id="edit-service-reason-error" message=action_field(update, "reason")/>
                    </div>
                </div>
                <button type="submit" class="button button-secondary">"Save the changes"</button>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="retire-service-heading">
            <h2 id="retire-service-heading">"Retire the service"</h2>
            <p class="muted">"Its addresses are released; its history and cases stay."</p>
            <ActionForm action=retire attr:class="form">
                <FormError action=retire/>
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="field">
                    <label for="retire-service-reason">"Why retire it"</label>
                    <input type="text" id="retire-service-reason" name="reason" value={kept::<RetireService>("reason")} aria-describedby="retire-service-reason-error"/>
                    <FieldError id="retire-service-reason-error" message=action_field(retire, "reason")/>
                </div>
                <button type="submit" class="button button-danger">"Retire the service"</button>
            </ActionForm>
        </section>
    }
}
