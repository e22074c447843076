//! The inventory pages: `/admin/organisations` (search, who held an address when, new
//! organisations), `/admin/organisations/{id}` (contacts, members, services) and
//! `/admin/services/{id}` (addresses now and their history). Staff read; admins change.

pub mod api;
mod import_page;
mod organisation_page;
mod search_page;
mod service_page;

pub use import_page::ImportPage;
pub use organisation_page::OrganisationPage;
pub use search_page::OrganisationsPage;
pub use service_page::AdminServicePage;

use crate::views::organisations::AssignmentView;
use leptos::prelude::*;

/// Assignments as a table: the block, its holder, from when until when, who and why.
#[component]
fn AssignmentTable(
    /// The assignments.
    rows: Vec<AssignmentView>,
    /// What the table lists, for screen readers.
    caption: &'static str,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table stack-on-small-screens">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Address or prefix"</th>
                        <th scope="col">"Held by"</th>
                        <th scope="col">"From"</th>
                        <th scope="col">"Until"</th>
                        <th scope="col">"Why"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|a| view! {
                        <tr>
                            <th scope="row"><code>{a.block.clone()}</code></th>
                            <td data-label="Held by">
                                <a href=format!("/admin/services/{}", a.service_id)>{a.service_label.clone()}</a>
                                <span class="row-sub"><a href=format!("/admin/organisations/{}", a.organisation_id)>{a.organisation_name.clone()}</a></span>
                            </td>
                            <td data-label="From">{a.from_text.clone()}<span class="row-sub">{format!("by {}", a.assigned_by)}</span></td>
                            <td data-label="Until">
                                {match a.until_text.clone() {
                                    Some(until) => view! { {until}<span class="row-sub">{format!("by {}", a.released_by.clone().unwrap_or_default())}</span> }.into_any(),
                                    None => view! { <span class="badge badge-active">"Holds it now"</span> }.into_any(),
                                }}
                            </td>
                            <td data-label="Why">
                                {a.reason.clone()}
                                {a.release_reason.clone().map(|r| view! { <span class="row-sub">{format!("Released: {r}")}</span> })}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
