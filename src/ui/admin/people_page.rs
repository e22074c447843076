//! `/admin/people`: the provider's staff and admins, their invitations, roles and disabled
//! accounts (admins only). Customers' accounts are managed on their organisation's page.

use crate::ui::components::loaded;
use crate::ui::people::api::get_people;
use crate::ui::people::{PeopleActions, PeoplePanel};
use leptos::prelude::*;
use leptos_meta::Title;

/// The admins' people page.
#[component]
pub fn AdminPeoplePage() -> impl IntoView {
    let actions = PeopleActions::new();
    let people = Resource::new(move || actions.version(), |_| Box::pin(get_people(None)));
    view! {
        <Title text="Staff and admins · Abuse desk"/>
        <div class="page-heading">
            <p class="eyebrow">"Administration"</p>
            <h1>"Staff and admins"</h1>
            <p class="lead">"Invite the abuse desk's staff, make them administrators or not, and disable accounts, which ends their sessions at once. Customers' accounts are managed on their organisation's page; systems use "<a href="/admin/tokens">"API tokens"</a>"."</p>
        </div>
        {loaded(people, move |data| view! { <PeoplePanel data actions/> })}
    }
}
