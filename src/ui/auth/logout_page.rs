//! `/logout`: confirms signing out (a GET never changes state; the button posts).

use super::use_auth;
use leptos::prelude::*;
use leptos_meta::Title;

/// The sign-out page.
#[component]
pub fn LogoutPage() -> impl IntoView {
    let auth = use_auth();
    let signed_in = auth.session.user.is_some();
    view! {
        <Title text="Sign out · Abuse-case portal"/>
        <section class="auth-card" aria-labelledby="logout-heading">
            <h1 id="logout-heading">"Sign out"</h1>
            {if signed_in {
                view! {
                    <p class="lead">"Sign out of the portal on this device? Your session ends on the server too."</p>
                    <ActionForm action=auth.logout attr:class="form">
                        <button type="submit" class="button button-primary">"Sign out"</button>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <p class="lead">"You are not signed in."</p>
                    <p><a href="/login">"Sign in"</a></p>
                }.into_any()
            }}
        </section>
    }
}
