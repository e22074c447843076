//! In-app notifications: written for each active member of an organisation (in their own time
//! zone) in the transaction of the change they tell of, listed, counted unread, and marked read.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::ids::{OrgId, UserId};
use crate::domain::notification::NotificationKind;
use time::OffsetDateTime;

/// An active member of an organisation, as news reaches them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    /// Their user id.
    pub id: i64,
    /// Their sign-in address.
    pub email: String,
    /// The zone they read times in (IANA name).
    pub time_zone: String,
    /// The kinds of news they asked for by mail (stored spelling).
    pub mail_kinds: String,
}

/// The active members of `org`, in id order.
pub async fn members(tx: &mut Tx, org: OrgId) -> Result<Vec<MemberRow>, DbError> {
    Ok(on_tx!(tx, |conn| sqlx::query_as::<_, MemberRow>(
        "SELECT id, email, time_zone, mail_kinds FROM users \
         WHERE organisation_id = $1 AND role = 'customer' AND disabled_at IS NULL ORDER BY id"
    )
    .bind(org.0)
    .fetch_all(&mut *conn)
    .await)?)
}

/// Tells one person.
pub async fn tell_user(
    tx: &mut Tx,
    user: i64,
    kind: NotificationKind,
    title: &str,
    link: &str,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO notifications (user_id, kind, title, link, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(user)
    .bind(kind.as_str())
    .bind(title)
    .bind(link)
    .bind(stored_time(now))
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// A notification as its reader sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    /// Id.
    pub id: i64,
    /// Kind (stored spelling).
    pub kind: String,
    /// What happened.
    pub title: String,
    /// Where it leads.
    pub link: String,
    /// When.
    pub created_at: OffsetDateTime,
    /// When it was read.
    pub read_at: Option<OffsetDateTime>,
}

/// A page of a person's notifications, newest first, before id `before`.
pub async fn page(
    db: &Db,
    user: UserId,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<NotificationRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, NotificationRow>(
        "SELECT id, kind, title, link, created_at, read_at FROM notifications \
         WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
    )
    .bind(user.0)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// How many of a person's notifications are unread.
pub async fn unread(db: &Db, user: UserId) -> Result<i64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"
    )
    .bind(user.0)
    .fetch_one(pool)
    .await)?)
}

/// Marks one of a person's notifications read (if unread) and gives its link; `None` when it
/// is not theirs or does not exist.
pub async fn open(
    db: &Db,
    user: UserId,
    id: i64,
    now: OffsetDateTime,
) -> Result<Option<String>, DbError> {
    on_db!(db, |pool| sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL"
    )
    .bind(id)
    .bind(user.0)
    .bind(stored_time(now))
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT link FROM notifications WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user.0)
    .fetch_optional(pool)
    .await)?)
}

/// Marks every notification of a person read; how many were unread.
pub async fn read_all(db: &Db, user: UserId, now: OffsetDateTime) -> Result<u64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query(
        "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL"
    )
    .bind(user.0)
    .bind(stored_time(now))
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?)
}
