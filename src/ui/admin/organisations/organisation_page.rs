//! `/admin/organisations/{id}`: an organisation's contacts, members and services; admins edit
//! it, add services, retire it.

use super::api::{get_organisation, CreateService, RetireOrganisation, UpdateOrganisation};
use crate::domain::service::ServiceKind;
use crate::error::AppError;
use crate::ui::components::{
    action_field, form_action, kept, kept_or, loaded, FieldError, FormError,
};
use crate::ui::people::{PeopleActions, PeoplePanel};
use crate::views::organisations::OrganisationView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The organisation page.
#[component]
pub fn OrganisationPage() -> impl IntoView {
    let params = use_params_map();
    let update = form_action::<UpdateOrganisation>();
    let retire = form_action::<RetireOrganisation>();
    let people = PeopleActions::new();
    let org = Resource::new(
        move || {
            (
                params.read().get("id"),
                update.version().get(),
                retire.version().get(),
                people.version(),
            )
        },
        |(id, ..)| {
            Box::pin(async move {
                match id.and_then(|id| id.parse::<i64>().ok()) {
                    Some(id) => get_organisation(id).await,
                    None => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        <p class="breadcrumb"><a href="/admin/organisations">"← Organisations and addresses"</a></p>
        {loaded(org, move |data| view! { <Organisation data update retire people/> })}
    }
}

#[component]
fn Organisation(
    data: OrganisationView,
    update: ServerAction<UpdateOrganisation>,
    retire: ServerAction<RetireOrganisation>,
    people: PeopleActions,
) -> impl IntoView {
    let c = data.contacts.clone();
    let none = || "—".to_owned();
    view! {
        <Title text=format!("{} · Abuse desk", data.name)/>
        <div class="page-heading">
            <p class="eyebrow">"Organisation"</p>
            <h1>{data.name.clone()}</h1>
            <p class="heading-tags">
                {match data.retired_text.clone() {
                    Some(when) => view! { <span class="badge badge-terminated">{format!("Retired {when}")}</span> }.into_any(),
                    None => view! { <span class="badge badge-active">{format!("Customer since {}", data.created_text)}</span> }.into_any(),
                }}
            </p>
        </div>
        <div class="two-columns">
            <section class="panel" aria-labelledby="org-contacts">
                <h2 id="org-contacts">"Contacts"</h2>
                <dl class="facts">
                    <dt>"Abuse"</dt><dd>{c.abuse_email.clone().unwrap_or_else(none)}</dd>
                    <dt>"Billing"</dt><dd>{c.billing_email.clone().unwrap_or_else(none)}</dd>
                    <dt>"Technical"</dt><dd>{c.technical_email.clone().unwrap_or_else(none)}</dd>
                    <dt>"Telephone"</dt><dd>{c.phone.clone().unwrap_or_else(none)}</dd>
                </dl>
                <h3 id="org-mail-routes">"Mails to the contacts"</h3>
                <p class="hint">{format!("Chosen by the organisation's owners; times in {}.", data.mail_zone)}</p>
                <dl class="facts" aria-labelledby="org-mail-routes">
                    {data.mail_routes.iter().map(|(who, what)| view! { <dt>{who.clone()}</dt><dd>{what.clone()}</dd> }).collect_view()}
                </dl>
            </section>
            {data.people.is_none().then(|| view! {
                <section class="panel" aria-labelledby="org-members">
                    <h2 id="org-members">"People"</h2>
                    {if data.members.is_empty() {
                        view! { <p class="muted">"No accounts yet."</p> }.into_any()
                    } else {
                        view! { <ul class="measure-list">{data.members.iter().map(|m| view! { <li>{m.email.clone()}<span class="row-sub">{m.role.clone()}</span></li> }).collect_view()}</ul> }.into_any()
                    }}
                </section>
            })}
        </div>
        {data.people.clone().map(|list| view! { <PeoplePanel data=list actions=people/> })}
        <section aria-labelledby="org-services">
            <h2 id="org-services">"Services"</h2>
            {if data.services.is_empty() {
                view! { <p class="empty">"No services yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table stack-on-small-screens">
                            <caption class="visually-hidden">"Services"</caption>
                            <thead><tr><th scope="col">"Service"</th><th scope="col">"Kind"</th><th scope="col">"State"</th><th scope="col">"Addresses"</th></tr></thead>
                            <tbody>
                                {data.services.clone().into_iter().map(|s| view! {
                                    <tr>
                                        <th scope="row"><a href=format!("/admin/services/{}", s.id)>{s.label.clone()}</a></th>
                                        <td data-label="Kind">{s.kind.label()}</td>
                                        <td data-label="State">
                                            {match s.retired_text.clone() {
                                                Some(when) => view! { <span class="badge badge-terminated">{format!("Retired {when}")}</span> }.into_any(),
                                                None => view! { <span class=format!("badge badge-{}", s.state.as_str())>{s.state.label()}</span> }.into_any(),
                                            }}
                                        </td>
                                        <td data-label="Addresses"><code>{s.blocks.join(", ")}</code></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        {(data.may_edit && data.retired_text.is_none()).then(|| view! { <EditPanels data=data.clone() update retire/> })}
    }
}

#[component]
fn EditPanels(
    data: OrganisationView,
    update: ServerAction<UpdateOrganisation>,
    retire: ServerAction<RetireOrganisation>,
) -> impl IntoView {
    let add = form_action::<CreateService>();
    let c = data.contacts.clone();
    let id = data.id;
    let upd = move |name: &'static str| action_field(update, name);
    let add_err = move |name: &'static str| action_field(add, name);
    view! {
        <section class="panel" aria-labelledby="add-service-heading">
            <h2 id="add-service-heading">"Add a service"</h2>
            <ActionForm action=add attr:class="form">
                <FormError action=add/>
                <input type="hidden" name="organisation" value=id.to_string()/>
                <div class="two-columns">
                    <div class="field">
                        <label for="service-label">"Host name"</label>
                        <input type="text" id="service-label" name="label" value={kept::<CreateService>("label")} spellcheck="false" aria-describedby="service-label-error"/>
                        <FieldError id="service-label-error" message=add_err("label")/>
                    </div>
                    <div class="field">
                        <label for="service-kind">"Kind"</label>
                        <select id="service-kind" name="kind" aria-describedby="service-kind-error">
                            {ServiceKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected={kept::<CreateService>("kind") == k.as_str()}>{k.label()}</option> }).collect_view()}
                        </select>
                        <FieldError id="service-kind-error" message=add_err("kind")/>
                    </div>
                    <div class="field">
                        <label for="service-reason">"Why (for the audit log)"</label>
                        <input type="text" id="service-reason" name="reason" value={kept::<CreateService>("reason")} aria-describedby="service-reason-error"/>
                        <FieldError id="service-reason-error" message=add_err("reason")/>
                    </div>
                </div>
                <button type="submit" class="button button-primary">"Add the service"</button>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="edit-org-heading">
            <h2 id="edit-org-heading">"Change name or contacts"</h2>
            <ActionForm action=update attr:class="form">
                <FormError action=update/>
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="two-columns">
                    <div class="field">
                        <label for="edit-name">"Name"</label>
                        <input type="text" id="edit-name" name="name" value={kept_or::<UpdateOrganisation>("name", data.name.clone())} aria-describedby="edit-name-error"/>
                        <FieldError id="edit-name-error" message=upd("name")/>
                    </div>
                    <div class="field">
                        <label for="edit-abuse">"Abuse contact (e-mail)"</label>
                        <input type="email" id="edit-abuse" name="abuse_email" value={kept_or::<UpdateOrganisation>("abuse_email", c.abuse_email.clone().unwrap_or_default())} aria-describedby="edit-abuse-error"/>
                        <FieldError id="edit-abuse-error" message=upd("abuse_email")/>
                    </div>
                    <div class="field">
                        <label for="edit-billing">"Billing contact (e-mail, optional)"</label>
                        <input type="email" id="edit-billing" name="billing_email" value={kept_or::<UpdateOrganisation>("billing_email", c.billing_email.clone().unwrap_or_default())} aria-describedby="edit-billing-error"/>
                        <FieldError id="edit-billing-error" message=upd("billing_email")/>
                    </div>
                    <div class="field">
                        <label for="edit-technical">"Technical contact (e-mail, optional)"</label>
                        <input type="email" id="edit-technical" name="technical_email" value={kept_or::<UpdateOrganisation>("technical_email", c.technical_email.clone().unwrap_or_default())} aria-describedby="edit-technical-error"/>
                        <FieldError id="edit-technical-error" message=upd("technical_email")/>
                    </div>
                    <div class="field">
                        <label for="edit-phone">"Telephone (optional)"</label>
                        <input type="tel" id="edit-phone" name="phone" value={kept_or::<UpdateOrganisation>("phone", c.phone.clone().unwrap_or_default())} aria-describedby="edit-phone-error"/>
                        <FieldError id="edit-phone-error" message=upd("phone")/>
                    </div>
                    <div class="field">
                        <label for="edit-reason">"Why (for the audit log)"</label>
                        <input type="text" id="edit-reason" name="reason" value={kept::<UpdateOrganisation>("reason")} aria-describedby="edit-reason-error"/>
                        <FieldError id="edit-reason-error" message=upd("reason")/>
                    </div>
                </div>
                <button type="submit" class="button button-secondary">"Save the changes"</button>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="retire-org-heading">
            <h2 id="retire-org-heading">"Retire the organisation"</h2>
            <p class="muted">"Once every service is retired or moved. Its history and cases stay."</p>
            <ActionForm action=retire attr:class="form">
                <FormError action=retire/>
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="field">
                    <label for="retire-org-reason">"Why retire it"</label>
                    <input type="text" id="retire-org-reason" name="reason" value={kept::<RetireOrganisation>("reason")} aria-describedby="retire-org-reason-error"/>
                    <FieldError id="retire-org-reason-error" message=action_field(retire, "reason")/>
                </div>
                <button type="submit" class="button button-danger">"Retire the organisation"</button>
            </ActionForm>
        </section>
    }
}
