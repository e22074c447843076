//! The time left before a deadline, in hours and minutes (minutes and seconds in the last hour).
//! The server renders it from its own clock; in the browser (it is an island) it ticks every
//! second. It is a `timer` to assistive technology, which is read when reached and never
//! announces its ticks (a timer's live region is off); the deadline is also given as a date.

use crate::domain::deadline::TimeLeft;
use leptos::prelude::*;
use time::OffsetDateTime;

/// The countdown to `deadline_unix`, starting from the server's `now_unix`.
#[island]
pub fn Countdown(
    /// The deadline, Unix seconds.
    deadline_unix: i64,
    /// The server's clock when the page was made, Unix seconds.
    now_unix: i64,
) -> impl IntoView {
    let now = RwSignal::new(now_unix);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let tick = move || now.set((js_sys::Date::now() / 1000.0) as i64);
        tick();
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
    let left = move || {
        let at =
            |s: i64| OffsetDateTime::from_unix_timestamp(s).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        TimeLeft::at(at(deadline_unix), at(now.get()))
    };
    let class = move || match left() {
        TimeLeft::Overdue(_) => "countdown countdown-overdue",
        l if l.is_urgent(time::Duration::hours(12)) => "countdown countdown-urgent",
        _ => "countdown",
    };
    view! { <span class=class role="timer" data-testid="countdown">{move || left().describe()}</span> }
}
