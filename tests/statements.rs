//! How many SQL statements each page runs, on real SQLite and PostgreSQL, counted from sqlx's
//! own record of every statement it sends. A page that starts asking again for what its request
//! already read (the session, the signed-in user, the settings) or that repeats a query within
//! one request fails here. Its own test binary: the counter sees every statement of the process.

mod common;

use std::sync::{Mutex, MutexGuard};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// The statements sqlx sent since the last [`take`], in order.
static SENT: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records the text of each statement sqlx reports (`sqlx::query` events).
struct Recorder;

struct StatementText(Option<String>);

impl Visit for StatementText {
    fn record_str(&mut self, field: &Field, value: &str) {
        let full = field.name() == "db.statement" && !value.trim().is_empty();
        let summary = field.name() == "summary" && self.0.is_none();
        if full || summary {
            self.0 = Some(value.trim().to_owned());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record_str(field, &format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            let mut text = StatementText(None);
            event.record(&mut text);
            sent().push(text.0.unwrap_or_default());
        }
    }
}

fn sent() -> MutexGuard<'static, Vec<String>> {
    SENT.lock().unwrap_or_else(|e| e.into_inner())
}

/// The statements sent since the last call, without those that set up a connection the pool
/// has just opened (SQLite's `PRAGMA`s): when a pool opens one depends on how many statements run
/// side by side at that moment, not on what the page reads.
fn take() -> Vec<String> {
    let mut sent = std::mem::take(&mut *sent());
    sent.retain(|s| !s.starts_with("PRAGMA "));
    sent
}

/// Installs the recorder once for the process (sqlx reports at debug level).
fn record_statements() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let filter = tracing_subscriber::filter::Targets::new()
            .with_target("sqlx::query", tracing::Level::DEBUG);
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(Recorder.with_filter(filter)),
        )
        .expect("no other subscriber in this test binary");
    });
}

/// The most statements each page may run for a signed-in reader, and who reads it: what each
/// ran on 2026-11-27, after the settings were kept in memory, the repeated reads of a service's
/// measures and of the unread count were removed, and the session began to be read with its
/// user; in stop 23, a notice's addresses began to be read with the notice (one statement
/// fewer on every page that shows notices); and in stop 24 the navigation's unread count began
/// to be read with the session (one fewer on every page). Every page reads its session, its user
/// and that count in one statement; the rest is the page's own data.
const BUDGETS: &[(&str, &str, usize)] = &[
    ("alice@acme.test", "/notices", 3),
    ("alice@acme.test", "/notices/{acme}", 9),
    ("alice@acme.test", "/services", 3),
    ("alice@acme.test", "/notifications", 2),
    ("alice@acme.test", "/smtp", 3),
    ("alice@acme.test", "/billing", 3),
    ("alice@acme.test", "/account/preferences", 2),
    ("staff@portal.test", "/admin", 4),
    ("staff@portal.test", "/admin/cases", 4),
    ("staff@portal.test", "/admin/cases/{acme}", 11),
    ("staff@portal.test", "/admin/smtp", 2),
    ("staff@portal.test", "/admin/reports", 3),
];

/// The statements of one page, read twice first so that what a process reads once (the
/// settings) and the session's renewal are not counted.
async fn statements_of(client: &reqwest::Client, url: &str) -> Vec<String> {
    for _ in 0..2 {
        let res = client.get(url).send().await.unwrap();
        assert_eq!(res.status(), 200, "{url}");
        res.bytes().await.unwrap();
    }
    take();
    let res = client.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    res.bytes().await.unwrap();
    take()
}

async fn count_pages(env: common::TestEnv) {
    abuse_portal::server::seed::seed_demo(&env.st)
        .await
        .unwrap();
    let acme = common::notice_of(&env.st, "Acme Hosting Ltd", None).await;
    let base = env.serve().await;
    let mut clients = std::collections::HashMap::new();
    let mut failures = Vec::new();
    let mut table = String::new();
    for (email, page, budget) in BUDGETS {
        if !clients.contains_key(email) {
            let client = common::client();
            let res = common::post_login(&client, &base, email, "demo-password-1").await;
            assert!(res.status().is_redirection(), "sign-in as {email}");
            clients.insert(email, client);
        }
        let path = page.replace("{acme}", &acme.to_string());
        let statements = statements_of(&clients[email], &format!("{base}{path}")).await;
        table.push_str(&format!("  {:>2}  {path} ({email})\n", statements.len()));
        if statements.len() > *budget {
            failures.push(format!(
                "{path} as {email}: {} statements, at most {budget} expected:\n    {}",
                statements.len(),
                statements.join("\n    ")
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for s in &statements {
            if !seen.insert(s) && !matches!(s.as_str(), "BEGIN" | "COMMIT" | "ROLLBACK") {
                failures.push(format!("{path} as {email} runs this twice: {s}"));
            }
        }
    }
    println!("statements per page ({:?}):\n{table}", env.engine);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Both engines in one test, one after the other: the recorder sees the whole process.
#[test]
fn each_page_runs_few_statements_and_none_twice() {
    record_statements();
    common::block_on(async {
        let env = common::TestEnv::new(common::Engine::Sqlite).await;
        let cleanup = env.clone();
        count_pages(env).await;
        cleanup.finish().await;
        if cfg!(postgres_tests) {
            let env = common::TestEnv::postgres_with(|_| {}).await;
            let cleanup = env.clone();
            count_pages(env).await;
            cleanup.finish().await;
        }
    });
}
