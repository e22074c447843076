//! The customer's services: the inventory with what is in force on each service, address and
//! port, and one service with its measures and notices.

pub mod api;
mod detail_page;
mod list_page;

pub use detail_page::ServiceDetailPage;
pub use list_page::ServiceListPage;
