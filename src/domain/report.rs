//! Abuse reports as they arrive (policy §1, §5, §9): the formats and channels they come by, the
//! events each one names, how report vocabularies map onto notice categories, the escalation
//! rule for cases whose verified events keep growing, and the public forms' rules.
//!
//! Parsing itself (MIME, JSON) is server-side; this module holds the rules the parsers and the
//! intake apply, so they can be tested without either.

use super::names::named_enum;
use super::notice::NoticeCategory;
use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

named_enum!(
    /// The shape a report arrived in.
    ReportFormat, "report format" {
        /// ARF (RFC 5965): a `multipart/report` mail with a `message/feedback-report` part.
        Arf = "arf", "ARF feedback report";
        /// X-ARF v4: a JSON report, alone or inside a mail.
        Xarf = "xarf", "X-ARF report";
        /// The public abuse report form.
        WebForm = "web_form", "Public report form";
        /// The EU Digital Services Act notice form (Art. 16).
        DsaNotice = "dsa_notice", "DSA notice";
        /// Could not be read as any of these.
        Unknown = "unknown", "Unreadable";
    }
);

named_enum!(
    /// How a report reached the portal.
    IntakeChannel, "intake channel" {
        /// `POST /api/v1/reports`.
        Api = "api", "Report API";
        /// `portal ingest` (a mailbox export: mbox or .eml).
        Mailbox = "mailbox", "Mailbox import";
        /// The public form at `/report`.
        WebForm = "web_form", "Public form";
        /// The DSA form at `/report/dsa`.
        DsaForm = "dsa_form", "DSA form";
    }
);

impl IntakeChannel {
    /// Whether the channel vouches for who sent the report: only the report API, whose token
    /// belongs to an active admin. A form or a mail could come from anyone: their events wait
    /// for staff to verify them, even when their service has a case open (the policy acts on
    /// verified reports only).
    pub fn vouches_for_sender(self) -> bool {
        self == IntakeChannel::Api
    }
}

named_enum!(
    /// What became of a report.
    IntakeStatus, "intake status" {
        /// Read; its events were matched or listed for triage.
        Accepted = "accepted", "Accepted";
        /// Could not be read; kept with the reason, for staff.
        Failed = "failed", "Failed";
    }
);

named_enum!(
    /// Where one reported event stands.
    EventState, "event state" {
        /// Added to a case that was already open (its verified event count grew).
        AddedToCase = "added_to_case", "Added to an open case";
        /// Waiting with others of its service and category for staff to verify a new case.
        NeedsVerification = "needs_verification", "Needs verification";
        /// No service held the address at the time: staff must look at it.
        Unmatched = "unmatched", "Unmatched";
        /// Staff verified the case it was waiting in.
        Verified = "verified", "Verified";
        /// Staff set it aside, with a reason.
        Dismissed = "dismissed", "Dismissed";
    }
);

/// The largest report accepted, in bytes (a report with the reported message attached).
pub const MAX_REPORT_BYTES: usize = 2 * 1024 * 1024;
/// The most events one report may name.
pub const MAX_EVENTS_PER_REPORT: usize = 500;
/// The largest `Incidents` count a report may state and still be read.
pub const MAX_INCIDENTS: i64 = 1_000_000;
/// The most events one report adds to the counts (the sum of its events' incidents): a report
/// that states more is recorded with what it stated, and counts this many. One report, true or
/// forged, cannot escalate a case or set its damages alone.
pub const MAX_INCIDENTS_PER_REPORT: i64 = 100;

/// The incidents each of a report's events counts (`stated`, in order), within
/// [`MAX_INCIDENTS_PER_REPORT`] for the report: the first events count fully, later ones what is
/// left, and every event at least one.
pub fn counted_incidents(stated: &[i64]) -> Vec<i64> {
    let mut left = MAX_INCIDENTS_PER_REPORT;
    stated
        .iter()
        .map(|&n| {
            let counted = n.clamp(1, left.max(1));
            left = (left - counted).max(0);
            counted
        })
        .collect()
}
/// How far in the future an event time may lie (clock skew), before it is refused.
pub const FUTURE_SKEW: Duration = Duration::minutes(15);

/// One abuse event a report names: a source that did something at some time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedEvent {
    /// The source as the report gives it (an address, or a name when the report has no address).
    pub source: String,
    /// The source address, when the report gives one.
    pub ip: Option<IpAddr>,
    /// When it happened.
    pub occurred_at: OffsetDateTime,
    /// What kind of abuse.
    pub category: NoticeCategory,
    /// How many incidents the event stands for (ARF's `Incidents`, default 1).
    pub incidents: i64,
    /// A short description for staff (report type, reported domain or URI); never message content.
    pub detail: String,
}

/// What an ARF `Feedback-Type` (RFC 5965 §7.3, RFC 6650) becomes, or why it is not a complaint.
pub fn arf_category(feedback_type: &str) -> Result<NoticeCategory, String> {
    match feedback_type.trim().to_ascii_lowercase().as_str() {
        "abuse" | "other" => Ok(NoticeCategory::Spam),
        "fraud" => Ok(NoticeCategory::Phishing),
        "virus" => Ok(NoticeCategory::Malware),
        "auth-failure" => Ok(NoticeCategory::Spoofing),
        "not-spam" => {
            Err("Feedback-Type not-spam says the message was wanted: it is not a complaint.".into())
        }
        "" => Err("The Feedback-Type field is empty.".into()),
        other => Err(format!(
            "Feedback-Type {other:?} is not one RFC 5965 defines."
        )),
    }
}

/// The X-ARF v4 categories and the types each allows (the xarf-spec schemas).
pub const XARF_TYPES: &[(&str, &[&str])] = &[
    ("messaging", &["spam", "bulk_messaging"]),
    (
        "connection",
        &[
            "ddos",
            "port_scan",
            "login_attack",
            "auth_failure",
            "ddos_amplification",
        ],
    ),
    (
        "content",
        &[
            "phishing",
            "malware",
            "fraud",
            "brand_infringement",
            "data_leak",
            "remote_compromise",
            "suspicious_registration",
        ],
    ),
    ("infrastructure", &["bot", "compromised_server"]),
    ("vulnerability", &["cve", "open", "misconfiguration"]),
    ("reputation", &["blocklist", "threat_intelligence"]),
    (
        "copyright",
        &[
            "copyright",
            "p2p",
            "cyberlocker",
            "ugc_platform",
            "link_site",
            "usenet",
        ],
    ),
];

/// What an X-ARF `category` and `type` become, or why the portal does not take them.
pub fn xarf_category(category: &str, kind: &str) -> Result<NoticeCategory, String> {
    let Some((_, types)) = XARF_TYPES.iter().find(|(c, _)| *c == category) else {
        return Err(format!(
            "category {category:?} is not an X-ARF v4 category ({}).",
            XARF_TYPES
                .iter()
                .map(|(c, _)| *c)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    if !types.contains(&kind) {
        return Err(format!(
            "type {kind:?} is not a type of the {category} category ({}).",
            types.join(", ")
        ));
    }
    use NoticeCategory as C;
    Ok(match (category, kind) {
        ("messaging", _) => C::Spam,
        ("connection", "ddos") => C::Ddos,
        ("connection", "ddos_amplification") => C::OpenRelay,
        ("connection", "port_scan") => C::Scanning,
        ("connection", _) => C::BruteForce,
        ("content", "phishing") => C::Phishing,
        ("content", "fraud" | "brand_infringement" | "suspicious_registration") => C::Fraud,
        ("content", _) => C::Malware,
        ("infrastructure", _) => C::Botnet,
        ("vulnerability", "open") => C::OpenRelay,
        ("reputation", _) => C::Blacklisting,
        ("vulnerability", _) => {
            return Err(format!(
                "vulnerability/{kind} reports a weakness, not abuse from the service: the portal takes it as no notice."
            ))
        }
        _ => {
            return Err(format!(
                "{category}/{kind} reports go to the copyright (DMCA) process, not the abuse desk."
            ))
        }
    })
}

/// Checks an event's time against now: none in the future beyond [`FUTURE_SKEW`].
pub fn event_time(at: OffsetDateTime, now: OffsetDateTime) -> Result<OffsetDateTime, String> {
    if at > now + FUTURE_SKEW {
        Err(format!(
            "the event time {} lies in the future.",
            super::time_format::utc(at)
        ))
    } else {
        Ok(at)
    }
}

/// When a case's verified events mark it escalated: each threshold reached is one level
/// (AbuseIO uses 25 and 100). Configurable; the thresholds are kept ascending and distinct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationRules {
    thresholds: Vec<i64>,
}

impl Default for EscalationRules {
    fn default() -> Self {
        EscalationRules {
            thresholds: vec![25, 100],
        }
    }
}

impl EscalationRules {
    /// Reads thresholds as configured (`25,100`; spaces allowed); empty: never escalated.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut thresholds = Vec::new();
        for item in raw.split([',', ' ']).filter(|s| !s.trim().is_empty()) {
            let n: i64 = item
                .trim()
                .parse()
                .map_err(|_| format!("{item:?} is not a whole number of events."))?;
            if n < 2 {
                return Err(format!(
                    "A threshold of {n} would escalate every case; use 2 or more."
                ));
            }
            thresholds.push(n);
        }
        thresholds.sort_unstable();
        thresholds.dedup();
        Ok(EscalationRules { thresholds })
    }

    /// The level of a case with `events` verified events: 0 when none is reached.
    pub fn level(&self, events: i64) -> usize {
        self.thresholds.iter().filter(|t| events >= **t).count()
    }

    /// The threshold that marks `level` (1 for the lowest), if there is one.
    pub fn threshold(&self, level: usize) -> Option<i64> {
        level
            .checked_sub(1)
            .and_then(|i| self.thresholds.get(i))
            .copied()
    }
}

/// The reference number a reporter is given: `AR-000042` for the public form and the report
/// channels, `DSA-000042` for a DSA notice.
pub fn reference(format: ReportFormat, intake_id: i64) -> String {
    let prefix = match format {
        ReportFormat::DsaNotice => "DSA",
        _ => "AR",
    };
    format!("{prefix}-{intake_id:06}")
}

/// The quickest a person fills in a public form; faster is a robot (the form's anti-spam
/// measure, with a hidden field that people leave empty).
pub const FORM_MIN_FILL: Duration = Duration::seconds(3);
/// How long a public form stays valid after it was shown.
pub const FORM_MAX_AGE: Duration = Duration::hours(6);

/// Whether a public form shown at `shown_at` and sent at `now` with `trap` in its hidden field
/// was sent by a person: not faster than [`FORM_MIN_FILL`], not older than [`FORM_MAX_AGE`],
/// hidden field empty. The message is for the person.
pub fn form_sent_by_a_person(
    shown_at: OffsetDateTime,
    now: OffsetDateTime,
    trap: &str,
) -> Result<(), String> {
    if !trap.is_empty() {
        return Err(
            "The form could not be accepted. Leave the field marked “leave empty” empty.".into(),
        );
    }
    if now - shown_at < FORM_MIN_FILL {
        return Err(
            "That was quicker than a person can fill in the form; wait a moment and send it again."
                .into(),
        );
    }
    if now - shown_at > FORM_MAX_AGE {
        return Err("The form has expired; your text is kept below, send it again.".into());
    }
    Ok(())
}

/// A report from the public form, as typed.
#[derive(Debug, Clone, Default)]
pub struct PublicReportInput {
    /// The reporter's name (optional).
    pub name: String,
    /// The reporter's e-mail address, for questions.
    pub email: String,
    /// The source address of the abuse.
    pub address: String,
    /// The category, as stored.
    pub category: String,
    /// When it happened, `YYYY-MM-DDTHH:MM` in UTC (optional: now).
    pub occurred_at: String,
    /// What happened.
    pub description: String,
}

/// A public report that passed its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicReport {
    /// Name, or empty.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// The event it reports.
    pub event: ReportedEvent,
    /// What happened, trimmed.
    pub description: String,
}

/// A DSA notice (Regulation (EU) 2022/2065, Art. 16(2)), as typed.
#[derive(Debug, Clone, Default)]
pub struct DsaNoticeInput {
    /// (a) why the information is illegal content.
    pub explanation: String,
    /// (b) its exact electronic location: URLs, or the address of the service.
    pub location: String,
    /// (c) the notifier's name.
    pub name: String,
    /// (c) the notifier's e-mail address.
    pub email: String,
    /// (d) the statement of good faith, ticked.
    pub good_faith: bool,
}

/// A DSA notice that has every Art. 16 element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsaNotice {
    /// Why it is illegal.
    pub explanation: String,
    /// Where it is (one per line).
    pub location: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// The address named in the location, when one is (to match the holder).
    pub ip: Option<IpAddr>,
}

/// A field of a public form and what is wrong with it.
pub type FieldError = (&'static str, String);

/// The longest description a public report may have, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 5_000;
/// The longest explanation a DSA notice may have, in characters.
pub const EXPLANATION_MAX_CHARS: usize = 10_000;
/// The longest location a DSA notice may give, in characters.
pub const LOCATION_MAX_CHARS: usize = 4_000;
/// The longest name a public form keeps, in characters.
pub const NAME_MAX_CHARS: usize = 200;

/// The most of a public form's field worth keeping in a refused form's draft: what a valid value
/// may hold (anything longer is refused anyway), 254 characters for the short fields.
pub fn draft_max_chars(field: &str) -> usize {
    match field {
        "description" => DESCRIPTION_MAX_CHARS,
        "explanation" => EXPLANATION_MAX_CHARS,
        "location" => LOCATION_MAX_CHARS,
        _ => 254,
    }
}

fn email_ok(raw: &str) -> bool {
    let raw = raw.trim();
    let Some((local, domain)) = raw.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && raw.len() <= 254
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn text_between(
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> String {
    let text = raw.trim().to_owned();
    let n = text.chars().count();
    if n < min {
        errors.push((field, format!("{what} (at least {min} characters).")));
    } else if n > max {
        errors.push((field, format!("Keep it under {max} characters ({n} now).")));
    }
    text
}

/// Checks a public report; every field's problem at once.
pub fn public_report(
    input: &PublicReportInput,
    now: OffsetDateTime,
) -> Result<PublicReport, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input
        .name
        .trim()
        .chars()
        .take(NAME_MAX_CHARS)
        .collect::<String>();
    if !email_ok(&input.email) {
        errors.push((
            "email",
            "Enter your e-mail address, like name@example.org, so we can ask you questions.".into(),
        ));
    }
    let ip: Option<IpAddr> = input.address.trim().parse().ok();
    if ip.is_none() {
        errors.push((
            "address",
            "Enter the IP address the abuse came from, like 203.0.113.7 or 2001:db8::7.".into(),
        ));
    }
    let category: Option<NoticeCategory> = input.category.parse().ok();
    if category.is_none() {
        errors.push(("category", "Choose what kind of abuse it was.".into()));
    }
    let occurred_at = if input.occurred_at.trim().is_empty() {
        Some(now)
    } else {
        match super::zone::Zone::utc().parse_input(&input.occurred_at) {
            Some(at) if at <= now + FUTURE_SKEW => Some(at),
            Some(_) => {
                errors.push(("occurred_at", "That time lies in the future.".into()));
                None
            }
            None => {
                errors.push((
                    "occurred_at",
                    "Give the time as YYYY-MM-DDTHH:MM (UTC), or leave it empty.".into(),
                ));
                None
            }
        }
    };
    let description = text_between(
        "description",
        &input.description,
        20,
        DESCRIPTION_MAX_CHARS,
        "Describe what happened",
        &mut errors,
    );
    if super::notice::looks_like_message_payload(&description) {
        errors.push(("description", "Describe what happened in your own words rather than pasting a message: we keep no message contents.".into()));
    }
    match (ip, category, occurred_at) {
        (Some(ip), Some(category), Some(occurred_at)) if errors.is_empty() => Ok(PublicReport {
            name,
            email: input.email.trim().to_owned(),
            event: ReportedEvent {
                source: ip.to_string(),
                ip: Some(ip),
                occurred_at,
                category,
                incidents: 1,
                detail: "Reported through the public form".into(),
            },
            description,
        }),
        _ => Err(errors),
    }
}

/// Checks a DSA notice for the Art. 16(2) elements; every field's problem at once.
pub fn dsa_notice(input: &DsaNoticeInput) -> Result<DsaNotice, Vec<FieldError>> {
    let mut errors = Vec::new();
    let explanation = text_between(
        "explanation",
        &input.explanation,
        30,
        EXPLANATION_MAX_CHARS,
        "Explain why you consider the content illegal",
        &mut errors,
    );
    let location = text_between(
        "location",
        &input.location,
        7,
        LOCATION_MAX_CHARS,
        "Give the exact location: the full URL(s), or the IP address",
        &mut errors,
    );
    let ip = location.split_whitespace().find_map(address_in);
    if !location.is_empty() && ip.is_none() && !location.contains("://") {
        errors.push((
            "location",
            "Give full URLs (https://…) or an IP address, one per line.".into(),
        ));
    }
    let name = text_between(
        "name",
        &input.name,
        2,
        NAME_MAX_CHARS,
        "Enter your name",
        &mut errors,
    );
    if !email_ok(&input.email) {
        errors.push((
            "email",
            "Enter your e-mail address, like name@example.org.".into(),
        ));
    }
    if !input.good_faith {
        errors.push((
            "good_faith",
            "Confirm that you believe in good faith that the notice is accurate and complete."
                .into(),
        ));
    }
    if errors.is_empty() {
        Ok(DsaNotice {
            explanation,
            location,
            name,
            email: input.email.trim().to_owned(),
            ip,
        })
    } else {
        Err(errors)
    }
}

/// An address written alone or as the host of a URL (`http://203.0.113.7/x`, `http://[2001:db8::1]/`).
fn address_in(word: &str) -> Option<IpAddr> {
    let word = word.trim_matches(|c: char| c == ',' || c == ';');
    if let Ok(ip) = word.parse() {
        return Some(ip);
    }
    let rest = word.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    if let Some(v6) = host.strip_prefix('[') {
        return v6.split(']').next()?.parse().ok();
    }
    host.split(':').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn arf_feedback_types_map_or_say_why_not() {
        assert_eq!(arf_category("abuse"), Ok(NoticeCategory::Spam));
        assert_eq!(arf_category(" Fraud "), Ok(NoticeCategory::Phishing));
        assert_eq!(arf_category("virus"), Ok(NoticeCategory::Malware));
        assert_eq!(arf_category("auth-failure"), Ok(NoticeCategory::Spoofing));
        assert!(arf_category("not-spam")
            .unwrap_err()
            .contains("not a complaint"));
        assert!(arf_category("opinion").unwrap_err().contains("\"opinion\""));
    }

    #[test]
    fn xarf_types_are_checked_against_their_category() {
        assert_eq!(xarf_category("messaging", "spam"), Ok(NoticeCategory::Spam));
        assert_eq!(
            xarf_category("connection", "port_scan"),
            Ok(NoticeCategory::Scanning)
        );
        assert_eq!(
            xarf_category("connection", "login_attack"),
            Ok(NoticeCategory::BruteForce)
        );
        assert_eq!(
            xarf_category("infrastructure", "bot"),
            Ok(NoticeCategory::Botnet)
        );
        assert_eq!(
            xarf_category("reputation", "blocklist"),
            Ok(NoticeCategory::Blacklisting)
        );
        assert!(xarf_category("messaging", "port_scan")
            .unwrap_err()
            .contains("not a type of the messaging"));
        assert!(xarf_category("nonsense", "spam")
            .unwrap_err()
            .contains("not an X-ARF v4 category"));
        assert!(xarf_category("copyright", "p2p")
            .unwrap_err()
            .contains("DMCA"));
        assert!(xarf_category("vulnerability", "cve").is_err());
        // every listed type either maps or says why not, and never panics
        for (c, types) in XARF_TYPES {
            for t in *types {
                let _ = xarf_category(c, t);
            }
        }
    }

    #[test]
    fn escalation_counts_the_thresholds_reached() {
        let rules = EscalationRules::default();
        assert_eq!(rules.level(24), 0);
        assert_eq!(rules.level(25), 1);
        assert_eq!(rules.level(99), 1);
        assert_eq!(rules.level(100), 2);
        assert_eq!(rules.threshold(0), None);
        assert_eq!(rules.threshold(1), Some(25));
        assert_eq!(rules.threshold(2), Some(100));
        assert_eq!(rules.threshold(3), None);
        let custom = EscalationRules::parse("100, 10 10").unwrap();
        assert_eq!(
            (custom.threshold(1), custom.threshold(2)),
            (Some(10), Some(100))
        );
        assert_eq!(EscalationRules::parse("").unwrap().level(1_000_000), 0);
        assert!(EscalationRules::parse("1").is_err());
        assert!(EscalationRules::parse("ten").is_err());
    }

    #[test]
    fn events_in_the_future_are_refused_beyond_the_skew() {
        let now = datetime!(2026-11-27 12:00 UTC);
        assert!(event_time(now + Duration::minutes(14), now).is_ok());
        assert!(event_time(now + Duration::minutes(16), now).is_err());
    }

    #[test]
    fn references_name_the_kind() {
        assert_eq!(reference(ReportFormat::WebForm, 42), "AR-000042");
        assert_eq!(reference(ReportFormat::DsaNotice, 7), "DSA-000007");
        assert_eq!(reference(ReportFormat::Arf, 1_234_567), "AR-1234567");
    }

    #[test]
    fn a_report_counts_at_most_its_share_of_incidents() {
        assert_eq!(counted_incidents(&[1]), [1]);
        assert_eq!(counted_incidents(&[1_000_000]), [MAX_INCIDENTS_PER_REPORT]);
        assert_eq!(counted_incidents(&[60, 60, 5]), [60, 40, 1]);
        assert_eq!(
            counted_incidents(&[0]),
            [1],
            "every event counts once at least"
        );
        assert!(IntakeChannel::Api.vouches_for_sender());
        for channel in [
            IntakeChannel::Mailbox,
            IntakeChannel::WebForm,
            IntakeChannel::DsaForm,
        ] {
            assert!(!channel.vouches_for_sender(), "{channel:?}");
        }
    }

    #[test]
    fn forms_filled_too_fast_too_late_or_with_the_trap_are_refused() {
        let shown = datetime!(2026-11-27 12:00 UTC);
        assert!(form_sent_by_a_person(shown, shown + Duration::seconds(2), "").is_err());
        assert!(form_sent_by_a_person(shown, shown + Duration::seconds(30), "").is_ok());
        assert!(
            form_sent_by_a_person(shown, shown + Duration::seconds(30), "http://spam").is_err()
        );
        assert!(form_sent_by_a_person(shown, shown + Duration::hours(7), "").is_err());
    }

    #[test]
    fn a_public_report_lists_every_problem() {
        let now = datetime!(2026-11-27 12:00 UTC);
        let errors = public_report(&PublicReportInput::default(), now).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["email", "address", "category", "description"]);
        let ok = public_report(
            &PublicReportInput {
                name: "Ann".into(),
                email: " ann@example.org ".into(),
                address: "203.0.113.7".into(),
                category: "scanning".into(),
                occurred_at: "2026-11-27T10:30".into(),
                description: "Port scans against our whole /24 for an hour.".into(),
            },
            now,
        )
        .unwrap();
        assert_eq!(ok.email, "ann@example.org");
        assert_eq!(ok.event.category, NoticeCategory::Scanning);
        assert_eq!(ok.event.occurred_at, datetime!(2026-11-27 10:30 UTC));
        let future = public_report(
            &PublicReportInput {
                occurred_at: "2026-11-28T10:30".into(),
                ..PublicReportInput::default()
            },
            now,
        )
        .unwrap_err();
        assert!(future
            .iter()
            .any(|(f, m)| *f == "occurred_at" && m.contains("future")));
    }

    #[test]
    fn a_dsa_notice_needs_every_article_16_element() {
        let errors = dsa_notice(&DsaNoticeInput::default()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            ["explanation", "location", "name", "email", "good_faith"]
        );
        let ok = dsa_notice(&DsaNoticeInput {
            explanation: "The page sells counterfeit medicines, illegal under national law.".into(),
            location: "http://203.0.113.7/shop/item?id=4\nhttps://example.test/other".into(),
            name: "Bea Notifier".into(),
            email: "bea@example.org".into(),
            good_faith: true,
        })
        .unwrap();
        assert_eq!(ok.ip, Some("203.0.113.7".parse().unwrap()));
        let v6 = dsa_notice(&DsaNoticeInput {
            location: "https://[2001:db8::5]:8443/x".into(),
            ..DsaNoticeInput::default()
        })
        .unwrap_err();
        assert!(!v6.iter().any(|(f, _)| *f == "location"));
        assert_eq!(
            address_in("https://[2001:db8::5]:8443/x"),
            Some("2001:db8::5".parse().unwrap())
        );
        assert_eq!(
            address_in("http://user@198.51.100.2:80/"),
            Some("198.51.100.2".parse().unwrap())
        );
        assert_eq!(address_in("https://example.test/"), None);
    }
}
