//! The signed-in user's own account: their sessions, password and second factor, time zone and
//! mail; their organisation's contacts and mail (owners change them) and (owners) its people.

pub mod api;
mod organisation_page;
mod password_page;
mod people_page;
mod preferences_page;
mod sessions_page;
mod two_factor_page;

pub use organisation_page::OrganisationSettingsPage;
pub use password_page::PasswordPage;
pub use people_page::AccountPeoplePage;
pub use preferences_page::PreferencesPage;
pub use sessions_page::SessionsPage;
pub use two_factor_page::TwoFactorPage;
