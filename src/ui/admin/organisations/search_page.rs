//! `/admin/organisations`: search the inventory (by address or prefix, organisation, contact or
//! member e-mail, service label), ask who held an address at a given time, and (admins) add an
//! organisation.

use super::api::{search_inventory, CreateOrganisation};
use super::AssignmentTable;
use crate::ui::components::{
    action_field, form_action, kept, loaded, FieldError, FormError, Pager,
};
use crate::views::organisations::InventorySearchView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The search page.
#[component]
pub fn OrganisationsPage() -> impl IntoView {
    let query = use_query_map();
    let results = Resource::new(
        move || {
            let q = query.read();
            (q.get("q"), q.get("at"), super::super::org_cursor(&q))
        },
        |(q, at, after)| Box::pin(search_inventory(q, at, after)),
    );
    view! {
        <Title text="Organisations and addresses · Abuse desk"/>
        <div class="page-heading">
            <p class="eyebrow">"Abuse desk"</p>
            <h1>"Organisations and addresses"</h1>
            <p class="lead">"Who holds an address, who held it when the abuse happened, and every customer's services. Every change is kept, with who made it and why."</p>
        </div>
        {loaded(results, move |data| view! { <Results data/> })}
    }
}

#[component]
fn Results(data: InventorySearchView) -> impl IntoView {
    let query = use_query_map();
    let at = query.read_untracked().get("at").unwrap_or_default();
    let searched = !data.query.is_empty();
    let nothing =
        data.organisations.is_empty() && data.services.is_empty() && data.assignments.is_empty();
    let (orgs, services, assignments) = (
        data.organisations.clone(),
        data.services.clone(),
        data.assignments.clone(),
    );
    let query_text = data.query.clone();
    view! {
        <form method="get" action="/admin/organisations" class="filters" role="search" aria-label="Search the inventory">
            <div class="field">
                <label for="inventory-q">"Address, prefix, name, e-mail or service"</label>
                <input type="search" id="inventory-q" name="q" value=data.query.clone() spellcheck="false"/>
            </div>
            <div class="field">
                <label for="inventory-at">{format!("Who held the address at ({}, optional)", data.zone)}</label>
                <input type="datetime-local" id="inventory-at" name="at" value=at/>
            </div>
            <button type="submit" class="button button-primary">"Search"</button>
        </form>
        {data.holder.clone().map(|h| view! {
            <section class="panel" aria-labelledby="holder-heading">
                <h2 id="holder-heading">{format!("Who held {} at {}", h.address, h.at_text)}</h2>
                {match h.assignment {
                    Some(a) => view! {
                        <p class="holder-answer">
                            <a href=format!("/admin/organisations/{}", a.organisation_id)>{a.organisation_name.clone()}</a>
                            ", on service "
                            <a href=format!("/admin/services/{}", a.service_id)>{a.service_label.clone()}</a>
                            {format!(" ({} from {} {}).", a.block, a.from_text, a.until_text.clone().map(|u| format!("until {u}")).unwrap_or_else(|| "and still holds it".into()))}
                        </p>
                    }.into_any(),
                    None => view! { <p class="holder-answer">"No service held it then."</p> }.into_any(),
                }}
            </section>
        })}
        {searched.then(move || view! {
            <section aria-labelledby="results-heading">
                <h2 id="results-heading">{format!("Results for “{query_text}”")}</h2>
                {nothing.then(|| view! {
                    <p class="empty">"Nothing matches."</p>
                })}
                {(!orgs.is_empty()).then(move || view! {
                    <h3>"Organisations"</h3>
                    <ul class="measure-list">
                        {orgs.into_iter().map(|(id, name)| view! { <li><a href=format!("/admin/organisations/{id}")>{name}</a></li> }).collect_view()}
                    </ul>
                })}
                {(!services.is_empty()).then(move || view! {
                    <h3>"Services"</h3>
                    <ul class="measure-list">
                        {services.into_iter().map(|(id, label, org)| view! { <li><a href=format!("/admin/services/{id}")>{label}</a><span class="row-sub">{org}</span></li> }).collect_view()}
                    </ul>
                })}
                {(!assignments.is_empty()).then(move || view! {
                    <h3>"Assignments, current and past"</h3>
                    <AssignmentTable rows=assignments caption="Assignments of the address or prefix searched for"/>
                })}
            </section>
        })}
        {(!searched).then(|| view! {
            <section aria-labelledby="all-orgs-heading">
                <h2 id="all-orgs-heading">"Organisations"</h2>
                <ul class="measure-list">
                    {data.organisations.clone().into_iter().map(|(id, name)| view! { <li><a href=format!("/admin/organisations/{id}")>{name}</a></li> }).collect_view()}
                </ul>
                <Pager label="Pages of organisations" cursor=super::super::ORG_CURSOR next=data.next.as_ref().map(super::super::org_cursor_params)/>
            </section>
        })}
        {data.may_edit.then(|| view! {
            <p><a href="/admin/organisations/import">"Import organisations, services and addresses from a CSV file"</a>" · or let the provider's systems keep them current with "<a href="/admin/tokens">"API tokens"</a></p>
            <NewOrganisation/>
        })}
    }
}

#[component]
fn NewOrganisation() -> impl IntoView {
    let create = form_action::<CreateOrganisation>();
    let err = move |name: &'static str| action_field(create, name);
    view! {
        <section class="panel" aria-labelledby="new-org-heading">
            <h2 id="new-org-heading">"New organisation"</h2>
            <ActionForm action=create attr:class="form">
                <FormError action=create/>
                <div class="two-columns">
                    <div class="field">
                        <label for="org-name">"Name"</label>
                        <input type="text" id="org-name" name="name" value={kept::<CreateOrganisation>("name")} aria-describedby="org-name-error"/>
                        <FieldError id="org-name-error" message=err("name")/>
                    </div>
                    <div class="field">
                        <label for="org-abuse">"Abuse contact (e-mail)"</label>
                        <input type="email" id="org-abuse" name="abuse_email" value={kept::<CreateOrganisation>("abuse_email")} aria-describedby="org-abuse-error"/>
                        <FieldError id="org-abuse-error" message=err("abuse_email")/>
                    </div>
                    <div class="field">
                        <label for="org-billing">"Billing contact (e-mail, optional)"</label>
                        <input type="email" id="org-billing" name="billing_email" value={kept::<CreateOrganisation>("billing_email")} aria-describedby="org-billing-error"/>
                        <FieldError id="org-billing-error" message=err("billing_email")/>
                    </div>
                    <div class="field">
                        <label for="org-technical">"Technical contact (e-mail, optional)"</label>
                        <input type="email" id="org-technical" name="technical_email" value={kept::<CreateOrganisation>("technical_email")} aria-describedby="org-technical-error"/>
                        <FieldError id="org-technical-error" message=err("technical_email")/>
                    </div>
                    <div class="field">
                        <label for="org-phone">"Telephone (optional)"</label>
                        <input type="tel" id="org-phone" name="phone" value={kept::<CreateOrganisation>("phone")} aria-describedby="org-phone-error"/>
                        <FieldError id="org-phone-error" message=err("phone")/>
                    </div>
                    <div class="field">
                        <label for="org-reason">"Why (for the audit log)"</label>
                        <input type="text" id="org-reason" name="reason" value={kept::<CreateOrganisation>("reason")} aria-describedby="org-reason-error"/>
                        <FieldError id="org-reason-error" message=err("reason")/>
                    </div>
                </div>
                <button type="submit" class="button button-primary">"Add the organisation"</button>
            </ActionForm>
        </section>
    }
}
