//! Form field helpers.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use std::sync::{Arc, Mutex};

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

/// The fields of each form whose errors the page shows beside them. [`action_field`] adds its
/// field as the page is built, and [`FormError`] reads them when it renders (after the whole form
/// was built), so that an error about a field nobody shows is shown at the top of the form
/// instead of being lost: a server function that names a field the form does not have, or a
/// hidden field, is never silent.
#[derive(Clone, Default)]
pub struct ShownFields(Arc<Mutex<Vec<(FormId, &'static str)>>>);

/// A form, known by its action's version signal: every copy of the action shares it.
type FormId = ArcRwSignal<usize>;

impl ShownFields {
    /// Provides an empty set for the pages below (the route table does).
    pub fn provide() {
        provide_context(ShownFields::default());
    }

    fn add(form: FormId, field: &'static str) {
        if let Some(shown) = use_context::<ShownFields>() {
            shown.0.lock().expect("not poisoned").push((form, field));
        }
    }

    fn shows(form: &FormId, field: &str) -> bool {
        use_context::<ShownFields>().is_some_and(|shown| {
            shown
                .0
                .lock()
                .expect("not poisoned")
                .iter()
                .any(|(f, name)| f == form && *name == field)
        })
    }
}

/// The form of `action` (compared by identity, which its version signal's `==` is).
fn form_of<S>(action: ServerAction<S>) -> FormId
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    action.version().into()
}

/// The message of a field, when the action's last answer was about it. The field counts as
/// shown for the form's [`FormError`].
pub fn action_field<S>(action: ServerAction<S>, name: &'static str) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    ShownFields::add(form_of(action), name);
    Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|e| e.field_message(name))
    })
}

/// What the top of a form says about `error`, given the fields the form shows errors beside
/// (`shows`): an error about no field in full; an error about fields, the messages of those no
/// field shows, or else a pointer to the messages beside the fields; nothing for an error about
/// one shown field (its message is there).
pub fn top_message(error: &AppError, shows: impl Fn(&str) -> bool) -> Option<String> {
    match error {
        AppError::Invalid { field, message } => (!shows(field)).then(|| message.clone()),
        AppError::InvalidFields(errors) => {
            let unshown: Vec<&str> = errors
                .iter()
                .filter(|e| !shows(&e.field))
                .map(|e| e.message.as_str())
                .collect();
            Some(if unshown.is_empty() {
                error.user_message()
            } else {
                unshown.join(" ")
            })
        }
        other => Some(other.user_message()),
    }
}

/// The action's last error as the top of its form shows it (see [`top_message`]), announced
/// where the form is. Place it first in the form.
#[component]
pub fn FormError<S>(
    /// The form's action.
    action: ServerAction<S>,
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let form = form_of(action);
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|e| top_message(&e, |field| ShownFields::shows(&form, field)))
            .map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::form::FieldError as Problem;

    #[test]
    fn an_error_about_a_field_nobody_shows_goes_to_the_top() {
        let shows = |field: &str| field == "note";
        assert_eq!(
            top_message(&AppError::invalid("note", "Too long."), shows),
            None
        );
        assert_eq!(
            top_message(&AppError::invalid("body", "Too long."), shows).as_deref(),
            Some("Too long.")
        );
        let both = AppError::InvalidFields(vec![
            Problem {
                field: "note".into(),
                message: "Too long.".into(),
            },
            Problem {
                field: "service".into(),
                message: "Choose a service.".into(),
            },
        ]);
        assert_eq!(
            top_message(&both, shows).as_deref(),
            Some("Choose a service.")
        );
        let shown = AppError::InvalidFields(vec![Problem {
            field: "note".into(),
            message: "Too long.".into(),
        }]);
        assert_eq!(top_message(&shown, shows), Some(shown.user_message()));
        assert_eq!(
            top_message(&AppError::NotFound, shows),
            Some(AppError::NotFound.user_message())
        );
    }
}
