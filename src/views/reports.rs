//! Reports coming in, as staff see them (the intake lists, a report, a case waiting for
//! verification), and the public forms' acknowledgement.

use crate::domain::notice::{NoticeCategory, NoticeSource};
use crate::domain::report::{EventState, IntakeChannel, IntakeStatus, ReportFormat};
use serde::{Deserialize, Serialize};

/// What waits for staff at the intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IntakeCounts {
    /// Cases waiting for verification.
    pub to_verify: i64,
    /// Events no service held the address of.
    pub unmatched: i64,
    /// Reports that could not be read in the last 7 days.
    pub failed_this_week: i64,
}

/// A report received, in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeRowView {
    /// Id.
    pub id: i64,
    /// `AR-000042`.
    pub reference: String,
    /// When, in words.
    pub received_text: String,
    /// How.
    pub channel: IntakeChannel,
    /// Shape.
    pub format: ReportFormat,
    /// Read or not.
    pub status: IntakeStatus,
    /// Why not.
    pub failure: Option<String>,
    /// Who reported.
    pub reporter: Option<String>,
    /// Events named.
    pub event_count: i64,
}

/// A reported event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    /// Id.
    pub id: i64,
    /// Its report's reference and id.
    pub report: (String, i64),
    /// Source.
    pub source: String,
    /// When.
    pub occurred_text: String,
    /// Kind.
    pub category: NoticeCategory,
    /// Incidents.
    pub incidents: i64,
    /// For staff.
    pub detail: String,
    /// Where it stands.
    pub state: EventState,
    /// The holder then: organisation, service id and label, block.
    pub holder: Option<(String, i64, String, String)>,
    /// The notice it counts in.
    pub notice_id: Option<i64>,
    /// The case it waits in.
    pub pending_id: Option<i64>,
    /// Why it was dismissed.
    pub decision_reason: Option<String>,
}

/// The intake page: one of its lists, a page at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeListView {
    /// What waits.
    pub counts: IntakeCounts,
    /// Cases to verify (the "verify" tab).
    pub pending: Vec<PendingRowView>,
    /// Unmatched events (the "unmatched" tab).
    pub unmatched: Vec<EventView>,
    /// Reports (the "all" and "failed" tabs).
    pub intakes: Vec<IntakeRowView>,
    /// The next page's cursor.
    pub next: Option<i64>,
}

/// A case waiting for verification, in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRowView {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub organisation: String,
    /// Service id and label.
    pub service: (i64, String),
    /// Kind.
    pub category: NoticeCategory,
    /// High-risk by its category (policy §5).
    pub high_risk: bool,
    /// Incidents so far.
    pub event_count: i64,
    /// First to last event, in words.
    pub span_text: String,
    /// Waiting since, in words.
    pub waiting_text: String,
}

/// One report, whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeView {
    /// The row.
    pub row: IntakeRowView,
    /// Its own identifier.
    pub external_id: Option<String>,
    /// Size in bytes.
    pub byte_count: i64,
    /// SHA-256.
    pub sha256: String,
    /// The fields kept.
    pub kept: Vec<(String, String)>,
    /// The reporter's words (forms).
    pub description: Option<String>,
    /// Sent with the token of, or imported by.
    pub received_by: Option<String>,
    /// Client address (forms).
    pub client_address: Option<String>,
    /// Its events.
    pub events: Vec<EventView>,
}

/// A case waiting for verification, whole, with the verification form's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingView {
    /// The row.
    pub row: PendingRowView,
    /// Waiting, verified or dismissed.
    pub state: String,
    /// The notice it became.
    pub notice_id: Option<i64>,
    /// While it waits: the notice open for its service and category, which verifying adds its
    /// events to (instead of opening another).
    pub open_notice: Option<i64>,
    /// Who decided, when and why.
    pub decision: Option<(String, String, String)>,
    /// Its newest events.
    pub events: Vec<EventView>,
    /// A summary to start from (no message content).
    pub suggested_summary: String,
    /// The source to start from.
    pub suggested_source: NoticeSource,
}

/// The acknowledgement a reporter gets from a public form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportReceipt {
    /// `AR-000042` or `DSA-000042`.
    pub reference: String,
    /// When it was received, in words.
    pub received_text: String,
}

/// A public form as it is shown: the time it was shown, signed (the anti-spam measure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormTicket {
    /// `unix-seconds.signature`.
    pub ticket: String,
    /// What was typed into this form when it was last refused, (field, value): shown again.
    pub draft: Vec<(String, String)>,
}

impl FormTicket {
    /// The value kept for `field`, or empty.
    pub fn kept(&self, field: &str) -> String {
        self.draft
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }
}
