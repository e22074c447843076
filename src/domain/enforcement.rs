//! Enforcement measures (policy §5): what is in force on a service, an IP address or a port at a
//! given moment, and the service state that follows from it.

use super::names::named_enum;
use super::service::ServiceState;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

named_enum!(
    /// A measure the provider (or its upstream) takes.
    EnforcementKind, "enforcement kind" {
        /// Formal abuse notification.
        Notification = "notification", "Abuse notification";
        /// Request for immediate remediation.
        RemediationRequest = "remediation_request", "Remediation request";
        /// Outbound SMTP (port 25) blocked.
        Port25Block = "port25_block", "Port 25 (SMTP) block";
        /// Outbound SMTP (port 25) restricted by default until a use case is approved in
        /// writing (new accounts, trials, suspicious workloads); not a sanction.
        Port25Restriction = "port25_restriction", "Port 25 (SMTP) default restriction";
        /// Traffic rate-limited or filtered.
        RateLimit = "rate_limit", "Rate limit";
        /// IP null-routed (blackholed).
        NullRoute = "null_route", "Null-route";
        /// Service suspended.
        Suspension = "suspension", "Suspension";
        /// Service terminated permanently.
        Termination = "termination", "Termination";
    }
);

impl EnforcementKind {
    /// Whether the measure restricts traffic (rather than only informing the customer).
    pub fn restricts(self) -> bool {
        !matches!(
            self,
            EnforcementKind::Notification
                | EnforcementKind::RemediationRequest
                | EnforcementKind::Port25Restriction
        )
    }
}

/// What a measure applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// The whole service.
    Service,
    /// One of the service's IP addresses.
    Ip(String),
    /// One port, on the whole service or one address.
    Port {
        /// The port number.
        port: u16,
        /// The address, or `None` for every address of the service.
        ip: Option<String>,
    },
}

impl Scope {
    /// Words for people: "whole service", "IP 203.0.113.25", "port 25 on 203.0.113.25".
    pub fn describe(&self) -> String {
        match self {
            Scope::Service => "whole service".to_owned(),
            Scope::Ip(ip) => format!("IP {ip}"),
            Scope::Port { port, ip: None } => format!("port {port} on every address"),
            Scope::Port { port, ip: Some(ip) } => format!("port {port} on {ip}"),
        }
    }
}

/// A measure's kind, scope and time span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    /// Kind.
    pub kind: EnforcementKind,
    /// Scope.
    pub scope: Scope,
    /// When it took effect.
    pub starts_at: OffsetDateTime,
    /// When it ended or ends; `None` while open-ended.
    pub ends_at: Option<OffsetDateTime>,
}

impl Measure {
    /// Whether the measure is in force at `now`.
    pub fn in_force(&self, now: OffsetDateTime) -> bool {
        self.starts_at <= now && self.ends_at.is_none_or(|end| now < end)
    }
}

/// The service state implied by the measures in force at `now`. Termination is final: a
/// terminated service stays terminated whatever else happens.
pub fn service_state(
    current: ServiceState,
    measures: &[Measure],
    now: OffsetDateTime,
) -> ServiceState {
    if current == ServiceState::Terminated {
        return ServiceState::Terminated;
    }
    let live = || measures.iter().filter(|m| m.in_force(now)).map(|m| m.kind);
    if live().any(|k| k == EnforcementKind::Termination) {
        ServiceState::Terminated
    } else if live().any(|k| k == EnforcementKind::Suspension) {
        ServiceState::Suspended
    } else if live().any(EnforcementKind::restricts) {
        ServiceState::Restricted
    } else {
        ServiceState::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

    const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

    fn measure(kind: EnforcementKind, start_h: i64, end_h: Option<i64>) -> Measure {
        Measure {
            kind,
            scope: Scope::Service,
            starts_at: NOW + Duration::hours(start_h),
            ends_at: end_h.map(|h| NOW + Duration::hours(h)),
        }
    }

    #[test]
    fn in_force_between_start_and_end() {
        let m = measure(EnforcementKind::RateLimit, -2, Some(1));
        assert!(m.in_force(NOW));
        assert!(!m.in_force(NOW - Duration::hours(3)));
        assert!(
            !m.in_force(NOW + Duration::hours(1)),
            "the end instant is no longer in force"
        );
        assert!(measure(EnforcementKind::RateLimit, 0, None).in_force(NOW + Duration::days(400)));
    }

    #[test]
    fn the_strongest_measure_in_force_sets_the_state() {
        use EnforcementKind as K;
        let s = |ms: &[Measure]| service_state(ServiceState::Active, ms, NOW);
        assert_eq!(s(&[]), ServiceState::Active);
        assert_eq!(
            s(&[measure(K::Notification, -1, None)]),
            ServiceState::Active
        );
        assert_eq!(
            s(&[measure(K::Port25Block, -1, None)]),
            ServiceState::Restricted
        );
        assert_eq!(
            s(&[
                measure(K::Port25Block, -1, None),
                measure(K::Suspension, -1, None)
            ]),
            ServiceState::Suspended
        );
        assert_eq!(
            s(&[measure(K::Suspension, -5, Some(-1))]),
            ServiceState::Active,
            "an ended suspension"
        );
        assert_eq!(
            s(&[
                measure(K::Termination, -1, None),
                measure(K::NullRoute, -1, None)
            ]),
            ServiceState::Terminated
        );
    }

    #[test]
    fn termination_is_final() {
        assert_eq!(
            service_state(ServiceState::Terminated, &[], NOW),
            ServiceState::Terminated
        );
    }

    #[test]
    fn scopes_in_words() {
        assert_eq!(
            Scope::Port {
                port: 25,
                ip: Some("203.0.113.25".into())
            }
            .describe(),
            "port 25 on 203.0.113.25"
        );
        assert_eq!(
            Scope::Ip("198.51.100.7".into()).describe(),
            "IP 198.51.100.7"
        );
    }
}
