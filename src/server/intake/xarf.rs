//! X-ARF v4 (the xarf-spec JSON schemas): the core schema's required fields and their formats
//! (`xarf_version` 4.x.y, `report_id` a UUID, `timestamp` RFC 3339, `reporter` and `sender` with
//! `org`, `contact` and `domain`, `source_identifier`, `category` and a `type` of that category),
//! checked by hand so that every refusal names the field. Evidence payloads are not kept.

use super::{keep, IntakeError, ParsedReport};
use crate::domain::report::{event_time, xarf_category, ReportFormat, ReportedEvent};
use serde_json::Value;
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
    if !email.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(format!(
            "{name}.contact {email:?} is not an e-mail address."
        ));
    }
    if !is_hostname(domain) {
        return Err(format!("{name}.domain {domain:?} is not a host name."));
    }
    Ok(format!("{org} <{email}> ({domain})"))
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

    /// A report shaped by the X-ARF v4 core schema.
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
}
