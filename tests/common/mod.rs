//! Test harness: a real database per test (a SQLite file in a temp dir, or a fresh PostgreSQL
//! database from `PORTAL_TEST_POSTGRES_URL`), the real router on 127.0.0.1:0, and a client.
#![allow(dead_code)]

use abuse_portal::domain::session::SessionLimits;
use abuse_portal::domain::throttle::LoginThrottle;
use abuse_portal::server::config::Config;
use abuse_portal::server::state::AppState;
use std::net::SocketAddr;
use std::path::PathBuf;
use time::Duration;

/// Runs a test body on the one runtime all tests of a binary share. Leptos keeps process-wide
/// state (its task spawner) bound to the first runtime it sees, as a server process has one
/// runtime; a runtime per test would leave later tests spawning onto a dropped one.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    static RUNTIME: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            // As the portal binary's runtime (src/main.rs): rendering a page in a debug build
            // needs more than tokio's default 2 MiB of stack.
            .thread_stack_size(8 * 1024 * 1024)
            .enable_all()
            .build()
            .unwrap()
    });
    RUNTIME.block_on(future)
}

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Writes one async test body as two tests, `<name>::sqlite` and `<name>::postgres`; with
/// `adjust = |config| …`, both run on a configuration adjusted first (other limits to try).
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident, |$env:ident| $body:block) => {
        $crate::on_both_engines!($name, adjust = |_| {}, |$env| $body);
    };
    ($name:ident, adjust = $adjust:expr, |$env:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($env: $crate::common::TestEnv) $body

            #[test]
            fn sqlite() {
                $crate::common::block_on(async {
                    let env = $crate::common::TestEnv::with_config(
                        $crate::common::Engine::Sqlite,
                        None,
                        $adjust,
                    )
                    .await
                    .expect("a SQLite environment");
                    let cleanup = env.clone();
                    body(env).await;
                    cleanup.finish().await;
                })
            }

            #[test]
            #[cfg_attr(not(postgres_tests), ignore = "PORTAL_TEST_POSTGRES_URL is not set")]
            fn postgres() {
                $crate::common::block_on(async {
                    let env = $crate::common::TestEnv::postgres_with($adjust).await;
                    let cleanup = env.clone();
                    body(env).await;
                    cleanup.finish().await;
                })
            }
        }
    };
}

/// A database with migrations applied, the state over it, and a listening socket for
/// [`TestEnv::serve`] (bound first, so that the public URL names its real port).
#[derive(Clone)]
pub struct TestEnv {
    pub st: AppState,
    pub engine: Engine,
    /// `http://127.0.0.1:<port>`, where [`TestEnv::serve`] serves.
    pub base: String,
    listener: std::sync::Arc<std::sync::Mutex<Option<std::net::TcpListener>>>,
    pg_admin_url: Option<String>,
    pg_database: Option<String>,
    _dir: std::sync::Arc<tempfile::TempDir>,
}

/// The configuration tests run with; `public_url` is the origin browsers' requests come from.
pub fn config(database_url: String, data_dir: PathBuf, public_url: &str) -> Config {
    Config {
        database_url,
        db_max_connections: 5,
        audit_key_file: data_dir.join("audit-keys"),
        data_dir,
        site_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        site_root: PathBuf::from("target/site"),
        public_url: url::Url::parse(public_url).unwrap(),
        cookie_secure: public_url.starts_with("https"),
        session: SessionLimits {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        },
        login_throttle: LoginThrottle::default(),
        hash_concurrency: 2,
        hash_queue: 32,
        evidence: abuse_portal::domain::evidence::EvidenceLimits::default(),
        trusted_proxies: Vec::new(),
        header_timeout: std::time::Duration::from_secs(10),
        body_timeout: std::time::Duration::from_secs(30),
        // The port-25 checks answer from the demo zone unless a test serves its own DNS.
        dns: abuse_portal::server::dns::DnsConfig {
            servers: Vec::new(),
            timeout: std::time::Duration::from_millis(500),
            demo: true,
        },
        billing: Default::default(),
        reports: Default::default(),
        mail: Default::default(),
    }
}

impl TestEnv {
    pub async fn new(engine: Engine) -> TestEnv {
        Self::with_public_url(engine, None)
            .await
            .expect("PostgreSQL test URL")
    }

    /// A PostgreSQL environment, in a fresh database on the server `PORTAL_TEST_POSTGRES_URL`
    /// names, with the configuration adjusted by `adjust` first. PostgreSQL tests run only in a
    /// build with `cfg(postgres_tests)` (see build.rs; otherwise they are reported as ignored):
    /// there, a missing URL or an unreachable server fails the test.
    pub async fn postgres_with(adjust: impl FnOnce(&mut Config)) -> TestEnv {
        if std::env::var("PORTAL_TEST_POSTGRES_URL").map_or(true, |v| v.is_empty()) {
            panic!(
                "PORTAL_TEST_POSTGRES_URL is not set, but this build runs the PostgreSQL tests \
                 (PORTAL_TEST_REQUIRE_POSTGRES=1 or an earlier URL): set it, e.g. \
                 postgres://postgres@127.0.0.1:5432/postgres"
            );
        }
        Self::with_config(Engine::Postgres, None, adjust)
            .await
            .expect("a PostgreSQL environment")
    }

    /// An environment whose public URL is `public_url`, or by default the address it serves on.
    pub async fn with_public_url(engine: Engine, public_url: Option<&str>) -> Option<TestEnv> {
        Self::with_config(engine, public_url, |_| {}).await
    }

    /// [`TestEnv::with_public_url`], with the configuration adjusted by `adjust` first.
    pub async fn with_config(
        engine: Engine,
        public_url: Option<&str>,
        adjust: impl FnOnce(&mut Config),
    ) -> Option<TestEnv> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let public_url = public_url.unwrap_or(&base).to_owned();
        let dir = tempfile::tempdir().unwrap();
        let (url, admin_url, database) = match engine {
            Engine::Sqlite => (
                format!("sqlite://{}", dir.path().join("portal.db").display()),
                None,
                None,
            ),
            Engine::Postgres => {
                let admin = std::env::var("PORTAL_TEST_POSTGRES_URL")
                    .ok()
                    .filter(|v| !v.is_empty())?;
                let name = format!("portal_test_{:016x}", rand::random::<u64>());
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL at PORTAL_TEST_POSTGRES_URL is unreachable: {e}")
                    });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let mut url = url::Url::parse(&admin).unwrap();
                url.set_path(&format!("/{name}"));
                (url.to_string(), Some(admin), Some(name))
            }
        };
        let mut config = config(url, dir.path().to_path_buf(), &public_url);
        adjust(&mut config);
        let st = abuse_portal::server::open_state(config).await.unwrap();
        Some(TestEnv {
            st,
            engine,
            base,
            listener: std::sync::Arc::new(std::sync::Mutex::new(Some(listener))),
            pg_admin_url: admin_url,
            pg_database: database,
            _dir: std::sync::Arc::new(dir),
        })
    }

    /// Closes the pool and drops a PostgreSQL test database.
    pub async fn finish(self) {
        self.st.db.close().await;
        if let (Some(admin), Some(name)) = (self.pg_admin_url, self.pg_database) {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                .await
                .unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }

    /// Serves the real router, through the portal's own listener, on the socket bound for this
    /// environment; returns its base URL. Serves once per environment.
    pub async fn serve(&self) -> String {
        let listener = self
            .listener
            .lock()
            .unwrap()
            .take()
            .expect("an environment serves once");
        listener.set_nonblocking(true).unwrap();
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let app = abuse_portal::server::router(self.st.clone());
        let header_timeout = self.st.config.header_timeout;
        tokio::spawn(abuse_portal::server::inbound::listen::serve(
            listener,
            app,
            header_timeout,
            std::future::pending(),
        ));
        self.base.clone()
    }
}

/// The longest a test waits for an answer: a request the portal never answers fails the test
/// (once seen under load, 2026-11-25: every thread idle, the client still waiting) instead of
/// holding the suite until CI's time runs out.
pub const CLIENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A browser-like client: keeps cookies, does not follow redirects, sends `Accept: text/html`.
pub fn client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ACCEPT, "text/html".parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(CLIENT_TIMEOUT)
        .default_headers(headers)
        .build()
        .unwrap()
}

/// Posts a form to the server function at `/api/{endpoint}` from the page at `page` (a path),
/// as a browser without JavaScript would: from the portal's own origin, the page as referrer.
pub async fn post_form<T: serde::Serialize + ?Sized>(
    client: &reqwest::Client,
    base: &str,
    endpoint: &str,
    page: &str,
    form: &T,
) -> reqwest::Response {
    client
        .post(format!("{base}/api/{endpoint}"))
        .header("origin", base)
        .header("referer", format!("{base}{page}"))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// Posts the sign-in form as a browser without JavaScript would.
pub async fn post_login(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let form = [("email", email), ("password", password)];
    post_form(client, base, "auth/login", "/login", &form).await
}

/// `form` with an evidence statement added after what it holds, as the notice page's form sends
/// it (`multipart/form-data`).
pub fn with_statement(
    form: reqwest::multipart::Form,
    cause: &str,
    fix: &str,
    prevention: &str,
) -> reqwest::multipart::Form {
    form.text("cause", cause.to_owned())
        .text("fix", fix.to_owned())
        .text("prevention", prevention.to_owned())
}

/// Posts an evidence form to notice `id` from its page, as a browser does (same origin).
pub async fn post_evidence(
    client: &reqwest::Client,
    base: &str,
    id: i64,
    form: reqwest::multipart::Form,
) -> reqwest::Response {
    client
        .post(format!("{base}/notices/{id}/evidence"))
        .header("origin", base)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Posts the sign-out form as a browser without JavaScript would.
pub async fn post_logout(client: &reqwest::Client, base: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/auth/logout"))
        .header("origin", base)
        .header("referer", format!("{base}/"))
        .send()
        .await
        .unwrap()
}

/// The page at `url` as `client` gets it, as text.
pub async fn page_text(client: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// The `Location` header of a redirect.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The value of the session cookie set by a response, if any.
pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers().get_all("set-cookie").iter().find_map(|v| {
        let v = v.to_str().ok()?;
        v.strip_prefix("portal_session=")
            .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
    })
}

/// An API client: keeps cookies, does not follow redirects, asks for JSON (so server-function
/// errors come back as errors with their status, not as a redirect to a form).
pub fn api_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ACCEPT, "application/json".parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(CLIENT_TIMEOUT)
        .default_headers(headers)
        .build()
        .unwrap()
}

/// Calls a server function as a script in one of the portal's pages would (same origin).
pub async fn call(
    client: &reqwest::Client,
    base: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(format!("{base}/api/{endpoint}"))
        .header("origin", base)
        .form(form)
        .send()
        .await
        .unwrap()
}

/// Signs in through the API (same origin, JSON); panics unless it succeeds.
pub async fn api_login(client: &reqwest::Client, base: &str, email: &str, password: &str) {
    let res = call(
        client,
        base,
        "auth/login",
        &[("email", email), ("password", password)],
    )
    .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "sign-in as {email}: {}",
        res.status()
    );
}

/// The first (lowest id) notice of the organisation named `org`, in `state` when given.
pub async fn notice_of(st: &AppState, org: &str, state: Option<&str>) -> i64 {
    abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT n.id FROM notices n JOIN organisations o ON o.id = n.organisation_id \
         WHERE o.name = $1 AND ($2 = '' OR n.state = $2) ORDER BY n.id LIMIT 1"
    )
    .bind(org)
    .bind(state.unwrap_or_default())
    .fetch_one(pool)
    .await)
    .unwrap()
}

/// The actor a use case sees for the seeded user with this e-mail address.
pub async fn actor(st: &AppState, email: &str) -> abuse_portal::domain::actor::Actor {
    let row = abuse_portal::server::db::accounts::find_user_by_email(
        &st.db,
        &abuse_portal::domain::account::Email::parse(email).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    abuse_portal::domain::actor::Actor {
        user_id: row.user_id(),
        role: row.role().unwrap(),
        org_id: row.org_id(),
        zone: row.zone(),
    }
}

/// The code an authenticator app shows `step_offset` steps from now for `user`'s secret (read
/// from the database and opened with the portal's key file, as the portal itself does).
pub async fn current_code(
    st: &AppState,
    user: abuse_portal::domain::ids::UserId,
    step_offset: i64,
) -> String {
    use abuse_portal::server::auth::two_factor as totp;
    let sealed: String = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT totp_secret FROM users WHERE id = $1"
    )
    .bind(user.0)
    .fetch_one(pool)
    .await)
    .unwrap();
    let secret = totp::open(&st.audit_keys, user, &sealed).unwrap();
    let step = (st.now().unix_timestamp() / 30 + step_offset) as u64;
    totp::code_at(&secret, step, totp::DIGITS)
}

/// A six-digit code that is none of `user`'s codes around now: wrong, and never right by chance.
pub async fn wrong_code(st: &AppState, user: abuse_portal::domain::ids::UserId) -> String {
    let mut near = Vec::new();
    for offset in -2..=2 {
        near.push(current_code(st, user, offset).await);
    }
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .unwrap()
}

/// Turns two-factor sign-in on for the account `email`, whose password is `password`, as its
/// owner does on the two-factor page.
pub async fn enable_two_factor(
    st: &AppState,
    email: &str,
    password: &str,
) -> abuse_portal::domain::ids::UserId {
    use abuse_portal::server::usecase::two_factor;
    let who = actor(st, email).await;
    two_factor::status(st, &who).await.unwrap();
    let code = current_code(st, who.user_id, 0).await;
    two_factor::confirm(st, &who, password, &code, None)
        .await
        .unwrap();
    who.user_id
}

/// The reason the inventory tests give for their changes.
pub const WHY: &str = "Provisioned from the signed order form.";

/// The demo data and one more customer, Initech (abuse and billing contacts at initech.test),
/// whose VPS `app-01.initech.test` holds 198.51.100.7: the admin, the organisation, the service.
pub async fn initech(
    st: &AppState,
) -> (
    abuse_portal::domain::actor::Actor,
    abuse_portal::domain::ids::OrgId,
    abuse_portal::domain::ids::ServiceId,
) {
    use abuse_portal::server::usecase::organisations::{self as inventory, OrgForm};
    abuse_portal::server::seed::seed_demo(st).await.unwrap();
    let admin = actor(st, "admin@portal.test").await;
    let form = OrgForm {
        name: "Initech".into(),
        abuse_email: "abuse@initech.test".into(),
        billing_email: "billing@initech.test".into(),
        ..OrgForm::default()
    };
    let org = inventory::create_organisation(st, &admin, &form, WHY)
        .await
        .unwrap();
    let service = inventory::create_service(st, &admin, org, "app-01.initech.test", "vps", WHY)
        .await
        .unwrap();
    inventory::assign_block(st, &admin, service, "198.51.100.7", WHY)
        .await
        .unwrap();
    (admin, org, service)
}
