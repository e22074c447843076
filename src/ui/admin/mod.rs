//! The provider's admin pages (staff and admins only).

mod admin_home_page;
pub mod api;
pub mod billing;
pub mod cases;
pub mod organisations;
mod people_page;
pub mod smtp;
mod tokens_page;

pub use admin_home_page::AdminHomePage;
pub use people_page::AdminPeoplePage;
pub use tokens_page::TokensPage;

use crate::error::AppError;
use crate::ui::components::{ErrorView, ForbiddenPage, NotFoundPage, SignInRedirect};
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
