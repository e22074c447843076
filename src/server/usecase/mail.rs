//! The mail job's round: the outbox's due mails sent through the relay, each attempt recorded;
//! a failed one tried again later (longer and longer waits), then given up and kept with its
//! error. A mail is marked sent only once the relay accepted it, so a relay outage or a crash
//! loses none; a crash between the relay's acceptance and the record can send one twice, with
//! the same Message-ID.

use crate::domain::notification::retry_after;
use crate::error::AppError;
use crate::server::db::outbox;
use crate::server::mail::{MailError, Mailer};
use crate::server::state::AppState;
use time::OffsetDateTime;

/// The most mails one round sends.
const BATCH: i64 = 50;

/// Sends the mails due at `now`; how many were sent. Without a relay configured, none (they
/// wait in the outbox).
pub async fn send_due(st: &AppState, now: OffsetDateTime) -> Result<usize, AppError> {
    let Some(mailer) = Mailer::from_config(&st.config).map_err(crate::server::errors::internal)?
    else {
        return Ok(0);
    };
    let mut sent = 0;
    for row in outbox::due(&st.db, now, BATCH).await? {
        match mailer.send(&row).await {
            Ok(()) => {
                outbox::sent(&st.db, row.id, now).await?;
                sent += 1;
            }
            Err(MailError::Permanent(why)) => {
                tracing::warn!(mail = row.id, %why, "mail refused for good");
                outbox::failed(&st.db, row.id, &why, None, now).await?;
            }
            Err(MailError::Temporary(why)) => {
                let retry_at = retry_after(row.attempts + 1).map(|wait| now + wait);
                tracing::warn!(mail = row.id, %why, ?retry_at, "mail not sent; will try again");
                outbox::failed(&st.db, row.id, &why, retry_at, now).await?;
            }
        }
    }
    Ok(sent)
}
