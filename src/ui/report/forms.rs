//! The two public forms and the receipt. A refused form comes back with what was typed, also
//! without JavaScript (the server keeps it in the session for the reloaded page).

use super::api::{get_form_ticket, SubmitAbuseReport, SubmitDsaNotice};
use crate::domain::notice::NoticeCategory;
use crate::error::AppError;
use crate::ui::components::{action_field, form_action, kept_or, FieldError, FormError};
use crate::views::reports::FormTicket;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The hidden ticket and the trap field that people leave empty.
#[component]
fn AntiSpam(ticket: String) -> impl IntoView {
    view! {
        <input type="hidden" name="ticket" value=ticket/>
        <div class="trap" aria-hidden="true">
            <label for="report-website">"Leave empty"</label>
            <input type="text" id="report-website" name="website" tabindex="-1" autocomplete="off"/>
        </div>
    }
}

/// A text field with its label, the value kept from a refused attempt, and its error.
#[component]
fn TextField(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    value: String,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p id=hint_id.clone() class="field-hint">{h}</p> })}
            <input type=kind.unwrap_or("text") id=id name=name value=value autocomplete=autocomplete aria-describedby=described/>
            <FieldError id=error_id message=error/>
        </div>
    }
}

/// A text area with its label, hint, the value kept from a refused attempt, and its error.
#[component]
fn TextArea(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    rows: u32,
    value: String,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <p id=hint_id.clone() class="field-hint">{hint}</p>
            <textarea id=id name=name rows=rows aria-describedby=format!("{hint_id} {error_id}")>{value}</textarea>
            <FieldError id=error_id message=error/>
        </div>
    }
}

/// A form's ticket, with what was typed when it was last refused; a ticket that could not be
/// made leaves the form without one (the submission then says so next to the button).
fn ticket_or_empty(result: Result<FormTicket, AppError>) -> FormTicket {
    result.unwrap_or(FormTicket {
        ticket: String::new(),
        draft: Vec::new(),
    })
}

/// `/report`: report abuse coming from the provider's network.
#[component]
pub fn ReportAbusePage() -> impl IntoView {
    let action = form_action::<SubmitAbuseReport>();
    let ticket = Resource::new(|| (), |_| Box::pin(get_form_ticket("report".into())));
    let err = move |name| action_field(action, name);
    view! {
        <Title text="Report abuse · Abuse-case portal"/>
        <div class="page-heading">
            <p class="eyebrow">"No account needed"</p>
            <h1>"Report abuse from our network"</h1>
            <p class="lead">"Spam, phishing, scanning, attacks or other abuse from an IP address of ours: tell us what happened. We verify every report before we act, and may contact you with questions. Do not paste whole messages: describe what you saw."</p>
        </div>
        <section class="panel">
            <ActionForm action=action attr:class="form">
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let t = ticket_or_empty(ticket.await);
                        let category = t.kept("category");
                        view! {
                            // A refused form keeps its first ticket: the time it was first shown.
                            <AntiSpam ticket={kept_or::<SubmitAbuseReport>("ticket", t.ticket.clone())}/>
                            <div class="two-columns">
                                <TextField id="report-name" name="name" label="Your name (optional)" value=t.kept("name") autocomplete="name" error=err("name")/>
                                <TextField id="report-email" name="email" label="Your e-mail address" value=t.kept("email") kind="email" autocomplete="email" error=err("email")/>
                            </div>
                            <div class="two-columns">
                                <TextField id="report-address" name="address" label="IP address the abuse came from" value=t.kept("address") hint="Like 203.0.113.7 or 2001:db8::7." error=err("address")/>
                                <div class="field">
                                    <label for="report-category">"What kind of abuse"</label>
                                    <select id="report-category" name="category" aria-describedby="report-category-error">
                                        <option value="">"Choose…"</option>
                                        {NoticeCategory::ALL.iter().map(|c| view! { <option value=c.as_str() selected=c.as_str() == category>{c.label()}</option> }).collect_view()}
                                    </select>
                                    <FieldError id="report-category-error" message=err("category")/>
                                </div>
                            </div>
                            <TextField id="report-when" name="occurred_at" label="When it happened (UTC, optional)" value=t.kept("occurred_at") kind="datetime-local" hint="Leave empty for now." error=err("occurred_at")/>
                            <TextArea id="report-description" name="description" label="What happened" rows=6 value=t.kept("description") hint="At least 20 characters: times, ports, what was targeted. Logs excerpts are fine; message contents are not kept." error=err("description")/>
                        }
                    })}
                </Suspense>
                <FieldError id="report-ticket-error" message=err("ticket")/>
                <button type="submit" class="button button-primary">"Send the report"</button>
                <FormError action/>
            </ActionForm>
        </section>
        <p>"Reporting illegal content under the EU Digital Services Act? Use the "<a href="/report/dsa">"DSA notice form"</a>"."</p>
    }
}

/// `/report/dsa`: a notice under Art. 16 of the EU Digital Services Act.
#[component]
pub fn DsaNoticePage() -> impl IntoView {
    let action = form_action::<SubmitDsaNotice>();
    let ticket = Resource::new(|| (), |_| Box::pin(get_form_ticket("dsa".into())));
    let err = move |name| action_field(action, name);
    view! {
        <Title text="DSA notice · Abuse-case portal"/>
        <div class="page-heading">
            <p class="eyebrow">"EU Digital Services Act, Article 16"</p>
            <h1>"Notify us of illegal content"</h1>
            <p class="lead">"A notice needs the four elements of Art. 16(2): why the content is illegal, exactly where it is, who you are, and your statement of good faith. You get a reference number at once."</p>
        </div>
        <section class="panel">
            <ActionForm action=action attr:class="form">
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let t = ticket_or_empty(ticket.await);
                        view! {
                            <AntiSpam ticket={kept_or::<SubmitDsaNotice>("ticket", t.ticket.clone())}/>
                            <TextArea id="dsa-explanation" name="explanation" label="Why the content is illegal" rows=6 value=t.kept("explanation") hint="Explain the reasons, and the law concerned if you know it." error=err("explanation")/>
                            <TextArea id="dsa-location" name="location" label="Exact location" rows=3 value=t.kept("location") hint="The full URL(s), one per line, or the IP address of the server." error=err("location")/>
                            <div class="two-columns">
                                <TextField id="dsa-name" name="name" label="Your name" value=t.kept("name") autocomplete="name" error=err("name")/>
                                <TextField id="dsa-email" name="email" label="Your e-mail address" value=t.kept("email") kind="email" autocomplete="email" error=err("email")/>
                            </div>
                            <div class="field field-checkbox">
                                <input type="checkbox" id="dsa-good-faith" name="good_faith" value="on" checked=t.kept("good_faith") == "on" aria-describedby="dsa-good-faith-error"/>
                                <label for="dsa-good-faith">"I believe in good faith that the information and allegations in this notice are accurate and complete."</label>
                            </div>
                        }
                    })}
                </Suspense>
                <FieldError id="dsa-good-faith-error" message=err("good_faith")/>
                <FieldError id="dsa-ticket-error" message=err("ticket")/>
                <button type="submit" class="button button-primary">"Send the notice"</button>
                <FormError action/>
            </ActionForm>
        </section>
        <p>"Abuse from one of our addresses (spam, attacks)? Use the "<a href="/report">"abuse report form"</a>"."</p>
    }
}

/// `/report/received/{reference}`: the acknowledgement.
#[component]
pub fn ReportReceivedPage() -> impl IntoView {
    let params = use_params_map();
    let reference = move || {
        params
            .read()
            .get("reference")
            .filter(|r| r.len() <= 20 && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or_default()
    };
    view! {
        <Title text="Report received · Abuse-case portal"/>
        <div class="page-heading">
            <p class="eyebrow">"Thank you"</p>
            <h1>"We have received your report"</h1>
        </div>
        <section class="panel" aria-labelledby="receipt-reference">
            <h2 id="receipt-reference">"Your reference number"</h2>
            <p class="reference">{reference}</p>
            <p>"Quote it if you write to us about this report. We verify every report before we act on it, and may contact you at the address you gave."</p>
        </section>
    }
}
