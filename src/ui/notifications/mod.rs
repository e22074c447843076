//! The signed-in person's notifications: what happened to their organisation's notices,
//! port-25 requests and invoices, newest first; each opens its item and is read from then on.

pub mod api;
mod list_page;

pub use list_page::NotificationsPage;
