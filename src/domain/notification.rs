//! What customers are told, in the portal and by mail: what about, in words, where each one
//! leads, which of the organisation's contacts receives the mail, and what the mail says.

use super::inventory::Contacts;
use super::names::named_enum;
use super::names::UnknownName;
use super::notice::{NoticeCategory, NoticeEvent};
use super::zone::Zone;

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
    /// Whether the abuse contact always receives this kind of mail, whatever the organisation
    /// chose: a notice opened and a deadline passed (policy sections 5 and 6: the 48 hours run
    /// whether or not anyone reads the portal).
    pub fn always_to_abuse_contact(self) -> bool {
        matches!(
            self,
            NotificationKind::NoticeOpened | NotificationKind::NoticeOverdue
        )
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

/// A set of kinds of news: those a contact or a member receives by mail. Stored as the kinds'
/// spellings separated by commas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindSet(Vec<NotificationKind>);

impl KindSet {
    /// The set of these kinds.
    pub fn of(kinds: impl IntoIterator<Item = NotificationKind>) -> KindSet {
        let chosen: Vec<NotificationKind> = kinds.into_iter().collect();
        KindSet(
            NotificationKind::ALL
                .iter()
                .copied()
                .filter(|k| chosen.contains(k))
                .collect(),
        )
    }

    /// Reads a stored set (`notice_opened,invoice_issued`; empty is the empty set).
    pub fn parse(stored: &str) -> Result<KindSet, UnknownName> {
        let kinds = stored
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(KindSet::of(kinds))
    }

    /// The stored spelling.
    pub fn stored(&self) -> String {
        self.0
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether the set holds `kind`.
    pub fn contains(&self, kind: NotificationKind) -> bool {
        self.0.contains(&kind)
    }

    /// The kinds, in display order.
    pub fn kinds(&self) -> &[NotificationKind] {
        &self.0
    }
}

/// Which kinds of news go to each of an organisation's contacts by mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRoutes {
    /// To the abuse contact (always at least the kinds that must reach it).
    pub abuse: KindSet,
    /// To the technical contact.
    pub technical: KindSet,
    /// To the billing contact.
    pub billing: KindSet,
}

impl Default for MailRoutes {
    /// Notices and their deadlines and decisions to the abuse contact, port 25 to the technical
    /// contact, invoices to the billing contact.
    fn default() -> Self {
        use NotificationKind as K;
        MailRoutes {
            abuse: KindSet::of([
                K::NoticeOpened,
                K::DeadlineSoon,
                K::NoticeOverdue,
                K::NoticeDecision,
            ]),
            technical: KindSet::of([K::Port25Decision]),
            billing: KindSet::of([K::InvoiceIssued]),
        }
    }
}

impl MailRoutes {
    /// The routes as chosen, with what must reach the abuse contact added to its set.
    pub fn new(abuse: KindSet, technical: KindSet, billing: KindSet) -> MailRoutes {
        let required = NotificationKind::ALL
            .iter()
            .copied()
            .filter(|k| k.always_to_abuse_contact());
        MailRoutes {
            abuse: KindSet::of(abuse.kinds().iter().copied().chain(required)),
            technical,
            billing,
        }
    }
}

/// A member of the organisation who asked for some kinds of news by mail.
#[derive(Debug, Clone)]
pub struct MailingMember {
    /// Their sign-in address.
    pub email: String,
    /// What they asked for.
    pub kinds: KindSet,
    /// Their time zone.
    pub zone: Zone,
}

/// Whom a mail goes to, and the zone its times are written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The address.
    pub email: String,
    /// The zone.
    pub zone: Zone,
}

/// Everyone who receives a mail of `kind`: each contact whose routes hold it (the abuse contact
/// instead when none of those has an address, so that news is never sent to nobody by a gap
/// in the contacts), in the organisation's zone, and each member who asked for it, in their
/// own zone. One mail per address (compared without case); a member's own zone wins over the
/// organisation's.
pub fn recipients(
    kind: NotificationKind,
    contacts: &Contacts,
    routes: &MailRoutes,
    org_zone: &Zone,
    members: &[MailingMember],
) -> Vec<Recipient> {
    let routed = [
        (&routes.abuse, &contacts.abuse_email),
        (&routes.technical, &contacts.technical_email),
        (&routes.billing, &contacts.billing_email),
    ];
    let chosen: Vec<&KindSet> = routed.iter().map(|(set, _)| *set).collect();
    let mut to: Vec<Recipient> = Vec::new();
    let mut add = |email: &str, zone: &Zone, replace_zone: bool| match to
        .iter_mut()
        .find(|r| r.email.eq_ignore_ascii_case(email))
    {
        Some(r) if replace_zone => r.zone = zone.clone(),
        Some(_) => {}
        None => to.push(Recipient {
            email: email.to_owned(),
            zone: zone.clone(),
        }),
    };
    let mut any_contact = false;
    for (set, address) in routed {
        if let (true, Some(email)) = (set.contains(kind), address) {
            add(email, org_zone, false);
            any_contact = true;
        }
    }
    if !any_contact && chosen.iter().any(|set| set.contains(kind)) {
        if let Some(email) = &contacts.abuse_email {
            add(email, org_zone, false);
        }
    }
    for member in members.iter().filter(|m| m.kinds.contains(kind)) {
        add(&member.email, &member.zone, true);
    }
    to
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
pub fn wrap(text: &str, width: usize) -> String {
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

    fn to(
        kind: NotificationKind,
        contacts: &Contacts,
        routes: &MailRoutes,
        members: &[MailingMember],
    ) -> Vec<String> {
        recipients(kind, contacts, routes, &Zone::utc(), members)
            .into_iter()
            .map(|r| r.email)
            .collect()
    }

    #[test]
    fn each_kind_of_mail_goes_to_its_contact_or_the_abuse_contact() {
        let contacts = Contacts {
            abuse_email: Some("abuse@acme.test".into()),
            billing_email: Some("billing@acme.test".into()),
            technical_email: None,
            phone: None,
        };
        let routes = MailRoutes::default();
        assert_eq!(
            to(NotificationKind::NoticeOpened, &contacts, &routes, &[]),
            ["abuse@acme.test"]
        );
        assert_eq!(
            to(NotificationKind::InvoiceIssued, &contacts, &routes, &[]),
            ["billing@acme.test"]
        );
        // No technical contact: its mail goes to the abuse contact rather than to nobody.
        assert_eq!(
            to(NotificationKind::Port25Decision, &contacts, &routes, &[]),
            ["abuse@acme.test"]
        );
        assert!(to(
            NotificationKind::NoticeOpened,
            &Contacts::default(),
            &routes,
            &[]
        )
        .is_empty());
    }

    #[test]
    fn organisations_choose_who_receives_what_but_notices_always_reach_the_abuse_contact() {
        use NotificationKind as K;
        let contacts = Contacts {
            abuse_email: Some("abuse@acme.test".into()),
            billing_email: Some("billing@acme.test".into()),
            technical_email: Some("noc@acme.test".into()),
            phone: None,
        };
        // Nothing chosen for the abuse contact: it still gets notices opened and overdue.
        let routes = MailRoutes::new(
            KindSet::default(),
            KindSet::of([
                K::DeadlineSoon,
                K::NoticeDecision,
                K::Port25Decision,
                K::NoticeOpened,
            ]),
            KindSet::default(),
        );
        assert_eq!(
            to(K::NoticeOpened, &contacts, &routes, &[]),
            ["abuse@acme.test", "noc@acme.test"]
        );
        assert_eq!(
            to(K::NoticeOverdue, &contacts, &routes, &[]),
            ["abuse@acme.test"]
        );
        assert_eq!(
            to(K::DeadlineSoon, &contacts, &routes, &[]),
            ["noc@acme.test"]
        );
        // Invoices chosen for nobody: no mail (the in-app notification still tells).
        assert!(to(K::InvoiceIssued, &contacts, &routes, &[]).is_empty());
    }

    #[test]
    fn members_who_asked_get_their_own_mail_in_their_own_zone_once() {
        use NotificationKind as K;
        let berlin = Zone::named("Europe/Berlin").unwrap();
        let contacts = Contacts {
            abuse_email: Some("Alice@acme.test".into()),
            ..Contacts::default()
        };
        let members = [
            MailingMember {
                email: "alice@acme.test".into(),
                kinds: KindSet::of([K::NoticeOpened]),
                zone: berlin.clone(),
            },
            MailingMember {
                email: "bob@acme.test".into(),
                kinds: KindSet::of([K::InvoiceIssued, K::NoticeOpened]),
                zone: Zone::utc(),
            },
            MailingMember {
                email: "carol@acme.test".into(),
                kinds: KindSet::default(),
                zone: Zone::utc(),
            },
        ];
        let got = recipients(
            K::NoticeOpened,
            &contacts,
            &MailRoutes::default(),
            &Zone::utc(),
            &members,
        );
        assert_eq!(
            got,
            [
                Recipient {
                    email: "Alice@acme.test".into(),
                    zone: berlin
                },
                Recipient {
                    email: "bob@acme.test".into(),
                    zone: Zone::utc()
                },
            ]
        );
    }

    #[test]
    fn kind_sets_read_back_what_was_stored() {
        use NotificationKind as K;
        let set = KindSet::parse(" invoice_issued,notice_opened ,").unwrap();
        assert_eq!(set.kinds(), [K::NoticeOpened, K::InvoiceIssued]);
        assert_eq!(set.stored(), "notice_opened,invoice_issued");
        assert_eq!(KindSet::parse("").unwrap(), KindSet::default());
        assert!(KindSet::parse("notice_opened,gossip").is_err());
        let defaults = MailRoutes::default();
        assert_eq!(
            defaults.abuse.stored(),
            "notice_opened,deadline_soon,notice_overdue,notice_decision",
            "the migration's default"
        );
        assert_eq!(defaults.technical.stored(), "port25_decision");
        assert_eq!(defaults.billing.stored(), "invoice_issued");
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
