//! `/login`: the sign-in form, a plain form post; with JavaScript the password can be shown.

use super::api::Login;
use super::use_auth;
use crate::ui::components::{action_field, form_action, kept, FieldError, FormError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The sign-in page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = use_auth();
    // After a refused post it starts with the error, and the e-mail field with what was typed.
    let login = form_action::<Login>();
    let error = move || login.value().get().and_then(Result::err);
    let email_error = action_field(login, "email");
    let password_error = action_field(login, "password");
    let query = use_query_map();
    let signed_out = move || query.read().get("signed_out").is_some();
    // Where to go afterwards: the page that sent the visitor here (checked again on the server).
    let next = move || query.read().get("next").unwrap_or_default();
    let signed_in_as = auth.session.user.map(|u| u.email);

    view! {
        <Title text="Sign in · Abuse-case portal"/>
        <section class="auth-card" aria-labelledby="login-heading">
            <h1 id="login-heading">"Sign in"</h1>
            <p class="lead">"Answer abuse notices against your services, or work the abuse desk's queue."</p>
            {signed_in_as.map(|email| view! {
                <p class="notice notice-info">
                    "You are signed in as " {email} ". " <a href="/">"Go to your home page"</a>
                    " or sign in with another account."
                </p>
            })}
            {move || (signed_out() && error().is_none()).then(|| view! {
                <p class="notice notice-info" role="status">
                    {if query.read().get("signed_out").as_deref() == Some("everywhere") {
                        "You have signed out on every device."
                    } else {
                        "You have signed out."
                    }}
                </p>
            })}
            {move || (!next().is_empty() && !signed_out() && error().is_none()).then(|| view! {
                <p class="notice notice-info">"Sign in to continue to the page you asked for."</p>
            })}
            <ActionForm action=login attr:class="form">
                <FormError action=login/>
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="login-email">"E-mail address"</label>
                    <input
                        id="login-email"
                        name="email"
                        type="email"
                        value={kept::<Login>("email")}
                        autocomplete="username"
                        required
                        aria-invalid=move || email_error.get().is_some().to_string()
                        aria-describedby="login-email-error"
                    />
                    <FieldError id="login-email-error" message=email_error/>
                </div>
                <div class="field">
                    <label for="login-password">"Password"</label>
                    <PasswordInput invalid=password_error.get_untracked().is_some()/>
                    <FieldError id="login-password-error" message=password_error/>
                </div>
                <button type="submit" class="button button-primary">
                    "Sign in"
                </button>
            </ActionForm>
        </section>
    }
}

/// The password field with a button that shows what was typed (shown once the page's script
/// runs). An island: the rest of the sign-in page needs no script.
#[island]
fn PasswordInput(
    /// Whether the last attempt was refused because of the password.
    invalid: bool,
) -> impl IntoView {
    let show_password = RwSignal::new(false);
    view! {
        <div class="input-with-button">
            <input
                id="login-password"
                name="password"
                type=move || if show_password.get() { "text" } else { "password" }
                autocomplete="current-password"
                required
                aria-invalid=invalid.to_string()
                aria-describedby="login-password-error"
            />
            <button
                type="button"
                class="button button-secondary needs-js"
                aria-controls="login-password"
                aria-pressed=move || show_password.get().to_string()
                on:click=move |_| show_password.update(|shown| *shown = !*shown)
            >
                {move || if show_password.get() { "Hide password" } else { "Show password" }}
            </button>
        </div>
    }
}
