//! A request as typed ([`RequestForm`]), checked into [`RequestDetails`], and why a new
//! request is refused before anyone reviews it.

use super::request::UseCase;
use crate::domain::form::FieldError;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

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
