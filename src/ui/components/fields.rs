//! Form field helpers.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The error message under a form field, announced when it appears. The field points at it with
/// `aria-describedby` set to the same `id`, so the element is always there, empty when all is well.
#[component]
pub fn FieldError(
    /// The element id the field's `aria-describedby` names.
    #[prop(into)]
    id: String,
    /// The message, when the field is in error.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p id=id class="field-error" aria-live="polite">
            {move || message.get()}
        </p>
    }
}

/// The message of a field, when the action's last answer was about it.
pub fn action_field<S>(action: ServerAction<S>, name: &'static str) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|e| e.field_message(name))
    })
}

/// The action's last error when it is not about one field, announced where the form is.
#[component]
pub fn FormError<S>(
    /// The form's action.
    action: ServerAction<S>,
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, AppError::Invalid { .. }))
            .map(|e| view! { <p class="notice notice-error" role="alert">{e.user_message()}</p> })
    }
}
