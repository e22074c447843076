//! `/account/preferences`: the time zone every time is shown in, and (customers) the news the
//! user receives by mail themselves, besides their organisation's contacts.

use super::api::{get_preferences, SavePreferences};
use crate::ui::components::{
    action_field, form_action, kept_checked, kept_or, loaded, FieldError, FormError,
};
use crate::views::auth::PreferencesView;
use leptos::prelude::*;
use leptos_meta::Title;

/// The preferences page.
#[component]
pub fn PreferencesPage() -> impl IntoView {
    let save = form_action::<SavePreferences>();
    let data = Resource::new(
        move || save.version().get(),
        |_| Box::pin(get_preferences()),
    );
    view! {
        <Title text="Time zone and mail · Abuse-case portal"/>
        <p class="breadcrumb"><a href="/account/sessions">"← Your account"</a></p>
        <div class="page-heading">
            <h1>"Time zone and mail"</h1>
            <p class="lead">"Every time the portal shows you, and every mail it sends you, is written in your time zone."</p>
        </div>
        {loaded(data, move |prefs| view! { <PreferencesForm prefs save/> })}
    }
}

#[component]
fn PreferencesForm(prefs: PreferencesView, save: ServerAction<SavePreferences>) -> impl IntoView {
    let saved = move || save.value().get().is_some_and(|r| r.is_ok());
    let current = kept_or::<SavePreferences>("time_zone", prefs.time_zone.clone());
    view! {
        <section class="panel" aria-labelledby="prefs-heading">
            <h2 id="prefs-heading" class="visually-hidden">"Your preferences"</h2>
            {move || saved().then(|| view! { <p class="notice notice-ok" role="status">"Saved. Times are now shown in your time zone."</p> })}
            <ActionForm action=save attr:class="form">
                <FormError action=save/>
                <div class="field">
                    <label for="prefs-zone">"Time zone"</label>
                    <select id="prefs-zone" name="time_zone" aria-describedby="prefs-zone-hint prefs-zone-error">
                        {prefs.zones.into_iter().map(|z| {
                            let selected = z == current;
                            view! { <option value=z.clone() selected=selected>{z.replace('_', " ")}</option> }
                        }).collect_view()}
                    </select>
                    <p class="hint" id="prefs-zone-hint">{format!("It is now {} in the time zone saved.", prefs.now_text)}</p>
                    <FieldError id="prefs-zone-error" message=action_field(save, "time_zone")/>
                </div>
                {prefs.customer.then(|| view! {
                    <fieldset class="choices" aria-describedby="prefs-mail-hint prefs-mail-error">
                        <legend>"Also mail me about"</legend>
                        <p class="hint" id="prefs-mail-hint">{match &prefs.contacts_text {
                            Some(c) if !c.is_empty() => format!("Your organisation's contacts receive these mails already ({c}); tick what you want in your own inbox too. You see everything under Notifications either way."),
                            _ => "Tick what you want in your own inbox. You see everything under Notifications either way.".to_owned(),
                        }}</p>
                        {prefs.mail.iter().map(|(kind, on)| {
                            let id = format!("prefs-mail-{}", kind.as_str());
                            view! {
                                <div class="choice">
                                    <input type="checkbox" id=id.clone() name="mail[]" value=kind.as_str() checked={kept_checked::<SavePreferences>("mail[]", kind.as_str(), *on)}/>
                                    <label for=id>{kind.label()}</label>
                                </div>
                            }
                        }).collect_view()}
                    </fieldset>
                    <FieldError id="prefs-mail-error" message=action_field(save, "mail")/>
                })}
                <button type="submit" class="button button-primary">"Save"</button>
            </ActionForm>
        </section>
    }
}
