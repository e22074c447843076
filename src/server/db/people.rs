//! Accounts as people management sees them (disabled, owners, roles, passwords) and
//! invitations (migration 0007). Only the SHA-256 of an invitation's token is stored.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::actor::Role;
use crate::domain::ids::{OrgId, UserId};
use time::OffsetDateTime;

/// An account in a people list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountRow {
    /// Id.
    pub id: i64,
    /// E-mail.
    pub email: String,
    /// Stored role.
    pub role: String,
    /// Organisation (customers).
    pub organisation_id: Option<i64>,
    /// Owner of it.
    pub org_owner: bool,
    /// Since when.
    pub created_at: OffsetDateTime,
    /// Disabled since.
    pub disabled_at: Option<OffsetDateTime>,
    /// Whether the provider (an admin) disabled it.
    pub disabled_by_provider: bool,
    /// The kinds of news they receive by mail themselves (stored spelling).
    pub mail_kinds: String,
}

const ACCOUNT_SELECT: &str = "SELECT id, email, role, organisation_id, org_owner, created_at, \
     disabled_at, disabled_by_provider, mail_kinds FROM users";

/// The provider's accounts (staff and admins), by e-mail.
pub async fn provider_accounts(db: &Db) -> Result<Vec<AccountRow>, DbError> {
    let sql = format!("{ACCOUNT_SELECT} WHERE role IN ('staff', 'admin') ORDER BY email");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, AccountRow>(&sql)
        .fetch_all(pool)
        .await)?)
}

/// An organisation's accounts, by e-mail.
pub async fn org_accounts(db: &Db, org: OrgId) -> Result<Vec<AccountRow>, DbError> {
    let sql = format!("{ACCOUNT_SELECT} WHERE organisation_id = $1 ORDER BY email");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, AccountRow>(&sql)
        .bind(org.0)
        .fetch_all(pool)
        .await)?)
}

/// One account.
pub async fn account(db: &Db, id: UserId) -> Result<Option<AccountRow>, DbError> {
    let sql = format!("{ACCOUNT_SELECT} WHERE id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, AccountRow>(&sql)
        .bind(id.0)
        .fetch_optional(pool)
        .await)?)
}

/// Disables an account (`Some(time)`, `by_provider` when an admin did) or enables it again
/// (`None`).
pub async fn set_disabled(
    tx: &mut Tx,
    id: UserId,
    at: Option<OffsetDateTime>,
    by_provider: bool,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE users SET disabled_at = $1, disabled_by_provider = $2 WHERE id = $3"
    )
    .bind(at.map(stored_time))
    .bind(at.is_some() && by_provider)
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Makes a customer their organisation's owner, or not.
pub async fn set_owner(tx: &mut Tx, id: UserId, owner: bool) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE users SET org_owner = $1 WHERE id = $2 AND role = 'customer'"
    )
    .bind(owner)
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Sets a provider account's role.
pub async fn set_role(tx: &mut Tx, id: UserId, role: Role) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE users SET role = $1 WHERE id = $2 AND role IN ('staff', 'admin')"
    )
    .bind(role.as_str())
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Replaces an account's password hash.
pub async fn set_password_hash(tx: &mut Tx, id: UserId, hash: &str) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE users SET password_hash = $1 WHERE id = $2"
    )
    .bind(hash)
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The active owners of `org` (enabled, with the owner flag) other than `except`, counted after
/// locking the organisation's row until `tx` ends: two owner changes of one organisation are
/// decided one after the other, so that together they cannot remove its last owner.
pub async fn other_active_owners(tx: &mut Tx, org: OrgId, except: UserId) -> Result<u64, DbError> {
    let lock = format!(
        "SELECT id FROM organisations WHERE id = $1{}",
        tx.lock_clause()
    );
    let count: i64 = on_tx!(tx, |conn| {
        sqlx::query(&lock).bind(org.0).execute(&mut *conn).await?;
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE organisation_id = $1 AND role = 'customer' \
             AND org_owner AND disabled_at IS NULL AND id <> $2",
        )
        .bind(org.0)
        .bind(except.0)
        .fetch_one(&mut *conn)
        .await
    })?;
    Ok(count.max(0) as u64)
}

/// An invitation, with the names that its page shows.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InvitationRow {
    /// Id.
    pub id: i64,
    /// Who is invited.
    pub email: String,
    /// As what.
    pub role: String,
    /// Into which organisation.
    pub organisation_id: Option<i64>,
    /// Its name.
    pub organisation_name: Option<String>,
    /// As its owner.
    pub org_owner: bool,
    /// Who invited.
    pub invited_by: i64,
    /// Who invited (e-mail).
    pub invited_by_email: String,
    /// The inviter's role now.
    pub inviter_role: String,
    /// The inviter's organisation now.
    pub inviter_organisation_id: Option<i64>,
    /// Whether the inviter owns their organisation now.
    pub inviter_owner: bool,
    /// Since when the inviter is disabled, if they are.
    pub inviter_disabled_at: Option<OffsetDateTime>,
    /// When.
    pub created_at: OffsetDateTime,
    /// Until when it can be used.
    pub expires_at: OffsetDateTime,
    /// When it was accepted.
    pub accepted_at: Option<OffsetDateTime>,
    /// When it was withdrawn.
    pub revoked_at: Option<OffsetDateTime>,
}

const INVITATION_SELECT: &str = "SELECT i.id, i.email, i.role, i.organisation_id, o.name AS organisation_name, \
     i.org_owner, i.invited_by, u.email AS invited_by_email, u.role AS inviter_role, \
     u.organisation_id AS inviter_organisation_id, u.org_owner AS inviter_owner, \
     u.disabled_at AS inviter_disabled_at, i.created_at, i.expires_at, i.accepted_at, i.revoked_at \
     FROM invitations i JOIN users u ON u.id = i.invited_by LEFT JOIN organisations o ON o.id = i.organisation_id";

/// An invitation to record.
#[derive(Debug, Clone)]
pub struct NewInvitation<'a> {
    /// SHA-256 of the token, hex.
    pub token_hash: &'a str,
    /// Who is invited.
    pub email: &'a str,
    /// As what.
    pub role: Role,
    /// Into which organisation.
    pub org: Option<OrgId>,
    /// As its owner.
    pub owner: bool,
    /// Who invites.
    pub by: UserId,
    /// When.
    pub at: OffsetDateTime,
    /// Until when.
    pub expires_at: OffsetDateTime,
}

/// Records an invitation, withdrawing any open one for the same address into the same
/// organisation (or, for staff and admins, the provider's own); another organisation's
/// invitation of the address stays as it is. Returns its id.
pub async fn insert_invitation(tx: &mut Tx, i: &NewInvitation<'_>) -> Result<i64, DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE email = $2 AND accepted_at IS NULL AND revoked_at IS NULL \
         AND (organisation_id = $3 OR (organisation_id IS NULL AND $3 IS NULL))"
    )
    .bind(stored_time(i.at))
    .bind(i.email)
    .bind(i.org.map(|o| o.0))
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "INSERT INTO invitations (token_hash, email, role, organisation_id, org_owner, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(i.token_hash)
    .bind(i.email)
    .bind(i.role.as_str())
    .bind(i.org.map(|o| o.0))
    .bind(i.owner)
    .bind(i.by.0)
    .bind(stored_time(i.at))
    .bind(stored_time(i.expires_at))
    .fetch_one(&mut *conn)
    .await
    })?)
}

/// The invitation whose token hashes to `token_hash`.
pub async fn invitation_by_token(
    db: &Db,
    token_hash: &str,
) -> Result<Option<InvitationRow>, DbError> {
    let sql = format!("{INVITATION_SELECT} WHERE i.token_hash = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, InvitationRow>(&sql)
        .bind(token_hash)
        .fetch_optional(pool)
        .await)?)
}

/// One invitation.
pub async fn invitation(db: &Db, id: i64) -> Result<Option<InvitationRow>, DbError> {
    let sql = format!("{INVITATION_SELECT} WHERE i.id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, InvitationRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

/// Marks an open invitation accepted by `user`; `false` when it was no longer open (used,
/// withdrawn or expired), whatever raced with it.
pub async fn accept(
    tx: &mut Tx,
    id: i64,
    user: UserId,
    now: OffsetDateTime,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE invitations SET accepted_at = $1, accepted_user = $2 \
         WHERE id = $3 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1"
    )
    .bind(stored_time(now))
    .bind(user.0)
    .bind(id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Withdraws an open invitation; `false` when it was not open.
pub async fn revoke(tx: &mut Tx, id: i64, now: OffsetDateTime) -> Result<bool, DbError> {
    let n = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL"
    )
    .bind(stored_time(now))
    .bind(id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// The latest invitations into `org` (or, with `None`, to the provider's staff), newest first.
pub async fn invitations(
    db: &Db,
    org: Option<OrgId>,
    limit: i64,
) -> Result<Vec<InvitationRow>, DbError> {
    let sql = match org {
        Some(_) => format!("{INVITATION_SELECT} WHERE i.organisation_id = $1 ORDER BY i.id DESC LIMIT $2"),
        None => format!("{INVITATION_SELECT} WHERE i.organisation_id IS NULL AND $1 IS NULL ORDER BY i.id DESC LIMIT $2"),
    };
    Ok(on_db!(db, |pool| sqlx::query_as::<_, InvitationRow>(&sql)
        .bind(org.map(|o| o.0))
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}
