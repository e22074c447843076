//! `/smtp/new`: the guided port-25 request. It works without JavaScript (a plain form post,
//! answered with the form again and the problems next to their fields) and keeps a draft, so
//! nothing typed is lost when a check fails or the session ends.

use super::api::{get_request_form, SaveRequest};
use super::detail_page::CheckList;
use crate::domain::smtp::{Port25State, UseCase};
use crate::ui::components::{action_field, form_action, loaded, FieldError, FormError};
use crate::views::smtp::RequestFormView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The request form page.
#[component]
pub fn NewRequestPage() -> impl IntoView {
    let form = Resource::new(|| (), |_| Box::pin(get_request_form()));
    view! {
        <Title text="Request port-25 unblocking · Abuse-case portal"/>
        <p class="breadcrumb"><a href="/smtp">"← Outbound mail (port 25)"</a></p>
        <div class="page-heading">
            <p class="eyebrow">"Outbound mail"</p>
            <h1>"Request port-25 unblocking"</h1>
            <p class="lead">"Tell the abuse desk what the mail is for and how it is sent. They check your DNS records and approve in writing, usually within one working day."</p>
        </div>
        {loaded(form, move |data| view! { <RequestForm data/> })}
    }
}

#[component]
fn RequestForm(data: RequestFormView) -> impl IntoView {
    let action = form_action::<SaveRequest>();
    let query = use_query_map();
    let err = move |field: &'static str| action_field(action, field);
    let saved = move || {
        query.read().get("saved").is_some() && action.value().get().is_none()
            || matches!(action.value().get(), Some(Ok(())))
    };
    let f = data.form.clone();
    // The address asked for in the link, else the draft's, else the first one still blocked.
    let wanted_ip = query
        .read_untracked()
        .get("ip")
        .or_else(|| (!f.ip.is_empty()).then(|| f.ip.clone()))
        .or_else(|| {
            data.addresses
                .iter()
                .find(|a| a.port25 == Port25State::BlockedByDefault)
                .map(|a| a.ip.clone())
        })
        .unwrap_or_default();
    let described = |id: &str| format!("{id}-error");
    let text_field = move |id: &'static str,
                           name: &'static str,
                           label: &'static str,
                           hint: &'static str,
                           value: String,
                           rows: u32| {
        let message = err(name);
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <p class="hint" id=format!("{id}-hint")>{hint}</p>
                <textarea id=id name=name rows=rows.to_string()
                    aria-describedby=format!("{id}-hint {}", described(id))
                    aria-invalid=move || message.get().is_some().to_string()>{value}</textarea>
                <FieldError id=described(id) message/>
            </div>
        }
    };
    let line_field = move |id: &'static str,
                           name: &'static str,
                           label: &'static str,
                           hint: &'static str,
                           value: String| {
        let message = err(name);
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <p class="hint" id=format!("{id}-hint")>{hint}</p>
                <input type="text" id=id name=name value=value
                    aria-describedby=format!("{id}-hint {}", described(id))
                    aria-invalid=move || message.get().is_some().to_string()/>
                <FieldError id=described(id) message/>
            </div>
        }
    };
    let address_error = err("address");
    let ip_error = err("ip");
    let use_case_error = err("use_case");
    let obligations_error = err("accepts_obligations");
    let chosen_use_case = f.use_case.clone();
    view! {
        <ActionForm action=action attr:class="form panel wide-form" attr:novalidate=true>
            <FormError action/>
            {move || saved().then(|| view! { <p class="notice notice-ok" role="status">"Draft saved. You can come back to it at any time."</p> })}
            <fieldset class="form-section">
                <legend>"Where"</legend>
                <div class="field">
                    <label for="smtp-address">"Address to open port 25 on"</label>
                    <select id="smtp-address" name="address" aria-describedby="smtp-address-error"
                        aria-invalid=move || (address_error.get().is_some() || ip_error.get().is_some()).to_string()>
                        {data.addresses.iter().map(|a| {
                            let value = format!("{}/{}", a.service_id, a.ip);
                            let note = match a.port25 {
                                Port25State::BlockedByDefault => "blocked by default",
                                Port25State::BlockedForAbuse => "blocked for abuse",
                                Port25State::Allowed => "already allowed",
                            };
                            view! {
                                <option value=value selected=a.ip == wanted_ip>
                                    {format!("{} · {} ({note})", a.ip, a.service_label)}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                    <FieldError id="smtp-address-error".to_owned() message=Signal::derive(move || address_error.get().or_else(|| ip_error.get()))/>
                </div>
            </fieldset>
            <fieldset class="form-section" aria-describedby="smtp-use-case-error">
                <legend>"What the mail is for"</legend>
                {UseCase::ALL.iter().map(|u| {
                    let id = format!("smtp-use-{}", u.as_str());
                    view! {
                        <div class="field field-checkbox">
                            <input type="radio" id=id.clone() name="use_case" value=u.as_str() checked=chosen_use_case == u.as_str()/>
                            <label for=id>{u.label()}</label>
                        </div>
                    }
                }).collect_view()}
                <FieldError id="smtp-use-case-error".to_owned() message=use_case_error/>
                {text_field("smtp-use-details", "use_case_details", "The use case in your words",
                    "Required for “something else”; helpful for all: what sends, to whom, and why.", f.use_case_details.clone(), 3)}
            </fieldset>
            <fieldset class="form-section">
                <legend>"What you will send"</legend>
                {text_field("smtp-domains", "sending_domains", "Sending domains",
                    "The domains in your From addresses, one per line.", f.sending_domains.clone(), 2)}
                <div class="two-columns">
                    {line_field("smtp-daily", "daily_volume", "Messages per day", "Your expected daily volume.", f.daily_volume.clone())}
                    {line_field("smtp-peak", "peak_per_hour", "Peak messages per hour", "The busiest hour you expect.", f.peak_per_hour.clone())}
                </div>
                {text_field("smtp-consent", "consent", "How recipients consented",
                    "For example: customers who order get a receipt; newsletter subscribers confirm by double opt-in.", f.consent.clone(), 3)}
                {text_field("smtp-bounces", "bounce_handling", "Bounces, complaints and unsubscribes",
                    "How you process bounces and feedback-loop complaints, and how unsubscribes take effect.", f.bounce_handling.clone(), 3)}
            </fieldset>
            <fieldset class="form-section">
                <legend>"How you will send it"</legend>
                <div class="two-columns three">
                    {line_field("smtp-software", "software", "Mail software", "For example: Postfix 3.7.", f.software.clone())}
                    {line_field("smtp-helo", "helo_name", "HELO name", "The name your server announces, e.g. mail.example.com.", f.helo_name.clone())}
                    {line_field("smtp-dkim", "dkim_selector", "DKIM selector", "The part before ._domainkey, e.g. s1.", f.dkim_selector.clone())}
                </div>
                {text_field("smtp-relay", "why_not_relay", "Why an authenticated relay on port 587 will not do",
                    "Port 587 with authentication through a mail provider stays open without approval.", f.why_not_relay.clone(), 2)}
            </fieldset>
            <fieldset class="form-section" aria-describedby="smtp-obligations-error">
                <legend>"Your obligations"</legend>
                <ul class="obligations">
                    {data.obligations.iter().map(|o| view! { <li>{o.clone()}</li> }).collect_view()}
                </ul>
                <div class="field field-checkbox">
                    <input type="checkbox" id="smtp-accept" name="accepts_obligations" value="on" checked=f.accepts_obligations == "on"
                        aria-invalid=move || obligations_error.get().is_some().to_string()/>
                    <label for="smtp-accept">"I confirm these obligations for this address"</label>
                </div>
                <FieldError id="smtp-obligations-error".to_owned() message=obligations_error/>
            </fieldset>
            <div class="form-actions">
                <button type="submit" name="intent" value="submit" class="button button-primary">"Submit for review"</button>
                <button type="submit" name="intent" value="check" class="button button-secondary">"Check my DNS records"</button>
                <button type="submit" name="intent" value="save" class="button button-secondary">"Save draft"</button>
            </div>
        </ActionForm>
        {data.checks.clone().map(|(at, results)| view! { <CheckList at results demo=data.dns_demo/> })}
    }
}
