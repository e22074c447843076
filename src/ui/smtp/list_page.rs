//! `/smtp`: the organisation's port-25 requests, newest first.

use super::api::list_my_requests;
use super::detail_page::RequestStatusBadge;
use crate::ui::components::{loaded, Pager};
use crate::views::smtp::RequestListView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The requests list.
#[component]
pub fn RequestListPage() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(
        move || query.read().get("after"),
        |arg| Box::pin(list_my_requests(arg)),
    );
    view! {
        <Title text="Outbound mail (port 25) · Abuse-case portal"/>
        <div class="page-heading">
            <p class="eyebrow">"Your account"</p>
            <h1>"Outbound mail (port 25)"</h1>
            <p class="lead">"Port 25 stays blocked on new services until the abuse desk approves a legitimate use case in writing. Ask for it here, with the details they need."</p>
        </div>
        <p><a href="/smtp/new" class="button button-primary">"Request port-25 unblocking"</a></p>
        {loaded(page, move |data| view! { <RequestList data/> })}
    }
}

#[component]
fn RequestList(data: RequestListView) -> impl IntoView {
    if data.rows.is_empty() {
        return view! { <p class="empty">"You have not asked for port 25 yet."</p> }.into_any();
    }
    view! {
        <table class="data-table">
            <caption class="visually-hidden">"Your port-25 requests"</caption>
            <thead>
                <tr>
                    <th scope="col">"Request"</th>
                    <th scope="col">"Address"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"When"</th>
                </tr>
            </thead>
            <tbody>
                {data.rows.into_iter().map(|r| view! {
                    <tr>
                        <th scope="row"><a href=format!("/smtp/{}", r.id)>{format!("Request #{}", r.id)}</a></th>
                        <td data-label="Address"><code>{r.ip.clone()}</code><span class="row-sub">{r.service_label.clone()}</span></td>
                        <td data-label="Status"><RequestStatusBadge status=r.status/></td>
                        <td data-label="When">{r.when_text.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Pager label="Request pages" cursor=&["after"] next=data.next.map(|after| vec![("after", after.to_string())]) words=("Newer requests", "Older requests")/>
    }
    .into_any()
}
