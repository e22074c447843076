//! The abuse desk's intake pages: reported cases waiting for verification, events that match
//! no service, reports that could not be read, and one report or waiting case whole.

pub mod api;
mod intake_page;
mod pending_page;
mod report_page;

pub use intake_page::IntakePage;
pub use pending_page::PendingCasePage;
pub use report_page::ReportPage;

use crate::domain::report::{EventState, IntakeStatus};
use crate::views::reports::EventView;
use leptos::prelude::*;

/// A status tag for a report.
#[component]
fn IntakeStatusTag(status: IntakeStatus) -> impl IntoView {
    let class = match status {
        IntakeStatus::Accepted => "tag tag-ok",
        IntakeStatus::Failed => "tag tag-danger",
    };
    view! { <span class=class>{status.label()}</span> }
}

/// A tag for where an event stands.
#[component]
fn EventStateTag(state: EventState) -> impl IntoView {
    let class = match state {
        EventState::Unmatched => "tag tag-danger",
        EventState::NeedsVerification => "tag tag-warning",
        EventState::Dismissed => "tag",
        _ => "tag tag-ok",
    };
    view! { <span class=class>{state.label()}</span> }
}

/// Events in a table, with where each went (also on the staff case page).
#[component]
pub fn EventTable(events: Vec<EventView>, caption: &'static str) -> impl IntoView {
    view! {
        <table class="data-table">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Source"</th>
                    <th scope="col">"When"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Holder then"</th>
                    <th scope="col">"Where it went"</th>
                </tr>
            </thead>
            <tbody>
                {events.into_iter().map(|e| view! {
                    <tr>
                        <th scope="row"><code>{e.source.clone()}</code>
                            <span class="row-sub"><a href=format!("/admin/reports/{}", e.report.1)>{e.report.0.clone()}</a></span>
                        </th>
                        <td data-label="When">{e.occurred_text.clone()}</td>
                        <td data-label="What">{e.category.label()}
                            <span class="row-sub">{format!("{} incident(s) · {}", e.incidents, e.detail)}</span>
                        </td>
                        <td data-label="Holder then">{match e.holder.clone() {
                            Some((org, sid, label, block)) => view! {
                                {org}<span class="row-sub"><a href=format!("/admin/services/{sid}")>{label}</a>" · "<code>{block}</code></span>
                            }.into_any(),
                            None => view! { <span class="muted">"Nobody"</span> }.into_any(),
                        }}</td>
                        <td data-label="Where it went">
                            <EventStateTag state=e.state/>
                            {e.notice_id.map(|n| view! { <span class="row-sub"><a href=format!("/admin/cases/{n}")>{format!("Case #{n}")}</a></span> })}
                            {e.pending_id.filter(|_| e.notice_id.is_none()).map(|p| view! { <span class="row-sub"><a href=format!("/admin/reports/cases/{p}")>{format!("Reported case #{p}")}</a></span> })}
                            {e.decision_reason.clone().filter(|_| e.state == EventState::Dismissed).map(|r| view! { <span class="row-sub">{r}</span> })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
