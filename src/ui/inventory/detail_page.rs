//! `/services/{id}`: one service, what is in force on it, its measures and its notices.

use super::api::get_service;
use crate::domain::smtp::Port25State;
use crate::error::AppError;
use crate::ui::components::Port25Badge;
use crate::ui::components::SignInRedirect;
use crate::ui::components::{Countdown, ErrorView, NotFoundPage};
use crate::ui::notices::{MeasureList, StateBadge};
use crate::views::inventory::ServiceDetailView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// One service.
#[component]
pub fn ServiceDetailPage() -> impl IntoView {
    let params = use_params_map();
    let service = Resource::new(
        move || {
            params
                .read()
                .get("id")
                .and_then(|id| id.parse::<i64>().ok())
        },
        |id| async move {
            match id {
                Some(id) => get_service(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match service.await {
                    Ok(data) => view! { <Service data/> }.into_any(),
                    Err(AppError::NotSignedIn) => view! { <SignInRedirect/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Service(data: ServiceDetailView) -> impl IntoView {
    let s = data.row.clone();
    let now_unix = data.now_unix;
    view! {
        <Title text=format!("{} · Abuse-case portal", s.label)/>
        <p class="breadcrumb"><A href="/services">"← All services"</A></p>
        <div class="page-heading">
            <p class="eyebrow">{s.kind.label()}</p>
            <h1>{s.label.clone()}</h1>
            <p class="heading-tags"><span class=format!("badge badge-{}", s.state.as_str())>{s.state.label()}</span></p>
        </div>
        <div class="two-columns">
            <section class="panel" aria-labelledby="svc-ips">
                <h2 id="svc-ips">"IP addresses"</h2>
                <ul class="ip-list port25-list">
                    {s.ips.iter().zip(s.port25.iter()).map(|(ip, p25)| view! {
                        <li>
                            <code>{ip.clone()}</code>" "
                            <Port25Badge state=*p25/>
                            <span class="row-sub">{p25.explanation()}</span>
                            {(*p25 == Port25State::BlockedByDefault).then(|| view! {
                                <span class="row-sub"><A href=format!("/smtp/new?service={}&ip={}", s.id, ip)>"Request port-25 unblocking"</A></span>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
            <section class="panel" aria-labelledby="svc-measures">
                <h2 id="svc-measures">"Measures"</h2>
                <MeasureList measures=data.measures.clone()/>
            </section>
        </div>
        <section aria-labelledby="svc-notices">
            <h2 id="svc-notices">"Notices about this service"</h2>
            {if data.notices.is_empty() {
                view! { <p class="empty">"No abuse notices."</p> }.into_any()
            } else {
                view! {
                    <ul class="measure-list">
                        {data.notices.iter().map(|n| {
                            let awaits = n.state.awaits_customer() || n.state == crate::domain::notice::NoticeState::Overdue;
                            view! {
                                <li>
                                    <A href=format!("/notices/{}", n.id)>{format!("Notice #{} · {}", n.id, n.category.label())}</A>
                                    " " <StateBadge state=n.state/>
                                    {awaits.then(|| view! { " " <Countdown deadline_unix=n.deadline_unix now_unix/> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
