//! The mail outbox: mails written in the transaction of the change they tell of, then sent by
//! the mail job, which records each attempt.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use time::OffsetDateTime;

/// Queues a mail, due now.
pub async fn enqueue(
    tx: &mut Tx,
    recipient: &str,
    subject: &str,
    body: &str,
    now: OffsetDateTime,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(
        "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id"
    )
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .bind(stored_time(now))
    .fetch_one(&mut *conn)
    .await)?)
}

/// A mail waiting to be sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    /// Id (also in its Message-ID, so a mail sent twice after a crash is recognisable).
    pub id: i64,
    /// To.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Attempts so far.
    pub attempts: i64,
}

/// Mails due at `now`, oldest first.
pub async fn due(db: &Db, now: OffsetDateTime, limit: i64) -> Result<Vec<OutboxRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, OutboxRow>(
        "SELECT id, recipient, subject, body, attempts FROM outbox \
         WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2"
    )
    .bind(stored_time(now))
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// Records that a mail was accepted by the relay.
pub async fn sent(db: &Db, id: i64, now: OffsetDateTime) -> Result<(), DbError> {
    on_db!(db, |pool| sqlx::query(
        "UPDATE outbox SET sent_at = $2, attempts = attempts + 1 WHERE id = $1 AND sent_at IS NULL"
    )
    .bind(id)
    .bind(stored_time(now))
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or given up when `None`.
pub async fn failed(
    db: &Db,
    id: i64,
    error: &str,
    retry_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    on_db!(db, |pool| sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $2, \
         next_attempt_at = COALESCE($3, next_attempt_at), \
         gave_up_at = CASE WHEN $3 IS NULL THEN $4 ELSE NULL END WHERE id = $1 AND sent_at IS NULL"
    )
    .bind(id)
    .bind(error)
    .bind(retry_at.map(stored_time))
    .bind(stored_time(now))
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A mail as the tests and the admin overview read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxState {
    /// Id.
    pub id: i64,
    /// To.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Attempts.
    pub attempts: i64,
    /// Sent.
    pub sent_at: Option<OffsetDateTime>,
    /// Given up.
    pub gave_up_at: Option<OffsetDateTime>,
    /// The last error.
    pub last_error: Option<String>,
}

/// The newest mails, newest first.
pub async fn newest(db: &Db, limit: i64) -> Result<Vec<OutboxState>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, OutboxState>(
        "SELECT id, recipient, subject, attempts, sent_at, gave_up_at, last_error FROM outbox \
         ORDER BY id DESC LIMIT $1"
    )
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}
