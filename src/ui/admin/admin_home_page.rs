//! `/admin`: the staff home. Customers get the 403 page, anonymous visitors go to sign-in.

use super::api::get_admin_overview;
use crate::ui::components::{loaded, Pager};
use crate::views::admin::AdminOverview;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The admin home page.
#[component]
pub fn AdminHomePage() -> impl IntoView {
    let query = use_query_map();
    let after = move || super::org_cursor(&query.read());
    let overview = Resource::new(after, |arg| Box::pin(get_admin_overview(arg)));
    view! {
        <Title text="Admin · Abuse-case portal"/>
        {loaded(overview, move |data| view! { <Overview data/> })}
    }
}

#[component]
fn Overview(data: AdminOverview) -> impl IntoView {
    view! {
        <div class="page-heading">
            <p class="eyebrow">"Abuse desk"</p>
            <h1>"Admin overview"</h1>
        </div>
        <div class="summary-cards">
            <div class="card"><p class="card-figure">{data.organisations}</p><p class="card-label">"Customer organisations"</p></div>
            <div class="card"><p class="card-figure">{data.customers}</p><p class="card-label">"Customer users"</p></div>
            <div class="card"><p class="card-figure">{data.services}</p><p class="card-label">"Services"</p></div>
            <div class="card" class:card-warning={data.services_not_active > 0}>
                <p class="card-figure">{data.services_not_active}</p>
                <p class="card-label">"Services restricted, suspended or terminated"</p>
            </div>
            <div class="card"><p class="card-figure">{data.staff}</p><p class="card-label">"Staff and admin accounts"</p></div>
            <div class="card" class:card-warning={data.mails_given_up > 0}>
                <p class="card-figure">{data.mails_given_up}</p>
                <p class="card-label"><a href="/admin/mail">"Mails given up"</a></p>
            </div>
        </div>
        <section aria-labelledby="orgs-heading">
            <h2 id="orgs-heading">"Customer organisations"</h2>
            <div class="table-wrap">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">"Organisation"</th>
                            <th scope="col" class="numeric">"Users"</th>
                            <th scope="col" class="numeric">"Services"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {data.page.into_iter().map(|org| view! {
                            <tr>
                                <th scope="row"><a href=format!("/admin/organisations/{}", org.id)>{org.name}</a></th>
                                <td class="numeric">{org.users}</td>
                                <td class="numeric">{org.services}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager label="Organisation pages" cursor=super::ORG_CURSOR next=data.next.as_ref().map(super::org_cursor_params)/>
        </section>
    }
}
