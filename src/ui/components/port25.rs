//! The outbound port-25 state of an address, as a badge people can read at a glance.

use crate::domain::smtp::Port25State;
use leptos::prelude::*;

/// "Port 25: allowed", "Port 25: blocked by default" or "Port 25: blocked for abuse".
#[component]
pub fn Port25Badge(
    /// The state.
    state: Port25State,
) -> impl IntoView {
    let class = match state {
        Port25State::Allowed => "badge badge-active",
        Port25State::BlockedByDefault => "badge badge-restricted",
        Port25State::BlockedForAbuse => "badge badge-suspended",
    };
    view! { <span class=class>{format!("Port 25: {}", state.label().to_lowercase())}</span> }
}
