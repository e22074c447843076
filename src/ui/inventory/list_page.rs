//! `/services`: the organisation's services with their state and the measures in force.

use super::api::get_services;
use crate::error::AppError;
use crate::ui::components::ErrorView;
use crate::ui::components::Pager;
use crate::ui::components::Port25Badge;
use crate::ui::components::SignInRedirect;
use crate::views::inventory::ServiceListView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

/// The inventory.
#[component]
pub fn ServiceListPage() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(
        move || query.read().get("after"),
        |arg| Box::pin(get_services(arg)),
    );
    view! {
        <Title text="Services · Abuse-case portal"/>
        <div class="page-heading">
            <p class="eyebrow">"Your account"</p>
            <h1>"Services"</h1>
            <p class="lead">"Your servers, their addresses, and any block, limit or suspension in force."</p>
        </div>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => view! { <Services data/> }.into_any(),
                    Err(AppError::NotSignedIn) => view! { <SignInRedirect/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <Redirect path="/admin/cases"/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Services(data: ServiceListView) -> impl IntoView {
    view! {
        {if data.rows.is_empty() {
            view! { <p class="empty">"Your organisation has no services with us yet."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="data-table stack-on-small-screens">
                        <caption class="visually-hidden">"Services"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Service"</th>
                                <th scope="col">"IP addresses"</th>
                                <th scope="col">"State"</th>
                                <th scope="col">"In force"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {data.rows.into_iter().map(|s| view! {
                                <tr>
                                    <th scope="row">
                                        <a href=format!("/services/{}", s.id)>{s.label.clone()}</a>
                                        <span class="row-sub">{s.kind.label()}</span>
                                    </th>
                                    <td data-label="IP addresses">
                                        <ul class="ip-list">{s.ips.iter().zip(s.port25.iter()).map(|(ip, p25)| view! {
                                            <li><code>{ip.clone()}</code>" "<Port25Badge state=*p25/></li>
                                        }).collect_view()}</ul>
                                    </td>
                                    <td data-label="State"><span class=format!("badge badge-{}", s.state.as_str())>{s.state.label()}</span></td>
                                    <td data-label="In force">
                                        {if s.in_force.is_empty() {
                                            view! { <span class="muted">"Nothing"</span> }.into_any()
                                        } else {
                                            view! { <ul class="ip-list">{s.in_force.iter().map(|m| view! { <li>{m.clone()}</li> }).collect_view()}</ul> }.into_any()
                                        }}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <Pager label="Service pages" cursor=&["after"] next=data.next.map(|after| vec![("after", after)])/>
    }
}
