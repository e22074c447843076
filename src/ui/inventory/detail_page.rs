//! `/services/{id}`: one service, what is in force on it, its measures and its notices.

use super::api::{get_service, ChangePort25Default};
use crate::domain::smtp::Port25State;
use crate::error::AppError;
use crate::ui::billing::ReactivationPanel;
use crate::ui::components::Countdown;
use crate::ui::components::Port25Badge;
use crate::ui::components::{form_action, kept, loaded, FormError};
use crate::ui::notices::{MeasureList, StateBadge};
use crate::views::inventory::ServiceDetailView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One service.
#[component]
pub fn ServiceDetailPage() -> impl IntoView {
    let params = use_params_map();
    let port25 = form_action::<ChangePort25Default>();
    let service = Resource::new(
        move || {
            (
                params
                    .read()
                    .get("id")
                    .and_then(|id| id.parse::<i64>().ok()),
                port25.version().get(),
            )
        },
        |(id, _)| {
            Box::pin(async move {
                match id {
                    Some(id) => get_service(id).await,
                    None => Err(AppError::NotFound),
                }
            })
        },
    );
    view! {
        {loaded(service, move |data| view! { <Service data port25/> })}
    }
}

#[component]
fn Service(data: ServiceDetailView, port25: ServerAction<ChangePort25Default>) -> impl IntoView {
    let s = data.row.clone();
    let staff = data.staff;
    let service_id = s.id;
    let now_unix = data.now_unix;
    let label = s.label.clone();
    let case_base = if staff { "/admin/cases" } else { "/notices" };
    view! {
        <Title text=format!("{} · Abuse-case portal", s.label)/>
        <p class="breadcrumb"><a href="/services">"← All services"</a></p>
        <div class="page-heading">
            <p class="eyebrow">{s.kind.label()}</p>
            <h1>{s.label.clone()}</h1>
            <p class="heading-tags"><span class=format!("badge badge-{}", s.state.as_str())>{s.state.label()}</span></p>
        </div>
        <div class="two-columns">
            <section class="panel" aria-labelledby="svc-ips">
                <h2 id="svc-ips">"IP addresses"</h2>
                <ul class="ip-list port25-list">
                    {s.ips.clone().into_iter().zip(s.port25.clone()).enumerate().map(move |(i, (ip, p25))| view! {
                        <li>
                            <code>{ip.clone()}</code>" "
                            <Port25Badge state=p25/>
                            <span class="row-sub">{p25.explanation()}</span>
                            {(!staff && p25 == Port25State::BlockedByDefault).then(|| view! {
                                <span class="row-sub"><a href=format!("/smtp/new?service={service_id}&ip={ip}")>"Request port-25 unblocking"</a></span>
                            })}
                            {(staff && p25 != Port25State::BlockedForAbuse).then(|| {
                                let lift = p25 == Port25State::BlockedByDefault;
                                let reason_id = format!("p25-reason-{i}");
                                // The reason typed for this address, when it was refused.
                                let typed = if kept::<ChangePort25Default>("ip") == ip { kept::<ChangePort25Default>("reason") } else { String::new() };
                                view! {
                                    <ActionForm action=port25 attr:class="form port25-form">
                                        <input type="hidden" name="service" value=service_id.to_string()/>
                                        <input type="hidden" name="ip" value=ip.clone()/>
                                        <input type="hidden" name="action" value=if lift { "lift" } else { "restrict" }/>
                                        <div class="field">
                                            <label for=reason_id.clone()>{format!("Why {} the default restriction on {ip}", if lift { "lift" } else { "set" })}</label>
                                            <input type="text" id=reason_id name="reason" value=typed required/>
                                        </div>
                                        <button type="submit" class="button button-secondary">{if lift { "Lift the default restriction" } else { "Restrict port 25 by default" }}</button>
                                    </ActionForm>
                                }
                            })}
                        </li>
                    }).collect_view()}
                </ul>
                <FormError action=port25/>
            </section>
            <section class="panel" aria-labelledby="svc-measures">
                <h2 id="svc-measures">"Measures"</h2>
                <MeasureList measures=data.measures.clone()/>
            </section>
        </div>
        {data.reactivation.clone().into_iter().map(|(notice_id, reactivation)| view! {
            <ReactivationPanel reactivation notice_id service_label=label.clone() case_base=case_base heading="Reactivation"/>
        }).collect_view()}
        <section aria-labelledby="svc-notices">
            <h2 id="svc-notices">"Notices about this service"</h2>
            {if data.notices.is_empty() {
                view! { <p class="empty">"No abuse notices."</p> }.into_any()
            } else {
                view! {
                    <ul class="measure-list">
                        {data.notices.iter().map(|n| {
                            let awaits = n.state.response_owed();
                            view! {
                                <li>
                                    <a href=format!("/notices/{}", n.id)>{format!("Notice #{} · {}", n.id, n.category.label())}</a>
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
