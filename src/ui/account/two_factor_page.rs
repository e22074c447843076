//! `/account/two-factor`: set up two-factor sign-in (a QR code made on the server, or the key
//! typed by hand, confirmed by a first code; recovery codes shown once), make new recovery
//! codes, turn it off where it is optional; owners require it of their organisation.

use super::api::{get_two_factor, ChangeTwoFactor, ConfirmTwoFactor, RequireTwoFactor};
use crate::ui::components::{
    action_field, form_action, loaded, named_form_action, FieldError, FormError, FormName,
};
use crate::views::auth::TwoFactorView;
use leptos::prelude::*;
use leptos_meta::Title;

/// The two-factor page.
#[component]
pub fn TwoFactorPage() -> impl IntoView {
    let confirm = form_action::<ConfirmTwoFactor>();
    let change = named_form_action::<ChangeTwoFactor>("renew");
    let off = named_form_action::<ChangeTwoFactor>("off");
    let require = form_action::<RequireTwoFactor>();
    let status = Resource::new(
        move || {
            (
                confirm.version().get(),
                change.version().get(),
                off.version().get(),
                require.version().get(),
            )
        },
        |_| Box::pin(get_two_factor()),
    );
    view! {
        <Title text="Two-factor sign-in · Abuse-case portal"/>
        <div class="page-heading">
            <p class="eyebrow">"Your account"</p>
            <h1>"Two-factor sign-in"</h1>
            <p class="lead">"After your password, a code from an authenticator app on your phone: a stolen password alone no longer opens your account."</p>
        </div>
        <RecoveryCodes codes=Signal::derive(move || {
            confirm.value().get().and_then(Result::ok)
                .or_else(|| change.value().get().and_then(Result::ok).filter(|c| !c.is_empty()))
        })/>
        {loaded(status, move |data| view! { <Status data confirm change off require/> })}
    }
}

/// Recovery codes, shown once, right after they are made.
#[component]
fn RecoveryCodes(codes: Signal<Option<Vec<String>>>) -> impl IntoView {
    move || {
        codes.get().map(|codes| view! {
            <section class="panel recovery-codes" aria-labelledby="recovery-heading">
                <h2 id="recovery-heading">"Your recovery codes"</h2>
                <p>"Keep them somewhere safe, away from your phone. Each works once, instead of a code, if you lose your phone. They are not shown again."</p>
                <ul class="code-list" aria-label="Recovery codes">
                    {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                </ul>
            </section>
        })
    }
}

#[component]
fn Status(
    data: TwoFactorView,
    confirm: ServerAction<ConfirmTwoFactor>,
    change: ServerAction<ChangeTwoFactor>,
    off: ServerAction<ChangeTwoFactor>,
    require: ServerAction<RequireTwoFactor>,
) -> impl IntoView {
    view! {
        {match data.setup.clone() {
            Some(setup) => view! {
                {data.required.then(|| view! {
                    <p class="notice notice-info" role="note">"Your account needs two-factor sign-in before anything else: set it up now."</p>
                })}
                <section class="panel" aria-labelledby="setup-heading">
                    <h2 id="setup-heading">"Set it up"</h2>
                    <ol class="setup-steps">
                        <li>"Open an authenticator app on your phone (any app for TOTP codes)."</li>
                        <li>"Scan this QR code, or type the key below into the app."</li>
                        <li>"Type the 6-digit code the app then shows."</li>
                    </ol>
                    <div class="qr-code" role="img" aria-label="QR code for your authenticator app" inner_html=setup.qr_svg.clone()></div>
                    <p>"Key to type by hand: "<code class="totp-key">{setup.key.clone()}</code></p>
                    <ActionForm action=confirm attr:class="form">
                        <FormError action=confirm/>
                        <div class="field">
                            <label for="setup-password">"Your password"</label>
                            <input type="password" id="setup-password" name="password" autocomplete="current-password" aria-describedby="setup-password-error"/>
                            <FieldError id="setup-password-error" message=action_field(confirm, "password")/>
                        </div>
                        <div class="field">
                            <label for="setup-code">"Code from the app"</label>
                            <input type="text" id="setup-code" name="code" inputmode="numeric" autocomplete="one-time-code" aria-describedby="setup-code-error"/>
                            <FieldError id="setup-code-error" message=action_field(confirm, "code")/>
                        </div>
                        <button type="submit" class="button button-primary">"Turn on two-factor sign-in"</button>
                    </ActionForm>
                </section>
            }.into_any(),
            None => view! {
                <section class="panel" aria-labelledby="on-heading">
                    <h2 id="on-heading">"Two-factor sign-in is on"</h2>
                    <p>{format!("{} recovery code{} left.", data.recovery_left, if data.recovery_left == 1 { "" } else { "s" })}</p>
                    <ActionForm action=change attr:class="form">
                        <FormError action=change/>
                        <FormName name="renew"/>
                        <input type="hidden" name="action" value="renew"/>
                        <div class="field">
                            <label for="renew-password">"Your password, to make new recovery codes"</label>
                            <input type="password" id="renew-password" name="password" autocomplete="current-password" aria-describedby="renew-password-error"/>
                            <FieldError id="renew-password-error" message=action_field(change, "password")/>
                        </div>
                        <div class="field">
                            <label for="renew-code">"A code from your app, to make new recovery codes"</label>
                            <input type="text" id="renew-code" name="code" inputmode="numeric" autocomplete="one-time-code" aria-describedby="renew-code-error"/>
                            <FieldError id="renew-code-error" message=action_field(change, "code")/>
                        </div>
                        <button type="submit" class="button button-secondary">"Make new recovery codes"</button>
                    </ActionForm>
                    {(!data.required).then(|| view! {
                        <ActionForm action=off attr:class="form">
                            <FormError action=off/>
                            <FormName name="off"/>
                            <input type="hidden" name="action" value="off"/>
                            <div class="field">
                                <label for="off-password">"Your password, to turn it off"</label>
                                <input type="password" id="off-password" name="password" autocomplete="current-password" aria-describedby="off-password-error"/>
                                <FieldError id="off-password-error" message=action_field(off, "password")/>
                            </div>
                            <div class="field">
                                <label for="off-code">"A code from your app, to turn it off"</label>
                                <input type="text" id="off-code" name="code" inputmode="numeric" autocomplete="one-time-code" aria-describedby="off-code-error"/>
                                <FieldError id="off-code-error" message=action_field(off, "code")/>
                            </div>
                            <button type="submit" class="button button-danger">"Turn it off"</button>
                        </ActionForm>
                    })}
                </section>
            }.into_any(),
        }}
        {data.owner_of.clone().map(|(org, required)| view! {
            <section class="panel" aria-labelledby="require-heading">
                <h2 id="require-heading">{format!("Everyone at {org}")}</h2>
                <ActionForm action=require attr:class="form">
                    <FormError action=require/>
                    <div class="field-checkbox">
                        <input type="checkbox" id="require-2fa" name="required" value="on" checked=required/>
                        <label for="require-2fa">"Require two-factor sign-in of every account of the organisation"</label>
                    </div>
                    <button type="submit" class="button button-secondary">"Save"</button>
                </ActionForm>
            </section>
        })}
    }
}
