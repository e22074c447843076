//! Forms whose page comes back after a plain post (the browser sends the form itself; see
//! `server::inbound::form_posts`): the page starts with the server function's answer, as if its script
//! had sent the form, and the fields show what was typed when the form was refused.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

pub use crate::views::forms::FORM_FIELD;

/// A form's server action: after a plain post, it starts with the function's answer (its
/// message, error or one-time result), which the page shows as after a post by script.
#[track_caller]
pub fn form_action<S>() -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + DeserializeOwned + 'static,
{
    seeded(ServerAction::<S>::new(), None)
}

/// As [`form_action`], for one of several forms calling the same function: only the form that
/// carries `<FormName name/>` with this `name` gets the answer.
#[track_caller]
pub fn named_form_action<S>(name: &'static str) -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + DeserializeOwned + 'static,
{
    seeded(ServerAction::<S>::new(), Some(name))
}

/// The hidden field that tells apart forms calling the same function (see
/// [`named_form_action`]).
#[component]
pub fn FormName(
    /// The name given to [`named_form_action`].
    name: &'static str,
) -> impl IntoView {
    view! { <input type="hidden" name=FORM_FIELD value=name/> }
}

/// What was typed into field `name` of the form calling `S` when the page comes back from a
/// refused plain post; empty otherwise. Secrets (passwords, codes, tokens) are never kept.
pub fn kept<S: ServerFn>(name: &str) -> String {
    kept_or::<S>(name, String::new())
}

/// For a field filled with `current`: what was typed into it when the page comes back from a
/// refused plain post of `S` (even if that was nothing), else `current`.
pub fn kept_or<S: ServerFn>(name: &str, current: impl Into<String>) -> String {
    match fields_of(S::PATH, None, false) {
        Some(fields) => first(&fields, name).unwrap_or_default(),
        None => current.into(),
    }
}

/// For a checkbox (`name`, `value`) ticked or not as `current`: whether it was ticked when the
/// page comes back from a refused plain post of `S`, else `current`.
pub fn kept_checked<S: ServerFn>(name: &str, value: &str, current: bool) -> bool {
    match fields_of(S::PATH, None, false) {
        Some(fields) => fields.iter().any(|(n, v)| n == name && v == value),
        None => current,
    }
}

/// What was sent in field `name` of the form calling `S`, whether the post succeeded or not:
/// for a form that stays filled in after it is sent (a preview).
pub fn posted<S: ServerFn>(name: &str) -> String {
    fields_of(S::PATH, None, true)
        .and_then(|fields| first(&fields, name))
        .unwrap_or_default()
}

/// As [`kept`], in the form named `form` (see [`named_form_action`]).
pub fn kept_in<S: ServerFn>(form: &str, name: &str) -> String {
    fields_of(S::PATH, Some(form), false)
        .and_then(|fields| first(&fields, name))
        .unwrap_or_default()
}

fn first(fields: &[(String, String)], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// The fields of the plain post to `path` (in the named `form`, if given) this page load comes back
/// from: only a refused one unless `also_after_success`.
#[cfg(feature = "ssr")]
fn fields_of(
    path: &str,
    form: Option<&str>,
    also_after_success: bool,
) -> Option<Vec<(String, String)>> {
    outcome_of(path, form)
        .filter(|outcome| also_after_success || !outcome.ok)
        .map(|outcome| outcome.fields.clone())
}

#[cfg(not(feature = "ssr"))]
fn fields_of(
    _path: &str,
    _form: Option<&str>,
    _also_after_success: bool,
) -> Option<Vec<(String, String)>> {
    None
}

/// The outcome waiting for this page load, when it is `path`'s (and the named form's).
#[cfg(feature = "ssr")]
fn outcome_of(
    path: &str,
    form: Option<&str>,
) -> Option<std::sync::Arc<crate::views::forms::PostOutcome>> {
    use leptos::reactive::owner::with_context;
    with_context(|parts: &axum::http::request::Parts| {
        parts
            .extensions
            .get::<std::sync::Arc<crate::views::forms::PostOutcome>>()
            .cloned()
    })
    .flatten()
    .filter(|outcome| outcome.path == path && (form.is_none() || outcome.form.as_deref() == form))
}

#[cfg(feature = "ssr")]
fn seeded<S>(action: ServerAction<S>, form: Option<&str>) -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + DeserializeOwned + 'static,
{
    if let Some(outcome) = outcome_of(S::PATH, form) {
        let answer = if outcome.ok {
            serde_json::from_str::<S::Output>(&outcome.answer)
                .map(Ok)
                .ok()
        } else {
            serde_json::from_str::<AppError>(&outcome.answer)
                .map(Err)
                .ok()
        };
        if let Some(answer) = answer {
            action.value().set(Some(answer));
        }
    }
    action
}

#[cfg(not(feature = "ssr"))]
fn seeded<S>(action: ServerAction<S>, _form: Option<&str>) -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + DeserializeOwned + 'static,
{
    action
}
