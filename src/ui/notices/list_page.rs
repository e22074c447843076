//! `/notices`: the organisation's notices, most urgent (or newest) first, with filters.

use super::api::list_my_notices;
use crate::domain::notice::{NoticeCategory, NoticeState};
use crate::ui::components::{loaded, Countdown, Pager};
use crate::views::notices::{NoticeListView, NoticeRowView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The notices list.
#[component]
pub fn NoticeListPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        (
            q.get("state"),
            q.get("service").and_then(|s| s.parse().ok()),
            q.get("category"),
            q.get("order"),
            q.get("after"),
        )
    };
    let page = Resource::new(params, |(state, service, category, order, after)| {
        Box::pin(list_my_notices(state, service, category, order, after))
    });
    view! {
        <Title text="Abuse notices · Abuse-case portal"/>
        <div class="page-heading">
            <p class="eyebrow">"Your account"</p>
            <h1>"Abuse notices"</h1>
            <p class="lead">"Respond to each notice before its deadline (48 hours unless stated otherwise) with remediation evidence, or dispute it."</p>
        </div>
        {loaded(page, move |data| view! { <NoticeList data/> })}
    }
}

#[component]
fn NoticeList(data: NoticeListView) -> impl IntoView {
    let query = use_query_map();
    let current = move |key: &str| query.read_untracked().get(key).unwrap_or_default();
    let (state, service, category, order) = (
        current("state"),
        current("service"),
        current("category"),
        current("order"),
    );
    let now_unix = data.now_unix;
    view! {
        <form class="filters" method="get" action="/notices" aria-label="Filter notices">
            <div class="field">
                <label for="filter-state">"Status"</label>
                <select id="filter-state" name="state">
                    <option value="" selected=state.is_empty()>"All statuses"</option>
                    {NoticeState::ALL.iter().map(|s| view! {
                        <option value=s.as_str() selected=state == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-service">"Service"</label>
                <select id="filter-service" name="service">
                    <option value="" selected=service.is_empty()>"All services"</option>
                    {data.services.iter().map(|(id, label)| view! {
                        <option value=id.to_string() selected=service == id.to_string()>{label.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-category">"Category"</label>
                <select id="filter-category" name="category">
                    <option value="" selected=category.is_empty()>"All categories"</option>
                    {NoticeCategory::ALL.iter().map(|c| view! {
                        <option value=c.as_str() selected=category == c.as_str()>{c.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-order">"Order"</label>
                <select id="filter-order" name="order">
                    <option value="" selected=order != "newest">"Most urgent first"</option>
                    <option value="newest" selected=order == "newest">"Newest first"</option>
                </select>
            </div>
            <button type="submit" class="button button-secondary">"Apply filters"</button>
        </form>
        {if data.rows.is_empty() {
            view! { <p class="empty">"No notices match. When the abuse desk sends a notice about one of your services, it appears here."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="data-table stack-on-small-screens">
                        <caption class="visually-hidden">"Abuse notices"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Notice"</th>
                                <th scope="col">"Service and addresses"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Time left"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {data.rows.into_iter().map(|row| view! { <NoticeRow row now_unix/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <Pager label="Notice pages" cursor=&["after"] next=data.next.map(|after| vec![("after", after)])/>
    }
}

#[component]
fn NoticeRow(row: NoticeRowView, now_unix: i64) -> impl IntoView {
    let href = format!("/notices/{}", row.id);
    let awaits = row.state.response_owed();
    view! {
        <tr>
            <th scope="row">
                // A plain link: the router follows it all the same, without the reactive state
                // that `A` builds for each link on the server.
                <a href=href>{format!("Notice #{}", row.id)}</a>
                <span class="row-sub">{row.category.label()}</span>
                {row.high_risk.then(|| view! { <span class="tag tag-danger">"High risk"</span> })}
            </th>
            <td data-label="Service and addresses">
                {row.service_label.clone()}
                <span class="row-sub"><code>{row.ips.join(", ")}</code></span>
            </td>
            <td data-label="Status"><StateBadge state=row.state/></td>
            <td data-label="Time left">
                {if awaits {
                    view! { <Countdown deadline_unix=row.deadline_unix now_unix/> }.into_any()
                } else {
                    view! { <span class="muted">"No response due"</span> }.into_any()
                }}
                <span class="row-sub">"Due " {row.deadline_text.clone()}</span>
            </td>
        </tr>
    }
}

/// A case state as a coloured badge.
#[component]
pub fn StateBadge(state: NoticeState) -> impl IntoView {
    let tone = if state == NoticeState::Overdue || state == NoticeState::EvidenceRejected {
        "suspended"
    } else if state.awaits_customer() {
        "restricted"
    } else if state.is_finished() {
        "active"
    } else {
        "terminated"
    };
    view! { <span class=format!("badge badge-{tone}")>{state.label()}</span> }
}
