//! Time zones people read times in: each user picks one (an IANA name such as `Europe/Berlin`,
//! or `UTC`), and every time the portal shows them, or mails them, is written in it with the
//! zone's abbreviation, so that a time is never ambiguous. Times are stored in UTC; a zone only
//! changes how they are written and how a typed time is read. The zone database is compiled in
//! (jiff's bundled copy of the IANA database), so every machine reads times the same way.

use std::fmt;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// A time zone by its IANA name.
#[derive(Clone, PartialEq, Eq)]
pub struct Zone {
    name: String,
    tz: jiff::tz::TimeZone,
}

/// A zone name that is not in the time zone database, or not one people pick.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a time zone we know; pick one from the list, such as Europe/Berlin or UTC.")]
pub struct UnknownZone(pub String);

/// The regions whose zones are offered: the IANA database's geographic zones.
const REGIONS: [&str; 10] = [
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
];

impl Zone {
    /// Coordinated Universal Time, every account's zone until its user picks another.
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            tz: jiff::tz::TimeZone::UTC,
        }
    }

    /// The zone of this name, in its canonical spelling (`europe/berlin` is `Europe/Berlin`).
    pub fn named(name: &str) -> Result<Zone, UnknownZone> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("UTC") {
            return Ok(Zone::utc());
        }
        let unknown = || UnknownZone(name.to_owned());
        let tz = jiff::tz::TimeZone::get(name).map_err(|_| unknown())?;
        let canonical = tz.iana_name().ok_or_else(unknown)?.to_owned();
        if !is_offered(&canonical) {
            return Err(unknown());
        }
        Ok(Zone {
            name: canonical,
            tz,
        })
    }

    /// The zone stored for an account: its name, or UTC when the stored name is no longer in
    /// the database (a zone can be renamed between releases of the database).
    pub fn stored(name: &str) -> Zone {
        Zone::named(name).unwrap_or_else(|_| Zone::utc())
    }

    /// The IANA name, as stored.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this is UTC.
    pub fn is_utc(&self) -> bool {
        self.name == "UTC"
    }

    /// Every zone people can pick, sorted: UTC first, then the geographic zones by name. Read
    /// from the compiled-in database once per process.
    pub fn all_names() -> &'static [String] {
        static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        NAMES.get_or_init(|| {
            let mut names: Vec<String> = jiff::tz::db()
                .available()
                .map(|n| n.as_str().to_owned())
                .filter(|n| is_offered(n))
                .collect();
            names.sort();
            names.dedup();
            names.insert(0, "UTC".into());
            names
        })
    }

    /// The offset from UTC at `t`.
    fn offset_at(&self, t: OffsetDateTime) -> UtcOffset {
        let seconds = jiff::Timestamp::from_second(t.unix_timestamp())
            .map(|ts| self.tz.to_offset(ts).seconds())
            .unwrap_or(0);
        UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
    }

    /// The zone's abbreviation at `t` (`CET`, `EDT`), or the offset (`UTC+03:00`) where the
    /// database has only numbers for it.
    fn label_at(&self, t: OffsetDateTime) -> String {
        if self.is_utc() {
            return "UTC".into();
        }
        let abbreviation = jiff::Timestamp::from_second(t.unix_timestamp())
            .map(|ts| self.tz.to_offset_info(ts).abbreviation().to_owned())
            .unwrap_or_default();
        if !abbreviation.is_empty() && abbreviation.chars().all(|c| c.is_ascii_alphabetic()) {
            return abbreviation;
        }
        let offset = self.offset_at(t);
        let (h, m, _) = offset.as_hms();
        let sign = if offset.is_negative() { '-' } else { '+' };
        format!("UTC{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
    }

    /// `t` to the minute in this zone, the zone named: `2026-11-26 10:00 CET`.
    pub fn show(&self, t: OffsetDateTime) -> String {
        let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]");
        let local = t
            .to_offset(self.offset_at(t))
            .format(&fmt)
            .unwrap_or_else(|_| t.to_string());
        format!("{local} {}", self.label_at(t))
    }

    /// `t` as an HTML `datetime-local` value in this zone: `2026-11-26T10:00`.
    pub fn input_value(&self, t: OffsetDateTime) -> String {
        let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]");
        t.to_offset(self.offset_at(t))
            .format(&fmt)
            .unwrap_or_default()
    }

    /// Reads a `datetime-local` value (`2026-11-26T10:00`, seconds optional) typed in this zone.
    /// A time that a clock change skips is read as if the clock had not changed yet (02:30 on a
    /// spring-forward night is 03:30); one it repeats is the first of the two.
    pub fn parse_input(&self, raw: &str) -> Option<OffsetDateTime> {
        let raw = raw.trim();
        let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
        let seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        let local = PrimitiveDateTime::parse(raw, &minutes)
            .or_else(|_| PrimitiveDateTime::parse(raw, &seconds))
            .ok()?;
        if self.is_utc() {
            return Some(local.assume_utc());
        }
        let civil = jiff::civil::DateTime::new(
            i16::try_from(local.year()).ok()?,
            u8::from(local.month()) as i8,
            local.day() as i8,
            local.hour() as i8,
            local.minute() as i8,
            local.second() as i8,
            0,
        )
        .ok()?;
        let ts = self.tz.to_timestamp(civil).ok()?;
        OffsetDateTime::from_unix_timestamp(ts.as_second()).ok()
    }
}

impl Default for Zone {
    fn default() -> Self {
        Zone::utc()
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Whether people may pick the zone of this canonical name: UTC and the geographic zones, not
/// the database's aliases for old systems (`US/Eastern`, `Etc/GMT+5`, `posixrules`).
fn is_offered(name: &str) -> bool {
    name == "UTC"
        || name
            .split_once('/')
            .is_some_and(|(region, _)| REGIONS.contains(&region))
}

#[cfg(test)]
mod tests {
    use super::Zone;
    use time::macros::datetime;

    #[test]
    fn utc_reads_as_before() {
        let z = Zone::utc();
        assert_eq!(
            z.show(datetime!(2026-11-26 11:30 +02:00)),
            "2026-11-26 09:30 UTC"
        );
        assert_eq!(
            z.input_value(datetime!(2026-11-26 09:05 UTC)),
            "2026-11-26T09:05"
        );
        assert_eq!(
            z.parse_input("2026-11-26T09:05:00"),
            Some(datetime!(2026-11-26 09:05 UTC))
        );
        assert_eq!(z.parse_input("26/11/2026"), None);
    }

    #[test]
    fn names_are_canonical_and_checked() {
        assert_eq!(
            Zone::named("europe/berlin").unwrap().name(),
            "Europe/Berlin"
        );
        assert_eq!(Zone::named(" utc ").unwrap(), Zone::utc());
        assert!(Zone::named("Mars/Olympus_Mons").is_err());
        assert!(Zone::named("Etc/GMT+5").is_err());
        assert!(Zone::named("").is_err());
        assert_eq!(Zone::stored("Nowhere/Gone"), Zone::utc());
        let all = Zone::all_names();
        assert_eq!(all[0], "UTC");
        assert!(all.iter().any(|n| n == "America/New_York"));
        assert!(all.iter().any(|n| n == "Asia/Kolkata"));
        assert!(
            all.iter().all(|n| Zone::named(n).is_ok()),
            "every offered zone reads back"
        );
        assert!(all.len() > 300, "{} zones", all.len());
    }

    #[test]
    fn shows_local_time_with_its_abbreviation_across_daylight_saving() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        assert_eq!(
            berlin.show(datetime!(2026-11-26 09:00 UTC)),
            "2026-11-26 10:00 CET"
        );
        assert_eq!(
            berlin.show(datetime!(2026-07-01 09:00 UTC)),
            "2026-07-01 11:00 CEST"
        );
        let new_york = Zone::named("America/New_York").unwrap();
        assert_eq!(
            new_york.show(datetime!(2026-11-26 03:00 UTC)),
            "2026-11-25 22:00 EST"
        );
        let kolkata = Zone::named("Asia/Kolkata").unwrap();
        assert_eq!(
            kolkata.show(datetime!(2026-11-26 09:00 UTC)),
            "2026-11-26 14:30 IST"
        );
        // A zone whose abbreviation is only numbers is shown with its offset.
        let dubai = Zone::named("Asia/Dubai").unwrap();
        assert_eq!(
            dubai.show(datetime!(2026-11-26 09:00 UTC)),
            "2026-11-26 13:00 UTC+04:00"
        );
        let st_johns = Zone::named("America/St_Johns").unwrap();
        assert_eq!(
            st_johns.show(datetime!(2026-11-26 09:00 UTC)),
            "2026-11-26 05:30 NST"
        );
    }

    #[test]
    fn typed_times_are_read_in_the_zone() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        let t = datetime!(2026-11-26 09:05 UTC);
        assert_eq!(berlin.input_value(t), "2026-11-26T10:05");
        assert_eq!(berlin.parse_input("2026-11-26T10:05"), Some(t));
        // 02:30 on the night the clocks go forward (29 March 2026) does not exist: read as 03:30.
        assert_eq!(
            berlin.parse_input("2026-03-29T02:30"),
            Some(datetime!(2026-03-29 01:30 UTC))
        );
        // 02:30 on the night they go back (25 October 2026) happens twice: the first one.
        assert_eq!(
            berlin.parse_input("2026-10-25T02:30"),
            Some(datetime!(2026-10-25 00:30 UTC))
        );
    }
}
