//! The customer's abuse notices: the list and one notice with its countdown, timeline and the
//! responses allowed in its state.

pub mod api;
mod detail_page;
mod facts;
mod history;
mod list_page;

pub use detail_page::{FileList, MeasureList, NoticeDetailPage};
pub use facts::CaseFacts;
pub use history::{DisputesPanel, SubmissionsPanel, Timeline};
pub use list_page::{NoticeListPage, StateBadge};
