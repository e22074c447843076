//! The customer home page.

use crate::domain::ids::ServiceId;
use crate::domain::service::{ServiceKind, ServiceState};
use serde::{Deserialize, Serialize};

/// A service as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceView {
    /// Id.
    pub id: ServiceId,
    /// Host name or label.
    pub label: String,
    /// Kind.
    pub kind: ServiceKind,
    /// State.
    pub state: ServiceState,
    /// IP addresses.
    pub ips: Vec<String>,
}

/// The customer home page's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    /// The customer's organisation.
    pub org_name: String,
    /// The first services, in label order.
    pub services: Vec<ServiceView>,
    /// How many services the organisation has in all.
    pub total_services: i64,
}
