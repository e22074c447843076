//! Signing in and out.

pub mod api;
mod code_page;
mod login_page;
mod logout_page;

pub use code_page::LoginCodePage;
pub use login_page::LoginPage;
pub use logout_page::LogoutPage;

use leptos::prelude::*;

/// The sign-in state shared by the whole app: the sign-out action and the current session. The
/// session is fetched again on every navigation, which follows each sign-in and sign-out, so the
/// navigation never shows a stale user. It drives navigation and grants nothing.
#[derive(Clone, Copy)]
pub struct Auth {
    /// The sign-out form's action.
    pub logout: ServerAction<api::Logout>,
    /// Who is signed in, and whether the site runs on demo data.
    pub session: Resource<Result<crate::views::auth::SessionInfo, crate::error::AppError>>,
}

impl Auth {
    /// Creates the sign-out action and the session resource and provides them to the app.
    /// Call inside the `<Router>`.
    pub fn provide() -> Auth {
        let logout = ServerAction::<api::Logout>::new();
        let path = leptos_router::hooks::use_location().pathname;
        let session = Resource::new_blocking(
            move || (path.get(), logout.version().get()),
            |_| Box::pin(api::get_session()),
        );
        let auth = Auth { logout, session };
        provide_context(auth);
        auth
    }
}

/// The app's sign-in state (see [`Auth::provide`]).
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
