//! `/account/people`: a customer organisation's owner invites and removes colleagues.

use crate::ui::components::loaded;
use crate::ui::people::api::get_people;
use crate::ui::people::{PeopleActions, PeoplePanel};
use leptos::prelude::*;
use leptos_meta::Title;

/// The owner's people page.
#[component]
pub fn AccountPeoplePage() -> impl IntoView {
    let actions = PeopleActions::new();
    let people = Resource::new(move || actions.version(), |_| Box::pin(get_people(None)));
    view! {
        <Title text="People · Abuse-case portal"/>
        <div class="page-heading">
            <p class="eyebrow">"Your organisation"</p>
            <h1>"People"</h1>
            <p class="lead">"Who can answer your organisation's abuse notices. Owners invite and remove colleagues."</p>
        </div>
        {loaded(people, move |data| view! { <PeoplePanel data actions/> })}
    }
}
