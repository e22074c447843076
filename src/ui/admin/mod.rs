//! The provider's admin pages (staff and admins only).

mod admin_home_page;
pub mod api;
pub mod cases;

pub use admin_home_page::AdminHomePage;
