//! Background jobs of the server process:
//! - the deadline watcher marks cases overdue and sends the reminders 24 h and 4 h before
//!   deadlines (every 30 s) in exactly one process: it runs only while holding the
//!   `deadline_watcher` lease in the database;
//! - the mail job sends the outbox's due mails (every 10 s), under the `mail_sender` lease;
//! - the sweeper deletes expired sessions, forgotten sign-in streaks, old rate-limit windows of
//!   the public report forms and orphaned evidence files
//!   (every 5 min); each sweep is idempotent, so several processes may run it.
//!
//! All their state is in the database, so they carry on after a restart.

use super::db::{leases, responses, sessions, throttle};
use super::state::AppState;
use std::time::Duration;

/// How often the deadline watcher looks for overdue cases.
const WATCH_EVERY: Duration = Duration::from_secs(30);
/// How long a watcher's lease lasts without renewal (a crashed process is replaced after this).
const LEASE_TTL: time::Duration = time::Duration::seconds(90);
/// How often the mail job looks at the outbox.
const MAIL_EVERY: Duration = Duration::from_secs(10);
/// How often the sweeper runs.
const SWEEP_EVERY: Duration = Duration::from_secs(300);

/// Starts the jobs; abort the handle to stop them.
pub fn spawn(st: AppState) -> tokio::task::JoinHandle<()> {
    let holder = format!("{}-{:016x}", std::process::id(), rand::random::<u64>());
    tokio::spawn(async move {
        let mut watch = tokio::time::interval(WATCH_EVERY);
        let mut sweep_tick = tokio::time::interval(SWEEP_EVERY);
        let mut mail_tick = tokio::time::interval(MAIL_EVERY);
        loop {
            tokio::select! {
                _ = watch.tick() => watch_deadlines(&st, &holder).await,
                _ = sweep_tick.tick() => sweep(&st).await,
                _ = mail_tick.tick() => send_mail(&st, &holder).await,
            }
        }
    })
}

/// One round of the deadline watcher, if this process holds (or can take) the lease.
pub async fn watch_deadlines(st: &AppState, holder: &str) {
    match leases::try_acquire(&st.db, "deadline_watcher", holder, st.now(), LEASE_TTL).await {
        Ok(true) => {
            match super::usecase::notices::mark_overdue(st).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(marked = n, "cases marked overdue"),
                Err(err) => tracing::warn!(?err, "deadline watcher failed"),
            }
            match super::usecase::notices::remind(st).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sent = n, "deadline reminders sent"),
                Err(err) => tracing::warn!(?err, "deadline reminders failed"),
            }
        }
        Ok(false) => {}
        Err(err) => tracing::warn!(cause = %err, "deadline watcher lease failed"),
    }
}

/// One round of the mail job, if this process holds (or can take) its lease: one sender at a
/// time across processes, so no mail goes out twice from two of them.
pub async fn send_mail(st: &AppState, holder: &str) {
    match leases::try_acquire(&st.db, "mail_sender", holder, st.now(), LEASE_TTL).await {
        Ok(true) => match super::usecase::mail::send_due(st, st.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sent = n, "mails sent"),
            Err(err) => tracing::warn!(?err, "mail job failed"),
        },
        Ok(false) => {}
        Err(err) => tracing::warn!(cause = %err, "mail job lease failed"),
    }
}

/// One sweep; failures are logged and retried at the next tick.
pub async fn sweep(st: &AppState) {
    let now = st.now();
    match sessions::delete_expired(&st.db, now).await {
        Ok(n) if n > 0 => tracing::info!(deleted = n, "swept expired sessions"),
        Ok(_) => {}
        Err(err) => tracing::warn!(cause = %err, "session sweep failed"),
    }
    let before = now - st.config.login_throttle.max_delay;
    if let Err(err) = throttle::delete_before(&st.db, before).await {
        tracing::warn!(cause = %err, "sign-in throttle sweep failed");
    }
    if let Err(err) = super::usecase::reports::forget_old_windows(st).await {
        tracing::warn!(cause = %err, "report form rate-limit sweep failed");
    }
    // Files older than an hour that no row refers to: uploads whose transaction never committed.
    match responses::referenced_names(&st.db).await {
        Ok(referenced) => match st
            .evidence
            .sweep(&referenced, Duration::from_secs(3600))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "swept orphaned evidence files"),
            Err(err) => tracing::warn!(cause = %err, "evidence sweep failed"),
        },
        Err(err) => tracing::warn!(cause = %err, "evidence sweep failed"),
    }
}
