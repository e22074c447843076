//! `/admin/cases/new`: open a notice against a customer's service. Recording how the report was
//! verified is part of the form.

use super::api::{get_new_case_options, OpenCase};
use crate::domain::notice::{NoticeCategory, NoticeSource};
use crate::ui::components::{
    action_field, form_action, kept, kept_checked, kept_or, loaded, FieldError, FormError,
};
use crate::views::cases::NewCaseOptions;
use leptos::prelude::*;
use leptos_meta::Title;

/// The new-notice form.
#[component]
pub fn NewCasePage() -> impl IntoView {
    let options = Resource::new(|| (), |_| Box::pin(get_new_case_options()));
    view! {
        <Title text="Open a notice · Abuse-case portal"/>
        <p class="breadcrumb"><a href="/admin/cases">"← Case queue"</a></p>
        <div class="page-heading">
            <p class="eyebrow">"Abuse desk"</p>
            <h1>"Open a notice"</h1>
            <p class="lead">"The customer is notified at once and has 48 hours to respond, unless you set a shorter deadline with a reason."</p>
        </div>
        {loaded(options, move |data| view! { <NewCaseForm data/> })}
    }
}

#[component]
fn NewCaseForm(data: NewCaseOptions) -> impl IntoView {
    let action = form_action::<OpenCase>();
    let field = move |id: &'static str, name: &'static str, label: String, input: AnyView| {
        let message = action_field(action, name);
        view! {
            <div class="field">
                <label for=id>{label}</label>
                {input}
                <FieldError id=format!("{id}-error") message/>
            </div>
        }
    };
    let k = |name: &str| kept::<OpenCase>(name);
    let now = data.now_input.clone();
    let zone = data.zone.clone();
    view! {
        <ActionForm action=action attr:class="form panel wide-form">
            <FormError action/>
            {field("case-service", "service", "Service".to_owned(), view! {
                <select id="case-service" name="service" required aria-describedby="case-service-error">
                    {data.services.iter().map(|(id, label)| view! { <option value=id.to_string() selected=k("service") == id.to_string()>{label.clone()}</option> }).collect_view()}
                </select>
            }.into_any())}
            <div class="two-columns">
                {field("case-category", "category", "Category".to_owned(), view! {
                    <select id="case-category" name="category" required aria-describedby="case-category-error">
                        {NoticeCategory::ALL.iter().map(|c| view! { <option value=c.as_str() selected=k("category") == c.as_str()>{c.label()}</option> }).collect_view()}
                    </select>
                }.into_any())}
                {field("case-source", "source", "Report source".to_owned(), view! {
                    <select id="case-source" name="source" required aria-describedby="case-source-error">
                        {NoticeSource::ALL.iter().map(|s| view! { <option value=s.as_str() selected=k("source") == s.as_str()>{s.label()}</option> }).collect_view()}
                    </select>
                }.into_any())}
            </div>
            <div class="field field-checkbox">
                <input type="checkbox" id="case-high-risk" name="high_risk" value="1" checked={kept_checked::<OpenCase>("high_risk", "1", false)}/>
                <label for="case-high-risk">"High-risk (policy §5); DDoS, botnet, malware and scanning always are"</label>
            </div>
            {field("case-summary", "summary", "What was observed (no message contents)".to_owned(), view! {
                <textarea id="case-summary" name="summary" rows="3" required aria-describedby="case-summary-error">{k("summary")}</textarea>
            }.into_any())}
            <div class="two-columns three">
                {field("case-events", "event_count", "Verified abuse events".to_owned(), view! {
                    <input type="number" id="case-events" name="event_count" min="1" value={kept_or::<OpenCase>("event_count", "1")} required aria-describedby="case-events-error"/>
                }.into_any())}
                {field("case-first", "first_seen", format!("First seen ({zone})"), view! {
                    <input type="datetime-local" id="case-first" name="first_seen" value={kept_or::<OpenCase>("first_seen", now.clone())} required aria-describedby="case-first-error"/>
                }.into_any())}
                {field("case-last", "last_seen", format!("Last seen ({zone})"), view! {
                    <input type="datetime-local" id="case-last" name="last_seen" value={kept_or::<OpenCase>("last_seen", now.clone())} required aria-describedby="case-last-error"/>
                }.into_any())}
            </div>
            {field("case-verification", "verification_note", "How was the report verified?".to_owned(), view! {
                <textarea id="case-verification" name="verification_note" rows="2" required aria-describedby="case-verification-error">{k("verification_note")}</textarea>
            }.into_any())}
            <div class="two-columns">
                {field("case-deadline", "deadline", format!("Shorter deadline ({zone}, optional)"), view! {
                    <input type="datetime-local" id="case-deadline" name="shorter_deadline" value=k("shorter_deadline") aria-describedby="case-deadline-error"/>
                }.into_any())}
                {field("case-deadline-reason", "deadline_reason", "Reason for a shorter deadline".to_owned(), view! {
                    <input type="text" id="case-deadline-reason" name="deadline_reason" value=k("deadline_reason") aria-describedby="case-deadline-reason-error"/>
                }.into_any())}
            </div>
            <button type="submit" class="button button-primary">"Open notice"</button>
        </ActionForm>
    }
}
