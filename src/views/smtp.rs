//! Port-25 requests as the pages show them, for customers and staff.

use crate::domain::smtp::checks::CheckResult;
use crate::domain::smtp::{
    ApprovalDocument, Port25State, RequestDetails, RequestForm, RequestStatus,
};
use serde::{Deserialize, Serialize};

/// One request in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRowView {
    /// Id.
    pub id: i64,
    /// The organisation (shown to staff).
    pub organisation: String,
    /// The service's name.
    pub service_label: String,
    /// The address.
    pub ip: String,
    /// Status.
    pub status: RequestStatus,
    /// "Submitted 2026-11-25 10:00 UTC", or when the draft was last saved.
    pub when_text: String,
    /// Check results at a glance: passed, failed, could not check (staff queue).
    pub checks: Option<(u32, u32, u32)>,
}

/// The customer's requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestListView {
    /// Newest first.
    pub rows: Vec<RequestRowView>,
    /// The next page's cursor.
    pub next: Option<String>,
}

/// An address the customer may ask about, with its port-25 state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressChoice {
    /// The service.
    pub service_id: i64,
    /// The service's name.
    pub service_label: String,
    /// The address.
    pub ip: String,
    /// Its port-25 state.
    pub port25: Port25State,
}

/// The request form: the addresses to choose from and the draft to resume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFormView {
    /// Every address of the organisation's services.
    pub addresses: Vec<AddressChoice>,
    /// The draft being written, if any.
    pub draft_id: Option<i64>,
    /// Its form (empty for a new request).
    pub form: RequestForm,
    /// The obligations the customer confirms (policy §2 and §4), one per item.
    pub obligations: Vec<String>,
    /// The draft's latest checks, with when they ran.
    pub checks: Option<(String, Vec<CheckResult>)>,
    /// Whether DNS answers come from the built-in demo zone.
    pub dns_demo: bool,
}

/// One entry of a request's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEventView {
    /// When, in words.
    pub at_text: String,
    /// Who ("You", "The abuse desk", "The portal (automatic)"; staff see the role).
    pub who: String,
    /// What happened, in words.
    pub what: String,
    /// The written reason.
    pub reason: Option<String>,
}

/// One request, whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetailView {
    /// The row.
    pub row: RequestRowView,
    /// The service.
    pub service_id: i64,
    /// The address's port-25 state now.
    pub port25: Port25State,
    /// What was submitted (absent for a draft).
    pub details: Option<RequestDetails>,
    /// The latest written approval.
    pub approval: Option<ApprovalDocument>,
    /// Earlier approvals' numbers (renewals).
    pub earlier_approvals: Vec<String>,
    /// The latest checks, with when they ran.
    pub checks: Option<(String, Vec<CheckResult>)>,
    /// Whether DNS answers come from the built-in demo zone.
    pub dns_demo: bool,
    /// History, oldest first.
    pub events: Vec<RequestEventView>,
    /// Whether the customer may still withdraw it.
    pub can_withdraw: bool,
    /// Whether it is a draft the customer may go on writing.
    pub is_draft: bool,
}

/// A page of the staff queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestQueueView {
    /// Oldest submission first.
    pub rows: Vec<RequestRowView>,
    /// The next page's cursor.
    pub next: Option<String>,
    /// The filter shown (`waiting` or a status).
    pub filter: String,
}

/// One request as staff see it: the request, and the customer's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRequestView {
    /// The request.
    pub request: RequestDetailView,
    /// The organisation's other requests, newest first.
    pub other_requests: Vec<RequestRowView>,
    /// The organisation's cases: id, category, state, in words, newest first.
    pub cases: Vec<(i64, String, String)>,
    /// Whether the approval's probation has ended and it is due for review.
    pub review_due: bool,
}
