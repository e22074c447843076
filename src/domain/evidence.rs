//! Remediation evidence: the written statement, the typed files, their limits, and what a file
//! really is (by its content, never its name). The provider keeps no message payloads (policy §7):
//! the upload form says so, and only the file types evidence needs are accepted.

use super::names::named_enum;
use serde::{Deserialize, Serialize};

named_enum!(
    /// What a file is offered as.
    EvidenceFileKind, "evidence file kind" {
        /// An excerpt of a server log.
        LogExcerpt = "log_excerpt", "Log excerpt";
        /// A malware scan report.
        MalwareScan = "malware_scan", "Malware scan";
        /// Proof of removal from a blacklist.
        DelistingProof = "delisting_proof", "Blacklist delisting proof";
        /// A configuration change (diff, screenshot).
        ConfigurationChange = "configuration_change", "Configuration change";
        /// Anything else.
        Other = "other", "Other";
    }
);

named_enum!(
    /// A file's type, as found in its content.
    DetectedType, "detected type" {
        /// PNG image.
        Png = "image/png", "PNG image";
        /// JPEG image.
        Jpeg = "image/jpeg", "JPEG image";
        /// GIF image.
        Gif = "image/gif", "GIF image";
        /// WebP image.
        Webp = "image/webp", "WebP image";
        /// PDF document.
        Pdf = "application/pdf", "PDF document";
        /// Plain text, a log or CSV (UTF-8, no binary bytes, no markup).
        Text = "text/plain", "Plain text";
    }
);

impl DetectedType {
    /// The MIME type served with the file.
    pub fn mime(self) -> &'static str {
        self.as_str()
    }
}

/// Why a file's content was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SniffError {
    /// Empty file.
    #[error("The file is empty.")]
    Empty,
    /// Not an accepted type (images, PDF, plain text, logs, CSV).
    #[error(
        "This file is not an image, a PDF or plain text (logs, CSV); other types are not accepted."
    )]
    NotAccepted,
    /// Text that is HTML, SVG or script, which could run in a browser.
    #[error("Web pages, SVG and scripts are not accepted; save it as PDF or plain text.")]
    Markup,
}

/// What the content of a file is, judged from its first bytes (`head`, at least the first 8 KiB
/// or the whole file when smaller).
pub fn sniff(head: &[u8]) -> Result<DetectedType, SniffError> {
    if head.is_empty() {
        return Err(SniffError::Empty);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(DetectedType::Png);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(DetectedType::Jpeg);
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Ok(DetectedType::Gif);
    }
    if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        return Ok(DetectedType::Webp);
    }
    if head.starts_with(b"%PDF-") {
        return Ok(DetectedType::Pdf);
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // The head may end inside a multi-byte character: judge only the complete part.
    let valid = match std::str::from_utf8(text) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&text[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return Err(SniffError::NotAccepted),
    };
    let binary = valid
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'));
    if valid.is_empty() || binary {
        return Err(SniffError::NotAccepted);
    }
    let start = valid.trim_start().to_ascii_lowercase();
    let markup = [
        "<!doctype",
        "<html",
        "<svg",
        "<script",
        "<?xml",
        "<head",
        "<body",
        "<iframe",
    ];
    if markup.iter().any(|m| start.starts_with(m)) || start.contains("<script") {
        return Err(SniffError::Markup);
    }
    Ok(DetectedType::Text)
}

/// What the browser can tell before sending a file: whether its declared type (and name) rule
/// it out. Only clear cases are refused here; the server judges every file by its content.
pub fn check_declared(name: &str, declared_type: &str) -> Result<(), SniffError> {
    let declared = declared_type.trim().to_ascii_lowercase();
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    const MARKUP_TYPES: [&str; 6] = [
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/javascript",
        "application/javascript",
        "application/xml",
    ];
    const MARKUP_EXTENSIONS: [&str; 8] = ["html", "htm", "xhtml", "svg", "js", "mjs", "xml", "hta"];
    if MARKUP_TYPES.contains(&declared.as_str()) || MARKUP_EXTENSIONS.contains(&extension.as_str())
    {
        return Err(SniffError::Markup);
    }
    let accepted = match declared.split_once('/') {
        _ if declared.is_empty() || declared == "application/octet-stream" => true,
        Some(("image", sub)) => matches!(sub, "png" | "jpeg" | "gif" | "webp"),
        Some(("text", _)) => true,
        Some(("application", sub)) => matches!(sub, "pdf" | "json"),
        _ => false,
    };
    if accepted {
        Ok(())
    } else {
        Err(SniffError::NotAccepted)
    }
}

/// Upload limits (configurable; policy defaults below).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceLimits {
    /// Largest single file.
    pub max_file_bytes: u64,
    /// Largest submission, all files together.
    pub max_submission_bytes: u64,
    /// Most files in one submission.
    pub max_files: usize,
    /// Evidence one organisation may keep in all, every submission together.
    pub org_quota_bytes: u64,
}

impl Default for EvidenceLimits {
    fn default() -> Self {
        EvidenceLimits {
            max_file_bytes: 10 * 1024 * 1024,
            max_submission_bytes: 25 * 1024 * 1024,
            max_files: 10,
            org_quota_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// A submission over its limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// Too many files.
    #[error("Attach at most {max} files to one submission.")]
    TooManyFiles {
        /// The limit.
        max: usize,
    },
    /// One file too large.
    #[error("{name} is larger than the {limit} limit for one file.", limit = mib(*max))]
    FileTooLarge {
        /// The file's display name.
        name: String,
        /// The limit in bytes.
        max: u64,
    },
    /// All files together too large.
    #[error("The files together are larger than the {limit} limit for one submission.", limit = mib(*max))]
    SubmissionTooLarge {
        /// The limit in bytes.
        max: u64,
    },
    /// The organisation's evidence storage would overflow.
    #[error("Your organisation's evidence storage is full: {used} of {quota} used, and these files need {needed}. Attach smaller files (for example excerpts of the logs), or ask the abuse desk for room.", used = size_text(*used), quota = size_text(*quota), needed = size_text(*needed))]
    QuotaReached {
        /// Bytes the organisation already keeps.
        used: u64,
        /// Its quota.
        quota: u64,
        /// Bytes this submission needs (at least).
        needed: u64,
    },
}

/// A size in words: "512 bytes", "14.2 KiB", "3.0 MiB", "1.5 GiB".
pub fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    const GIB: u64 = 1024 * MIB;
    match bytes {
        b if b < KIB => format!("{b} bytes"),
        b if b < MIB => format!("{:.1} KiB", b as f64 / KIB as f64),
        b if b < GIB => format!("{:.1} MiB", b as f64 / MIB as f64),
        b => format!("{:.1} GiB", b as f64 / GIB as f64),
    }
}

fn mib(bytes: u64) -> String {
    if bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

impl EvidenceLimits {
    /// Whether `needed` more bytes fit beside the `used` bytes the organisation keeps.
    pub fn check_quota(&self, used: u64, needed: u64) -> Result<(), LimitError> {
        if used.saturating_add(needed) > self.org_quota_bytes {
            Err(LimitError::QuotaReached {
                used,
                quota: self.org_quota_bytes,
                needed,
            })
        } else {
            Ok(())
        }
    }

    /// Checks one more file of `size` bytes, after `files_so_far` files totalling `bytes_so_far`.
    pub fn check_next(
        &self,
        name: &str,
        size: u64,
        files_so_far: usize,
        bytes_so_far: u64,
    ) -> Result<(), LimitError> {
        if files_so_far + 1 > self.max_files {
            Err(LimitError::TooManyFiles {
                max: self.max_files,
            })
        } else if size > self.max_file_bytes {
            Err(LimitError::FileTooLarge {
                name: name.to_owned(),
                max: self.max_file_bytes,
            })
        } else if bytes_so_far + size > self.max_submission_bytes {
            Err(LimitError::SubmissionTooLarge {
                max: self.max_submission_bytes,
            })
        } else {
            Ok(())
        }
    }
}

/// A file name as shown to people: the last path component, without control characters, at most
/// 200 characters. Never used to build a path: files are stored by content hash.
pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim().trim_start_matches('.').to_owned();
    if clean.is_empty() {
        "unnamed file".to_owned()
    } else {
        clean
    }
}

/// The customer's written statement: what caused the abuse, what was fixed, how it is prevented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// The cause.
    pub cause: String,
    /// The fix.
    pub fix: String,
    /// The prevention.
    pub prevention: String,
}

/// A statement field that is missing or too long; `field` names the form field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StatementError {
    /// `cause`, `fix` or `prevention`.
    pub field: &'static str,
    /// What to do.
    pub message: String,
}

impl Statement {
    /// Shortest useful answer per field.
    pub const MIN_CHARS: usize = 20;
    /// Longest answer per field.
    pub const MAX_CHARS: usize = 5_000;

    /// A field as typed, cut to the longest answer accepted, for keeping a refused statement
    /// without keeping more than a valid one could hold.
    pub fn draft_field(raw: &str) -> String {
        raw.chars().take(Self::MAX_CHARS).collect()
    }

    /// Checks the three answers.
    pub fn parse(cause: &str, fix: &str, prevention: &str) -> Result<Statement, StatementError> {
        let check =
            |field: &'static str, label: &str, raw: &str| -> Result<String, StatementError> {
                let text = raw.trim();
                let n = text.chars().count();
                if n < Self::MIN_CHARS {
                    Err(StatementError {
                        field,
                        message: format!(
                            "Describe {label} in at least {} characters.",
                            Self::MIN_CHARS
                        ),
                    })
                } else if n > Self::MAX_CHARS {
                    Err(StatementError {
                        field,
                        message: format!("Keep {label} under {} characters.", Self::MAX_CHARS),
                    })
                } else {
                    Ok(text.to_owned())
                }
            };
        Ok(Statement {
            cause: check("cause", "the cause", cause)?,
            fix: check("fix", "the fix", fix)?,
            prevention: check(
                "prevention",
                "how you prevent it from happening again",
                prevention,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_refuse_only_clear_cases() {
        assert_eq!(check_declared("mail.log", ""), Ok(()));
        assert_eq!(check_declared("scan.pdf", "application/pdf"), Ok(()));
        assert_eq!(check_declared("shot.PNG", "image/png"), Ok(()));
        assert_eq!(check_declared("data.csv", "text/csv"), Ok(()));
        assert_eq!(
            check_declared("dump.bin", "application/octet-stream"),
            Ok(())
        );
        assert_eq!(
            check_declared("page.html", "text/html"),
            Err(SniffError::Markup)
        );
        assert_eq!(check_declared("logo.svg", ""), Err(SniffError::Markup));
        assert_eq!(
            check_declared("tool.exe", "application/x-msdownload"),
            Err(SniffError::NotAccepted)
        );
        assert_eq!(
            check_declared("logs.zip", "application/zip"),
            Err(SniffError::NotAccepted)
        );
        assert_eq!(
            check_declared("photo.bmp", "image/bmp"),
            Err(SniffError::NotAccepted)
        );
        assert_eq!(
            check_declared("call.mp3", "audio/mpeg"),
            Err(SniffError::NotAccepted)
        );
    }

    #[test]
    fn the_quota_counts_what_is_kept_and_what_comes() {
        let limits = EvidenceLimits {
            org_quota_bytes: 100,
            ..Default::default()
        };
        assert_eq!(limits.check_quota(60, 40), Ok(()));
        let full = limits.check_quota(60, 41).unwrap_err();
        assert_eq!(
            full,
            LimitError::QuotaReached {
                used: 60,
                quota: 100,
                needed: 41
            }
        );
        assert!(
            full.to_string().contains("60 bytes of 100 bytes used"),
            "{full}"
        );
        assert!(limits.check_quota(u64::MAX, 1).is_err(), "no overflow");
    }

    #[test]
    fn sizes_in_words() {
        assert_eq!(size_text(512), "512 bytes");
        assert_eq!(size_text(14 * 1024 + 200), "14.2 KiB");
        assert_eq!(size_text(3 * 1024 * 1024), "3.0 MiB");
        assert_eq!(size_text(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
    }

    #[test]
    fn drafts_keep_at_most_what_a_statement_may_hold() {
        let long = "é".repeat(Statement::MAX_CHARS + 10);
        assert_eq!(
            Statement::draft_field(&long).chars().count(),
            Statement::MAX_CHARS
        );
        assert_eq!(Statement::draft_field("short"), "short");
    }

    #[test]
    fn images_and_pdf_by_magic_bytes() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Ok(DetectedType::Png)
        );
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Ok(DetectedType::Jpeg)
        );
        assert_eq!(sniff(b"GIF89a\x01\x00"), Ok(DetectedType::Gif));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Ok(DetectedType::Webp));
        assert_eq!(sniff(b"%PDF-1.7\n%\xE2\xE3"), Ok(DetectedType::Pdf));
    }

    #[test]
    fn logs_and_csv_are_text() {
        assert_eq!(
            sniff(b"Nov 24 10:00:01 mail postfix/smtpd[123]: connect from unknown\n"),
            Ok(DetectedType::Text)
        );
        assert_eq!(
            sniff(b"\xEF\xBB\xBFip,count\n203.0.113.25,5120\n"),
            Ok(DetectedType::Text)
        );
        assert_eq!(
            sniff("caf\u{e9}\tr\u{e9}sum\u{e9}\r\n".as_bytes()),
            Ok(DetectedType::Text)
        );
        // A head cut inside a multi-byte character is still text.
        let cut = "ab\u{e9}".as_bytes();
        assert_eq!(sniff(&cut[..3]), Ok(DetectedType::Text));
    }

    #[test]
    fn disguised_and_dangerous_files_are_refused() {
        assert_eq!(
            sniff(b"MZ\x90\0\x03\0\0\0"),
            Err(SniffError::NotAccepted),
            "a Windows executable named .pdf"
        );
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01"), Err(SniffError::NotAccepted));
        assert_eq!(
            sniff(b"PK\x03\x04\x14\0"),
            Err(SniffError::NotAccepted),
            "zip archives"
        );
        assert_eq!(sniff(b"<!DOCTYPE html><html>"), Err(SniffError::Markup));
        assert_eq!(
            sniff(b"  <svg xmlns='http://www.w3.org/2000/svg'>"),
            Err(SniffError::Markup)
        );
        assert_eq!(
            sniff(b"log line\n<script>alert(1)</script>"),
            Err(SniffError::Markup)
        );
        assert_eq!(sniff(b""), Err(SniffError::Empty));
        assert_eq!(sniff(b"text with a \0 byte"), Err(SniffError::NotAccepted));
    }

    #[test]
    fn limits_at_their_edges() {
        let l = EvidenceLimits::default();
        let mib = 1024 * 1024;
        assert_eq!(l.check_next("a.log", 10 * mib, 0, 0), Ok(()));
        assert!(matches!(
            l.check_next("a.log", 10 * mib + 1, 0, 0),
            Err(LimitError::FileTooLarge { .. })
        ));
        assert_eq!(l.check_next("c.log", 5 * mib, 2, 20 * mib), Ok(()));
        assert_eq!(
            l.check_next("c.log", 5 * mib + 1, 2, 20 * mib),
            Err(LimitError::SubmissionTooLarge { max: 25 * mib })
        );
        assert_eq!(
            l.check_next("k.log", 1, 10, 10),
            Err(LimitError::TooManyFiles { max: 10 })
        );
        assert_eq!(
            l.check_next("big.pdf", 11 * mib, 0, 0)
                .unwrap_err()
                .to_string(),
            "big.pdf is larger than the 10 MiB limit for one file."
        );
    }

    #[test]
    fn file_names_are_only_for_display() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\me\\scan.pdf"), "scan.pdf");
        assert_eq!(display_name(".htaccess"), "htaccess");
        assert_eq!(display_name("a\u{0}b\nc.log"), "abc.log");
        assert_eq!(display_name("///"), "unnamed file");
        assert_eq!(display_name(&"x".repeat(300)).len(), 200);
    }

    #[test]
    fn statements_need_all_three_answers() {
        let ok = "x".repeat(20);
        assert!(Statement::parse(&ok, &ok, &ok).is_ok());
        let err = Statement::parse(&ok, "too short", &ok).unwrap_err();
        assert_eq!(err.field, "fix");
        assert_eq!(
            Statement::parse(&ok, &ok, &"y".repeat(5_001))
                .unwrap_err()
                .field,
            "prevention"
        );
    }
}
