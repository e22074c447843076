//! Outbound SMTP (port 25), policy §5 "SMTP Restrictions" and §4: what each address may do on
//! port 25, the customer's request to send mail directly, its lifecycle, and the written
//! approval that ends the default restriction.
//!
//! - [`port25_state`] reads an address's port-25 state off the measures in force.
//! - [`RequestForm::validate`] checks a request as typed; [`transition`] is the only way a
//!   request changes state.
//! - [`checks`] turns DNS answers into results a customer understands; [`spf`] evaluates SPF.

pub mod checks;
pub mod records;
pub mod spf;

use super::enforcement::{EnforcementKind, Measure, Scope};
pub use super::form::FieldError;
use super::names::named_enum;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use time::{Date, OffsetDateTime};

/// The SMTP port the policy restricts.
pub const SMTP_PORT: u16 = 25;

// ----- Port 25 per address -------------------------------------------------------------------

named_enum!(
    /// Whether an address may send mail on port 25, as people read it on the service pages.
    Port25State, "port-25 state" {
        /// No restriction in force: the address may send.
        Allowed = "allowed", "Allowed";
        /// The standing restriction for new accounts, trials or suspicious workloads.
        BlockedByDefault = "blocked_by_default", "Blocked by default";
        /// A `Port25Block` from an abuse case (or a suspension, null-route or termination).
        BlockedForAbuse = "blocked_for_abuse", "Blocked for abuse";
    }
);

impl Port25State {
    /// One sentence on what the state means and what the customer can do about it.
    pub fn explanation(self) -> &'static str {
        match self {
            Port25State::Allowed => "Outbound mail on port 25 is allowed from this address.",
            Port25State::BlockedByDefault => {
                "Outbound mail on port 25 is restricted until a legitimate use case is approved \
                 in writing. You can request unblocking."
            }
            Port25State::BlockedForAbuse => {
                "Outbound mail on port 25 is blocked because of an abuse case. It is lifted when \
                 the case is resolved."
            }
        }
    }
}

/// Whether a measure's scope covers port 25 on `ip`.
fn covers_port25(scope: &Scope, ip: &str) -> bool {
    match scope {
        Scope::Service => true,
        Scope::Ip(addr) => addr == ip,
        Scope::Port { port, ip: None } => *port == SMTP_PORT,
        Scope::Port {
            port,
            ip: Some(addr),
        } => *port == SMTP_PORT && addr == ip,
    }
}

/// The port-25 state of `ip` from the measures in force on its service at `now`. A block for
/// abuse always wins over an approval: an approval only ends the default restriction.
pub fn port25_state(ip: &str, measures: &[Measure], now: OffsetDateTime) -> Port25State {
    let live = || {
        measures
            .iter()
            .filter(|m| m.in_force(now) && covers_port25(&m.scope, ip))
    };
    let cuts_traffic = |kind: EnforcementKind| {
        matches!(
            kind,
            EnforcementKind::Port25Block
                | EnforcementKind::NullRoute
                | EnforcementKind::Suspension
                | EnforcementKind::Termination
        )
    };
    if live().any(|m| cuts_traffic(m.kind)) {
        Port25State::BlockedForAbuse
    } else if live().any(|m| m.kind == EnforcementKind::Port25Restriction) {
        Port25State::BlockedByDefault
    } else {
        Port25State::Allowed
    }
}

// ----- The request ------------------------------------------------------------------------------

/// What the customer confirms before port 25 is opened: the policy's §2 and §4, in the
/// policy's own terms, shown on the form rather than only linked.
pub const OBLIGATIONS: &[&str] = &[
    "I am solely responsible for complying with all anti-spam, communications and \
     consumer-protection laws that apply to this mail, including the U.S. CAN-SPAM Act, the EU \
     ePrivacy Directive and UK PECR (policy §2).",
    "I am responsible for the mail software and MTA configuration, relay security and abuse \
     prevention controls of this server (policy §4).",
    "I will publish and keep correct SPF, DKIM, DMARC and reverse DNS (PTR) records for the \
     sending domains and this address (policy §4).",
    "I am responsible for message content, recipient consent and suppression handling \
     (unsubscribes, bounces, complaints), and for this address's reputation (policy §4).",
    "I understand that port 25 is blocked again at once if abuse is reported from this address, \
     and that the approval can be revoked (policy §5).",
];

named_enum!(
    /// What the customer wants to send mail on port 25 for.
    UseCase, "use case" {
        /// Mail that the customer's own application sends (receipts, password resets…).
        Transactional = "transactional", "Transactional mail from my own application";
        /// A mail server for the customer's own domains.
        OwnMailServer = "own_mail_server", "A mail server for my own domains";
        /// Newsletters to lists whose members opted in.
        Newsletters = "newsletters", "Newsletters to opted-in lists";
        /// Something else, explained.
        Other = "other", "Something else (explained below)";
    }
);

named_enum!(
    /// Where a port-25 request stands.
    RequestStatus, "request status" {
        /// Being written by the customer; staff do not see it yet.
        Draft = "draft", "Draft";
        /// Submitted, waiting for staff.
        Pending = "pending", "Waiting for review";
        /// Approved in writing: port 25 is open unless a block for abuse is in force.
        Approved = "approved", "Approved";
        /// Refused, with a written reason.
        Rejected = "rejected", "Rejected";
        /// An approval taken back, with a written reason.
        Revoked = "revoked", "Revoked";
        /// An approval put on hold because a spam or phishing case was opened on the address.
        Suspended = "suspended", "Suspended";
        /// Withdrawn by the customer before a decision.
        Withdrawn = "withdrawn", "Withdrawn";
    }
);

impl RequestStatus {
    /// Whether the request still occupies its address (a new request for it is refused).
    pub fn is_live(self) -> bool {
        matches!(
            self,
            RequestStatus::Pending | RequestStatus::Approved | RequestStatus::Suspended
        )
    }

    /// Whether staff have something to decide.
    pub fn awaits_staff(self) -> bool {
        matches!(self, RequestStatus::Pending | RequestStatus::Suspended)
    }
}

/// Something that happens to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestEvent {
    /// The customer submits the draft.
    Submit,
    /// The customer withdraws a pending request.
    Withdraw,
    /// Staff approve, in writing (again, after a suspension or a probation review).
    Approve,
    /// Staff reject, with a reason.
    Reject,
    /// Staff revoke an approval, with a reason.
    Revoke,
    /// The portal suspends an approval: a spam or phishing case was opened on the address.
    Suspend,
}

/// An event that the request's state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {event:?} a request that is {from:?}")]
pub struct RequestTransitionError {
    /// The state the request is in.
    pub from: RequestStatus,
    /// The event refused.
    pub event: RequestEvent,
}

impl RequestTransitionError {
    /// Why, in words for the person who tried.
    pub fn user_message(&self) -> String {
        format!(
            "This request is {}: that action is not available now.",
            self.from.label().to_lowercase()
        )
    }
}

/// The state after `event` happens to a request in state `from`, or why it cannot happen.
pub fn transition(
    from: RequestStatus,
    event: RequestEvent,
) -> Result<RequestStatus, RequestTransitionError> {
    use RequestEvent as E;
    use RequestStatus as S;
    let to = match (from, event) {
        (S::Draft, E::Submit) => S::Pending,
        (S::Pending, E::Withdraw) => S::Withdrawn,
        // Approving an approved request renews it after its probation review.
        (S::Pending | S::Suspended | S::Approved, E::Approve) => S::Approved,
        (S::Pending, E::Reject) => S::Rejected,
        (S::Approved | S::Suspended, E::Revoke) => S::Revoked,
        (S::Approved, E::Suspend) => S::Suspended,
        _ => return Err(RequestTransitionError { from, event }),
    };
    Ok(to)
}

/// What ends a request once its service no longer holds its address (the address released,
/// moved, or its service moved to another organisation): a request and its written approval
/// belong to the holder that asked, so a pending one is rejected and an approval revoked; the
/// next holder asks afresh. `None` for a request that is not live.
pub fn ending_on_release(from: RequestStatus) -> Option<RequestEvent> {
    match from {
        RequestStatus::Pending => Some(RequestEvent::Reject),
        RequestStatus::Approved | RequestStatus::Suspended => Some(RequestEvent::Revoke),
        _ => None,
    }
}

/// The request as the customer typed it: every field a string, so that a refused form comes
/// back exactly as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestForm {
    /// The address to unblock (one of the service's).
    pub ip: String,
    /// A [`UseCase`] stored spelling.
    pub use_case: String,
    /// The use case in the customer's words (required for `other`, welcome for all).
    pub use_case_details: String,
    /// Sending domains, one per line or separated by commas or spaces.
    pub sending_domains: String,
    /// Expected messages per day.
    pub daily_volume: String,
    /// Expected peak messages per hour.
    pub peak_per_hour: String,
    /// How recipients consented.
    pub consent: String,
    /// How bounces, complaints and unsubscribes are handled.
    pub bounce_handling: String,
    /// The mail software.
    pub software: String,
    /// The HELO/EHLO name the server will announce.
    pub helo_name: String,
    /// The DKIM selector the sending domains sign with.
    pub dkim_selector: String,
    /// Why an authenticated relay on port 587 will not do.
    pub why_not_relay: String,
    /// "on" when the customer confirms the policy's obligations (§2, §4).
    pub accepts_obligations: String,
}

/// A request that passed [`RequestForm::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetails {
    /// The address.
    pub ip: IpAddr,
    /// The use case.
    pub use_case: UseCase,
    /// The use case in the customer's words.
    pub use_case_details: String,
    /// Sending domains, lower-case, without duplicates.
    pub sending_domains: Vec<String>,
    /// Messages per day.
    pub daily_volume: u32,
    /// Peak messages per hour.
    pub peak_per_hour: u32,
    /// How recipients consented.
    pub consent: String,
    /// Bounce, complaint and unsubscribe handling.
    pub bounce_handling: String,
    /// The mail software.
    pub software: String,
    /// The HELO name, lower-case.
    pub helo_name: String,
    /// The DKIM selector, lower-case.
    pub dkim_selector: String,
    /// Why not port 587.
    pub why_not_relay: String,
}

/// The most sending domains one request may name.
pub const MAX_SENDING_DOMAINS: usize = 20;
/// The largest daily volume a request may name (larger senders talk to the abuse desk).
pub const MAX_DAILY_VOLUME: u32 = 1_000_000;
/// Longest free-text answer.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Shortest free-text answer where one is required.
pub const MIN_TEXT_CHARS: usize = 20;

impl RequestForm {
    /// Checks every field and reports every problem at once, each against its field.
    pub fn validate(&self) -> Result<RequestDetails, Vec<FieldError>> {
        let mut errors = Vec::new();
        let ip = match self.ip.trim().parse::<IpAddr>() {
            Ok(ip) => Some(ip),
            Err(_) => {
                push(
                    &mut errors,
                    "ip",
                    "Choose one of the service's addresses.".to_owned(),
                );
                None
            }
        };
        let use_case = match self.use_case.parse::<UseCase>() {
            Ok(u) => Some(u),
            Err(_) => {
                push(
                    &mut errors,
                    "use_case",
                    "Choose what the mail is for.".to_owned(),
                );
                None
            }
        };
        let use_case_details = self.use_case_details.trim().to_owned();
        if use_case == Some(UseCase::Other) && use_case_details.chars().count() < MIN_TEXT_CHARS {
            push(
                &mut errors,
                "use_case_details",
                format!("Explain the use case in at least {MIN_TEXT_CHARS} characters."),
            );
        } else if use_case_details.chars().count() > MAX_TEXT_CHARS {
            push(
                &mut errors,
                "use_case_details",
                format!("Keep the explanation under {MAX_TEXT_CHARS} characters."),
            );
        }
        let mut domains = Vec::new();
        for raw in self
            .sending_domains
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let domain = raw.trim_end_matches('.').to_ascii_lowercase();
            if !is_domain_name(&domain) {
                push(
                    &mut errors,
                    "sending_domains",
                    format!("\"{raw}\" is not a domain name (for example mail.example.com)."),
                );
            } else if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
        if domains.is_empty() && !errors.iter().any(|e| e.field == "sending_domains") {
            push(
                &mut errors,
                "sending_domains",
                "Name at least one domain you will send mail from.".to_owned(),
            );
        } else if domains.len() > MAX_SENDING_DOMAINS {
            push(
                &mut errors,
                "sending_domains",
                format!("Name at most {MAX_SENDING_DOMAINS} domains in one request."),
            );
        }
        let number = |raw: &str| raw.trim().replace([',', '_', ' '], "").parse::<u32>().ok();
        let daily = number(&self.daily_volume);
        match daily {
            Some(n) if (1..=MAX_DAILY_VOLUME).contains(&n) => {}
            _ => push(
                &mut errors,
                "daily_volume",
                format!(
                    "Give the expected messages per day as a number from 1 to {MAX_DAILY_VOLUME}."
                ),
            ),
        }
        let peak = number(&self.peak_per_hour);
        match (peak, daily) {
            (Some(p), Some(d)) if p >= 1 && p <= d => {}
            (Some(p), Some(d)) if p > d && d >= 1 => push(
                &mut errors,
                "peak_per_hour",
                "The peak per hour cannot be more than the daily volume.".to_owned(),
            ),
            _ => push(
                &mut errors,
                "peak_per_hour",
                "Give the expected peak messages per hour as a number.".to_owned(),
            ),
        }
        let mut text = |field: &str, label: &str, raw: &str| {
            let text = raw.trim().to_owned();
            let n = text.chars().count();
            if n < MIN_TEXT_CHARS {
                push(
                    &mut errors,
                    field,
                    format!("Describe {label} in at least {MIN_TEXT_CHARS} characters."),
                );
            } else if n > MAX_TEXT_CHARS {
                push(
                    &mut errors,
                    field,
                    format!("Keep {label} under {MAX_TEXT_CHARS} characters."),
                );
            }
            text
        };
        let consent = text("consent", "how recipients consented", &self.consent);
        let bounce_handling = text(
            "bounce_handling",
            "how you handle bounces, complaints and unsubscribes",
            &self.bounce_handling,
        );
        let why_not_relay = text(
            "why_not_relay",
            "why an authenticated relay on port 587 will not do",
            &self.why_not_relay,
        );
        let software = self.software.trim().to_owned();
        if software.is_empty() || software.chars().count() > 200 {
            push(
                &mut errors,
                "software",
                "Name the mail software (for example Postfix 3.7), in under 200 characters."
                    .to_owned(),
            );
        }
        let helo_name = self
            .helo_name
            .trim()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if !is_domain_name(&helo_name) {
            push(
                &mut errors,
                "helo_name",
                "Give the fully qualified name your server announces in HELO/EHLO (for example \
                 mail.example.com)."
                    .to_owned(),
            );
        }
        let dkim_selector = self.dkim_selector.trim().to_ascii_lowercase();
        if !is_selector(&dkim_selector) {
            push(
                &mut errors,
                "dkim_selector",
                "Give the DKIM selector your mail is signed with (the part before \
                 ._domainkey, for example s1)."
                    .to_owned(),
            );
        }
        if self.accepts_obligations != "on" && self.accepts_obligations != "true" {
            push(
                &mut errors,
                "accepts_obligations",
                "Confirm that you accept the obligations above.".to_owned(),
            );
        }
        match (ip, use_case, daily, peak) {
            (Some(ip), Some(use_case), Some(daily_volume), Some(peak_per_hour))
                if errors.is_empty() =>
            {
                Ok(RequestDetails {
                    ip,
                    use_case,
                    use_case_details,
                    sending_domains: domains,
                    daily_volume,
                    peak_per_hour,
                    consent,
                    bounce_handling,
                    software,
                    helo_name,
                    dkim_selector,
                    why_not_relay,
                })
            }
            _ => Err(errors),
        }
    }

    /// The form cut to the lengths a valid request could hold, for keeping a draft.
    pub fn bounded(&self) -> RequestForm {
        let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
        RequestForm {
            ip: cut(&self.ip, 64),
            use_case: cut(&self.use_case, 32),
            use_case_details: cut(&self.use_case_details, MAX_TEXT_CHARS),
            sending_domains: cut(&self.sending_domains, MAX_SENDING_DOMAINS * 256),
            daily_volume: cut(&self.daily_volume, 20),
            peak_per_hour: cut(&self.peak_per_hour, 20),
            consent: cut(&self.consent, MAX_TEXT_CHARS),
            bounce_handling: cut(&self.bounce_handling, MAX_TEXT_CHARS),
            software: cut(&self.software, 200),
            helo_name: cut(&self.helo_name, 256),
            dkim_selector: cut(&self.dkim_selector, 64),
            why_not_relay: cut(&self.why_not_relay, MAX_TEXT_CHARS),
            accepts_obligations: cut(&self.accepts_obligations, 8),
        }
    }
}

fn push(errors: &mut Vec<FieldError>, field: &str, message: String) {
    errors.push(FieldError {
        field: field.to_owned(),
        message,
    });
}

/// A host name of at least two labels: letters, digits and hyphens, no label over 63
/// characters, a top-level label that is not all digits, 253 characters at most.
pub fn is_domain_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && !labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
}

/// A DKIM selector: one or more dot-separated labels of letters, digits, hyphens, underscores.
fn is_selector(selector: &str) -> bool {
    !selector.is_empty()
        && selector.len() <= 63
        && selector.split('.').all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Why a new request for an address is refused before anyone reviews it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestRefusal {
    /// An open spam, phishing or malware case names the address.
    #[error(
        "Case #{notice_id} ({category}) is open on {ip}. Resolve it first: port 25 cannot be \
         opened on an address with an open spam, phishing or malware case."
    )]
    OpenCase {
        /// The address.
        ip: String,
        /// The case.
        notice_id: i64,
        /// The case's category, as people read it.
        category: String,
    },
    /// Another request for the address is pending, approved or suspended.
    #[error("Request #{request_id} for {ip} is already {status}: a new one can follow once it is decided.")]
    AlreadyRequested {
        /// The address.
        ip: String,
        /// That request.
        request_id: i64,
        /// Its status, as people read it.
        status: String,
    },
}

// ----- The written approval --------------------------------------------------------------------

/// Conditions staff may attach to an approval.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conditions {
    /// The most messages a day the address may send.
    pub daily_cap: Option<u32>,
    /// The end of probation: the request comes back for review that day.
    pub probation_until: Option<Date>,
}

impl Conditions {
    /// Checks conditions as typed by staff (empty fields mean no condition).
    pub fn parse(
        daily_cap: &str,
        probation_until: &str,
        today: Date,
    ) -> Result<Conditions, Vec<FieldError>> {
        let mut errors = Vec::new();
        let cap = daily_cap.trim().replace([',', '_', ' '], "");
        let daily_cap = if cap.is_empty() {
            None
        } else {
            match cap.parse::<u32>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    errors.push(FieldError {
                        field: "daily_cap".into(),
                        message:
                            "Give the daily cap as a whole number of messages, or leave it empty."
                                .into(),
                    });
                    None
                }
            }
        };
        let until = probation_until.trim();
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let probation_until = if until.is_empty() {
            None
        } else {
            match Date::parse(until, &format) {
                Ok(d) if d > today => Some(d),
                Ok(_) => {
                    errors.push(FieldError {
                        field: "probation_until".into(),
                        message: "The probation must end after today.".into(),
                    });
                    None
                }
                Err(_) => {
                    errors.push(FieldError {
                        field: "probation_until".into(),
                        message:
                            "Give the end of probation as a date (YYYY-MM-DD), or leave it empty."
                                .into(),
                    });
                    None
                }
            }
        };
        if errors.is_empty() {
            Ok(Conditions {
                daily_cap,
                probation_until,
            })
        } else {
            Err(errors)
        }
    }

    /// The conditions in words, one per line; empty without conditions.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(cap) = self.daily_cap {
            lines.push(format!("No more than {cap} messages a day."));
        }
        if let Some(until) = self.probation_until {
            lines.push(format!(
                "On probation until {until}; the approval is reviewed again then."
            ));
        }
        lines
    }

    /// Whether the probation has ended by `today` and the approval is due for review.
    pub fn review_due(&self, today: Date) -> bool {
        self.probation_until.is_some_and(|d| d <= today)
    }
}

/// The written approval as issued: everything it approves, kept unchanged for the record and
/// printed for the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalDocument {
    /// Its number (see [`approval_number`]).
    pub number: String,
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// The customer.
    pub organisation: String,
    /// The service's name.
    pub service_label: String,
    /// The service's kind, as people read it.
    pub service_kind: String,
    /// The address port 25 is opened on.
    pub ip: String,
    /// The use case, as people read it.
    pub use_case: String,
    /// The use case in the customer's words.
    pub use_case_details: String,
    /// The sending domains approved.
    pub sending_domains: Vec<String>,
    /// The daily volume the customer declared.
    pub daily_volume: u32,
    /// The conditions, one sentence each.
    pub conditions: Vec<String>,
    /// The approval text.
    pub approval_text: String,
    /// The approving staff role.
    pub approver_role: String,
    /// The approving staff member.
    pub approver: String,
}

/// The number printed on a written approval: `SMTP-<year>-<request id, six digits>`, with
/// `-<n>` for the request's n-th approval after the first (a renewal or a reinstatement).
pub fn approval_number(year: i32, request_id: i64, nth: i64) -> String {
    if nth <= 1 {
        format!("SMTP-{year}-{request_id:06}")
    } else {
        format!("SMTP-{year}-{request_id:06}-{nth}")
    }
}

/// The shortest written approval or reason staff may give.
pub const MIN_DECISION_CHARS: usize = 20;

/// Checks a staff decision's written text (approval, rejection or revocation).
pub fn decision_text(raw: &str, field: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    let n = text.chars().count();
    if !(MIN_DECISION_CHARS..=MAX_TEXT_CHARS).contains(&n) {
        Err(FieldError {
            field: field.to_owned(),
            message: format!(
                "Write it out in {MIN_DECISION_CHARS} to {MAX_TEXT_CHARS} characters: the \
                 customer reads it."
            ),
        })
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};
    use time::Duration;

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);
    const IP: &str = "203.0.113.25";

    fn measure(kind: EnforcementKind, scope: Scope, ends_in_h: Option<i64>) -> Measure {
        Measure {
            kind,
            scope,
            starts_at: NOW - Duration::hours(1),
            ends_at: ends_in_h.map(|h| NOW + Duration::hours(h)),
        }
    }

    #[test]
    fn a_released_address_ends_its_live_requests_and_only_those() {
        for status in RequestStatus::ALL {
            match ending_on_release(*status) {
                Some(event) => {
                    assert!(status.is_live(), "{status:?}");
                    let to = transition(*status, event).unwrap();
                    assert!(!to.is_live(), "{status:?} → {to:?}");
                }
                None => assert!(!status.is_live(), "{status:?}"),
            }
        }
    }

    #[test]
    fn port25_state_follows_the_measures() {
        use EnforcementKind as K;
        let port = |ip: Option<&str>| Scope::Port {
            port: 25,
            ip: ip.map(str::to_owned),
        };
        assert_eq!(port25_state(IP, &[], NOW), Port25State::Allowed);
        let default = measure(K::Port25Restriction, port(Some(IP)), None);
        assert_eq!(
            port25_state(IP, std::slice::from_ref(&default), NOW),
            Port25State::BlockedByDefault
        );
        assert_eq!(
            port25_state("203.0.113.26", std::slice::from_ref(&default), NOW),
            Port25State::Allowed,
            "another address"
        );
        let ended = measure(K::Port25Restriction, port(Some(IP)), Some(-0));
        assert_eq!(
            port25_state(IP, &[ended], NOW),
            Port25State::Allowed,
            "ended by approval"
        );
        let abuse = measure(K::Port25Block, port(None), None);
        assert_eq!(
            port25_state(IP, &[default, abuse.clone()], NOW),
            Port25State::BlockedForAbuse,
            "abuse wins"
        );
        assert_eq!(
            port25_state(IP, &[abuse], NOW),
            Port25State::BlockedForAbuse
        );
        let other_port = measure(
            K::Port25Block,
            Scope::Port {
                port: 587,
                ip: None,
            },
            None,
        );
        assert_eq!(port25_state(IP, &[other_port], NOW), Port25State::Allowed);
        let null_route = measure(K::NullRoute, Scope::Ip(IP.into()), None);
        assert_eq!(
            port25_state(IP, &[null_route], NOW),
            Port25State::BlockedForAbuse
        );
        let rate_limit = measure(K::RateLimit, Scope::Service, None);
        assert_eq!(port25_state(IP, &[rate_limit], NOW), Port25State::Allowed);
    }

    #[test]
    fn the_request_lifecycle() {
        use RequestEvent as E;
        use RequestStatus as S;
        assert_eq!(transition(S::Draft, E::Submit), Ok(S::Pending));
        assert_eq!(transition(S::Pending, E::Approve), Ok(S::Approved));
        assert_eq!(transition(S::Pending, E::Reject), Ok(S::Rejected));
        assert_eq!(transition(S::Pending, E::Withdraw), Ok(S::Withdrawn));
        assert_eq!(transition(S::Approved, E::Suspend), Ok(S::Suspended));
        assert_eq!(transition(S::Suspended, E::Approve), Ok(S::Approved));
        assert_eq!(transition(S::Suspended, E::Revoke), Ok(S::Revoked));
        assert_eq!(transition(S::Approved, E::Revoke), Ok(S::Revoked));
        assert_eq!(
            transition(S::Approved, E::Approve),
            Ok(S::Approved),
            "after probation"
        );
        let all_events = [
            E::Submit,
            E::Withdraw,
            E::Approve,
            E::Reject,
            E::Revoke,
            E::Suspend,
        ];
        for from in [S::Rejected, S::Revoked, S::Withdrawn] {
            for event in all_events {
                assert!(
                    transition(from, event).is_err(),
                    "{from:?} is final ({event:?})"
                );
            }
        }
        let refused = transition(S::Draft, E::Approve).unwrap_err();
        assert_eq!(
            refused.user_message(),
            "This request is draft: that action is not available now."
        );
        assert!(
            transition(S::Approved, E::Reject).is_err(),
            "an approval is revoked, not rejected"
        );
        assert!(transition(S::Approved, E::Withdraw).is_err());
        assert!(transition(S::Suspended, E::Suspend).is_err());
    }

    #[test]
    fn live_statuses() {
        let live: Vec<_> = RequestStatus::ALL.iter().filter(|s| s.is_live()).collect();
        assert_eq!(
            live,
            [
                &RequestStatus::Pending,
                &RequestStatus::Approved,
                &RequestStatus::Suspended
            ]
        );
    }

    fn good_form() -> RequestForm {
        RequestForm {
            ip: IP.into(),
            use_case: "transactional".into(),
            use_case_details: String::new(),
            sending_domains: "Shop.Example.com,\nexample.com  shop.example.com.".into(),
            daily_volume: "2,000".into(),
            peak_per_hour: "300".into(),
            consent: "Customers who place an order receive its receipt.".into(),
            bounce_handling:
                "Postfix bounces go to a mailbox we read daily; hard bounces are suppressed.".into(),
            software: "Postfix 3.7".into(),
            helo_name: "mail.example.com".into(),
            dkim_selector: "s1".into(),
            why_not_relay: "Our relay provider cannot sign with our own DKIM keys.".into(),
            accepts_obligations: "on".into(),
        }
    }

    #[test]
    fn a_good_form_is_accepted_and_normalised() {
        let details = good_form().validate().unwrap();
        assert_eq!(details.sending_domains, ["shop.example.com", "example.com"]);
        assert_eq!(details.daily_volume, 2_000);
        assert_eq!(details.use_case, UseCase::Transactional);
        assert_eq!(details.ip, IP.parse::<IpAddr>().unwrap());
    }

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let form = RequestForm {
            ip: "not an ip".into(),
            use_case: "other".into(),
            use_case_details: "stuff".into(),
            sending_domains: "example".into(),
            daily_volume: "lots".into(),
            peak_per_hour: "10".into(),
            consent: "yes".into(),
            bounce_handling: String::new(),
            software: String::new(),
            helo_name: "localhost".into(),
            dkim_selector: "a b".into(),
            why_not_relay: String::new(),
            accepts_obligations: String::new(),
        };
        let errors = form.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "ip",
                "use_case_details",
                "sending_domains",
                "daily_volume",
                "peak_per_hour",
                "consent",
                "bounce_handling",
                "why_not_relay",
                "software",
                "helo_name",
                "dkim_selector",
                "accepts_obligations"
            ]
        );
        assert_eq!(
            errors[2].message,
            "\"example\" is not a domain name (for example mail.example.com)."
        );
    }

    #[test]
    fn the_peak_cannot_exceed_the_day() {
        let form = RequestForm {
            daily_volume: "100".into(),
            peak_per_hour: "500".into(),
            ..good_form()
        };
        let errors = form.validate().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].message,
            "The peak per hour cannot be more than the daily volume."
        );
    }

    #[test]
    fn too_many_domains() {
        let domains: Vec<String> = (0..21).map(|i| format!("d{i}.example.com")).collect();
        let form = RequestForm {
            sending_domains: domains.join(" "),
            ..good_form()
        };
        assert_eq!(form.validate().unwrap_err()[0].field, "sending_domains");
    }

    #[test]
    fn domain_names() {
        for good in [
            "example.com",
            "mail-1.example.co.uk",
            "xn--bcher-kva.example",
        ] {
            assert!(is_domain_name(good), "{good}");
        }
        for bad in [
            "localhost",
            "-a.example",
            "a..example",
            "example.123",
            "ex ample.com",
            "",
        ] {
            assert!(!is_domain_name(bad), "{bad}");
        }
    }

    #[test]
    fn drafts_are_bounded() {
        let form = RequestForm {
            consent: "x".repeat(10_000),
            ..good_form()
        };
        assert_eq!(form.bounded().consent.chars().count(), MAX_TEXT_CHARS);
    }

    #[test]
    fn conditions() {
        let today = date!(2026 - 11 - 25);
        let c = Conditions::parse("5,000", "2027-02-01", today).unwrap();
        assert_eq!(c.daily_cap, Some(5_000));
        assert_eq!(
            c.describe(),
            [
                "No more than 5000 messages a day.",
                "On probation until 2027-02-01; the approval is reviewed again then."
            ]
        );
        assert!(!c.review_due(today));
        assert!(c.review_due(date!(2027 - 02 - 01)));
        assert_eq!(
            Conditions::parse("", "", today).unwrap(),
            Conditions::default()
        );
        let errors = Conditions::parse("0", "2026-11-25", today).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[1].message, "The probation must end after today.");
        assert!(Conditions::parse("", "next week", today).is_err());
    }

    #[test]
    fn numbers_and_decisions() {
        assert_eq!(approval_number(2026, 42, 1), "SMTP-2026-000042");
        assert_eq!(approval_number(2027, 42, 2), "SMTP-2027-000042-2");
        assert!(decision_text("ok", "reason").is_err());
        assert_eq!(
            decision_text(
                "  Verified the transactional use case by phone.  ",
                "reason"
            )
            .unwrap(),
            "Verified the transactional use case by phone."
        );
    }

    #[test]
    fn refusals_read_well() {
        let r = RequestRefusal::OpenCase {
            ip: IP.into(),
            notice_id: 7,
            category: "Spam (unsolicited bulk messaging)".into(),
        };
        assert!(r
            .to_string()
            .starts_with("Case #7 (Spam (unsolicited bulk messaging)) is open on 203.0.113.25."));
    }
}
