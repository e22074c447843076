//! What customers are told, in the portal and by mail: what about, in words, where each one
//! leads, which of the organisation's contacts receives the mail, and what the mail says.

use super::inventory::Contacts;
use super::names::named_enum;
use super::notice::{NoticeCategory, NoticeEvent};

named_enum!(
    /// What a notification is about.
    NotificationKind, "notification kind" {
        /// A notice was opened against one of the organisation's services.
        NoticeOpened = "notice_opened", "New notice";
        /// The deadline of a notice that awaits a response is near (24 h, then 4 h).
        DeadlineSoon = "deadline_soon", "Deadline soon";
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

impl NotificationKind {
    /// The contact that receives this kind of mail: the abuse contact for notices, the technical
    /// contact for port 25, the billing contact for invoices; the abuse contact when the one
    /// named is not set.
    pub fn recipient(self, contacts: &Contacts) -> Option<String> {
        let named = match self {
            NotificationKind::Port25Decision => contacts.technical_email.as_ref(),
            NotificationKind::InvoiceIssued => contacts.billing_email.as_ref(),
            _ => contacts.abuse_email.as_ref(),
        };
        named.or(contacts.abuse_email.as_ref()).cloned()
    }

    /// What the reader should do next, in a sentence.
    fn next_step(self) -> &'static str {
        match self {
            NotificationKind::NoticeOpened => "Find and stop the cause, then submit remediation evidence in the portal, or dispute the notice, before the deadline. Without a response the service may be restricted, suspended or terminated (policy section 5).",
            NotificationKind::DeadlineSoon => "Submit remediation evidence in the portal, or dispute the notice, before the deadline. Without a response the service may be restricted, suspended or terminated (policy section 5).",
            NotificationKind::NoticeOverdue => "Respond now in the portal: submit remediation evidence or contact the abuse desk. The service may be blocked or suspended without further notice.",
            NotificationKind::NoticeDecision => "Read the decision and its reasons in the portal; if evidence is due again, submit it before the deadline.",
            NotificationKind::Port25Decision => "Read the decision and any conditions in the portal before sending mail from the address.",
            NotificationKind::InvoiceIssued => "Pay by the due date with the payment reference on the invoice, or by card in the portal.",
        }
    }
}

/// The mail that tells what `title` says: its subject and its plain-text body, with the link
/// (`url`, absolute) to the item, which asks to sign in first when needed. Lines are wrapped at
/// 72 columns, so the body travels as plain 7-bit text and the link stays whole on its line.
pub fn mail(kind: NotificationKind, title: &str, url: &str) -> (String, String) {
    let subject: String = title.chars().take(150).collect();
    let paragraphs = [
        wrap(title, 72),
        wrap(kind.next_step(), 72),
        format!("Open it in the portal (you will be asked to sign in first if needed):\n{url}"),
        wrap(
            "This message was sent by the abuse desk's portal. Answer in the portal rather than by mail: the provider keeps no message contents.",
            72,
        ),
    ];
    (subject, paragraphs.join("\n\n") + "\n")
}

/// Text wrapped at `width` columns, between words.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if line > 0 && line + 1 + len > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += len;
    }
    out
}

/// How long to wait before the next attempt at a mail after `attempts` failed ones: 1 min,
/// 5 min, 15 min, 1 h, 4 h, 12 h; then `None`, give up (about 18 hours of trying in all).
pub fn retry_after(attempts: i64) -> Option<time::Duration> {
    let minutes = match attempts {
        ..=1 => 1,
        2 => 5,
        3 => 15,
        4 => 60,
        5 => 240,
        6 => 720,
        _ => return None,
    };
    Some(time::Duration::minutes(minutes))
}

/// The reminders before a deadline, in hours left, shortest first: each goes out once, when the
/// time left first falls within it.
pub const REMINDER_HOURS: [i64; 2] = [4, 24];

/// The title of the reminder that `hours` are left on notice `id`.
pub fn reminder_title(id: i64, hours: i64, deadline_text: &str) -> String {
    format!("Notice #{id}: less than {hours} hours left. Respond by {deadline_text}.")
}

/// Whether a notice told of less than an hour ago needs no reminder yet (the news of it said
/// the deadline).
pub fn told_just_now(notified_at: time::OffsetDateTime, now: time::OffsetDateTime) -> bool {
    now - notified_at < time::Duration::hours(1)
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
    fn each_kind_of_mail_goes_to_its_contact_or_the_abuse_contact() {
        let contacts = Contacts {
            abuse_email: Some("abuse@acme.test".into()),
            billing_email: Some("billing@acme.test".into()),
            technical_email: None,
            phone: None,
        };
        assert_eq!(
            NotificationKind::NoticeOpened
                .recipient(&contacts)
                .as_deref(),
            Some("abuse@acme.test")
        );
        assert_eq!(
            NotificationKind::InvoiceIssued
                .recipient(&contacts)
                .as_deref(),
            Some("billing@acme.test")
        );
        assert_eq!(
            NotificationKind::Port25Decision
                .recipient(&contacts)
                .as_deref(),
            Some("abuse@acme.test")
        );
        assert_eq!(
            NotificationKind::NoticeOpened.recipient(&Contacts::default()),
            None
        );
    }

    #[test]
    fn a_mail_says_what_happened_what_to_do_and_links_to_the_item() {
        let (subject, body) = mail(
            NotificationKind::NoticeOpened,
            "Notice #4: Spam. Respond by 2026-11-29 10:00 UTC.",
            "https://portal.example/notices/4",
        );
        assert_eq!(subject, "Notice #4: Spam. Respond by 2026-11-29 10:00 UTC.");
        assert!(body.starts_with("Notice #4: Spam. Respond by 2026-11-29 10:00 UTC.\n\n"));
        assert!(
            body.contains("submit remediation\nevidence")
                || body.contains("submit remediation evidence")
        );
        assert!(body.contains("\nhttps://portal.example/notices/4\n"));
        assert!(body.lines().all(|l| l.chars().count() <= 72), "{body}");
    }

    #[test]
    fn failed_mails_are_tried_again_later_and_later_then_given_up() {
        let waits: Vec<_> = (1..=7).map(retry_after).collect();
        assert_eq!(waits[0], Some(time::Duration::minutes(1)));
        assert!(waits.windows(2).take(5).all(|w| w[0] < w[1]));
        assert_eq!(waits[6], None);
    }

    #[test]
    fn reminders_come_shortest_window_first_and_not_for_news_just_told() {
        assert_eq!(REMINDER_HOURS, [4, 24]);
        assert_eq!(
            reminder_title(9, 4, "2026-11-29 10:00 UTC"),
            "Notice #9: less than 4 hours left. Respond by 2026-11-29 10:00 UTC."
        );
        let t = time::macros::datetime!(2026-11-27 10:00 UTC);
        assert!(told_just_now(t, t + time::Duration::minutes(59)));
        assert!(!told_just_now(t, t + time::Duration::minutes(60)));
    }

    #[test]
    fn links_stay_inside_the_portal() {
        assert!(is_internal_link("/notices/4"));
        assert!(!is_internal_link("//evil.example/x"));
        assert!(!is_internal_link("https://evil.example/"));
        assert!(!is_internal_link("/\\evil.example"));
    }
}
