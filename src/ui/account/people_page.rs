//! `/account/people`: a customer organisation's owner invites and removes colleagues.

use crate::error::AppError;
use crate::ui::components::{ErrorView, ForbiddenPage, SignInRedirect};
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
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match people.await {
                    Ok(data) => view! { <PeoplePanel data actions/> }.into_any(),
                    Err(AppError::NotSignedIn) => view! { <SignInRedirect/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <ForbiddenPage/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
