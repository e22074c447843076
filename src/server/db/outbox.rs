//! The mail outbox: mails written in the transaction of the change they tell of, then sent by
//! the mail job, which records each attempt.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::ids::OrgId;
use time::OffsetDateTime;

/// A mail to queue: to whom, what it says, and what it is about.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    /// To.
    pub recipient: &'a str,
    /// Subject.
    pub subject: &'a str,
    /// Plain-text body.
    pub body: &'a str,
    /// The organisation it concerns, if any.
    pub org: Option<OrgId>,
    /// What it is about (a notification kind's stored spelling, or `invitation`).
    pub kind: &'a str,
    /// For a mail that carries a one-time secret: the whole mail, sealed (`body` then leaves
    /// the secret out). It is sent in place of `body`, and forgotten once sent.
    pub sealed_body: Option<&'a str>,
}

/// Queues a mail, due now.
pub async fn enqueue(tx: &mut Tx, mail: &NewMail<'_>, now: OffsetDateTime) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at, organisation_id, kind, sealed_body) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7) RETURNING id"
    )
    .bind(mail.recipient)
    .bind(mail.subject)
    .bind(mail.body)
    .bind(stored_time(now))
    .bind(mail.org.map(|o| o.0))
    .bind(mail.kind)
    .bind(mail.sealed_body)
    .fetch_one(&mut *conn)
    .await
    })?)
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
    /// The whole body, sealed, for a mail that carries a one-time secret (sent in place of
    /// `body`).
    pub sealed_body: Option<String>,
    /// Attempts so far.
    pub attempts: i64,
}

/// Mails due at `now`, oldest first.
pub async fn due(db: &Db, now: OffsetDateTime, limit: i64) -> Result<Vec<OutboxRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, OutboxRow>(
        "SELECT id, recipient, subject, body, sealed_body, attempts FROM outbox \
         WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2"
    )
    .bind(stored_time(now))
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// Records that a mail was accepted by the relay; a one-time secret it carried is not kept.
pub async fn sent(db: &Db, id: i64, now: OffsetDateTime) -> Result<(), DbError> {
    on_db!(db, |pool| sqlx::query(
        "UPDATE outbox SET sent_at = $2, attempts = attempts + 1, sealed_body = NULL \
         WHERE id = $1 AND sent_at IS NULL"
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

/// A mail as staff see it in the outbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxState {
    /// Id.
    pub id: i64,
    /// To.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// What it is about (stored spelling), for mails written since migration 0012.
    pub kind: Option<String>,
    /// The organisation it concerns.
    pub organisation: Option<String>,
    /// Written.
    pub created_at: OffsetDateTime,
    /// Attempts.
    pub attempts: i64,
    /// The next attempt, while it is still being tried.
    pub next_attempt_at: OffsetDateTime,
    /// Sent.
    pub sent_at: Option<OffsetDateTime>,
    /// Given up.
    pub gave_up_at: Option<OffsetDateTime>,
    /// The last error.
    pub last_error: Option<String>,
}

/// Which mails a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxFilter {
    /// Every mail.
    All,
    /// Those given up after the last attempt.
    GivenUp,
    /// Those that failed at least once and are still being tried.
    Retrying,
}

impl OutboxFilter {
    fn condition(self) -> &'static str {
        match self {
            OutboxFilter::All => "TRUE",
            OutboxFilter::GivenUp => "m.gave_up_at IS NOT NULL",
            OutboxFilter::Retrying => {
                "m.sent_at IS NULL AND m.gave_up_at IS NULL AND m.attempts > 0"
            }
        }
    }
}

/// Mails newest first, those with an id below `before` (keyset), at most `limit`.
pub async fn page(
    db: &Db,
    filter: OutboxFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<OutboxState>, DbError> {
    let sql = format!(
        "SELECT m.id, m.recipient, m.subject, m.kind, o.name AS organisation, m.created_at, m.attempts, \
         m.next_attempt_at, m.sent_at, m.gave_up_at, m.last_error \
         FROM outbox m LEFT JOIN organisations o ON o.id = m.organisation_id \
         WHERE {} AND m.id < $1 ORDER BY m.id DESC LIMIT $2",
        filter.condition()
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, OutboxState>(&sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// The newest mails, newest first.
pub async fn newest(db: &Db, limit: i64) -> Result<Vec<OutboxState>, DbError> {
    page(db, OutboxFilter::All, None, limit).await
}

/// How many mails were given up, and how many are being tried again.
pub async fn trouble_counts(db: &Db) -> Result<(i64, i64), DbError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, (i64, i64)>(
        "SELECT (SELECT COUNT(*) FROM outbox WHERE gave_up_at IS NOT NULL), \
         (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND attempts > 0)"
    )
    .fetch_one(pool)
    .await
    })?)
}

/// Tries a given-up mail again from now, its attempts counted afresh (the last error stays
/// until the next attempt). False when the mail was not given up.
pub async fn send_again(tx: &mut Tx, id: i64, now: OffsetDateTime) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |conn| sqlx::query(
        "UPDATE outbox SET gave_up_at = NULL, attempts = 0, next_attempt_at = $2 \
         WHERE id = $1 AND gave_up_at IS NOT NULL AND sent_at IS NULL"
    )
    .bind(id)
    .bind(stored_time(now))
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected() == 1))?)
}
