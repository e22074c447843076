//! `/invite/{token}`: the invited person sees who invited them and as what, and chooses a
//! password; the account is created and signed in.

use super::api::{get_invitation, AcceptInvitation};
use crate::error::AppError;
use crate::ui::components::{action_field, form_action, ErrorView, FieldError, FormError};
use crate::views::people::InvitePageView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The invitation page.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let invitation = Resource::new(token, |arg| Box::pin(get_invitation(arg)));
    view! {
        <Title text="Your invitation · Abuse-case portal"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match invitation.await {
                    Ok(data) => view! { <Accept data token=token()/> }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <section class="auth-card" aria-labelledby="invite-gone">
                            <h1 id="invite-gone">"This invitation cannot be used"</h1>
                            <p>"It was used already, withdrawn, or its week ran out. Ask whoever invited you for a new one."</p>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Accept(data: InvitePageView, token: String) -> impl IntoView {
    let accept = form_action::<AcceptInvitation>();
    view! {
        <section class="auth-card" aria-labelledby="invite-heading">
            <h1 id="invite-heading">"Welcome to the abuse-case portal"</h1>
            <p class="lead">{format!("{} invited you as {}.", data.invited_by, data.as_text)}</p>
            <dl class="facts">
                <dt>"Your sign-in name"</dt><dd>{data.email.clone()}</dd>
                <dt>"Valid until"</dt><dd>{data.expires_text.clone()}</dd>
            </dl>
            <ActionForm action=accept attr:class="form">
                <FormError action=accept/>
                <input type="hidden" name="token" value=token/>
                <div class="field">
                    <label for="invite-password">"Choose a password (at least 12 characters)"</label>
                    <input type="password" id="invite-password" name="password" autocomplete="new-password" aria-describedby="invite-password-error"/>
                    <FieldError id="invite-password-error" message=action_field(accept, "password")/>
                </div>
                <div class="field">
                    <label for="invite-password-again">"The same password again"</label>
                    <input type="password" id="invite-password-again" name="password_again" autocomplete="new-password" aria-describedby="invite-password-again-error"/>
                    <FieldError id="invite-password-again-error" message=action_field(accept, "password_again")/>
                </div>
                <button type="submit" class="button button-primary">"Create my account"</button>
            </ActionForm>
        </section>
    }
}
