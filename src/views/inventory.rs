//! The service inventory.

use super::notices::{MeasureView, NoticeRowView};
use crate::domain::service::{ServiceKind, ServiceState};
use crate::domain::smtp::Port25State;
use serde::{Deserialize, Serialize};

/// A service in the inventory, with what is in force on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRowView {
    /// Id.
    pub id: i64,
    /// Label.
    pub label: String,
    /// Kind.
    pub kind: ServiceKind,
    /// State.
    pub state: ServiceState,
    /// Addresses.
    pub ips: Vec<String>,
    /// Each address's outbound port-25 state, in the order of `ips`.
    pub port25: Vec<Port25State>,
    /// Measures in force, in words ("Port 25 (SMTP) block on port 25 on 203.0.113.25").
    pub in_force: Vec<String>,
}

/// A page of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceListView {
    /// The services.
    pub rows: Vec<ServiceRowView>,
    /// The next page's cursor.
    pub next: Option<String>,
}

/// One service: what is in force, its history and its notices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDetailView {
    /// The service.
    pub row: ServiceRowView,
    /// Every measure, newest first.
    pub measures: Vec<MeasureView>,
    /// Its notices, most urgent first.
    pub notices: Vec<NoticeRowView>,
    /// The server's clock, Unix seconds.
    pub now_unix: i64,
    /// Whether the viewer is staff (who may set or lift the default port-25 restriction).
    pub staff: bool,
    /// For each case whose suspension holds the service: what still keeps it suspended.
    pub reactivation: Vec<(i64, crate::views::billing::ReactivationView)>,
}
