//! Any bytes read as an X-ARF JSON report: a report or a reason, never a panic or a hang.
#![no_main]

use abuse_portal::server::intake::{parse_report, BodyKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = time::OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("a valid time");
    if let Ok(report) = parse_report(data, BodyKind::Json, now) {
        assert!(report.events.iter().all(|e| e.incidents >= 1 && e.occurred_at <= now + time::Duration::minutes(15)));
    }
});
