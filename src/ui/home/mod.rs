//! The customer's home page: their organisation and its services.

pub mod api;
mod home_page;

pub use home_page::HomePage;
