//! Times as people read them: always UTC, to the minute, with the zone named.

use time::macros::format_description;
use time::OffsetDateTime;

/// `2026-11-26 09:00 UTC`.
pub fn utc(t: OffsetDateTime) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    #[test]
    fn formats_in_utc() {
        assert_eq!(
            super::utc(datetime!(2026-11-26 11:30 +02:00)),
            "2026-11-26 09:30 UTC"
        );
    }
}
