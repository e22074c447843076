//! Any bytes read as a mail report (ARF, or X-ARF inside a mail): the parser answers with a
//! report or a reason, never a panic or a hang.
#![no_main]

use abuse_portal::server::intake::{parse_report, BodyKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = time::OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("a valid time");
    if let Ok(report) = parse_report(data, BodyKind::Mail, now) {
        assert!(!report.events.is_empty(), "a report read names at least one event");
    }
});
