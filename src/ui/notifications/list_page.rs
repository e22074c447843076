//! `/notifications`: the list, newest first, unread ones marked.

use super::api::{get_notifications, ReadAllNotifications};
use crate::ui::components::{form_action, loaded, Pager};
use crate::views::notifications::NotificationListView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The notifications page.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let query = use_query_map();
    let read_all = form_action::<ReadAllNotifications>();
    let page = Resource::new(
        move || {
            (
                query
                    .read()
                    .get("before")
                    .and_then(|b| b.parse::<i64>().ok()),
                read_all.version().get(),
            )
        },
        |(before, _)| Box::pin(get_notifications(before)),
    );
    view! {
        <Title text="Notifications · Abuse-case portal"/>
        <div class="page-heading">
            <h1>"Notifications"</h1>
            <p class="lead">"What happened to your notices, port-25 requests and invoices. Open one to go to it."</p>
        </div>
        {loaded(page, move |data| view! { <List data read_all/> })}
    }
}

#[component]
fn List(data: NotificationListView, read_all: ServerAction<ReadAllNotifications>) -> impl IntoView {
    if data.rows.is_empty() {
        return view! { <p class="empty">"No notifications yet."</p> }.into_any();
    }
    view! {
        {(data.unread > 0).then(|| view! {
            <ActionForm action=read_all attr:class="inline-form">
                <button type="submit" class="button button-secondary">{format!("Mark all {} as read", data.unread)}</button>
            </ActionForm>
        })}
        <ul class="notification-list" aria-label="Notifications">
            {data.rows.into_iter().map(|n| view! {
                <li class:notification-unread=n.unread>
                    <a href=format!("/notifications/{}/open", n.id) rel="external">{n.title.clone()}</a>
                    <span class="row-sub">
                        {n.unread.then(|| view! { <span class="tag tag-info">"New"</span>" " })}
                        {format!("{} · {}", n.kind.label(), n.when_text)}
                    </span>
                </li>
            }).collect_view()}
        </ul>
        <Pager label="Notification pages" cursor=&["before"] next=data.next.map(|before| vec![("before", before.to_string())]) words=("Newer notifications", "Older notifications")/>
    }
    .into_any()
}
