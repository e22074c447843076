//! `/admin/cases`: every customer's cases, earliest deadline first, with filters and counts.

use super::api::get_case_queue;
use crate::domain::notice::{NoticeCategory, NoticeState};
use crate::domain::service::ServiceKind;
use crate::ui::components::{loaded, Countdown, Pager};
use crate::ui::notices::StateBadge;
use crate::views::cases::{CaseQueueView, CaseRowView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The case queue.
#[component]
pub fn CaseQueuePage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        (
            q.get("status"),
            q.get("category"),
            q.get("org").and_then(|o| o.parse().ok()),
            q.get("kind"),
            q.get("high_risk"),
            q.get("after"),
        )
    };
    let page = Resource::new(params, |(status, category, org, kind, high_risk, after)| {
        Box::pin(get_case_queue(
            status, category, org, kind, high_risk, after,
        ))
    });
    view! {
        <Title text="Case queue · Abuse-case portal"/>
        <div class="page-heading heading-with-action">
            <div>
                <p class="eyebrow">"Abuse desk"</p>
                <h1>"Case queue"</h1>
            </div>
            <a href="/admin/cases/new" class="button button-primary">"Open a notice"</a>
        </div>
        {loaded(page, move |data| view! { <Queue data/> })}
    }
}

#[component]
fn Queue(data: CaseQueueView) -> impl IntoView {
    let query = use_query_map();
    let current = move |key: &str| query.read_untracked().get(key).unwrap_or_default();
    let status = current("status");
    let (category, org, kind, high_risk) = (
        current("category"),
        current("org"),
        current("kind"),
        current("high_risk"),
    );
    let now_unix = data.now_unix;
    view! {
        <nav class="status-chips" aria-label="Cases by status">
            <ul>
                {data.counts.into_iter().map(|(stored, label, n)| view! {
                    <li><a href=format!("/admin/cases?status={stored}")>{label}" "<strong>{n}</strong></a></li>
                }).collect_view()}
            </ul>
        </nav>
        <form class="filters" method="get" action="/admin/cases" aria-label="Filter cases">
            <div class="field">
                <label for="q-status">"Status"</label>
                <select id="q-status" name="status">
                    <option value="active" selected=status.is_empty() || status == "active">"Not finished"</option>
                    <option value="all" selected=status == "all">"All"</option>
                    {NoticeState::ALL.iter().map(|s| view! { <option value=s.as_str() selected=status == s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="q-org">"Customer"</label>
                <select id="q-org" name="org">
                    <option value="" selected=org.is_empty()>"All customers"</option>
                    {data.organisations.iter().map(|(id, name)| view! { <option value=id.to_string() selected=org == id.to_string()>{name.clone()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="q-category">"Category"</label>
                <select id="q-category" name="category">
                    <option value="" selected=category.is_empty()>"All categories"</option>
                    {NoticeCategory::ALL.iter().map(|c| view! { <option value=c.as_str() selected=category == c.as_str()>{c.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="q-kind">"Service kind"</label>
                <select id="q-kind" name="kind">
                    <option value="" selected=kind.is_empty()>"All kinds"</option>
                    {ServiceKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected=kind == k.as_str()>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field field-checkbox">
                <input type="checkbox" id="q-high-risk" name="high_risk" value="1" checked=!high_risk.is_empty()/>
                <label for="q-high-risk">"High-risk only"</label>
            </div>
            <button type="submit" class="button button-secondary">"Apply filters"</button>
        </form>
        {if data.rows.is_empty() {
            view! { <p class="empty">"No cases match these filters."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="data-table stack-on-small-screens">
                        <caption class="visually-hidden">"Cases, earliest deadline first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Case"</th>
                                <th scope="col">"Customer and service"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Deadline"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {data.rows.into_iter().map(|case| view! { <CaseRow case now_unix/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <Pager label="Case pages" cursor=&["after"] next=data.next.map(|after| vec![("after", after)])/>
    }
}

#[component]
fn CaseRow(case: CaseRowView, now_unix: i64) -> impl IntoView {
    let row = case.row;
    let awaits = row.state.response_owed();
    view! {
        <tr>
            <th scope="row">
                // A plain link, as in the customer's list (`A` costs reactive state per link).
                <a href=format!("/admin/cases/{}", row.id)>{format!("Case #{}", row.id)}</a>
                <span class="row-sub">{row.category.label()}</span>
                {row.high_risk.then(|| view! { <span class="tag tag-danger">"High risk"</span> })}
            </th>
            <td data-label="Customer and service">
                {case.org_name}
                <span class="row-sub">{row.service_label.clone()}" · "{case.service_kind}</span>
            </td>
            <td data-label="Status"><StateBadge state=row.state/></td>
            <td data-label="Deadline">
                {if awaits {
                    view! { <Countdown deadline_unix=row.deadline_unix now_unix/> }.into_any()
                } else if row.state.awaits_staff() {
                    view! { <span class="countdown countdown-urgent">"Awaiting the desk"</span> }.into_any()
                } else {
                    view! { <span class="muted">"—"</span> }.into_any()
                }}
                <span class="row-sub">{row.deadline_text.clone()}</span>
            </td>
        </tr>
    }
}
