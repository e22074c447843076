//! `/admin/smtp`: port-25 requests waiting for the abuse desk, oldest first, with their check
//! results at a glance.

use super::api::get_request_queue;
use crate::domain::smtp::RequestStatus;
use crate::ui::components::{loaded, Pager};
use crate::ui::smtp::RequestStatusBadge;
use crate::views::smtp::RequestQueueView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The queue.
#[component]
pub fn RequestQueuePage() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let q = query.read();
            (q.get("filter"), q.get("after"))
        },
        |(filter, after)| Box::pin(get_request_queue(filter, after)),
    );
    view! {
        <Title text="Port-25 requests · Abuse-case portal"/>
        <div class="page-heading">
            <p class="eyebrow">"Abuse desk"</p>
            <h1>"Port-25 requests"</h1>
            <p class="lead">"Approve in writing only after the use case is verified; a failing check is a question for the customer, not an automatic no."</p>
        </div>
        {loaded(page, move |data| view! { <Queue data/> })}
    }
}

#[component]
fn Queue(data: RequestQueueView) -> impl IntoView {
    let filters = std::iter::once(("waiting", "Waiting for a decision"))
        .chain(
            RequestStatus::ALL
                .iter()
                .filter(|s| **s != RequestStatus::Draft)
                .map(|s| (s.as_str(), s.label())),
        )
        .collect::<Vec<_>>();
    let current = data.filter.clone();
    view! {
        <form method="get" action="/admin/smtp" class="filters" role="search" aria-label="Filter requests">
            <div class="field">
                <label for="smtp-filter">"Show"</label>
                <select id="smtp-filter" name="filter">
                    {filters.into_iter().map(|(value, label)| view! {
                        <option value=value selected=value == current>{label}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button">"Apply"</button>
        </form>
        {if data.rows.is_empty() {
            view! { <p class="empty">"No requests here."</p> }.into_any()
        } else {
            view! {
                <table class="data-table">
                    <caption class="visually-hidden">"Port-25 requests, oldest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Request"</th>
                            <th scope="col">"Customer"</th>
                            <th scope="col">"Address"</th>
                            <th scope="col">"Checks"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {data.rows.into_iter().map(|r| view! {
                            <tr>
                                <th scope="row">
                                    <a href=format!("/admin/smtp/{}", r.id)>{format!("Request #{}", r.id)}</a>
                                    <span class="row-sub">{r.when_text.clone()}</span>
                                </th>
                                <td data-label="Customer">{r.organisation.clone()}</td>
                                <td data-label="Address"><code>{r.ip.clone()}</code><span class="row-sub">{r.service_label.clone()}</span></td>
                                <td data-label="Checks">
                                    {match r.checks {
                                        Some((pass, fail, unknown)) => format!("{pass} pass · {fail} fail · {unknown} could not check"),
                                        None => "Not run".to_owned(),
                                    }}
                                </td>
                                <td data-label="Status"><RequestStatusBadge status=r.status/></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <Pager label="Request pages" cursor=&["after"] next=data.next.map(|after| vec![("after", after.to_string())])/>
    }
}
