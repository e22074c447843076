//! The abuse desk's port-25 pages: the queue of requests waiting for a decision, and one request
//! with the customer's history and the written decisions (approve with conditions, reject,
//! revoke).

pub mod api;
mod queue_page;
mod request_page;

pub use queue_page::RequestQueuePage;
pub use request_page::StaffRequestPage;
