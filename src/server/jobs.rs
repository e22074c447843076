//! Background jobs of the server process: sweeping expired sessions and old sign-in failures.
//! Each sweep is an idempotent DELETE, so several processes on one database may run it.

use super::db::{accounts, sessions};
use super::state::AppState;
use std::time::Duration;

/// How often the sweeper runs.
const SWEEP_EVERY: Duration = Duration::from_secs(300);

/// Starts the jobs; abort the handle to stop them.
pub fn spawn(st: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        loop {
            tick.tick().await;
            sweep(&st).await;
        }
    })
}

/// One sweep; failures are logged and retried at the next tick.
pub async fn sweep(st: &AppState) {
    let now = st.now();
    match sessions::delete_expired(&st.db, now).await {
        Ok(n) if n > 0 => tracing::info!(deleted = n, "swept expired sessions"),
        Ok(_) => {}
        Err(err) => tracing::warn!(cause = %err, "session sweep failed"),
    }
    let before = st.config.login_throttle.window_start(now);
    if let Err(err) = accounts::delete_login_failures_before(&st.db, before).await {
        tracing::warn!(cause = %err, "sign-in failure sweep failed");
    }
}
