//! X-ARF v4, checked by hand against the xarf-spec JSON schemas so that every refusal names the
//! field (and, for a type's own fields, the category/type).
//!
//! Followed: github.com/xarf/xarf-spec at commit 37820dace8ac6a9495d33886abc9f94e3d1691fe
//! (2026-03-20), `schemas/v4/xarf-core.json` and `schemas/v4/types/*.json`.
//!
//! - The core schema: `xarf_version` 4.x.y, `report_id` a UUID, `timestamp` RFC 3339, `reporter`
//!   and `sender` with `org`, `contact` and `domain`, `source_identifier`, `category` and a `type`
//!   of that category ([`xarf_category`]), `source_port` 1 to 65535, `description` at most 1000
//!   characters, at most 50 `evidence` items.
//! - Each type's schema (`TYPE_RULES`): its required fields are there and hold the right JSON
//!   (a string, an RFC 3339 date-time, an e-mail address, an absolute URI, a whole number, an
//!   array of allowed values), not empty; the schema's `if`/`then` requirements (`smtp_from` and
//!   `source_port` when `protocol` is `smtp`; `source_port` for connection reports from an IP
//!   address); and every top-level field with an `enum` (a string or an array of strings) holds
//!   allowed values when it is there. Content types also get `content-base.json` (`url`).
//!   Enumerations nested inside objects, and formats of optional fields, are not checked.
//! - Type names the portal takes from older drafts are checked against the schema that replaced
//!   them in the spec: `connection/auth_failure` as `login_attack` (f983b27),
//!   `connection/ddos_amplification` as `ddos` (24ee1bd), `content/data_leak` as `exposed_data`
//!   and `infrastructure/bot` as `botnet` (5bea106), `vulnerability/open` as `open_service`
//!   (0ca0ed4).
//!
//! Only checked, never kept: the portal keeps the fields [`parse`] lists, not the type's own
//! fields, and never the evidence payloads.

use super::{keep, IntakeError, ParsedReport};
use crate::domain::report::{event_time, xarf_category, ReportFormat, ReportedEvent};
use serde_json::{Map, Value};
use std::net::IpAddr;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Reads an X-ARF v4 JSON document.
pub fn parse(bytes: &[u8], now: OffsetDateTime) -> Result<ParsedReport, IntakeError> {
    let unreadable = |why: String| IntakeError::Unreadable(format!("X-ARF report: {why}"));
    // serde_json refuses nesting deeper than 128 levels, so a JSON bomb of brackets fails here.
    let doc: Value = serde_json::from_slice(bytes)
        .map_err(|e| unreadable(format!("the body is not valid JSON ({e}).")))?;
    let Value::Object(map) = &doc else {
        return Err(unreadable("the JSON is not an object.".into()));
    };
    if map.contains_key("Version") && map.contains_key("Report") {
        return Err(unreadable(
            "this is an X-ARF v3 document (Version, Report); send X-ARF v4 (xarf_version 4.x.y)."
                .into(),
        ));
    }
    let text = |name: &str| -> Result<&str, IntakeError> {
        match map.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
            Some(Value::String(_)) => Err(unreadable(format!("the field {name} is empty."))),
            Some(_) => Err(unreadable(format!("the field {name} must be a string."))),
            None => Err(unreadable(format!("the required field {name} is missing."))),
        }
    };
    let version = text("xarf_version")?;
    if !is_v4_version(version) {
        return Err(unreadable(format!(
            "xarf_version {version:?} is not a 4.x.y version."
        )));
    }
    let report_id = text("report_id")?;
    if !is_uuid(report_id) {
        return Err(unreadable(format!(
            "report_id {report_id:?} is not a UUID."
        )));
    }
    let timestamp = text("timestamp")?;
    let occurred_at = OffsetDateTime::parse(timestamp, &Rfc3339).map_err(|_| {
        unreadable(format!(
            "timestamp {timestamp:?} is not an RFC 3339 date-time."
        ))
    })?;
    let occurred_at = event_time(occurred_at, now).map_err(unreadable)?;
    let reporter = contact(map.get("reporter"), "reporter").map_err(unreadable)?;
    let sender = contact(map.get("sender"), "sender").map_err(unreadable)?;
    let source = text("source_identifier")?;
    let category = text("category")?;
    let kind = text("type")?;
    let notice_category = xarf_category(category, kind).map_err(unreadable)?;
    let ip: Option<IpAddr> = source.parse().ok();
    if ip.is_none() && !is_hostname(source) {
        return Err(unreadable(format!(
            "source_identifier {source:?} is neither an IP address nor a host name."
        )));
    }
    let port = match map.get("source_port") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(p @ 1..=65535) => Some(p),
            _ => {
                return Err(unreadable(format!(
                    "source_port {n} is not a port from 1 to 65535."
                )))
            }
        },
        Some(_) => return Err(unreadable("source_port must be a number.".into())),
    };
    check_type_fields(map, category, kind, ip.is_some()).map_err(unreadable)?;
    let description = match map.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= 1000 => Some(s.trim().to_owned()),
        Some(Value::String(_)) => {
            return Err(unreadable(
                "description is longer than 1000 characters.".into(),
            ))
        }
        Some(_) => return Err(unreadable("description must be a string.".into())),
    };
    if let Some(evidence) = map.get("evidence") {
        match evidence {
            Value::Array(items) if items.len() <= 50 => {}
            Value::Array(items) => {
                return Err(unreadable(format!(
                    "evidence has {} items; at most 50.",
                    items.len()
                )))
            }
            _ => return Err(unreadable("evidence must be an array.".into())),
        }
    }
    let mut kept = Vec::new();
    keep(&mut kept, "xarf_version", version);
    keep(&mut kept, "report_id", report_id);
    keep(&mut kept, "reporter", &reporter);
    keep(&mut kept, "sender", &sender);
    keep(&mut kept, "category", category);
    keep(&mut kept, "type", kind);
    keep(&mut kept, "source_identifier", source);
    if let Some(port) = port {
        keep(&mut kept, "source_port", &port.to_string());
    }
    keep(&mut kept, "timestamp", timestamp);
    if let Some(d) = &description {
        keep(&mut kept, "description", d);
    }
    let mut detail = format!("X-ARF {category}/{kind}");
    if let Some(d) = description.filter(|d| !d.is_empty()) {
        detail.push_str(": ");
        detail.push_str(&d.chars().take(300).collect::<String>());
    }
    Ok(ParsedReport {
        format: ReportFormat::Xarf,
        reporter: Some(reporter),
        external_id: Some(report_id.to_owned()),
        kept,
        events: vec![ReportedEvent {
            source: source.to_owned(),
            ip,
            occurred_at,
            category: notice_category,
            incidents: 1,
            detail,
        }],
    })
}

/// `org <contact> (domain)` of a contact object with the three required fields.
fn contact(value: Option<&Value>, name: &str) -> Result<String, String> {
    let Some(Value::Object(c)) = value else {
        return Err(match value {
            None => format!("the required field {name} is missing."),
            Some(_) => format!("{name} must be an object with org, contact and domain."),
        });
    };
    let field = |f: &str| -> Result<&str, String> {
        match c.get(f) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
            _ => Err(format!("{name}.{f} is missing or empty.")),
        }
    };
    let org = field("org")?;
    let email = field("contact")?;
    let domain = field("domain")?;
    if !is_email(email) {
        return Err(format!(
            "{name}.contact {email:?} is not an e-mail address."
        ));
    }
    if !is_hostname(domain) {
        return Err(format!("{name}.domain {domain:?} is not a host name."));
    }
    Ok(format!("{org} <{email}> ({domain})"))
}

/// What a type's field must hold (the schema's `type`, `format`, `enum` and `minimum`).
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// A string.
    Text,
    /// A string that is one of these values (separated by spaces).
    OneOf(&'static str),
    /// An array of strings, each one of these values (separated by spaces).
    ListOf(&'static str),
    /// An RFC 3339 date-time (`format: date-time`).
    DateTime,
    /// An e-mail address (`format: email`).
    Email,
    /// An absolute URI (`format: uri`).
    Uri,
    /// A whole number of at least this much.
    Count(u64),
    /// A port, 1 to 65535.
    Port,
}

/// When a schema's `if` holds, so that its `then` fields are required too.
#[derive(Clone, Copy, Debug)]
enum When {
    /// `protocol` is `smtp`.
    Smtp,
    /// `source_identifier` is an IPv4 or IPv6 address.
    SourceIsIp,
}

impl When {
    fn holds(self, map: &Map<String, Value>, source_is_ip: bool) -> bool {
        match self {
            When::Smtp => map.get("protocol").and_then(Value::as_str) == Some("smtp"),
            When::SourceIsIp => source_is_ip,
        }
    }

    fn says(self) -> &'static str {
        match self {
            When::Smtp => "with protocol smtp",
            When::SourceIsIp => "whose source_identifier is an IP address",
        }
    }
}

/// One type's schema (`schemas/v4/types/<category>-<type>.json`), as far as the portal checks it.
#[derive(Debug)]
struct TypeRules {
    category: &'static str,
    /// The spec's name for the type, then the older drafts' names that it replaced.
    types: &'static [&'static str],
    /// The schema it extends besides the core (content types: `content-base.json`).
    base: Option<&'static TypeRules>,
    /// The schema's `required` fields.
    required: &'static [(&'static str, Kind)],
    /// The schema's `if`/`then`: fields required when the condition holds.
    required_when: Option<(When, &'static [(&'static str, Kind)])>,
    /// Optional fields with an `enum`: when there, they hold allowed values.
    enums: &'static [(&'static str, Kind)],
}

const CONNECTION_PROTOCOLS: Kind = Kind::OneOf("tcp udp icmp sctp");
/// `protocol` and `first_seen`, required by every connection type the portal takes.
const CONNECTION_REQUIRED: &[(&str, Kind)] = &[
    ("protocol", CONNECTION_PROTOCOLS),
    ("first_seen", Kind::DateTime),
];
const SMTP_THEN: &[(&str, Kind)] = &[("smtp_from", Kind::Email), ("source_port", Kind::Port)];
const SOURCE_PORT: &[(&str, Kind)] = &[("source_port", Kind::Port)];

/// `content-base.json`, which every content type extends.
static CONTENT_BASE: TypeRules = TypeRules {
    category: "content",
    types: &[],
    base: None,
    required: &[("url", Kind::Uri)],
    required_when: None,
    enums: &[
        (
            "verification_method",
            Kind::OneOf("manual automated_crawler user_report honeypot threat_intelligence"),
        ),
        (
            "attack_vector",
            Kind::OneOf(
                "phishing malware fraud brand_infringement copyright_infringement data_leak \
                 remote_compromise suspicious_registration",
            ),
        ),
    ],
};

/// The type schemas of the category/type pairs [`xarf_category`] accepts. Enumerations are
/// written as their values separated by spaces.
static TYPE_RULES: &[TypeRules] = &[
    // messaging-spam.json
    TypeRules {
        category: "messaging",
        types: &["spam"],
        base: None,
        required: &[(
            "protocol",
            Kind::OneOf(
                "smtp sms whatsapp telegram signal chat social_media push_notification other",
            ),
        )],
        required_when: Some((When::Smtp, SMTP_THEN)),
        enums: &[(
            "evidence_source",
            Kind::OneOf(
                "spamtrap user_complaint automated_filter honeypot content_analysis \
                 reputation_feed",
            ),
        )],
    },
    // messaging-bulk-messaging.json
    TypeRules {
        category: "messaging",
        types: &["bulk_messaging"],
        base: None,
        required: &[
            (
                "protocol",
                Kind::OneOf("smtp sms whatsapp telegram social_media push_notification other"),
            ),
            ("recipient_count", Kind::Count(100)),
        ],
        required_when: Some((When::Smtp, SMTP_THEN)),
        enums: &[(
            "evidence_source",
            Kind::OneOf("user_complaint automated_filter reputation_feed volume_analysis"),
        )],
    },
    // connection-ddos.json
    TypeRules {
        category: "connection",
        types: &["ddos", "ddos_amplification"],
        base: None,
        required: CONNECTION_REQUIRED,
        required_when: Some((When::SourceIsIp, SOURCE_PORT)),
        enums: &[
            (
                "evidence_source",
                Kind::OneOf(
                    "firewall_logs ids_detection flow_analysis traffic_monitoring honeypot",
                ),
            ),
            ("service_impact", Kind::OneOf("none degraded unavailable")),
        ],
    },
    // connection-login-attack.json
    TypeRules {
        category: "connection",
        types: &["login_attack", "auth_failure"],
        base: None,
        required: CONNECTION_REQUIRED,
        required_when: Some((When::SourceIsIp, SOURCE_PORT)),
        enums: &[],
    },
    // connection-port-scan.json
    TypeRules {
        category: "connection",
        types: &["port_scan"],
        base: None,
        required: CONNECTION_REQUIRED,
        required_when: Some((When::SourceIsIp, SOURCE_PORT)),
        enums: &[],
    },
    // content-phishing.json
    TypeRules {
        category: "content",
        types: &["phishing"],
        base: Some(&CONTENT_BASE),
        required: &[],
        required_when: None,
        enums: &[
            (
                "lure_type",
                Kind::OneOf(
                    "account_suspension security_alert payment_issue prize_notification \
                     document_share password_reset shipping_notification tax_refund other",
                ),
            ),
            (
                "detection_evasion",
                Kind::ListOf(
                    "geo_blocking user_agent_filtering referrer_checking captcha \
                     time_based_display ip_blacklisting obfuscation other",
                ),
            ),
        ],
    },
    // content-malware.json
    TypeRules {
        category: "content",
        types: &["malware"],
        base: Some(&CONTENT_BASE),
        required: &[],
        required_when: None,
        enums: &[
            (
                "malware_type",
                Kind::OneOf(
                    "trojan ransomware dropper loader backdoor rootkit infostealer \
                     banking_trojan cryptominer adware spyware worm bot rat other",
                ),
            ),
            (
                "distribution_method",
                Kind::OneOf(
                    "direct_download drive_by_download email_attachment malvertising \
                     exploit_kit watering_hole supply_chain social_engineering other",
                ),
            ),
            (
                "persistence_mechanism",
                Kind::ListOf(
                    "registry scheduled_task service startup_folder dll_hijacking wmi other",
                ),
            ),
            (
                "targeted_platforms",
                Kind::ListOf("windows linux macos android ios multi_platform"),
            ),
        ],
    },
    // content-fraud.json
    TypeRules {
        category: "content",
        types: &["fraud"],
        base: Some(&CONTENT_BASE),
        required: &[(
            "fraud_type",
            Kind::OneOf(
                "investment romance tech_support lottery advance_fee cryptocurrency shopping \
                 charity employment government_impersonation other",
            ),
        )],
        required_when: None,
        enums: &[(
            "payment_methods",
            Kind::ListOf(
                "credit_card bank_transfer cryptocurrency gift_cards wire_transfer paypal \
                 western_union moneygram cashapp venmo other",
            ),
        )],
    },
    // content-brand_infringement.json
    TypeRules {
        category: "content",
        types: &["brand_infringement"],
        base: Some(&CONTENT_BASE),
        required: &[
            (
                "infringement_type",
                Kind::OneOf(
                    "counterfeit typosquatting lookalike homograph unauthorized_reseller \
                     trademark_violation brand_impersonation logo_misuse other",
                ),
            ),
            ("legitimate_site", Kind::Uri),
        ],
        required_when: None,
        enums: &[(
            "infringing_elements",
            Kind::ListOf(
                "logo brand_name tagline color_scheme layout product_images domain_name other",
            ),
        )],
    },
    // content-exposed-data.json
    TypeRules {
        category: "content",
        types: &["exposed_data", "data_leak"],
        base: Some(&CONTENT_BASE),
        required: &[
            (
                "data_types",
                Kind::ListOf(
                    "personal_information credentials financial medical government_id \
                     email_addresses phone_numbers api_keys database_dumps source_code \
                     internal_documents customer_data employee_data intellectual_property other",
                ),
            ),
            (
                "exposure_method",
                Kind::OneOf(
                    "misconfigured_server open_directory database_exposure git_repository \
                     backup_file log_file cloud_storage paste_site forum_post ransomware_leak \
                     intentional_leak other",
                ),
            ),
        ],
        required_when: None,
        enums: &[
            (
                "data_format",
                Kind::OneOf("plaintext csv json xml sql excel pdf mixed other"),
            ),
            (
                "encryption_status",
                Kind::OneOf("unencrypted encrypted partially_encrypted hashed unknown"),
            ),
            (
                "accessibility",
                Kind::OneOf("public requires_authentication requires_payment dark_web removed"),
            ),
            (
                "discovery_source",
                Kind::OneOf(
                    "security_researcher automated_scan breach_monitoring user_report \
                     law_enforcement threat_intelligence other",
                ),
            ),
        ],
    },
    // content-remote_compromise.json
    TypeRules {
        category: "content",
        types: &["remote_compromise"],
        base: Some(&CONTENT_BASE),
        required: &[(
            "compromise_type",
            Kind::OneOf(
                "webshell backdoor defacement malicious_redirect seo_spam cryptominer \
                 phishing_kit malware_host c2_server proxy scanner other",
            ),
        )],
        required_when: None,
        enums: &[
            (
                "affected_cms",
                Kind::OneOf(
                    "wordpress joomla drupal magento prestashop opencart custom unknown other",
                ),
            ),
            (
                "persistence_mechanisms",
                Kind::ListOf(
                    "cron_job modified_core_files hidden_admin_account autoload_backdoor \
                     htaccess_modification database_backdoor other",
                ),
            ),
            (
                "malicious_activities",
                Kind::ListOf(
                    "spam_sending ddos_attacks cryptocurrency_mining data_exfiltration \
                     lateral_movement hosting_malware hosting_phishing scanning other",
                ),
            ),
            (
                "cleanup_status",
                Kind::OneOf("not_cleaned partially_cleaned cleaned reinfected unknown"),
            ),
        ],
    },
    // content-suspicious_registration.json
    TypeRules {
        category: "content",
        types: &["suspicious_registration"],
        base: Some(&CONTENT_BASE),
        required: &[
            ("registration_date", Kind::DateTime),
            (
                "suspicious_indicators",
                Kind::ListOf(
                    "typosquatting homograph_attack brand_keyword suspicious_tld \
                     bulk_registration privacy_protection suspicious_registrant fast_flux \
                     dga_pattern known_bad_nameserver suspicious_ssl_cert immediate_activation \
                     parked_page other",
                ),
            ),
        ],
        required_when: None,
        enums: &[(
            "predicted_usage",
            Kind::ListOf("phishing malware spam fraud brand_abuse botnet_c2 unknown"),
        )],
    },
    // infrastructure-botnet.json
    TypeRules {
        category: "infrastructure",
        types: &["botnet", "bot"],
        base: None,
        required: &[("compromise_evidence", Kind::Text)],
        required_when: None,
        enums: &[
            (
                "c2_protocol",
                Kind::OneOf("http https tcp udp dns irc p2p custom"),
            ),
            (
                "bot_capabilities",
                Kind::ListOf(
                    "ddos spam proxy keylogger file_download remote_shell cryptocurrency_mining \
                     data_theft",
                ),
            ),
        ],
    },
    // infrastructure-compromised-server.json
    TypeRules {
        category: "infrastructure",
        types: &["compromised_server"],
        base: None,
        required: &[("compromise_method", Kind::Text)],
        required_when: None,
        enums: &[],
    },
    // vulnerability-open-service.json
    TypeRules {
        category: "vulnerability",
        types: &["open_service", "open"],
        base: None,
        required: &[("service", Kind::Text)],
        required_when: None,
        enums: &[],
    },
    // reputation-blocklist.json
    TypeRules {
        category: "reputation",
        types: &["blocklist"],
        base: None,
        required: &[("threat_type", Kind::Text)],
        required_when: None,
        enums: &[],
    },
    // reputation-threat-intelligence.json
    TypeRules {
        category: "reputation",
        types: &["threat_intelligence"],
        base: None,
        required: &[("threat_type", Kind::Text)],
        required_when: None,
        enums: &[],
    },
];

/// The schema of a category and type, if the portal has it.
fn type_rules(category: &str, kind: &str) -> Option<&'static TypeRules> {
    TYPE_RULES
        .iter()
        .find(|r| r.category == category && r.types.contains(&kind))
}

/// Checks a report's own fields against its type's schema (and the schema that one extends).
fn check_type_fields(
    map: &Map<String, Value>,
    category: &str,
    kind: &str,
    source_is_ip: bool,
) -> Result<(), String> {
    let Some(rules) = type_rules(category, kind) else {
        return Ok(());
    };
    let what = format!("{category}/{kind}");
    for rules in rules.base.into_iter().chain([rules]) {
        let mut required: Vec<(&str, Kind, &str)> =
            rules.required.iter().map(|&(f, k)| (f, k, "")).collect();
        if let Some((when, fields)) = rules.required_when {
            if when.holds(map, source_is_ip) {
                required.extend(fields.iter().map(|&(f, k)| (f, k, when.says())));
            }
        }
        for (field, expect, condition) in required {
            match map.get(field) {
                None | Some(Value::Null) if condition.is_empty() => {
                    return Err(format!("the field {field} is required for {what} reports."))
                }
                None | Some(Value::Null) => {
                    return Err(format!(
                        "the field {field} is required for {what} reports {condition}."
                    ))
                }
                Some(value) => check_field(field, value, expect, true, &what)?,
            }
        }
        for &(field, expect) in rules.enums {
            match map.get(field) {
                None | Some(Value::Null) => {}
                Some(value) => check_field(field, value, expect, false, &what)?,
            }
        }
    }
    Ok(())
}

/// Checks one field's value; a required string or array must not be empty.
fn check_field(
    field: &str,
    value: &Value,
    expect: Kind,
    required: bool,
    what: &str,
) -> Result<(), String> {
    let must = |be: &str| format!("the field {field} of a {what} report must be {be}.");
    let allows = |values: &str, s: &str| values.split_whitespace().any(|v| v == s);
    let one_of = |values: &str| values.split_whitespace().collect::<Vec<_>>().join(", ");
    let not_allowed = |verb: &str, s: &str, values: &str| {
        format!(
            "the field {field} of a {what} report {verb} {s:?}, which is not one of {}.",
            one_of(values)
        )
    };
    match (expect, value) {
        (Kind::ListOf(values), Value::Array(items)) => {
            if required && items.is_empty() {
                return Err(format!("the field {field} of a {what} report is empty."));
            }
            for item in items {
                match item.as_str() {
                    Some(s) if allows(values, s) => {}
                    Some(s) => return Err(not_allowed("holds", s, values)),
                    None => return Err(must("an array of strings")),
                }
            }
            Ok(())
        }
        (Kind::ListOf(_), _) => Err(must("an array of strings")),
        (Kind::Count(min), Value::Number(n)) => match n.as_u64() {
            Some(c) if c >= min => Ok(()),
            _ => Err(must(&format!("a whole number of at least {min}"))),
        },
        (Kind::Count(min), _) => Err(must(&format!("a whole number of at least {min}"))),
        (Kind::Port, Value::Number(n)) if matches!(n.as_u64(), Some(1..=65535)) => Ok(()),
        (Kind::Port, _) => Err(must("a port from 1 to 65535")),
        (Kind::OneOf(values), Value::String(s)) if allows(values, s) => Ok(()),
        (Kind::OneOf(values), Value::String(s)) => Err(not_allowed("is", s, values)),
        (Kind::OneOf(values), _) => Err(must(&format!("one of {}", one_of(values)))),
        (_, Value::String(s)) if required && s.trim().is_empty() => {
            Err(format!("the field {field} of a {what} report is empty."))
        }
        (Kind::Text, Value::String(_)) => Ok(()),
        (Kind::DateTime, Value::String(s)) if OffsetDateTime::parse(s.trim(), &Rfc3339).is_ok() => {
            Ok(())
        }
        (Kind::DateTime, _) => Err(must("an RFC 3339 date-time")),
        (Kind::Email, Value::String(s)) if is_email(s.trim()) => Ok(()),
        (Kind::Email, _) => Err(must("an e-mail address")),
        (Kind::Uri, Value::String(s)) if is_absolute_uri(s.trim()) => Ok(()),
        (Kind::Uri, _) => Err(must("an absolute URI")),
        (Kind::Text, _) => Err(must("a string")),
    }
}

fn is_email(s: &str) -> bool {
    s.contains('@') && !s.chars().any(char::is_whitespace)
}

/// `scheme:rest` (RFC 3986), with no spaces.
fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_v4_version(v: &str) -> bool {
    let mut parts = v.split('.');
    parts.next() == Some("4")
        && parts
            .by_ref()
            .take(2)
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .count()
            == 2
        && parts.next().is_none()
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_hostname(s: &str) -> bool {
    s.len() <= 253
        && s.contains('.')
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::super::{parse_report, BodyKind};
    use super::*;
    use crate::domain::notice::NoticeCategory;
    use serde_json::json;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-27 12:00 UTC);

    /// A connection/login_attack report, valid under the core schema and its type's schema.
    pub(crate) fn sample() -> Value {
        json!({
            "xarf_version": "4.0.0",
            "report_id": "550e8400-e29b-41d4-a716-446655440000",
            "timestamp": "2026-11-26T14:30:25Z",
            "reporter": { "org": "Example Honeypots", "contact": "abuse@honeypot.example", "domain": "honeypot.example" },
            "sender": { "org": "Example Honeypots", "contact": "abuse@honeypot.example", "domain": "honeypot.example" },
            "source_identifier": "198.51.100.23",
            "source_port": 51234,
            "category": "connection",
            "type": "login_attack",
            "protocol": "tcp",
            "first_seen": "2026-11-26T14:02:11Z",
            "evidence_source": "honeypot",
            "evidence": [{ "content_type": "text/plain", "payload": "U0VDUkVULUVWSURFTkNF" }],
            "description": "SSH password guessing, 400 attempts"
        })
    }

    fn parse_json(v: &Value) -> Result<ParsedReport, IntakeError> {
        parse_report(v.to_string().as_bytes(), BodyKind::Json, NOW)
    }

    #[test]
    fn a_v4_report_gives_its_event() {
        let report = parse_json(&sample()).unwrap();
        assert_eq!(report.format, ReportFormat::Xarf);
        assert_eq!(
            report.external_id.as_deref(),
            Some("550e8400-e29b-41d4-a716-446655440000")
        );
        assert!(report
            .reporter
            .as_deref()
            .unwrap()
            .contains("abuse@honeypot.example"));
        let e = &report.events[0];
        assert_eq!(e.ip, Some("198.51.100.23".parse().unwrap()));
        assert_eq!(e.category, NoticeCategory::BruteForce);
        assert_eq!(e.occurred_at, datetime!(2026-11-26 14:30:25 UTC));
        assert!(e.detail.contains("connection/login_attack"));
        assert!(
            !format!("{:?}", report.kept).contains("U0VDUkVU"),
            "evidence payloads are not kept"
        );
    }

    #[test]
    fn every_required_field_is_named_when_missing() {
        for field in [
            "xarf_version",
            "report_id",
            "timestamp",
            "reporter",
            "sender",
            "source_identifier",
            "category",
            "type",
        ] {
            let mut v = sample();
            v.as_object_mut().unwrap().remove(field);
            let err = parse_json(&v).unwrap_err().to_string();
            assert!(
                err.contains(field) && err.contains("missing"),
                "{field}: {err}"
            );
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_field() {
        let cases: [(&str, Value, &str); 10] = [
            ("xarf_version", json!("3"), "not a 4.x.y"),
            ("xarf_version", json!(4), "must be a string"),
            ("report_id", json!("abc"), "not a UUID"),
            ("timestamp", json!("26/11/2026"), "not an RFC 3339"),
            ("timestamp", json!("2099-01-01T00:00:00Z"), "in the future"),
            (
                "category",
                json!("messaging"),
                "not a type of the messaging",
            ),
            ("type", json!("cve"), "not a type of the connection"),
            (
                "source_identifier",
                json!("not an address!"),
                "neither an IP",
            ),
            ("source_port", json!(70000), "not a port"),
            (
                "reporter",
                json!({ "org": "x", "contact": "nobody", "domain": "x.example" }),
                "reporter.contact",
            ),
        ];
        for (field, value, expected) in cases {
            let mut v = sample();
            v[field] = value;
            let err = parse_json(&v).unwrap_err().to_string();
            assert!(err.contains(expected), "{field}: {err}");
        }
    }

    #[test]
    fn v3_documents_and_non_objects_say_what_they_are() {
        let v3 = json!({ "Version": "3", "Report": {} });
        assert!(parse_json(&v3)
            .unwrap_err()
            .to_string()
            .contains("X-ARF v3"));
        assert!(parse_report(b"[1,2]", BodyKind::Json, NOW)
            .unwrap_err()
            .to_string()
            .contains("not an object"));
        assert!(parse_report(b"{\"a\":", BodyKind::Json, NOW)
            .unwrap_err()
            .to_string()
            .contains("not valid JSON"));
    }

    #[test]
    fn a_json_bomb_fails_cleanly() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_report(deep.as_bytes(), BodyKind::Json, NOW).unwrap_err();
        assert!(err.to_string().contains("not valid JSON"), "{err}");
        let mut wide = sample();
        wide["evidence"] = Value::Array(vec![
            json!({"content_type": "text/plain", "payload": ""});
            60
        ]);
        assert!(parse_json(&wide)
            .unwrap_err()
            .to_string()
            .contains("at most 50"));
    }

    #[test]
    fn a_host_name_source_is_kept_without_an_address() {
        let mut v = sample();
        v["source_identifier"] = json!("bad-site.example");
        v["category"] = json!("content");
        v["type"] = json!("phishing");
        v["url"] = json!("https://bad-site.example/login");
        let e = &parse_json(&v).unwrap().events[0];
        assert_eq!(e.ip, None);
        assert_eq!(e.source, "bad-site.example");
    }

    #[test]
    fn an_xarf_report_inside_a_mail_is_read() {
        let mail = format!(
            "From: reports@honeypot.example\r\nSubject: abuse report\r\nMessage-ID: <x1@honeypot.example>\r\n\
             MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nPlease see the attached report.\r\n\
             --b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b--\r\n",
            sample()
        );
        let report = parse_report(mail.as_bytes(), BodyKind::Mail, NOW).unwrap();
        assert_eq!(report.format, ReportFormat::Xarf);
        assert!(format!("{:?}", report.kept).contains("abuse report"));
    }

    #[test]
    fn version_and_uuid_shapes() {
        assert!(is_v4_version("4.0.0") && is_v4_version("4.12.3"));
        assert!(
            !is_v4_version("4.0")
                && !is_v4_version("4.0.0.1")
                && !is_v4_version("5.0.0")
                && !is_v4_version("4.a.0")
        );
        assert!(is_uuid("550e8400-e29b-41d4-a716-446655440000"));
        assert!(!is_uuid("550e8400e29b41d4a716446655440000"));
    }

    /// A valid report of a category and type: the core sample with that type's own fields.
    fn typed(category: &str, kind: &str) -> Value {
        let mut v = sample();
        let map = v.as_object_mut().unwrap();
        for field in ["protocol", "first_seen", "evidence_source"] {
            map.remove(field);
        }
        map.insert("category".into(), json!(category));
        map.insert("type".into(), json!(kind));
        let own = match (category, kind) {
            ("messaging", "spam") => json!({
                "protocol": "smtp", "smtp_from": "offers@mailer.example", "source_port": 25,
                "evidence_source": "spamtrap"
            }),
            ("messaging", "bulk_messaging") => json!({
                "protocol": "smtp", "smtp_from": "news@mailer.example", "source_port": 25,
                "recipient_count": 25000
            }),
            ("connection", "ddos" | "ddos_amplification") => json!({
                "protocol": "udp", "first_seen": "2026-11-26T14:00:00Z",
                "destination_ip": "203.0.113.9", "service_impact": "degraded"
            }),
            ("connection", "login_attack" | "auth_failure" | "port_scan") => json!({
                "protocol": "tcp", "first_seen": "2026-11-26T14:00:00Z"
            }),
            ("content", "phishing") => json!({
                "url": "https://login-bank.example/secure", "lure_type": "password_reset",
                "detection_evasion": ["geo_blocking"]
            }),
            ("content", "malware") => json!({
                "url": "http://files.example/setup.exe", "malware_type": "dropper"
            }),
            ("content", "fraud") => json!({
                "url": "https://returns.example/invest", "fraud_type": "investment",
                "payment_methods": ["cryptocurrency"]
            }),
            ("content", "brand_infringement") => json!({
                "url": "https://brand-shop.example/", "infringement_type": "counterfeit",
                "legitimate_site": "https://www.brand.example/"
            }),
            ("content", "data_leak") => json!({
                "url": "http://dump.example/db.sql",
                "data_types": ["credentials", "email_addresses"],
                "exposure_method": "open_directory"
            }),
            ("content", "remote_compromise") => json!({
                "url": "https://blog.example/wp-content/x.php", "compromise_type": "webshell",
                "affected_cms": "wordpress"
            }),
            ("content", "suspicious_registration") => json!({
                "url": "https://bank-verify.example/", "registration_date": "2026-11-25T08:00:00Z",
                "suspicious_indicators": ["brand_keyword", "immediate_activation"]
            }),
            ("infrastructure", "bot") => json!({
                "compromise_evidence": "beacons to a known C2 server every 60 seconds",
                "c2_protocol": "https"
            }),
            ("infrastructure", "compromised_server") => json!({
                "compromise_method": "an outdated CMS plugin"
            }),
            ("vulnerability", "open") => json!({ "service": "memcached" }),
            ("reputation", "blocklist" | "threat_intelligence") => json!({
                "threat_type": "command_and_control"
            }),
            _ => panic!("no sample for {category}/{kind}"),
        };
        for (field, value) in own.as_object().unwrap() {
            map.insert(field.clone(), value.clone());
        }
        v
    }

    fn refused(v: &Value) -> String {
        parse_json(v).unwrap_err().to_string()
    }

    fn without(v: &Value, field: &str) -> Value {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove(field);
        v
    }

    /// The pairs `xarf_category` takes (the others are refused before their fields matter).
    fn accepted_types() -> Vec<(&'static str, &'static str)> {
        crate::domain::report::XARF_TYPES
            .iter()
            .flat_map(|(c, types)| types.iter().map(move |t| (*c, *t)))
            .filter(|(c, t)| xarf_category(c, t).is_ok())
            .collect()
    }

    #[test]
    fn every_accepted_type_has_its_schema_and_a_valid_sample_passes() {
        for (c, t) in accepted_types() {
            assert!(type_rules(c, t).is_some(), "no type schema for {c}/{t}");
            if let Err(e) = parse_json(&typed(c, t)) {
                panic!("{c}/{t}: {e}");
            }
        }
    }

    #[test]
    fn every_required_type_field_is_named_with_the_type_when_missing() {
        for (c, t) in accepted_types() {
            let rules = type_rules(c, t).unwrap();
            let fields = rules.base.into_iter().chain([rules]).flat_map(|r| {
                r.required
                    .iter()
                    .chain(r.required_when.map_or(&[][..], |(_, f)| f))
            });
            for (field, _) in fields {
                let err = refused(&without(&typed(c, t), field));
                assert!(
                    err.contains(&format!(
                        "the field {field} is required for {c}/{t} reports"
                    )),
                    "{c}/{t} without {field}: {err}"
                );
            }
        }
    }

    #[test]
    fn spam_needs_a_protocol_and_over_smtp_the_envelope_sender_and_port() {
        let spam = typed("messaging", "spam");
        let report = parse_json(&spam).unwrap();
        assert_eq!(report.events[0].category, NoticeCategory::Spam);
        assert!(
            !format!("{:?}", report.kept).contains("offers@mailer.example"),
            "the type's own fields are checked, not kept"
        );
        assert_eq!(
            refused(&without(&spam, "protocol")),
            "X-ARF report: the field protocol is required for messaging/spam reports."
        );
        assert_eq!(
            refused(&without(&spam, "smtp_from")),
            "X-ARF report: the field smtp_from is required for messaging/spam reports with protocol smtp."
        );
        assert!(refused(&without(&spam, "source_port")).contains(
            "the field source_port is required for messaging/spam reports with protocol smtp"
        ));
        let mut bad = spam.clone();
        bad["smtp_from"] = json!("not an address");
        assert!(refused(&bad)
            .contains("the field smtp_from of a messaging/spam report must be an e-mail address"));
        let mut bad = spam.clone();
        bad["protocol"] = json!(25);
        assert!(refused(&bad)
            .contains("the field protocol of a messaging/spam report must be one of smtp, sms"));
        // Over SMS the mail-only fields are not needed.
        let mut sms = without(&without(&spam, "smtp_from"), "source_port");
        sms["protocol"] = json!("sms");
        sms["source_identifier"] = json!("sms-gateway.example");
        parse_json(&sms).unwrap();
    }

    #[test]
    fn phishing_needs_the_url_of_the_page() {
        let phishing = typed("content", "phishing");
        let report = parse_json(&phishing).unwrap();
        assert_eq!(report.events[0].category, NoticeCategory::Phishing);
        assert_eq!(
            refused(&without(&phishing, "url")),
            "X-ARF report: the field url is required for content/phishing reports."
        );
        for (url, expected) in [
            (
                json!("login-bank.example/secure"),
                "must be an absolute URI",
            ),
            (
                json!("https://bank.example/a page"),
                "must be an absolute URI",
            ),
            (json!(["https://bank.example/"]), "must be an absolute URI"),
            (
                json!("  "),
                "the field url of a content/phishing report is empty",
            ),
        ] {
            let mut bad = phishing.clone();
            bad["url"] = url;
            let err = refused(&bad);
            assert!(
                err.contains(expected) && err.contains("content/phishing"),
                "{err}"
            );
        }
        // The optional fields the schema does not enumerate are left alone.
        let mut v = phishing.clone();
        v["phishing_kit"] = json!("16shop");
        v["lure_type"] = Value::Null;
        parse_json(&v).unwrap();
    }

    #[test]
    fn ddos_needs_protocol_first_seen_and_for_an_address_the_source_port() {
        let ddos = typed("connection", "ddos");
        let report = parse_json(&ddos).unwrap();
        assert_eq!(report.events[0].category, NoticeCategory::Ddos);
        for field in ["protocol", "first_seen"] {
            assert_eq!(
                refused(&without(&ddos, field)),
                format!("X-ARF report: the field {field} is required for connection/ddos reports.")
            );
        }
        assert_eq!(
            refused(&without(&ddos, "source_port")),
            "X-ARF report: the field source_port is required for connection/ddos reports whose source_identifier is an IP address."
        );
        let mut by_name = without(&ddos, "source_port");
        by_name["source_identifier"] = json!("flood.example");
        parse_json(&by_name).unwrap();
        let mut v6 = without(&ddos, "source_port");
        v6["source_identifier"] = json!("2001:db8::7");
        assert!(refused(&v6).contains("source_port is required for connection/ddos"));
        let mut bad = ddos.clone();
        bad["first_seen"] = json!("yesterday");
        assert!(refused(&bad).contains(
            "the field first_seen of a connection/ddos report must be an RFC 3339 date-time"
        ));
        // destination_ip is only recommended by the schema.
        parse_json(&without(&ddos, "destination_ip")).unwrap();
    }

    #[test]
    fn fraud_bulk_mail_and_reputation_reports_need_their_own_fields() {
        let fraud = typed("content", "fraud");
        parse_json(&fraud).unwrap();
        assert_eq!(
            refused(&without(&fraud, "fraud_type")),
            "X-ARF report: the field fraud_type is required for content/fraud reports."
        );
        assert!(refused(&without(&fraud, "url"))
            .contains("the field url is required for content/fraud"));

        let bulk = typed("messaging", "bulk_messaging");
        assert!(refused(&without(&bulk, "recipient_count")).contains(
            "the field recipient_count is required for messaging/bulk_messaging reports."
        ));
        for count in [json!(40), json!("many"), json!(-1), json!(150.5)] {
            let mut bad = bulk.clone();
            bad["recipient_count"] = count;
            assert!(refused(&bad).contains(
                "the field recipient_count of a messaging/bulk_messaging report must be a whole number of at least 100"
            ));
        }

        let blocklist = typed("reputation", "blocklist");
        assert!(refused(&without(&blocklist, "threat_type"))
            .contains("the field threat_type is required for reputation/blocklist reports."));
        let mut bad = blocklist.clone();
        bad["threat_type"] = json!(7);
        assert!(refused(&bad)
            .contains("the field threat_type of a reputation/blocklist report must be a string"));
        bad["threat_type"] = json!("");
        assert!(refused(&bad)
            .contains("the field threat_type of a reputation/blocklist report is empty"));
        bad["threat_type"] = Value::Null;
        assert!(
            refused(&bad).contains("the field threat_type is required for reputation/blocklist")
        );
    }

    #[test]
    fn older_type_names_are_held_to_the_schema_that_replaced_them() {
        assert!(
            refused(&without(&typed("connection", "auth_failure"), "first_seen"))
                .contains("the field first_seen is required for connection/auth_failure reports.")
        );
        assert!(
            refused(&without(&typed("content", "data_leak"), "exposure_method"))
                .contains("the field exposure_method is required for content/data_leak reports.")
        );
        assert!(refused(&without(
            &typed("infrastructure", "bot"),
            "compromise_evidence"
        ))
        .contains("the field compromise_evidence is required for infrastructure/bot reports."));
        assert!(
            refused(&without(&typed("vulnerability", "open"), "service"))
                .contains("the field service is required for vulnerability/open reports.")
        );
    }

    #[test]
    fn values_outside_a_schema_enumeration_are_refused() {
        let cases: [(&str, &str, &str, Value, &str); 9] = [
            (
                "messaging",
                "spam",
                "protocol",
                json!("fax"),
                "is \"fax\", which is not one of smtp, sms",
            ),
            (
                "messaging",
                "spam",
                "evidence_source",
                json!("crawler"),
                "is \"crawler\", which is not one of spamtrap",
            ),
            (
                "connection",
                "ddos",
                "protocol",
                json!("http"),
                "is \"http\", which is not one of tcp, udp, icmp, sctp",
            ),
            (
                "connection",
                "port_scan",
                "protocol",
                json!("TCP"),
                "is \"TCP\"",
            ),
            (
                "content",
                "phishing",
                "lure_type",
                json!("free_gift"),
                "is \"free_gift\"",
            ),
            (
                "content",
                "phishing",
                "detection_evasion",
                json!(["captcha", "cloaking"]),
                "holds \"cloaking\"",
            ),
            (
                "content",
                "fraud",
                "fraud_type",
                json!("pyramid"),
                "is \"pyramid\", which is not one of investment",
            ),
            (
                "content",
                "suspicious_registration",
                "suspicious_indicators",
                json!("brand_keyword"),
                "must be an array of strings",
            ),
            (
                "content",
                "malware",
                "attack_vector",
                json!("spam"),
                "is \"spam\", which is not one of phishing",
            ),
        ];
        for (c, t, field, value, expected) in cases {
            let mut v = typed(c, t);
            v[field] = value;
            let err = refused(&v);
            assert!(
                err.contains(&format!("the field {field} of a {c}/{t} report"))
                    && err.contains(expected),
                "{c}/{t} {field}: {err}"
            );
        }
        let mut v = typed("content", "suspicious_registration");
        v["suspicious_indicators"] = json!([]);
        assert!(refused(&v).contains(
            "the field suspicious_indicators of a content/suspicious_registration report is empty"
        ));
        // An optional enumerated array may be empty.
        let mut v = typed("content", "phishing");
        v["detection_evasion"] = json!([]);
        parse_json(&v).unwrap();
    }

    #[test]
    fn uri_shapes() {
        assert!(is_absolute_uri("https://a.example/x?y=1") && is_absolute_uri("hxxp:x"));
        assert!(
            !is_absolute_uri("a.example/x")
                && !is_absolute_uri("1http://a")
                && !is_absolute_uri("http:")
        );
    }
}
