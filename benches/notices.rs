//! Latency of the notice pages' queries on a large data set (not a test: it prints figures).
//!
//!     cargo bench --features ssr --bench notices                       # SQLite
//!     PORTAL_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1/postgres cargo bench --features ssr --bench notices
//!
//! Seeds 1,000,000 notices (or `BENCH_NOTICES`) across 1,000 organisations (2 services each)
//! with bulk inserts, then times the customer list (first page and a later page), the notice
//! page and the staff queue with its counts per status (default, and filtered by category), and
//! prints p50/p95 for each.

use abuse_portal::domain::actor::{Actor, Role};
use abuse_portal::domain::ids::{OrgId, UserId};
use abuse_portal::server::db::notices::{ListCursor, NoticeFilter};
use abuse_portal::server::state::AppState;
use abuse_portal::server::usecase::{notice_views, notices};
use std::time::{Duration, Instant};

const ORGS: i64 = 1_000;
const RUNS: usize = 300;

fn config(url: String, dir: &std::path::Path) -> abuse_portal::server::config::Config {
    std::env::set_var("DATABASE_URL", url);
    std::env::set_var("PORTAL_DATA_DIR", dir);
    std::env::set_var("PORTAL_DB_MAX_CONNECTIONS", "4");
    abuse_portal::server::config::Config::from_env().expect("config")
}

async fn exec(st: &AppState, sql: &str) {
    abuse_portal::on_db!(&st.db, |pool| sqlx::query(sql)
        .execute(pool)
        .await
        .map(|_| ()))
    .expect(sql);
}

/// How many notices to seed: `BENCH_NOTICES`, a million by default.
fn notice_count() -> i64 {
    std::env::var("BENCH_NOTICES")
        .ok()
        .and_then(|n| n.replace('_', "").parse().ok())
        .unwrap_or(1_000_000)
}

/// Bulk seed: organisations, one customer each, two services each with an address, notices.
async fn seed(st: &AppState, notices: i64) {
    let now = st.now();
    let t = |offset_h: i64| {
        let at = now + time::Duration::hours(offset_h);
        match &st.db {
            abuse_portal::server::db::Db::Sqlite(_) => format!(
                "'{}'",
                at.format(&time::format_description::well_known::Rfc3339)
                    .unwrap()
            ),
            abuse_portal::server::db::Db::Postgres(_) => format!(
                "TIMESTAMPTZ '{}'",
                at.format(&time::format_description::well_known::Rfc3339)
                    .unwrap()
            ),
        }
    };
    exec(st, &format!("INSERT INTO users (email, password_hash, role, organisation_id, created_at) VALUES ('bench-staff@portal.test', 'x', 'staff', NULL, {})", t(0))).await;
    for chunk in (1..=ORGS).collect::<Vec<_>>().chunks(500) {
        let orgs: Vec<String> = chunk
            .iter()
            .map(|i| format!("('Bench org {i:05}', {})", t(0)))
            .collect();
        exec(
            st,
            &format!(
                "INSERT INTO organisations (name, created_at) VALUES {}",
                orgs.join(",")
            ),
        )
        .await;
    }
    exec(
        st,
        &format!(
            "INSERT INTO users (email, password_hash, role, organisation_id, created_at) \
        SELECT 'customer' || id || '@bench.test', 'x', 'customer', id, {} FROM organisations",
            t(0)
        ),
    )
    .await;
    for n in [1, 2] {
        exec(
            st,
            &format!(
                "INSERT INTO services (organisation_id, label, kind, state, created_at) \
            SELECT id, 'srv-{n}-' || id, 'vps', 'active', {} FROM organisations",
                t(0)
            ),
        )
        .await;
    }
    exec(st, "INSERT INTO service_ips (service_id, address) SELECT id, '10.' || (id / 65536) || '.' || ((id / 256) % 256) || '.' || (id % 256) FROM services").await;
    let states = [
        "open",
        "acknowledged",
        "evidence_submitted",
        "under_review",
        "evidence_rejected",
        "disputed",
        "upheld",
        "overdue",
        "resolved",
        "withdrawn",
        "closed",
    ];
    let categories = [
        "spam",
        "phishing",
        "malware",
        "botnet",
        "ddos",
        "scanning",
        "brute_force",
        "open_relay",
    ];
    let staff_id = 1;
    let mut i = 0;
    while i < notices {
        let mut rows = Vec::new();
        for j in i..(i + 1000).min(notices) {
            let service = (j % (ORGS * 2)) + 1;
            let state = states[(j as usize * 7) % states.len()];
            let category = categories[(j as usize * 3) % categories.len()];
            let deadline = t((j % 2000) - 1000);
            rows.push(format!(
                "((SELECT organisation_id FROM services WHERE id = {service}), {service}, '{category}', 'third_party_report', '{state}', {}, \
                 'Bench notice {j}: observed abuse from this service.', {}, {}, {}, 'bench', {staff_id}, {}, {deadline}, NULL, {}, '', 0)",
                if j % 10 == 0 { "TRUE" } else { "FALSE" },
                1 + j % 500,
                t(-60),
                t(-50),
                t(-48),
                t(0)
            ));
        }
        exec(st, &format!(
            "INSERT INTO notices (organisation_id, service_id, category, source, state, high_risk, summary, event_count, \
             first_seen_at, last_seen_at, verification_note, verified_by, notified_at, deadline_at, deadline_reason, \
             updated_at, audit_head, audit_count) VALUES {}",
            rows.join(",")
        ))
        .await;
        i += 1000;
    }
    exec(st, "INSERT INTO notice_ips (notice_id, address) SELECT n.id, ip.address FROM notices n JOIN service_ips ip ON ip.service_id = n.service_id").await;
    if let abuse_portal::server::db::Db::Postgres(_) = &st.db {
        exec(st, "ANALYZE").await;
    }
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "  {name:<34} p50 {:>7.2} ms   p95 {:>7.2} ms",
        pick(0.50).as_secs_f64() * 1e3,
        pick(0.95).as_secs_f64() * 1e3
    );
}

async fn run(engine: &str, url: String) {
    let dir = tempfile::tempdir().unwrap();
    let st = abuse_portal::server::open_state(config(url, dir.path()))
        .await
        .expect("open");
    let started = Instant::now();
    let notices = notice_count();
    seed(&st, notices).await;
    println!(
        "{engine}: seeded {notices} notices across {ORGS} organisations in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let staff = Actor {
        user_id: UserId(1),
        role: Role::Staff,
        org_id: None,
        zone: Default::default(),
    };
    let customer = |i: usize| Actor {
        user_id: UserId(2 + (i as i64 * 37) % ORGS),
        role: Role::Customer,
        org_id: Some(OrgId(1 + (i as i64 * 37) % ORGS)),
        zone: Default::default(),
    };

    let mut first = Vec::new();
    let mut later = Vec::new();
    for i in 0..RUNS {
        let who = customer(i);
        let t0 = Instant::now();
        let page = notices::list_notices(&st, &who, NoticeFilter::default(), None, 21)
            .await
            .unwrap();
        first.push(t0.elapsed());
        let cursor = page.get(9).map(|n| ListCursor {
            deadline_at: n.deadline_at,
            id: n.id,
        });
        let t0 = Instant::now();
        notices::list_notices(&st, &who, NoticeFilter::default(), cursor, 21)
            .await
            .unwrap();
        later.push(t0.elapsed());
    }
    report("customer list, first page", first);
    report("customer list, next page (keyset)", later);

    let mut detail = Vec::new();
    for i in 0..RUNS {
        let id = 1 + (i as i64 * 331) % notices;
        let t0 = Instant::now();
        notice_views::detail(&st, &staff, id).await.unwrap();
        detail.push(t0.elapsed());
    }
    report("notice page", detail);

    let mut queue = Vec::new();
    let mut filtered = Vec::new();
    for _ in 0..RUNS {
        let t0 = Instant::now();
        notice_views::staff_queue(&st, &staff, None, None, None, None, None, None)
            .await
            .unwrap();
        queue.push(t0.elapsed());
        let t0 = Instant::now();
        notice_views::staff_queue(
            &st,
            &staff,
            Some("overdue".into()),
            Some("botnet".into()),
            None,
            None,
            Some("1".into()),
            None,
        )
        .await
        .unwrap();
        filtered.push(t0.elapsed());
    }
    report("staff queue (with status counts)", queue);
    report("staff queue, filtered", filtered);
    st.db.close().await;
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    run(
        "SQLite",
        format!("sqlite://{}", dir.path().join("bench.db").display()),
    )
    .await;
    if let Ok(admin) = std::env::var("PORTAL_BENCH_POSTGRES_URL") {
        let name = format!("portal_bench_{:08x}", rand::random::<u32>());
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
            .await
            .expect("PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        let mut url = url::Url::parse(&admin).unwrap();
        url.set_path(&format!("/{name}"));
        run("PostgreSQL", url.to_string()).await;
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await
            .unwrap();
    } else {
        println!("(set PORTAL_BENCH_POSTGRES_URL to measure PostgreSQL too)");
    }
}
