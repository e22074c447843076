//! `/login/code`: the second step of signing in, for accounts with two-factor sign-in on.

use super::api::LoginCode;
use crate::ui::components::{action_field, form_action, FieldError, FormError};
use leptos::prelude::*;
use leptos_meta::Title;

/// The code page.
#[component]
pub fn LoginCodePage() -> impl IntoView {
    let submit = form_action::<LoginCode>();
    view! {
        <Title text="Your code · Abuse-case portal"/>
        <section class="auth-card" aria-labelledby="code-heading">
            <h1 id="code-heading">"Enter your code"</h1>
            <p class="lead">"Your password was right. Now type the 6-digit code your authenticator app shows for the abuse-case portal, or one of your recovery codes."</p>
            <ActionForm action=submit attr:class="form">
                <FormError action=submit/>
                <div class="field">
                    <label for="login-code">"Code"</label>
                    <input type="text" id="login-code" name="code" inputmode="numeric" autocomplete="one-time-code" autofocus aria-describedby="login-code-error"/>
                    <FieldError id="login-code-error" message=action_field(submit, "code")/>
                </div>
                <button type="submit" class="button button-primary">"Sign in"</button>
            </ActionForm>
            <p><a href="/login">"Start again with your password"</a></p>
        </section>
    }
}
