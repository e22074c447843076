//! The abuse desk's case pages: the queue across all customers, one case with its decisions,
//! and the form that opens a notice.

pub mod api;
mod case_page;
mod new_case_page;
mod queue_page;

pub use case_page::CasePage;
pub use new_case_page::NewCasePage;
pub use queue_page::CaseQueuePage;
