//! `/admin/reports/{id}`: one report as received: its outcome (or the exact reason it could not
//! be read), the fields kept of it, and where each of its events went.

use super::api::get_intake;
use super::{EventTable, IntakeStatusTag};
use crate::error::AppError;
use crate::ui::components::loaded;
use crate::views::reports::IntakeView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The report page.
#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let report = Resource::new(
        move || params.read().get("id"),
        |id| {
            Box::pin(async move {
                match id.and_then(|id| id.parse::<i64>().ok()) {
                    Some(id) => get_intake(id).await,
                    None => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        <p class="breadcrumb"><a href="/admin/reports?tab=all">"← Reports"</a></p>
        {loaded(report, move |data| view! { <Report data/> })}
    }
}

#[component]
fn Report(data: IntakeView) -> impl IntoView {
    let r = data.row.clone();
    view! {
        <Title text=format!("Report {} · Abuse desk", r.reference)/>
        <div class="page-heading">
            <p class="eyebrow">{format!("Abuse desk · {}", r.channel.label())}</p>
            <h1>{format!("Report {}", r.reference)}</h1>
            <p class="heading-tags"><IntakeStatusTag status=r.status/>" "<span class="tag tag-info">{r.format.label()}</span></p>
            <p class="lead">{format!("Received {} from {}.", r.received_text, r.reporter.clone().unwrap_or_else(|| "an unknown sender".into()))}</p>
        </div>
        {r.failure.clone().map(|why| view! {
            <div class="notice notice-error" role="alert">
                <p><strong>"This report could not be read: "</strong>{why}</p>
                <p>"It is kept here so nothing is lost; ask the sender for a corrected report if it matters."</p>
            </div>
        })}
        <div class="two-columns">
            <section class="panel" aria-labelledby="report-kept">
                <h2 id="report-kept">"What was kept"</h2>
                {if data.kept.is_empty() {
                    view! { <p class="muted">"No fields could be kept."</p> }.into_any()
                } else {
                    view! { <dl class="kept-fields">{data.kept.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{v.clone()}</dd> }).collect_view()}</dl> }.into_any()
                }}
                <p class="muted">"The reported message itself is never stored (policy §7)."</p>
            </section>
            <section class="panel" aria-labelledby="report-receipt">
                <h2 id="report-receipt">"Receipt"</h2>
                <dl class="kept-fields">
                    <dt>"Size"</dt><dd>{format!("{} bytes", data.byte_count)}</dd>
                    <dt>"SHA-256"</dt><dd><code>{data.sha256.clone()}</code></dd>
                    {data.external_id.clone().map(|id| view! { <dt>"Its identifier"</dt><dd><code>{id}</code></dd> })}
                    {data.received_by.clone().map(|by| view! { <dt>"Sent by"</dt><dd>{by}</dd> })}
                    {data.client_address.clone().map(|a| view! { <dt>"Client address"</dt><dd><code>{a}</code></dd> })}
                </dl>
            </section>
        </div>
        {data.description.clone().map(|d| view! {
            <section class="panel" aria-labelledby="report-words">
                <h2 id="report-words">"In the reporter's words"</h2>
                <p class="summary">{d}</p>
            </section>
        })}
        {(!data.events.is_empty()).then(|| view! {
            <section class="panel" aria-labelledby="report-events">
                <h2 id="report-events">"Events"</h2>
                <EventTable events=data.events.clone() caption="The report's events"/>
            </section>
        })}
    }
}
