//! The customer's port-25 (outbound SMTP) requests: the list, the guided request form and one
//! request with its checks, history and written approval.

pub mod api;
mod detail_page;
mod list_page;
mod new_page;

pub use detail_page::{
    ApprovalDocumentView, CheckList, RequestDetailPage, RequestFacts, RequestHistory,
    RequestStatusBadge,
};
pub use list_page::RequestListPage;
pub use new_page::NewRequestPage;
