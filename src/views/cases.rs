//! The abuse desk's case pages. Staff-only: these carry verification notes, internal notes and
//! staff names, and are built only by use cases that hold a `StaffToken`.

use super::notices::{NoticeDetailView, NoticeRowView};
use serde::{Deserialize, Serialize};

/// A case in the staff queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRowView {
    /// The notice.
    pub row: NoticeRowView,
    /// The customer.
    pub org_name: String,
    /// The service's kind, in words.
    pub service_kind: String,
}

/// One page of the queue with the counts per status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseQueueView {
    /// The cases.
    pub rows: Vec<CaseRowView>,
    /// The next page's cursor.
    pub next: Option<String>,
    /// Cases per status (stored spelling, label, count), all customers.
    pub counts: Vec<(String, String, i64)>,
    /// Customers, for the filter.
    pub organisations: Vec<(i64, String)>,
    /// The server's clock, Unix seconds.
    pub now_unix: i64,
}

/// A staff-only note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    /// Author's e-mail.
    pub author: String,
    /// Text.
    pub body: String,
    /// When (UTC).
    pub at_text: String,
}

/// The staff's view of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    /// What the customer sees (with staff names in the timeline).
    pub detail: NoticeDetailView,
    /// The customer.
    pub org_name: String,
    /// How the report was verified.
    pub verification_note: String,
    /// The deadline as a `datetime-local` value (UTC), to prefill the deadline form.
    pub deadline_input: String,
    /// The zone the times typed on the page are read in (the viewer's).
    pub zone: String,
    /// Internal notes, oldest first (never shown to the customer).
    pub notes: Vec<NoteView>,
    /// The reported events counted in the case, newest first (at most 200).
    pub reported_events: Vec<crate::views::reports::EventView>,
}

/// Services staff can open a notice against: (id, "Organisation · label (kind)").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCaseOptions {
    /// The services.
    pub services: Vec<(i64, String)>,
    /// Now, as a `datetime-local` value (UTC).
    pub now_input: String,
    /// The zone the times typed on the page are read in (the viewer's).
    pub zone: String,
}
