//! Demo data: two customer organisations with services and IPs, a staff and an admin account.
//! Idempotent: what exists is kept as it is (passwords included), what is missing is added.

use super::db::{accounts, services, settings, DbError};
use super::state::AppState;
use super::usecase::accounts::create_user;
use crate::domain::account::{Email, OrgName};
use crate::domain::actor::Role;
use crate::domain::service::{ServiceKind, ServiceState};
use crate::error::AppError;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password-1";

/// Demo accounts: e-mail, role, organisation.
pub const DEMO_USERS: &[(&str, Role, Option<&str>)] = &[
    ("alice@acme.test", Role::Customer, Some("Acme Hosting Ltd")),
    ("bob@globex.test", Role::Customer, Some("Globex Corp")),
    ("staff@portal.test", Role::Staff, None),
    ("admin@portal.test", Role::Admin, None),
];

type DemoService = (
    &'static str,
    &'static str,
    ServiceKind,
    ServiceState,
    &'static [&'static str],
);

/// Demo services: organisation, label, kind, state, IP addresses (documentation ranges only).
const DEMO_SERVICES: &[DemoService] = &[
    (
        "Acme Hosting Ltd",
        "web-01.acme.test",
        ServiceKind::Vps,
        ServiceState::Active,
        &["203.0.113.10"],
    ),
    (
        "Acme Hosting Ltd",
        "app-02.acme.test",
        ServiceKind::CloudServer,
        ServiceState::Active,
        &["203.0.113.11", "2001:db8:ac::11"],
    ),
    (
        "Acme Hosting Ltd",
        "mail-01.acme.test",
        ServiceKind::DedicatedServer,
        ServiceState::Restricted,
        &["203.0.113.25", "203.0.113.26"],
    ),
    (
        "Acme Hosting Ltd",
        "gpu-train-01.acme.test",
        ServiceKind::DedicatedGpuServer,
        ServiceState::Active,
        &["203.0.113.40"],
    ),
    (
        "Globex Corp",
        "db-01.globex.test",
        ServiceKind::DedicatedServer,
        ServiceState::Active,
        &["198.51.100.70"],
    ),
    (
        "Globex Corp",
        "ml-cluster-a.globex.test",
        ServiceKind::MultiGpuCluster,
        ServiceState::Active,
        &["198.51.100.80", "198.51.100.81"],
    ),
    (
        "Globex Corp",
        "edge-03.globex.test",
        ServiceKind::Vds,
        ServiceState::Suspended,
        &["192.0.2.33"],
    ),
    (
        "Globex Corp",
        "hpc-07.globex.test",
        ServiceKind::HpcNode,
        ServiceState::Active,
        &["192.0.2.77"],
    ),
];

/// What a seeding run did.
#[derive(Debug, Default)]
pub struct SeedReport {
    /// Accounts created now (the others existed).
    pub users_created: usize,
}

/// Adds the demo data that is missing and marks the database as a demo.
pub async fn seed_demo(st: &AppState) -> Result<SeedReport, AppError> {
    let now = st.now();
    let mut report = SeedReport::default();
    for (email, role, org) in DEMO_USERS {
        let parsed = Email::parse(email).expect("demo e-mails are valid");
        if accounts::find_user_by_email(&st.db, &parsed)
            .await?
            .is_none()
        {
            create_user(st, email, DEMO_PASSWORD, *role, *org).await?;
            report.users_created += 1;
        }
    }
    for (org, label, kind, state, ips) in DEMO_SERVICES {
        let org = accounts::ensure_organisation(&st.db, &OrgName::parse(org).expect("valid"), now)
            .await?;
        let service = services::ensure_service(&st.db, org, label, *kind, *state, now).await?;
        for ip in *ips {
            match services::assign_ip(&st.db, service, ip).await {
                Ok(()) => {}
                Err(DbError::Duplicate) => {
                    tracing::warn!(
                        ip,
                        "demo IP address already belongs to another service; left as it is"
                    )
                }
                Err(other) => return Err(other.into()),
            }
        }
    }
    settings::set(&st.db, settings::DEMO_MODE, "true").await?;
    Ok(report)
}
