//! `/account/organisation`: the organisation's contacts, the time zone of the mails to them, and
//! which contact receives which kind of news by mail. Owners change them; every member reads
//! them, with the members who receive mails themselves.

use super::api::{get_organisation_settings, SaveOrganisationSettings};
use crate::ui::components::{
    action_field, form_action, kept_checked, kept_or, loaded, FieldError, FormError,
};
use crate::views::auth::OrganisationSettingsView;
use leptos::prelude::*;
use leptos_meta::Title;

/// The organisation settings page.
#[component]
pub fn OrganisationSettingsPage() -> impl IntoView {
    let save = form_action::<SaveOrganisationSettings>();
    let data = Resource::new(
        move || save.version().get(),
        |_| Box::pin(get_organisation_settings()),
    );
    view! {
        <Title text="Contacts and mail · Abuse-case portal"/>
        <p class="breadcrumb"><a href="/account/sessions">"← Your account"</a></p>
        {loaded(data, move |org| view! { <Settings org save/> })}
    }
}

/// A text field of the contacts form.
fn contact_field(
    save: ServerAction<SaveOrganisationSettings>,
    name: &'static str,
    label: &'static str,
    value: Option<String>,
    kind: &'static str,
    disabled: bool,
) -> impl IntoView {
    let id = format!("org-{}", name.replace('_', "-"));
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input type=kind id=id name=name value={kept_or::<SaveOrganisationSettings>(name, value.unwrap_or_default())} disabled=disabled aria-describedby=error_id.clone() autocomplete="off"/>
            <FieldError id=error_id message=action_field(save, name)/>
        </div>
    }
}

#[component]
fn Settings(
    org: OrganisationSettingsView,
    save: ServerAction<SaveOrganisationSettings>,
) -> impl IntoView {
    let saved = move || save.value().get().is_some_and(|r| r.is_ok());
    let locked = !org.may_edit;
    let c = org.contacts.clone();
    let current_zone = kept_or::<SaveOrganisationSettings>("time_zone", org.time_zone.clone());
    let box_for = move |contact: &'static str,
                        kind: &str,
                        on: bool,
                        required: bool,
                        label: String| {
        let id = format!("route-{contact}-{kind}");
        let name = format!("{contact}[]");
        let on = kept_checked::<SaveOrganisationSettings>(&name, kind, on);
        view! {
            <td class="route-cell">
                <input type="checkbox" id=id.clone() name=name value=kind.to_owned() checked=on || required disabled=locked || required/>
                <label for=id class="visually-hidden">{label}</label>
                {required.then(|| view! { <span class="route-always">"always"</span> })}
            </td>
        }
    };
    view! {
        <div class="page-heading">
            <p class="eyebrow">{org.name.clone()}</p>
            <h1>"Contacts and mail"</h1>
            <p class="lead">"Who the abuse desk writes to, and which mails each address receives. Everyone in the organisation also sees every notification in the portal."</p>
        </div>
        {locked.then(|| view! { <p class="notice" role="note">"Only an owner of the organisation can change these. Ask an owner, or the abuse desk."</p> })}
        {move || saved().then(|| view! { <p class="notice notice-ok" role="status">"Saved. Mails from now on follow these choices."</p> })}
        <ActionForm action=save attr:class="form">
            <FormError action=save/>
            <section class="panel form" aria-labelledby="org-contacts-heading">
                <h2 id="org-contacts-heading">"Contacts"</h2>
                {contact_field(save, "abuse_email", "Abuse contact (e-mail, required)", c.abuse_email.clone(), "email", locked)}
                {contact_field(save, "technical_email", "Technical contact (e-mail, optional)", c.technical_email.clone(), "email", locked)}
                {contact_field(save, "billing_email", "Billing contact (e-mail, optional)", c.billing_email.clone(), "email", locked)}
                {contact_field(save, "phone", "Telephone for urgent cases (optional)", c.phone.clone(), "tel", locked)}
                <div class="field">
                    <label for="org-zone">"Time zone of the mails to these contacts"</label>
                    <select id="org-zone" name="time_zone" disabled=locked aria-describedby="org-zone-error">
                        {org.zones.iter().map(|z| {
                            let selected = *z == current_zone;
                            view! { <option value=z.clone() selected=selected>{z.replace('_', " ")}</option> }
                        }).collect_view()}
                    </select>
                    <FieldError id="org-zone-error" message=action_field(save, "time_zone")/>
                </div>
            </section>
            <section class="panel" aria-labelledby="org-routes-heading">
                <h2 id="org-routes-heading">"Who receives which mail"</h2>
                <p class="hint" id="org-routes-hint">"A mail meant for a contact without an address goes to the abuse contact. New notices and passed deadlines always go to the abuse contact: the 48 hours run whether or not anyone reads the portal."</p>
                <div class="table-wrap">
                    <table class="data-table routes-table" aria-describedby="org-routes-hint">
                        <thead>
                            <tr>
                                <th scope="col">"Mail"</th>
                                <th scope="col">"Abuse contact"</th>
                                <th scope="col">"Technical contact"</th>
                                <th scope="col">"Billing contact"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {org.routes.iter().map(|r| {
                                let kind = r.kind.as_str();
                                let what = r.kind.label();
                                view! {
                                    <tr>
                                        <th scope="row">{what}</th>
                                        {box_for("abuse", kind, r.abuse, r.abuse_required, format!("{what} to the abuse contact"))}
                                        {box_for("technical", kind, r.technical, false, format!("{what} to the technical contact"))}
                                        {box_for("billing", kind, r.billing, false, format!("{what} to the billing contact"))}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <h3>"Members who receive mails themselves"</h3>
                {if org.members_mailed.is_empty() {
                    view! { <p class="empty">"None. Each member can choose under "<a href="/account/preferences">"Time zone and mail"</a>"."</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list">
                            {org.members_mailed.iter().map(|(email, kinds)| view! {
                                <li><strong>{email.clone()}</strong>": "{kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ")}</li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            {(!locked).then(|| view! {
                <button type="submit" class="button button-primary">"Save contacts and mail"</button>
            })}
        </ActionForm>
    }
}
