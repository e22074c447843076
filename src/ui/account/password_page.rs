//! `/account/password`: change one's own password (the current one first); the other sessions
//! end.

use super::api::ChangePassword;
use crate::ui::components::{action_field, form_action, FieldError, FormError};
use leptos::prelude::*;
use leptos_meta::Title;

/// The password page.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let change = form_action::<ChangePassword>();
    let done = move || change.value().get().is_some_and(|r| r.is_ok());
    view! {
        <Title text="Change your password · Abuse-case portal"/>
        <p class="breadcrumb"><a href="/account/sessions">"← Your sessions"</a></p>
        <section class="auth-card" aria-labelledby="password-heading">
            <h1 id="password-heading">"Change your password"</h1>
            <p class="lead">"Your other sessions end when the password changes; this one stays signed in."</p>
            {move || done().then(|| view! { <p class="notice notice-ok" role="status">"Your password is changed. Your other sessions have ended."</p> })}
            <ActionForm action=change attr:class="form">
                <FormError action=change/>
                <div class="field">
                    <label for="password-current">"Current password"</label>
                    <input type="password" id="password-current" name="current" autocomplete="current-password" aria-describedby="password-current-error"/>
                    <FieldError id="password-current-error" message=action_field(change, "current")/>
                </div>
                <div class="field">
                    <label for="password-new">"New password (at least 12 characters)"</label>
                    <input type="password" id="password-new" name="new" autocomplete="new-password" aria-describedby="password-new-error"/>
                    <FieldError id="password-new-error" message=action_field(change, "new")/>
                </div>
                <div class="field">
                    <label for="password-again">"New password again"</label>
                    <input type="password" id="password-again" name="again" autocomplete="new-password" aria-describedby="password-again-error"/>
                    <FieldError id="password-again-error" message=action_field(change, "again")/>
                </div>
                <button type="submit" class="button button-primary">"Change the password"</button>
            </ActionForm>
        </section>
    }
}
