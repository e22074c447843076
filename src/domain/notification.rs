//! In-app notifications: what a customer is told about, in words, and where each one leads.

use super::names::named_enum;
use super::notice::{NoticeCategory, NoticeEvent};

named_enum!(
    /// What a notification is about.
    NotificationKind, "notification kind" {
        /// A notice was opened against one of the organisation's services.
        NoticeOpened = "notice_opened", "New notice";
        /// The deadline of a notice passed without the response that was due.
        NoticeOverdue = "notice_overdue", "Deadline passed";
        /// Staff decided on evidence, a dispute, or withdrew the notice.
        NoticeDecision = "notice_decision", "Decision on a notice";
        /// Staff decided on a port-25 request.
        Port25Decision = "port25_decision", "Decision on a port-25 request";
        /// An invoice was issued.
        InvoiceIssued = "invoice_issued", "New invoice";
    }
);

/// The title of a notification that a staff decision on notice `id` gives, if it gives one.
pub fn decision_title(event: NoticeEvent, id: i64) -> Option<String> {
    let what = match event {
        NoticeEvent::AcceptEvidence => "your evidence was accepted",
        NoticeEvent::RejectEvidence => "your evidence was rejected; submit again by the deadline",
        NoticeEvent::UpholdNotice => "your dispute was not upheld; remediation evidence is due",
        NoticeEvent::WithdrawNotice => "the notice was withdrawn",
        _ => return None,
    };
    Some(format!("Notice #{id}: {what}."))
}

/// The title of the notification for a notice opened.
pub fn opened_title(id: i64, category: NoticeCategory, deadline_text: &str) -> String {
    format!(
        "Notice #{id}: {}. Respond by {deadline_text}.",
        category.label()
    )
}

/// Whether a link stays inside the portal (a path, never another site).
pub fn is_internal_link(link: &str) -> bool {
    link.starts_with('/') && !link.starts_with("//") && !link.contains('\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_that_concern_the_customer_have_a_title() {
        assert_eq!(
            decision_title(NoticeEvent::RejectEvidence, 7).as_deref(),
            Some("Notice #7: your evidence was rejected; submit again by the deadline.")
        );
        assert!(decision_title(NoticeEvent::Acknowledge, 7).is_none());
        assert!(decision_title(NoticeEvent::StartReview, 7).is_none());
        assert!(
            opened_title(3, NoticeCategory::Spam, "2026-11-29 10:00 UTC")
                .contains("Respond by 2026-11-29 10:00 UTC")
        );
    }

    #[test]
    fn links_stay_inside_the_portal() {
        assert!(is_internal_link("/notices/4"));
        assert!(!is_internal_link("//evil.example/x"));
        assert!(!is_internal_link("https://evil.example/"));
        assert!(!is_internal_link("/\\evil.example"));
    }
}
