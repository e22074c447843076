//! The signed-in user's own account: their sessions.

pub mod api;
mod sessions_page;

pub use sessions_page::SessionsPage;
