//! Error display: the 403 and 404 pages, the way to sign in, and `ErrorView` for a failed
//! request inside a page.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// Sets the HTTP status of the page being rendered on the server; does nothing in the browser.
pub fn set_http_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(code),
    ) {
        res.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Sends a visitor who is not signed in to the sign-in page, which leads back to this page
/// afterwards (a link from an e-mail to a notice survives signing in).
#[component]
pub fn SignInRedirect() -> impl IntoView {
    let location = use_location();
    let search = location.search.get_untracked();
    let here = if search.is_empty() {
        location.pathname.get_untracked()
    } else {
        format!("{}?{search}", location.pathname.get_untracked())
    };
    view! { <Redirect path=crate::domain::session::sign_in_path(&here)/> }
}

/// The page for a signed-in user who lacks the role a page needs (HTTP 403).
#[component]
pub fn ForbiddenPage() -> impl IntoView {
    set_http_status(403);
    view! {
        <Title text="Access denied · Abuse-case portal"/>
        <section class="status-page" aria-labelledby="status-heading">
            <p class="status-code">"403"</p>
            <h1 id="status-heading">"You do not have access to this page"</h1>
            <p>"This page is for another kind of account: the provider's abuse desk, or a customer's organisation. If you think you should have access, ask an administrator."</p>
            <p><a href="/">"Go to your home page"</a></p>
        </section>
    }
}

/// The page for an address that leads nowhere (HTTP 404).
#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_http_status(404);
    view! {
        <Title text="Page not found · Abuse-case portal"/>
        <section class="status-page" aria-labelledby="status-heading">
            <p class="status-code">"404"</p>
            <h1 id="status-heading">"Page not found"</h1>
            <p>"The address may be mistyped, or the page may belong to another account."</p>
            <p><a href="/">"Go to your home page"</a></p>
        </section>
    }
}

/// A failed request shown in place of the content it was for, with its status set on the server.
#[component]
pub fn ErrorView(
    /// The error.
    error: AppError,
) -> impl IntoView {
    if error == AppError::SecondFactorRequired {
        // Staff (or an organisation that requires it) set up the second factor before anything.
        return view! { <Redirect path="/account/two-factor"/> }.into_any();
    }
    set_http_status(error.status());
    view! {
        <div class="notice notice-error" role="alert">
            <p>{error.user_message()}</p>
        </div>
    }
    .into_any()
}
