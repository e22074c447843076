//! The facts of a case, shown alike on the customer's notice page and the staff case page.

use crate::views::notices::NoticeDetailView;
use leptos::prelude::*;

/// "What happened" and "Affected service" side by side. Staff pass `customer` to see whose
/// service it is.
#[component]
pub fn CaseFacts(
    /// The case as the page loaded it.
    detail: NoticeDetailView,
    /// The customer organisation's name (staff pages only).
    #[prop(optional)]
    customer: Option<String>,
) -> impl IntoView {
    let row = detail.row;
    view! {
        <div class="two-columns">
            <section aria-labelledby="what-heading" class="panel">
                <h2 id="what-heading">"What happened"</h2>
                <p class="summary">{detail.summary}</p>
                <dl class="facts">
                    <dt>"Verified abuse events"</dt><dd>{detail.event_count}</dd>
                    <dt>"First seen"</dt><dd>{detail.first_seen_text}</dd>
                    <dt>"Last seen"</dt><dd>{detail.last_seen_text}</dd>
                    <dt>"Notified"</dt><dd>{row.notified_text}</dd>
                    <dt>"Report source"</dt><dd>{detail.source}</dd>
                </dl>
            </section>
            <section aria-labelledby="service-heading" class="panel">
                <h2 id="service-heading">"Affected service"</h2>
                <dl class="facts">
                    {customer.map(|name| view! { <dt>"Customer"</dt><dd>{name}</dd> })}
                    <dt>"Service"</dt><dd>{row.service_label}</dd>
                    <dt>"Kind"</dt><dd>{detail.service_kind}</dd>
                    <dt>"State"</dt><dd>{detail.service_state}</dd>
                    <dt>"IP addresses"</dt>
                    <dd><ul class="ip-list">{row.ips.into_iter().map(|ip| view! { <li><code>{ip}</code></li> }).collect_view()}</ul></dd>
                </dl>
            </section>
        </div>
    }
}
