//! Notices as the customer sees them (staff pages reuse them inside their own views).

use crate::domain::notice::{NoticeCategory, NoticeState};
use serde::{Deserialize, Serialize};

/// A notice in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRowView {
    /// Id.
    pub id: i64,
    /// The affected service.
    pub service_label: String,
    /// The affected addresses.
    pub ips: Vec<String>,
    /// Abuse kind.
    pub category: NoticeCategory,
    /// State.
    pub state: NoticeState,
    /// High-risk (policy §5).
    pub high_risk: bool,
    /// Deadline, Unix seconds.
    pub deadline_unix: i64,
    /// Deadline in words (UTC).
    pub deadline_text: String,
    /// When notified, in words (UTC).
    pub notified_text: String,
}

/// One page of the customer's notices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeListView {
    /// The notices.
    pub rows: Vec<NoticeRowView>,
    /// The cursor of the next page, if any.
    pub next: Option<String>,
    /// The organisation's services, for the filter.
    pub services: Vec<(i64, String)>,
    /// The server's clock, Unix seconds (time left is computed from it before hydration).
    pub now_unix: i64,
}

/// An entry of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntryView {
    /// When (UTC).
    pub at_text: String,
    /// Who, as the viewer may see it.
    pub actor: String,
    /// What happened.
    pub detail: String,
}

/// A file of a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    /// Id (download at `/evidence/{id}`).
    pub id: i64,
    /// The name shown.
    pub name: String,
    /// What it was offered as.
    pub kind: String,
    /// Size in words.
    pub size_text: String,
    /// The type found in its content.
    pub detected: String,
    /// SHA-256, hex.
    pub sha256: String,
}

/// An enforcement measure on the case's service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureView {
    /// Id.
    pub id: i64,
    /// Kind, in words.
    pub kind: String,
    /// What it applies to, in words.
    pub scope: String,
    /// Why.
    pub reason: String,
    /// Since (UTC).
    pub since_text: String,
    /// Until (UTC), if set or ended.
    pub until_text: Option<String>,
    /// Whether it is in force now.
    pub in_force: bool,
    /// Whether it can never be ended (a termination).
    pub permanent: bool,
    /// Whether the upstream provider was asked to apply it.
    pub upstream_requested: bool,
    /// Who started it (staff see the name; customers "Abuse desk").
    pub started_by: String,
    /// Why it ended, if it did.
    pub end_reason: Option<String>,
}

/// A statement that was refused, kept so that the form shows it again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceDraft {
    /// Cause.
    pub cause: String,
    /// Fix.
    pub fix: String,
    /// Prevention.
    pub prevention: String,
}

/// An evidence submission and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionView {
    /// Submission number.
    pub id: i64,
    /// When (UTC).
    pub submitted_text: String,
    /// Cause.
    pub cause: String,
    /// Fix.
    pub fix: String,
    /// Prevention.
    pub prevention: String,
    /// `accepted` / `rejected`, once decided.
    pub decision: Option<String>,
    /// The reason written by staff.
    pub decision_reason: Option<String>,
    /// Attached files.
    pub files: Vec<FileView>,
}

/// A dispute and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeView {
    /// When (UTC).
    pub submitted_text: String,
    /// The customer's reasons.
    pub reasons: String,
    /// `upheld` / `withdrawn`, once decided.
    pub outcome: Option<String>,
    /// The statement of reasons.
    pub statement_of_reasons: Option<String>,
}

/// Everything the customer's notice page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDetailView {
    /// The notice as listed.
    pub row: NoticeRowView,
    /// Source of the report, in words.
    pub source: String,
    /// The affected service's kind and state, in words.
    pub service_kind: String,
    /// The service's state, in words.
    pub service_state: String,
    /// What was observed.
    pub summary: String,
    /// Verified abuse events.
    pub event_count: i64,
    /// How many escalation thresholds the verified events reached (0: not escalated).
    pub escalation_level: i64,
    /// First and last event (UTC).
    pub first_seen_text: String,
    /// Last event (UTC).
    pub last_seen_text: String,
    /// Why the deadline is not the standard 48 hours.
    pub deadline_reason: Option<String>,
    /// The server's clock, Unix seconds.
    pub now_unix: i64,
    /// Oldest first.
    pub timeline: Vec<TimelineEntryView>,
    /// Oldest first.
    pub submissions: Vec<SubmissionView>,
    /// Oldest first.
    pub disputes: Vec<DisputeView>,
    /// Whether the trail verifies.
    pub trail_intact: bool,
    /// Measures on the service taken for this case, newest first.
    pub measures: Vec<MeasureView>,
    /// A refused statement to show again in the evidence form.
    pub draft: Option<EvidenceDraft>,
    /// The upload limits, in words.
    pub limits_text: String,
    /// The upload limits, for the browser's checks before sending.
    pub limits: crate::domain::evidence::EvidenceLimits,
    /// The case's invoices and reactivation conditions.
    pub billing: crate::views::billing::CaseBillingView,
}
