//! Times as records keep them (UTC, to the minute, the zone named: audit entries, stored
//! summaries, formal documents), and waits in words. Times shown to a person are written in
//! their own zone by [`super::zone::Zone`].

use time::macros::format_description;
use time::OffsetDateTime;

/// `2026-11-26 09:00 UTC`.
pub fn utc(t: OffsetDateTime) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_else(|_| t.to_string())
}

/// A wait as people say it: `1 second`, `30 seconds`, `1 minute`, `15 minutes`, `2 hours 5 minutes`.
/// Waits of a minute or more are rounded up to whole minutes, so the wait is never understated.
pub fn wait_in_words(seconds: u64) -> String {
    fn unit(n: u64, one: &str) -> String {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    }
    if seconds < 60 {
        return unit(seconds.max(1), "second");
    }
    let minutes = seconds.div_ceil(60);
    match (minutes / 60, minutes % 60) {
        (0, m) => unit(m, "minute"),
        (h, 0) => unit(h, "hour"),
        (h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    #[test]
    fn waits_read_like_speech() {
        use super::wait_in_words as w;
        assert_eq!(w(0), "1 second");
        assert_eq!(w(1), "1 second");
        assert_eq!(w(30), "30 seconds");
        assert_eq!(w(60), "1 minute");
        assert_eq!(w(61), "2 minutes");
        assert_eq!(w(900), "15 minutes");
        assert_eq!(w(3600), "1 hour");
        assert_eq!(w(3900), "1 hour 5 minutes");
        assert_eq!(w(7200), "2 hours");
    }

    #[test]
    fn formats_in_utc() {
        assert_eq!(
            super::utc(datetime!(2026-11-26 11:30 +02:00)),
            "2026-11-26 09:30 UTC"
        );
    }
}
