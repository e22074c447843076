//! ARF, the Abuse Reporting Format (RFC 5965): the fields of a `message/feedback-report` part.
//! Required by the RFC: `Feedback-Type`, `User-Agent`, `Version: 1`; required by the portal,
//! which matches reports by address: `Source-IP`. `Arrival-Date` gives the event time (the time
//! of receipt when absent), `Incidents` how many it stands for.

use super::{keep, IntakeError, ParsedReport};
use crate::domain::report::{arf_category, event_time, ReportFormat, ReportedEvent, MAX_INCIDENTS};
use mail_parser::MessageParser;
use std::net::IpAddr;
use time::OffsetDateTime;

/// The feedback fields kept for staff.
const KEPT: [&str; 9] = [
    "Feedback-Type",
    "User-Agent",
    "Version",
    "Source-IP",
    "Arrival-Date",
    "Incidents",
    "Reported-Domain",
    "Reported-URI",
    "Reporting-MTA",
];

/// Reads the body of a `message/feedback-report` part.
pub fn parse_feedback(fields: &[u8], now: OffsetDateTime) -> Result<ParsedReport, IntakeError> {
    let unreadable = |why: String| IntakeError::Unreadable(format!("ARF report: {why}"));
    let block = MessageParser::default()
        .parse_headers(fields)
        .ok_or_else(|| unreadable("the message/feedback-report part has no fields.".into()))?;
    let field = |name: &str| -> Option<String> {
        block
            .headers_raw()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|v| !v.is_empty())
    };
    let mut kept = Vec::new();
    for (name, value) in block.headers_raw() {
        if let Some(known) = KEPT.iter().find(|k| k.eq_ignore_ascii_case(name)) {
            keep(&mut kept, known, value);
        }
    }
    let feedback_type = field("Feedback-Type")
        .ok_or_else(|| unreadable("the Feedback-Type field is missing.".into()))?;
    if field("User-Agent").is_none() {
        return Err(unreadable(
            "the User-Agent field is missing (RFC 5965 §3.1).".into(),
        ));
    }
    match field("Version").as_deref() {
        Some("1") => {}
        Some(other) => return Err(unreadable(format!("Version {other:?} is not 1."))),
        None => {
            return Err(unreadable(
                "the Version field is missing (RFC 5965 §3.1).".into(),
            ))
        }
    }
    let category = arf_category(&feedback_type).map_err(unreadable)?;
    let source = field("Source-IP").ok_or_else(|| {
        unreadable(
            "the Source-IP field is missing; the portal matches reports to services by address."
                .into(),
        )
    })?;
    let ip: IpAddr = source
        .trim_matches(|c| c == '[' || c == ']')
        .parse()
        .map_err(|_| unreadable(format!("Source-IP {source:?} is not an IP address.")))?;
    let occurred_at = match field("Arrival-Date").or_else(|| field("Received-Date")) {
        Some(raw) => {
            let parsed = mail_parser::DateTime::parse_rfc822(&raw)
                .filter(|d| d.is_valid())
                .and_then(|d| OffsetDateTime::from_unix_timestamp(d.to_timestamp()).ok())
                .ok_or_else(|| {
                    unreadable(format!("Arrival-Date {raw:?} is not an RFC 5322 date."))
                })?;
            event_time(parsed, now).map_err(unreadable)?
        }
        None => now,
    };
    let incidents = match field("Incidents") {
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (1..=MAX_INCIDENTS).contains(&n) => n,
            _ => {
                return Err(unreadable(format!(
                    "Incidents {raw:?} is not a count from 1 to {MAX_INCIDENTS}."
                )))
            }
        },
        None => 1,
    };
    let mut detail = format!("ARF {feedback_type}");
    if let Some(domain) = field("Reported-Domain") {
        detail.push_str(&format!(", reported domain {domain}"));
    }
    if let Some(uri) = field("Reported-URI") {
        detail.push_str(&format!(
            ", reported URI {}",
            uri.chars().take(200).collect::<String>()
        ));
    }
    Ok(ParsedReport {
        format: ReportFormat::Arf,
        reporter: None,
        external_id: None,
        kept,
        events: vec![ReportedEvent {
            source: ip.to_string(),
            ip: Some(ip),
            occurred_at,
            category,
            incidents,
            detail,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::super::{parse_report, BodyKind};
    use super::*;
    use crate::domain::notice::NoticeCategory;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-27 12:00 UTC);

    /// An ARF report as RFC 5965 §B.2 shapes one (addresses from the documentation ranges).
    pub(crate) fn sample(feedback: &str) -> String {
        format!(
            "From: <fbl@mailbox-provider.example>\r\n\
             Date: Thu, 26 Nov 2026 08:00:00 +0000\r\n\
             Subject: FW: Earn money\r\n\
             To: <abuse@scalibit.example>\r\n\
             Message-ID: <arf-1@mailbox-provider.example>\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=feedback-report;\r\n\
             \tboundary=\"part1_13d.2e68ed54_boundary\"\r\n\
             \r\n\
             --part1_13d.2e68ed54_boundary\r\n\
             Content-Type: text/plain; charset=\"US-ASCII\"\r\n\
             Content-Transfer-Encoding: 7bit\r\n\
             \r\n\
             This is an email abuse report for an email message received from IP\r\n\
             192.0.2.1 on Thu, 26 Nov 2026 07:58:11 +0000.\r\n\
             \r\n\
             --part1_13d.2e68ed54_boundary\r\n\
             Content-Type: message/feedback-report\r\n\
             \r\n\
             {feedback}\r\n\
             --part1_13d.2e68ed54_boundary\r\n\
             Content-Type: message/rfc822\r\n\
             Content-Disposition: inline\r\n\
             \r\n\
             From: <somespammer@example.net>\r\n\
             Received: from mailserver.example.net (mailserver.example.net [192.0.2.1])\r\n\
             Subject: Earn money\r\n\
             To: <Undisclosed Recipients>\r\n\
             MIME-Version: 1.0\r\n\
             Content-type: text/plain\r\n\
             Message-ID: 8787KJKJ3K4J3K4J3K4J3.mail@example.net\r\n\
             \r\n\
             Spam Spam Spam SECRET-BODY-TEXT\r\n\
             --part1_13d.2e68ed54_boundary--\r\n"
        )
    }

    pub(crate) const FEEDBACK: &str = "Feedback-Type: abuse\r\n\
        User-Agent: SomeGenerator/1.0\r\n\
        Version: 1\r\n\
        Original-Mail-From: <somespammer@example.net>\r\n\
        Original-Rcpt-To: <user@example.com>\r\n\
        Arrival-Date: Thu, 26 Nov 2026 07:58:11 +0000\r\n\
        Reporting-MTA: dns; mail.example.com\r\n\
        Source-IP: 192.0.2.1\r\n\
        Incidents: 3\r\n\
        Reported-Domain: example.net\r\n\
        Reported-Uri: http://example.net/earn_money.html\r\n";

    #[test]
    fn an_rfc_5965_report_gives_its_event_and_keeps_no_payload() {
        let report = parse_report(sample(FEEDBACK).as_bytes(), BodyKind::Mail, NOW).unwrap();
        assert_eq!(report.format, ReportFormat::Arf);
        assert_eq!(
            report.reporter.as_deref(),
            Some("fbl@mailbox-provider.example")
        );
        assert_eq!(
            report.external_id.as_deref(),
            Some("arf-1@mailbox-provider.example")
        );
        let event = &report.events[0];
        assert_eq!(event.ip, Some("192.0.2.1".parse().unwrap()));
        assert_eq!(event.category, NoticeCategory::Spam);
        assert_eq!(event.incidents, 3);
        assert_eq!(event.occurred_at, datetime!(2026-11-26 07:58:11 UTC));
        assert!(
            event.detail.contains("reported domain example.net"),
            "{}",
            event.detail
        );
        let kept = format!("{:?}", report.kept);
        assert!(
            kept.contains("Feedback-Type") && kept.contains("Reported-URI"),
            "{kept}"
        );
        for secret in [
            "SECRET-BODY-TEXT",
            "user@example.com",
            "Original-Rcpt-To",
            "Undisclosed",
        ] {
            assert!(
                !kept.contains(secret) && !event.detail.contains(secret),
                "{secret} kept"
            );
        }
    }

    #[test]
    fn missing_or_bad_fields_say_which() {
        let cases = [
            ("Feedback-Type: abuse\r\nVersion: 1\r\nSource-IP: 192.0.2.1\r\n", "User-Agent field is missing"),
            ("Feedback-Type: abuse\r\nUser-Agent: x\r\nSource-IP: 192.0.2.1\r\n", "Version field is missing"),
            ("Feedback-Type: abuse\r\nUser-Agent: x\r\nVersion: 2\r\nSource-IP: 192.0.2.1\r\n", "Version \"2\""),
            ("User-Agent: x\r\nVersion: 1\r\nSource-IP: 192.0.2.1\r\n", "Feedback-Type field is missing"),
            ("Feedback-Type: abuse\r\nUser-Agent: x\r\nVersion: 1\r\n", "Source-IP field is missing"),
            ("Feedback-Type: abuse\r\nUser-Agent: x\r\nVersion: 1\r\nSource-IP: 300.1.2.3\r\n", "not an IP address"),
            ("Feedback-Type: not-spam\r\nUser-Agent: x\r\nVersion: 1\r\nSource-IP: 192.0.2.1\r\n", "not a complaint"),
            ("Feedback-Type: abuse\r\nUser-Agent: x\r\nVersion: 1\r\nSource-IP: 192.0.2.1\r\nIncidents: -4\r\n", "Incidents \"-4\""),
            ("Feedback-Type: abuse\r\nUser-Agent: x\r\nVersion: 1\r\nSource-IP: 192.0.2.1\r\nArrival-Date: yesterday-ish\r\n", "not an RFC 5322 date"),
            ("Feedback-Type: abuse\r\nUser-Agent: x\r\nVersion: 1\r\nSource-IP: 192.0.2.1\r\nArrival-Date: Thu, 26 Nov 2099 07:58:11 +0000\r\n", "in the future"),
        ];
        for (feedback, expected) in cases {
            let err = parse_report(sample(feedback).as_bytes(), BodyKind::Mail, NOW).unwrap_err();
            assert!(err.to_string().contains(expected), "{feedback:?}: {err}");
            assert!(err.to_string().starts_with("ARF report: "), "{err}");
        }
    }

    #[test]
    fn ipv6_sources_and_a_missing_arrival_date_are_fine() {
        let feedback =
            "Feedback-Type: virus\r\nUser-Agent: x\r\nVersion: 1\r\nSource-IP: [2001:db8::25]\r\n";
        let report = parse_report(sample(feedback).as_bytes(), BodyKind::Sniff, NOW).unwrap();
        assert_eq!(report.events[0].ip, Some("2001:db8::25".parse().unwrap()));
        assert_eq!(report.events[0].occurred_at, NOW);
        assert_eq!(report.events[0].category, NoticeCategory::Malware);
    }

    #[test]
    fn a_truncated_report_fails_with_a_reason() {
        let full = sample(FEEDBACK);
        for cut in [40, full.len() / 3, full.find("Feedback-Type").unwrap() + 5] {
            let result = parse_report(&full.as_bytes()[..cut], BodyKind::Mail, NOW);
            assert!(result.is_err(), "cut at {cut} gave {result:?}");
        }
    }

    #[test]
    fn bad_encodings_do_not_crash() {
        let mut bytes = sample(FEEDBACK).into_bytes();
        let at = bytes.len() / 2;
        bytes.splice(at..at, [0xff, 0xfe, 0xc3, 0x28, 0x00]);
        let _ = parse_report(&bytes, BodyKind::Mail, NOW);
        // A quoted-printable feedback part is decoded before its fields are read.
        let qp = sample(FEEDBACK)
            .replace(
                "Content-Type: message/feedback-report\r\n",
                "Content-Type: message/feedback-report\r\nContent-Transfer-Encoding: quoted-printable\r\n",
            )
            .replace("Source-IP: 192.0.2.1", "Source-IP: 192.0.=\r\n2.1");
        let report = parse_report(qp.as_bytes(), BodyKind::Mail, NOW).unwrap();
        assert_eq!(report.events[0].ip, Some("192.0.2.1".parse().unwrap()));
    }
}
