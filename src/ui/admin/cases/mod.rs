//! The abuse desk's case pages: the queue across all customers, one case with its decisions,
//! and the form that opens a notice.

pub mod api;
mod case_page;
mod new_case_page;
mod queue_page;

pub use case_page::CasePage;
pub use new_case_page::NewCasePage;
pub use queue_page::CaseQueuePage;

use crate::error::AppError;
use crate::ui::components::SignInRedirect;
use crate::ui::components::{ErrorView, ForbiddenPage, NotFoundPage};
use leptos::prelude::*;

/// What a staff page shows when loading failed.
fn failure(error: AppError) -> AnyView {
    match error {
        AppError::NotSignedIn => view! { <SignInRedirect/> }.into_any(),
        AppError::Forbidden => view! { <ForbiddenPage/> }.into_any(),
        AppError::NotFound => view! { <NotFoundPage/> }.into_any(),
        error => view! { <ErrorView error/> }.into_any(),
    }
}
