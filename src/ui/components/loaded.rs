//! The one way a page waits for its data and shows what went wrong: "Loading…" while it loads,
//! then the content, or the page for the error (sign in, 403, 404, or the message in place).

use super::errors::{ErrorView, ForbiddenPage, NotFoundPage, SignInRedirect};
use crate::error::AppError;
use leptos::prelude::*;

/// What a page shows when loading its data failed: the way to sign in, the 403 or 404 page, or
/// the error's message in place of the content (each with its HTTP status on the server).
pub fn failure(error: AppError) -> AnyView {
    match error {
        AppError::NotSignedIn => view! { <SignInRedirect/> }.into_any(),
        AppError::Forbidden => view! { <ForbiddenPage/> }.into_any(),
        AppError::NotFound => view! { <NotFoundPage/> }.into_any(),
        error => view! { <ErrorView error/> }.into_any(),
    }
}

/// `content` with the data of `resource` once it has loaded, or the [`failure`] it ended in.
pub fn loaded<T, V>(
    resource: Resource<Result<T, AppError>>,
    content: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let content = content.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => content(data).into_any(),
                        Err(error) => failure(error),
                    }
                })
            }}
        </Suspense>
    }
}
