//! The signed-in user's own account: their sessions, password and second factor, and (owners)
//! the people of their organisation.

pub mod api;
mod password_page;
mod people_page;
mod sessions_page;
mod two_factor_page;

pub use password_page::PasswordPage;
pub use people_page::AccountPeoplePage;
pub use sessions_page::SessionsPage;
pub use two_factor_page::TwoFactorPage;
