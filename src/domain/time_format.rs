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

/// `2026-11-26T09:00` (an HTML `datetime-local` value), in UTC.
pub fn input_value(t: OffsetDateTime) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    t.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_default()
}

/// Reads a `datetime-local` value (`2026-11-26T09:00`, seconds optional) as a UTC time.
pub fn parse_input(raw: &str) -> Option<OffsetDateTime> {
    let raw = raw.trim();
    let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(raw, &minutes)
        .or_else(|_| time::PrimitiveDateTime::parse(raw, &seconds))
        .ok()
        .map(|t| t.assume_utc())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    #[test]
    fn input_values_round_trip() {
        let t = datetime!(2026-11-26 09:05 UTC);
        assert_eq!(super::input_value(t), "2026-11-26T09:05");
        assert_eq!(super::parse_input("2026-11-26T09:05"), Some(t));
        assert_eq!(super::parse_input("2026-11-26T09:05:00"), Some(t));
        assert_eq!(super::parse_input("26/11/2026"), None);
    }

    #[test]
    fn formats_in_utc() {
        assert_eq!(
            super::utc(datetime!(2026-11-26 11:30 +02:00)),
            "2026-11-26 09:30 UTC"
        );
    }
}
