//! `/admin/reports`: what came in and waits for the abuse desk, in four lists: reported cases
//! to verify (oldest first), events no service held the address of, reports that could not be
//! read, and every report.

use super::api::{get_intake_list, DecideEvent};
use super::{EventTable, IntakeStatusTag};
use crate::ui::components::{
    action_field, form_action, kept, loaded, FieldError, FormError, Pager,
};
use crate::views::reports::{EventView, IntakeListView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TABS: [(&str, &str); 4] = [
    ("verify", "To verify"),
    ("unmatched", "Unmatched"),
    ("failed", "Failed"),
    ("all", "All reports"),
];

/// The intake page.
#[component]
pub fn IntakePage() -> impl IntoView {
    let query = use_query_map();
    let decide = form_action::<DecideEvent>();
    let page = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("tab"),
                q.get("after").and_then(|a| a.parse::<i64>().ok()),
                decide.version().get(),
            )
        },
        |(tab, after, _)| Box::pin(get_intake_list(tab, after)),
    );
    let tab = move || {
        let t = query.read().get("tab").unwrap_or_default();
        TABS.iter()
            .find(|(k, _)| *k == t)
            .map(|(k, _)| *k)
            .unwrap_or("verify")
    };
    view! {
        <Title text="Reports · Abuse desk"/>
        <div class="page-heading">
            <p class="eyebrow">"Abuse desk"</p>
            <h1>"Reports"</h1>
            <p class="lead">"Reports arrive by the API, mailbox imports and the public forms. Each event is matched to the service that held its address at the time: added to the open case, or gathered into a case for you to verify."</p>
        </div>
        {loaded(page, move |data| view! { <Lists data tab=tab() decide/> })}
    }
}

#[component]
fn Lists(
    data: IntakeListView,
    tab: &'static str,
    decide: ServerAction<DecideEvent>,
) -> impl IntoView {
    let counts = data.counts;
    let count_of = move |key: &str| match key {
        "verify" => format!(" ({})", counts.to_verify),
        "unmatched" => format!(" ({})", counts.unmatched),
        "failed" => format!(" ({} this week)", counts.failed_this_week),
        _ => String::new(),
    };
    view! {
        <nav aria-label="Report lists">
            <ul class="tabs">
                {TABS.iter().map(|(key, label)| view! {
                    <li><a href=format!("/admin/reports?tab={key}") aria-current=(*key == tab).then_some("page")>{format!("{label}{}", count_of(key))}</a></li>
                }).collect_view()}
            </ul>
        </nav>
        {match tab {
            "verify" => view! { <PendingList data=data.clone()/> }.into_any(),
            "unmatched" => view! { <UnmatchedList events=data.unmatched.clone() decide/> }.into_any(),
            _ => view! { <IntakeList data=data.clone() failed=tab == "failed"/> }.into_any(),
        }}
        <Pager label="Report pages" cursor=&["after"] next=data.next.map(|after| vec![("after", after.to_string())])/>
    }
}

#[component]
fn PendingList(data: IntakeListView) -> impl IntoView {
    if data.pending.is_empty() {
        return view! { <p class="empty">"No reported case waits for verification."</p> }
            .into_any();
    }
    view! {
        <table class="data-table">
            <caption class="visually-hidden">"Reported cases waiting for verification, oldest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Reported case"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Service"</th>
                    <th scope="col">"Incidents"</th>
                    <th scope="col">"Events seen"</th>
                </tr>
            </thead>
            <tbody>
                {data.pending.into_iter().map(|p| view! {
                    <tr>
                        <th scope="row">
                            <a href=format!("/admin/reports/cases/{}", p.id)>{format!("#{} · {}", p.id, p.category.label())}</a>
                            {p.high_risk.then(|| view! { " "<span class="tag tag-danger">"High-risk"</span> })}
                            <span class="row-sub">{p.waiting_text.clone()}</span>
                        </th>
                        <td data-label="Customer">{p.organisation.clone()}</td>
                        <td data-label="Service"><a href=format!("/admin/services/{}", p.service.0)>{p.service.1.clone()}</a></td>
                        <td data-label="Incidents">{p.event_count}</td>
                        <td data-label="Events seen">{p.span_text.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn UnmatchedList(events: Vec<EventView>, decide: ServerAction<DecideEvent>) -> impl IntoView {
    let done = move || {
        decide
            .value()
            .get()
            .and_then(Result::ok)
            .map(|m| view! { <p class="notice notice-ok" role="status">{m}</p> })
    };
    if events.is_empty() {
        return view! { {done} <p class="empty">"No unmatched events."</p> }.into_any();
    }
    let reason_error = action_field(decide, "reason");
    view! {
        {done}
        <FormError action=decide/>
        <p>"No service held these addresses when the events happened. Correct the inventory and match again, or dismiss with a reason (not the provider's address, a mistaken report)."</p>
        <EventTable events=events.clone() caption="Unmatched events, newest first"/>
        <section class="panel" aria-labelledby="unmatched-decide">
            <h2 id="unmatched-decide">"Handle an event"</h2>
            <ActionForm action=decide attr:class="form">
                <div class="two-columns">
                    <div class="field">
                        <label for="event-id">"Event"</label>
                        <select id="event-id" name="id">
                            {events.iter().map(|e| view! {
                                <option value=e.id.to_string() selected={kept::<DecideEvent>("id") == e.id.to_string()}>{format!("#{} · {} · {}", e.id, e.source, e.occurred_text)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="event-decision">"Action"</label>
                        <select id="event-decision" name="decision">
                            <option value="rematch">"Match again (after correcting the inventory)"</option>
                            <option value="dismiss" selected={kept::<DecideEvent>("decision") == "dismiss"}>"Dismiss"</option>
                        </select>
                    </div>
                </div>
                <div class="field">
                    <label for="event-reason">"Reason (needed to dismiss)"</label>
                    <textarea id="event-reason" name="reason" rows="2" aria-describedby="event-reason-error">{kept::<DecideEvent>("reason")}</textarea>
                    <FieldError id="event-reason-error" message=reason_error/>
                </div>
                <button type="submit" class="button button-primary">"Apply"</button>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
fn IntakeList(data: IntakeListView, failed: bool) -> impl IntoView {
    if data.intakes.is_empty() {
        let text = if failed {
            "No report failed."
        } else {
            "No report has come in yet."
        };
        return view! { <p class="empty">{text}</p> }.into_any();
    }
    view! {
        <table class="data-table">
            <caption class="visually-hidden">{if failed { "Reports that could not be read, newest first" } else { "Reports, newest first" }}</caption>
            <thead>
                <tr>
                    <th scope="col">"Report"</th>
                    <th scope="col">"From"</th>
                    <th scope="col">"Format"</th>
                    <th scope="col">"Outcome"</th>
                </tr>
            </thead>
            <tbody>
                {data.intakes.into_iter().map(|r| view! {
                    <tr>
                        <th scope="row">
                            <a href=format!("/admin/reports/{}", r.id)>{r.reference.clone()}</a>
                            <span class="row-sub">{format!("{} · {}", r.received_text, r.channel.label())}</span>
                        </th>
                        <td data-label="From">{r.reporter.clone().unwrap_or_else(|| "Unknown".into())}</td>
                        <td data-label="Format">{r.format.label()}</td>
                        <td data-label="Outcome">
                            <IntakeStatusTag status=r.status/>
                            <span class="row-sub">{match &r.failure {
                                Some(why) => why.clone(),
                                None => format!("{} event(s)", r.event_count),
                            }}</span>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
