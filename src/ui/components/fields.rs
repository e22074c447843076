//! Form field helpers.

use leptos::prelude::*;

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
