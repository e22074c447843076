//! Demo data: two customer organisations with services and IPs, a staff and an admin account.
//! Idempotent: what exists is kept as it is (passwords included), what is missing is added.

use super::db::{accounts, notices, services, settings, DbError};
use super::state::AppState;
use super::usecase::accounts::create_user;
use super::usecase::billing;
use super::usecase::enforcement::{self, StartMeasure};
use super::usecase::notices::{
    apply_event, dispute, mark_overdue, open_notice, submit_evidence, OpenNotice,
};
use crate::domain::account::{Email, OrgName};
use crate::domain::actor::Actor;
use crate::domain::actor::Role;
use crate::domain::enforcement::{EnforcementKind, Scope};
use crate::domain::evidence::Statement;
use crate::domain::ids::ServiceId;
use crate::domain::notice::{NoticeCategory, NoticeEvent, NoticeSource};
use crate::domain::service::{ServiceKind, ServiceState};
use crate::error::AppError;
use time::Duration;

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
        ServiceState::Active,
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
        ServiceState::Active,
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
            match services::assign_ip(&st.db, service, ip, now).await {
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
    seed_demo_contacts(st).await?;
    if notices::count(&st.db).await? == 0 {
        seed_demo_cases(st).await?;
        seed_demo_smtp(st).await?;
        seed_demo_reports(st).await?;
    }
    settings::set(&st.db, settings::DEMO_MODE, "true").await?;
    st.settings.forget();
    Ok(report)
}

async fn demo_actor(st: &AppState, email: &str) -> Result<Actor, AppError> {
    let row = accounts::find_user_by_email(&st.db, &Email::parse(email).expect("valid"))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Actor {
        user_id: row.user_id(),
        role: row.role()?,
        org_id: row.org_id(),
        zone: row.zone(),
    })
}

async fn demo_service(st: &AppState, org: &str, label: &str) -> Result<ServiceId, AppError> {
    let org = accounts::ensure_organisation(&st.db, &OrgName::parse(org).expect("valid"), st.now())
        .await?;
    let services = services::list_for_org(&st.db, org, 100).await?;
    services
        .into_iter()
        .find(|s| s.label == label)
        .map(|s| s.id)
        .ok_or(AppError::NotFound)
}

/// Cases in several states: new, rejected evidence, overdue, disputed, awaiting review, resolved.
/// The demo organisations' contacts, where none is set: notice, invoice and port-25 mails go to
/// their abuse, billing and technical addresses.
async fn seed_demo_contacts(st: &AppState) -> Result<(), AppError> {
    use super::db::inventory;
    let admin = demo_actor(st, "admin@portal.test").await?.require_admin()?;
    for (name, domain) in [
        ("Acme Hosting Ltd", "acme.test"),
        ("Globex Corp", "globex.test"),
    ] {
        let Some(org) = inventory::org_by_name(&st.db, name).await? else {
            continue;
        };
        if org.abuse_email.is_some() {
            continue;
        }
        let contacts = crate::domain::inventory::Contacts {
            abuse_email: Some(format!("abuse@{domain}")),
            billing_email: Some(format!("billing@{domain}")),
            technical_email: Some(format!("noc@{domain}")),
            phone: None,
        };
        let mut tx = st.db.begin_write().await?;
        inventory::update_org(
            &mut tx,
            admin,
            crate::domain::ids::OrgId(org.id),
            name,
            &contacts,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn seed_demo_cases(st: &AppState) -> Result<(), AppError> {
    let staff = demo_actor(st, "staff@portal.test").await?;
    let alice = demo_actor(st, "alice@acme.test").await?;
    let bob = demo_actor(st, "bob@globex.test").await?;
    let now = st.now();
    let notice = |service, category, source, events: i64, summary: &str| OpenNotice {
        service,
        ips: Vec::new(),
        category,
        source,
        high_risk: false,
        summary: summary.to_owned(),
        event_count: events,
        first_seen_at: now - Duration::hours(20),
        last_seen_at: now - Duration::hours(2),
        verification_note: "Checked the listing and our NetFlow records for the addresses."
            .to_owned(),
        shorter_deadline: None,
    };
    let statement = |cause: &str| {
        Statement::parse(
            cause,
            "Removed the offending software, rotated all credentials and cleared the mail queue.",
            "Automatic security updates, outbound rate limits and alerts on queue growth.",
        )
        .expect("valid demo statement")
    };

    let acme_mail = demo_service(st, "Acme Hosting Ltd", "mail-01.acme.test").await?;
    let spam = open_notice(st, &staff, notice(acme_mail, NoticeCategory::Spam, NoticeSource::BlacklistListing, 5_120,
        "Outbound spam from both addresses: 5,120 messages reported by recipients; listed on two RBLs since this morning.")).await?;

    let block = StartMeasure {
        kind: EnforcementKind::Port25Block,
        scope: Scope::Port { port: 25, ip: None },
        reason: "Outbound spam in progress; blocked until the customer remediates.".to_owned(),
        upstream_requested: false,
        ends_at: None,
    };
    enforcement::start(st, &staff, spam, block).await?;

    let acme_web = demo_service(st, "Acme Hosting Ltd", "web-01.acme.test").await?;
    let rejected = open_notice(st, &staff, notice(acme_web, NoticeCategory::Phishing, NoticeSource::ThirdPartyReport, 12,
        "A bank reported 12 phishing pages imitating its login, hosted under /wp-content/uploads/ on this server.")).await?;
    apply_event(st, &alice, rejected, NoticeEvent::Acknowledge, "").await?;
    submit_evidence(
        st,
        &alice,
        rejected,
        statement("A compromised WordPress admin account was used to upload the pages."),
    )
    .await?;
    apply_event(st, &staff, rejected, NoticeEvent::RejectEvidence,
        "The pages are still reachable at two of the reported URLs; remove them and send a fresh malware scan.").await?;

    let acme_gpu = demo_service(st, "Acme Hosting Ltd", "gpu-train-01.acme.test").await?;
    let overdue = open_notice(st, &staff, notice(acme_gpu, NoticeCategory::BruteForce, NoticeSource::UpstreamProvider, 48_000,
        "The upstream provider reports SSH brute-force attempts from this server against 3,000 hosts.")).await?;
    notices::backdate_for_demo(&st.db, overdue, Duration::hours(50)).await?;
    mark_overdue(st).await?;

    let globex_db = demo_service(st, "Globex Corp", "db-01.globex.test").await?;
    let disputed = open_notice(
        st,
        &staff,
        notice(
            globex_db,
            NoticeCategory::Spam,
            NoticeSource::ThirdPartyReport,
            40,
            "Recipients reported 40 unsolicited newsletters sent from this address.",
        ),
    )
    .await?;
    dispute(
        st,
        &bob,
        disputed,
        "This server runs only PostgreSQL and has no mail software; port 25 is closed on it.",
    )
    .await?;

    let globex_ml = demo_service(st, "Globex Corp", "ml-cluster-a.globex.test").await?;
    let review = open_notice(
        st,
        &staff,
        notice(
            globex_ml,
            NoticeCategory::Botnet,
            NoticeSource::AutomatedDetection,
            310,
            "Automated detection saw 310 connections to a known botnet command-and-control server.",
        ),
    )
    .await?;
    submit_evidence(
        st,
        &bob,
        review,
        statement("A container image pulled from an untrusted registry contained a bot."),
    )
    .await?;

    let globex_edge = demo_service(st, "Globex Corp", "edge-03.globex.test").await?;
    let resolved = open_notice(
        st,
        &staff,
        notice(
            globex_edge,
            NoticeCategory::Ddos,
            NoticeSource::UpstreamProvider,
            1,
            "The upstream provider mitigated a 9 Gbit/s UDP flood originating from this server.",
        ),
    )
    .await?;
    submit_evidence(
        st,
        &bob,
        resolved,
        statement("An exposed memcached instance was used for amplification."),
    )
    .await?;
    let suspension = StartMeasure {
        kind: EnforcementKind::Suspension,
        scope: Scope::Service,
        reason: "Active DDoS: suspended at once to protect the network (policy §5).".to_owned(),
        upstream_requested: true,
        ends_at: None,
    };
    enforcement::start(st, &staff, resolved, suspension).await?;
    // Billing: the suspension waits for its invoice (damages and the reactivation fee) although
    // the evidence is accepted; Acme's spam case was invoiced and paid by bank transfer.
    let invoice = billing::draft_from_case(st, &staff, resolved).await?;
    billing::issue(st, &staff, invoice).await?;
    apply_event(st, &staff, resolved, NoticeEvent::AcceptEvidence, "").await?;
    let paid = billing::draft_from_case(st, &staff, spam).await?;
    billing::issue(st, &staff, paid).await?;
    let record = super::db::billing::get(&st.db, paid)
        .await?
        .ok_or(AppError::NotFound)?;
    billing::record_transfer(
        st,
        &staff,
        Some(paid),
        billing::Transfer {
            amount: record.totals.total.input_value(),
            received_on: String::new(),
            reference: record.payment_reference.unwrap_or_default(),
            note: "Received in full with the reference.".to_owned(),
            idempotency_key: billing::new_form_key(),
        },
    )
    .await?;
    Ok(())
}

/// Port 25: the default restriction on three services, one request approved in writing (on an
/// IPv6 address, with a daily cap and a probation) and one waiting for the abuse desk.
/// Reports as a mailbox import would bring them, all waiting for verification (a mail could
/// come from anyone): a feedback-loop complaint and a honeypot's scan report, a brute-force
/// report about the service of Acme's overdue case (verified, it joins that case), one from an
/// address nobody holds, and one that cannot be read.
async fn seed_demo_reports(st: &AppState) -> Result<(), AppError> {
    use super::intake::BodyKind;
    use super::usecase::reports::{ingest, Received};
    let received = Received {
        channel: crate::domain::report::IntakeChannel::Mailbox,
        by: None,
        client_address: None,
    };
    let arf = |n: u32, feedback: &str| {
        format!(
            "From: <fbl@mailbox-provider.example>\r\nSubject: Complaint about your network\r\n\
             Message-ID: <demo-arf-{n}@mailbox-provider.example>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=feedback-report; boundary=\"demo\"\r\n\r\n\
             --demo\r\nContent-Type: text/plain\r\n\r\nA recipient marked a message as spam.\r\n\
             --demo\r\nContent-Type: message/feedback-report\r\n\r\n{feedback}\r\n--demo--\r\n"
        )
    };
    let xarf = |n: u32, ip: &str, category: &str, kind: &str, description: &str| {
        serde_json::json!({
            "xarf_version": "4.0.0",
            "report_id": format!("d3e0c1a2-0000-4000-8000-{n:012}"),
            "timestamp": st.now().format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "reporter": { "org": "Example Honeynet", "contact": "reports@honeynet.example", "domain": "honeynet.example" },
            "sender": { "org": "Example Honeynet", "contact": "reports@honeynet.example", "domain": "honeynet.example" },
            "source_identifier": ip,
            "source_port": 40_000 + n,
            "category": category,
            "type": kind,
            "protocol": if kind == "ddos" { "udp" } else { "tcp" },
            "first_seen": (st.now() - time::Duration::hours(2)).format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "description": description
        })
        .to_string()
    };
    let reports: [(String, BodyKind); 6] = [
        (arf(1, "Feedback-Type: abuse\r\nUser-Agent: DemoFBL/1.0\r\nVersion: 1\r\nSource-IP: 203.0.113.10\r\nIncidents: 14\r\nReported-Domain: web-01.acme.test\r\n"), BodyKind::Mail),
        (arf(2, "Feedback-Type: abuse\r\nUser-Agent: DemoFBL/1.0\r\nVersion: 1\r\nSource-IP: 203.0.113.10\r\nIncidents: 6\r\n"), BodyKind::Mail),
        (xarf(1, "198.51.100.70", "connection", "port_scan", "SYN scans of 4,000 ports against our sensor network"), BodyKind::Json),
        (xarf(2, "203.0.113.40", "connection", "login_attack", "SSH password guessing against honeypots"), BodyKind::Json),
        (xarf(3, "192.0.2.250", "connection", "ddos", "UDP flood towards a customer of ours"), BodyKind::Json),
        (arf(3, "Feedback-Type: abuse\r\nUser-Agent: DemoFBL/1.0\r\nVersion: 1\r\nIncidents: 2\r\n"), BodyKind::Mail),
    ];
    for (body, kind) in reports {
        ingest(st, &received, body.as_bytes(), kind).await?;
    }
    Ok(())
}

async fn seed_demo_smtp(st: &AppState) -> Result<(), AppError> {
    use super::usecase::smtp::{self, Approval};
    use crate::domain::smtp::RequestForm;
    let staff = demo_actor(st, "staff@portal.test").await?;
    let alice = demo_actor(st, "alice@acme.test").await?;
    let bob = demo_actor(st, "bob@globex.test").await?;
    let acme_app = demo_service(st, "Acme Hosting Ltd", "app-02.acme.test").await?;
    let globex_hpc = demo_service(st, "Globex Corp", "hpc-07.globex.test").await?;
    let acme_web = demo_service(st, "Acme Hosting Ltd", "web-01.acme.test").await?;
    for service in [acme_app, globex_hpc, acme_web] {
        smtp::restrict_new_service(st, service).await?;
    }
    let form = |ip: &str, domain: &str, use_case: &str| {
        RequestForm {
        ip: ip.to_owned(),
        use_case: use_case.to_owned(),
        use_case_details: String::new(),
        sending_domains: domain.to_owned(),
        daily_volume: "2,000".to_owned(),
        peak_per_hour: "400".to_owned(),
        consent: "Only customers who created an account or placed an order receive mail.".to_owned(),
        bounce_handling: "Hard bounces and complaints suppress the address at once; unsubscribe links work in one click."
            .to_owned(),
        software: "Postfix 3.7 with OpenDKIM".to_owned(),
        helo_name: format!("mail.{domain}"),
        dkim_selector: "s1".to_owned(),
        why_not_relay: "We sign with our own DKIM keys and need our own bounce processing.".to_owned(),
        accepts_obligations: "on".to_owned(),
    }
    };
    let approved = smtp::submit(
        st,
        &alice,
        None,
        acme_app,
        &form("2001:db8:ac::11", "app.acme.test", "transactional"),
    )
    .await?;
    let probation = (st.now() + Duration::days(90)).date();
    smtp::approve(
        st,
        &staff,
        approved,
        &Approval {
            text: "Transactional mail of the customer's own shop verified by phone with the account owner."
                .to_owned(),
            daily_cap: "5,000".to_owned(),
            probation_until: probation.to_string(),
        },
    )
    .await?;
    smtp::submit(
        st,
        &bob,
        None,
        globex_hpc,
        &form("192.0.2.77", "reports.globex.test", "own_mail_server"),
    )
    .await?;
    Ok(())
}
