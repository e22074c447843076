//! Signing in and out.

pub mod api;
mod code_page;
mod login_page;
mod logout_page;

pub use code_page::LoginCodePage;
pub use login_page::LoginPage;
pub use logout_page::LogoutPage;

use leptos::prelude::*;

/// The sign-in state shared by the whole app: the sign-out action and who is signed in. The
/// server identifies the caller before the page renders (`server::state::prepare_identity`),
/// so the page frame and the pages read it as a plain value; every navigation is a full page
/// load, which follows each sign-in and sign-out. It drives navigation and grants nothing.
#[derive(Clone)]
pub struct Auth {
    /// The sign-out form's action.
    pub logout: ServerAction<api::Logout>,
    /// Who is signed in, and whether the site runs on demo data.
    pub session: crate::views::auth::SessionInfo,
}

impl Auth {
    /// Creates the sign-out action, takes the sign-in state the server provided to the render
    /// (no one, where it provided none) and provides both to the app. Call inside the
    /// `<Router>`.
    pub fn provide() -> Auth {
        let auth = Auth {
            logout: ServerAction::<api::Logout>::new(),
            session: use_context().unwrap_or_default(),
        };
        provide_context(auth.clone());
        auth
    }
}

/// The app's sign-in state (see [`Auth::provide`]).
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
