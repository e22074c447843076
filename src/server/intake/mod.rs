//! Reading abuse reports: ARF (RFC 5965) mails and X-ARF v4 JSON, alone or inside a mail, into
//! the events they name. A report that cannot be read gives an [`IntakeError`] with the exact
//! reason, which the intake keeps and shows to staff; nothing is dropped silently.
//!
//! What is kept of a report (policy §7, no message payloads): the report's own headers `From`,
//! `Subject`, `Date` and `Message-ID`; of an ARF report the feedback fields `Feedback-Type`,
//! `User-Agent`, `Version`, `Source-IP`, `Arrival-Date`, `Incidents`, `Reported-Domain`,
//! `Reported-URI` and `Reporting-MTA`; of an X-ARF report its `report_id`, `reporter`, `sender`,
//! `category`, `type`, `source_identifier`, `source_port`, `timestamp` and `description`.
//! The reported message (its body, its recipients) and X-ARF evidence payloads are never kept.

pub mod arf;
pub mod mailbox;
pub mod xarf;

use crate::domain::report::{ReportFormat, ReportedEvent, MAX_REPORT_BYTES};
use mail_parser::{MessageParser, MimeHeaders};
use time::OffsetDateTime;

/// The most MIME parts a report may have (an ARF report has three).
pub const MAX_PARTS: usize = 64;
/// The deepest nesting of multiparts and attached messages accepted.
pub const MAX_DEPTH: usize = 8;
/// The longest header block of a report, in bytes.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// The longest value kept of one field.
const MAX_KEPT_VALUE: usize = 500;

/// A report read: its format, who sent it, the fields kept for staff, and its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedReport {
    /// ARF or X-ARF.
    pub format: ReportFormat,
    /// Who reported (an e-mail address or an organisation), when the report says.
    pub reporter: Option<String>,
    /// The report's own identifier (X-ARF `report_id`, the mail's Message-ID).
    pub external_id: Option<String>,
    /// The fields kept, in order (name, value).
    pub kept: Vec<(String, String)>,
    /// The events it names (at least one).
    pub events: Vec<ReportedEvent>,
}

/// Why a report could not be read; the message is for staff and for the API client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    /// Nothing was sent.
    #[error("The report is empty.")]
    Empty,
    /// Larger than [`MAX_REPORT_BYTES`].
    #[error("The report is {0} bytes; the largest accepted is {max} bytes.", max = MAX_REPORT_BYTES)]
    TooLarge(usize),
    /// Not a report the portal can read, with the reason.
    #[error("{0}")]
    Unreadable(String),
}

impl IntakeError {
    fn unreadable(reason: impl Into<String>) -> Self {
        IntakeError::Unreadable(reason.into())
    }
}

/// What the sender said the body is, when it said (the API's Content-Type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json`: X-ARF.
    Json,
    /// `message/rfc822` or `multipart/report`: a mail.
    Mail,
    /// Unknown: decided from the bytes.
    Sniff,
}

/// Reads a report: an X-ARF JSON document, or a mail holding an ARF feedback report or an X-ARF
/// JSON part. `now` bounds the event times (none in the future).
pub fn parse_report(
    bytes: &[u8],
    kind: BodyKind,
    now: OffsetDateTime,
) -> Result<ParsedReport, IntakeError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IntakeError::Empty);
    }
    if bytes.len() > MAX_REPORT_BYTES {
        return Err(IntakeError::TooLarge(bytes.len()));
    }
    let looks_json = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    match kind {
        BodyKind::Json => xarf::parse(bytes, now),
        BodyKind::Sniff if looks_json => xarf::parse(bytes, now),
        _ => parse_mail(bytes, now),
    }
}

/// Reads a mail: an ARF report (a `message/feedback-report` part), else an X-ARF JSON part.
fn parse_mail(bytes: &[u8], now: OffsetDateTime) -> Result<ParsedReport, IntakeError> {
    precheck_mail(bytes)?;
    let message = guarded(|| MessageParser::default().parse(bytes))?.ok_or_else(|| {
        IntakeError::unreadable("This is not a mail message: no header was found.")
    })?;
    if message.parts.len() > MAX_PARTS {
        return Err(IntakeError::unreadable(format!(
            "The message has {} MIME parts; a report has at most {MAX_PARTS}.",
            message.parts.len()
        )));
    }
    let mut kept = Vec::new();
    for name in ["From", "Subject", "Date", "Message-ID"] {
        if let Some(value) = message.header_raw(name) {
            keep(&mut kept, name, value);
        }
    }
    let reporter = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_owned);
    let external_id = message.message_id().map(str::to_owned);
    // The report's own parts only: an attached (reported) message keeps its parts to itself
    // (mail-parser nests them inside its `PartType::Message`), and they are its payload.
    let mut feedback = None;
    let mut json = None;
    for part in &message.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let (ctype, subtype) = (
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or("").to_ascii_lowercase(),
        );
        if ctype == "message" && subtype == "feedback-report" && feedback.is_none() {
            feedback = Some(part.contents());
        } else if json.is_none()
            && ((ctype == "application" && subtype == "json")
                || (ctype == "text" && looks_like_xarf(part.contents())))
        {
            json = Some(part.contents());
        }
    }
    if let Some(fields) = feedback {
        let mut report = arf::parse_feedback(fields, now)?;
        kept.append(&mut report.kept);
        report.kept = kept;
        report.reporter = report.reporter.or(reporter);
        report.external_id = external_id;
        return Ok(report);
    }
    if let Some(body) = json {
        let mut report = xarf::parse(body, now)?;
        kept.append(&mut report.kept);
        report.kept = kept;
        report.reporter = report.reporter.or(reporter);
        return Ok(report);
    }
    Err(IntakeError::unreadable(
        "The mail holds neither an ARF report (no message/feedback-report part) nor an X-ARF report (no JSON part).",
    ))
}

/// What is kept of a report that could not be read, so staff can tell who sent it: the mail
/// headers `From`, `Subject`, `Date` and `Message-ID` when it has them (nothing of JSON or of a
/// message whose headers are refused).
pub fn outer_headers(bytes: &[u8]) -> Vec<(String, String)> {
    let mut kept = Vec::new();
    if bytes.len() > MAX_REPORT_BYTES || precheck_mail(bytes).is_err() {
        return kept;
    }
    if let Ok(Some(message)) = guarded(|| MessageParser::default().parse_headers(bytes)) {
        for name in ["From", "Subject", "Date", "Message-ID"] {
            if let Some(value) = message.header_raw(name) {
                keep(&mut kept, name, value);
            }
        }
    }
    kept
}

/// Runs the MIME parser so that a panic inside it (a fuzzer found input that trips an internal
/// assertion of mail-parser in builds with debug assertions) refuses the report instead of
/// taking the request down.
fn guarded<T>(parse: impl FnOnce() -> T) -> Result<T, IntakeError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)).map_err(|_| {
        IntakeError::unreadable("The message's MIME structure is malformed: it could not be read.")
    })
}

fn looks_like_xarf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
        && head.windows(12).any(|w| w == b"xarf_version")
}

/// Refuses, before any MIME parsing, what no report looks like: a header block too large, or
/// multiparts nested too deeply (a hostile message can nest thousands).
fn precheck_mail(bytes: &[u8]) -> Result<(), IntakeError> {
    let header_end = find(bytes, b"\r\n\r\n")
        .or_else(|| find(bytes, b"\n\n"))
        .unwrap_or(bytes.len());
    if header_end > MAX_HEADER_BYTES {
        return Err(IntakeError::unreadable(format!(
            "The message's headers take {header_end} bytes; at most {MAX_HEADER_BYTES} are accepted."
        )));
    }
    // Each multipart or attached message opens a level; count the declarations.
    let mut depth = 0usize;
    let lower: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
    let mut at = 0;
    while let Some(i) = find(&lower[at..], b"content-type:") {
        at += i + 13;
        let value = &lower[at..lower.len().min(at + 200)];
        let value = value.trim_ascii_start();
        if value.starts_with(b"multipart/") || value.starts_with(b"message/rfc822") {
            depth += 1;
            if depth > MAX_DEPTH * 4 {
                return Err(IntakeError::unreadable(format!(
                    "The message nests more than {} multiparts or messages; a report needs a few.",
                    MAX_DEPTH * 4
                )));
            }
        }
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Keeps a field for staff: trimmed, unfolded, without control characters, and cut short.
fn keep(kept: &mut Vec<(String, String)>, name: &str, value: &str) {
    let clean: String = value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_KEPT_VALUE)
        .collect();
    if !clean.is_empty() {
        kept.push((name.to_owned(), clean));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-27 12:00 UTC);

    #[test]
    fn empty_and_oversized_reports_are_refused() {
        assert_eq!(
            parse_report(b"  \n", BodyKind::Sniff, NOW),
            Err(IntakeError::Empty)
        );
        let big = vec![b'a'; MAX_REPORT_BYTES + 1];
        assert_eq!(
            parse_report(&big, BodyKind::Mail, NOW),
            Err(IntakeError::TooLarge(MAX_REPORT_BYTES + 1))
        );
    }

    #[test]
    fn a_mail_that_is_no_report_says_so() {
        let err = parse_report(
            b"From: a@example.org\r\nSubject: hello\r\n\r\nJust a note.\r\n",
            BodyKind::Mail,
            NOW,
        )
        .unwrap_err();
        assert!(err.to_string().contains("neither an ARF report"), "{err}");
        let err = parse_report(b"\x00\x01\x02 binary", BodyKind::Mail, NOW).unwrap_err();
        assert!(matches!(err, IntakeError::Unreadable(_)), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let mut mail = String::from("From: a@example.org\r\n");
        for i in 0..5_000 {
            mail.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
            ));
        }
        let started = std::time::Instant::now();
        let err = parse_report(mail.as_bytes(), BodyKind::Mail, NOW).unwrap_err();
        assert!(err.to_string().contains("nests more than"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn input_the_fuzzer_found_is_refused_or_read_never_a_crash() {
        // A mangled ARF report that trips an assertion inside mail-parser (debug builds).
        let found = include_bytes!("../../../fuzz/seeds/arf/regression-mail-parser-part-id.eml");
        let outcome = parse_report(found, BodyKind::Mail, NOW);
        assert!(
            outcome
                .as_ref()
                .is_err_and(|e| e.to_string().contains("MIME structure is malformed")),
            "{outcome:?}"
        );
        let _ = outer_headers(found);
    }

    #[test]
    fn huge_headers_are_refused() {
        let mail = format!("Subject: {}\r\n\r\nbody", "x".repeat(MAX_HEADER_BYTES + 10));
        let err = parse_report(mail.as_bytes(), BodyKind::Mail, NOW).unwrap_err();
        assert!(err.to_string().contains("headers take"), "{err}");
    }

    #[test]
    fn kept_values_are_clean_and_short() {
        let mut kept = Vec::new();
        keep(&mut kept, "Subject", "  a\r\n\tfolded\u{7} value ");
        keep(&mut kept, "Empty", "   ");
        keep(&mut kept, "Long", &"y".repeat(2_000));
        assert_eq!(kept[0], ("Subject".into(), "a folded value".into()));
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[1].1.chars().count(), MAX_KEPT_VALUE);
    }
}
