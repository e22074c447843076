//! `/`: the customer's home. Anonymous visitors go to sign-in, staff to the admin home.

use super::api::get_customer_home;
use crate::domain::service::ServiceState;
use crate::error::AppError;
use crate::ui::components::ErrorView;
use crate::ui::components::SignInRedirect;
use crate::views::home::{HomeView, ServiceView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// The customer home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| Box::pin(get_customer_home()));
    view! {
        <Title text="Home · Abuse-case portal"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(view) => view! { <HomeContent view/> }.into_any(),
                    Err(AppError::NotSignedIn) => view! { <SignInRedirect/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <Redirect path="/admin"/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HomeContent(view: HomeView) -> impl IntoView {
    let shown = view.services.len() as i64;
    let more = view.total_services - shown;
    let restricted = view
        .services
        .iter()
        .filter(|s| s.state != ServiceState::Active)
        .count();
    view! {
        <div class="page-heading">
            <p class="eyebrow">"Customer account"</p>
            <h1>{view.org_name.clone()}</h1>
        </div>
        <div class="summary-cards">
            <div class="card">
                <p class="card-figure">{view.total_services}</p>
                <p class="card-label">"Services"</p>
            </div>
            <div class="card" class:card-warning={restricted > 0}>
                <p class="card-figure">{restricted}</p>
                <p class="card-label">"Restricted, suspended or terminated"</p>
            </div>
        </div>
        <section aria-labelledby="services-heading">
            <h2 id="services-heading">"Your services"</h2>
            {if view.services.is_empty() {
                view! { <p class="empty">"Your organisation has no services with us yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table stack-on-small-screens">
                            <caption class="visually-hidden">"Services of " {view.org_name.clone()}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Service"</th>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"IP addresses"</th>
                                    <th scope="col">"State"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {view.services.into_iter().map(|s| view! { <ServiceRow service=s/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {(more > 0).then(|| view! { <p class="table-note">{format!("and {more} more")}</p> })}
        </section>
    }
}

#[component]
fn ServiceRow(service: ServiceView) -> impl IntoView {
    let state_class = format!("badge badge-{}", service.state.as_str());
    view! {
        <tr>
            <th scope="row"><a href=format!("/services/{}", service.id.0)>{service.label}</a></th>
            <td data-label="Kind">{service.kind.label()}</td>
            <td data-label="IP addresses">
                <ul class="ip-list">
                    {service.ips.into_iter().map(|ip| view! { <li><code>{ip}</code></li> }).collect_view()}
                </ul>
            </td>
            <td data-label="State"><span class=state_class>{service.state.label()}</span></td>
        </tr>
    }
}
