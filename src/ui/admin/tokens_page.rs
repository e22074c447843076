//! `/admin/tokens`: API tokens for the provider's own systems (the inventory REST API, whose
//! OpenAPI document is at `/api/v1/openapi.json`): make one with its scopes (shown once), see
//! when each was last used, revoke them.

use super::api::{get_tokens, CreateToken, RevokeToken};
use crate::domain::api_token::ApiScope;
use crate::ui::components::{
    action_field, form_action, kept, kept_checked, loaded, FieldError, FormError,
};
use crate::views::admin::TokenView;
use leptos::prelude::*;
use leptos_meta::Title;

/// The tokens page.
#[component]
pub fn TokensPage() -> impl IntoView {
    let create = form_action::<CreateToken>();
    let revoke = form_action::<RevokeToken>();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| Box::pin(get_tokens()),
    );
    view! {
        <Title text="API tokens · Abuse desk"/>
        <div class="page-heading">
            <p class="eyebrow">"Administration"</p>
            <h1>"API tokens"</h1>
            <p class="lead">"For your billing or provisioning system to keep the inventory current through the REST API ("<a href="/api/v1/openapi.json">"its OpenAPI document"</a>"). A token acts for the admin who made it and stops working if that account is disabled."</p>
        </div>
        <section class="panel" aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">"Make a token"</h2>
            <ActionForm action=create attr:class="form">
                <FormError action=create/>
                <div class="field">
                    <label for="token-name">"Name (the system that uses it)"</label>
                    <input type="text" id="token-name" name="name" value={kept::<CreateToken>("name")} aria-describedby="token-name-error"/>
                    <FieldError id="token-name-error" message=action_field(create, "name")/>
                </div>
                <fieldset class="choices" aria-describedby="token-scopes-error">
                    <legend>"It may"</legend>
                    {ApiScope::ALL.iter().map(|s| {
                        let id = format!("scope-{}", s.as_str().replace(':', "-"));
                        view! {
                            <div class="choice">
                                <input type="checkbox" id=id.clone() name="scopes[]" value=s.as_str() checked={kept_checked::<CreateToken>("scopes[]", s.as_str(), false)}/>
                                <label for=id>{s.label()}" "<code>{s.as_str()}</code></label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <FieldError id="token-scopes-error" message=action_field(create, "scopes")/>
                <button type="submit" class="button button-primary">"Make the token"</button>
            </ActionForm>
            {move || create.value().get().and_then(Result::ok).map(|made| view! {
                <div class="notice notice-ok" role="status">
                    <p>{format!("Token #{} \"{}\" made. Copy it now: it is not shown again.", made.id, made.name)}</p>
                    <label for="new-token" class="visually-hidden">"The new token"</label>
                    <input type="text" id="new-token" class="invite-link" readonly value=made.token/>
                </div>
            })}
        </section>
        {loaded(tokens, move |list| view! { <TokenList list revoke/> })}
    }
}

#[component]
fn TokenList(list: Vec<TokenView>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    if list.is_empty() {
        return view! { <h2>"Tokens"</h2><p class="empty">"No tokens yet."</p> }.into_any();
    }
    view! {
        <h2 id="tokens-heading">"Tokens"</h2>
        <ul class="measure-list" aria-labelledby="tokens-heading">
            {list.into_iter().map(|t| view! {
                <li>
                    <strong>{format!("#{} {}", t.id, t.name)}</strong>
                    {t.revoked_text.clone().map(|r| view! { " "<span class="badge badge-suspended">{format!("Revoked {r}")}</span> })}
                    <span class="row-sub">{format!("{} · acts for {} · made {} · {}", t.scopes, t.acts_for, t.created_text, t.last_used_text.clone().map(|u| format!("last used {u}")).unwrap_or_else(|| "never used".into()))}</span>
                    {t.revoked_text.is_none().then(|| view! {
                        <ActionForm action=revoke attr:class="inline-form">
                            <input type="hidden" name="id" value=t.id.to_string()/>
                            <button type="submit" class="button button-danger" aria-label=format!("Revoke token #{} {}", t.id, t.name)>"Revoke"</button>
                        </ActionForm>
                    })}
                </li>
            }).collect_view()}
        </ul>
        <FormError action=revoke/>
    }
    .into_any()
}
