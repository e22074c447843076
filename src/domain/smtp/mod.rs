//! Outbound SMTP (port 25), policy §5 "SMTP Restrictions" and §4: what each address may do on
//! port 25, the customer's request to send mail directly, its lifecycle, and the written
//! approval that ends the default restriction.
//!
//! - [`port25_state`] reads an address's port-25 state off the measures in force.
//! - [`RequestForm::validate`] checks a request as typed; [`transition`] is the only way a
//!   request changes state.
//! - [`checks`] turns DNS answers into results a customer understands; [`spf`] evaluates SPF.

mod approval;
pub mod checks;
pub mod records;
mod request;
mod request_form;
pub mod spf;

pub use approval::*;
pub use request::*;
pub use request_form::*;

use super::enforcement::{EnforcementKind, Measure, Scope};
pub use super::form::FieldError;
use super::names::named_enum;
use time::OffsetDateTime;

/// The SMTP port the policy restricts.
pub const SMTP_PORT: u16 = 25;

// ----- Port 25 per address -------------------------------------------------------------------

named_enum!(
    /// Whether an address may send mail on port 25, as people read it on the service pages.
    Port25State, "port-25 state" {
        /// No restriction in force: the address may send.
        Allowed = "allowed", "Allowed";
        /// The standing restriction for new accounts, trials or suspicious workloads.
        BlockedByDefault = "blocked_by_default", "Blocked by default";
        /// A `Port25Block` from an abuse case (or a suspension, null-route or termination).
        BlockedForAbuse = "blocked_for_abuse", "Blocked for abuse";
    }
);

impl Port25State {
    /// One sentence on what the state means and what the customer can do about it.
    pub fn explanation(self) -> &'static str {
        match self {
            Port25State::Allowed => "Outbound mail on port 25 is allowed from this address.",
            Port25State::BlockedByDefault => {
                "Outbound mail on port 25 is restricted until a legitimate use case is approved \
                 in writing. You can request unblocking."
            }
            Port25State::BlockedForAbuse => {
                "Outbound mail on port 25 is blocked because of an abuse case. It is lifted when \
                 the case is resolved."
            }
        }
    }
}

/// Whether a measure's scope covers port 25 on `ip`.
fn covers_port25(scope: &Scope, ip: &str) -> bool {
    match scope {
        Scope::Service => true,
        Scope::Ip(addr) => addr == ip,
        Scope::Port { port, ip: None } => *port == SMTP_PORT,
        Scope::Port {
            port,
            ip: Some(addr),
        } => *port == SMTP_PORT && addr == ip,
    }
}

/// The port-25 state of `ip` from the measures in force on its service at `now`. A block for
/// abuse always wins over an approval: an approval only ends the default restriction.
pub fn port25_state(ip: &str, measures: &[Measure], now: OffsetDateTime) -> Port25State {
    let live = || {
        measures
            .iter()
            .filter(|m| m.in_force(now) && covers_port25(&m.scope, ip))
    };
    let cuts_traffic = |kind: EnforcementKind| {
        matches!(
            kind,
            EnforcementKind::Port25Block
                | EnforcementKind::NullRoute
                | EnforcementKind::Suspension
                | EnforcementKind::Termination
        )
    };
    if live().any(|m| cuts_traffic(m.kind)) {
        Port25State::BlockedForAbuse
    } else if live().any(|m| m.kind == EnforcementKind::Port25Restriction) {
        Port25State::BlockedByDefault
    } else {
        Port25State::Allowed
    }
}

#[cfg(test)]
mod tests;
