//! Organisations and users.

use super::{on_db, stored_time, Db, DbError};
use crate::domain::account::{Email, OrgName};
use crate::domain::actor::Role;
use crate::domain::actor::StaffToken;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::notification::KindSet;
use crate::domain::zone::Zone;
use time::OffsetDateTime;

/// A user as stored, with their organisation's name.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Normalised e-mail.
    pub email: String,
    /// Argon2id PHC string. Empty in the row read with the session (see
    /// [`super::sessions::LOADED_USER`]): it never travels with a session's data.
    #[serde(skip)]
    pub password_hash: String,
    /// Stored role spelling.
    pub role: String,
    /// The customer's organisation.
    pub organisation_id: Option<i64>,
    /// That organisation's name.
    pub organisation_name: Option<String>,
    /// When the account was disabled; a disabled account cannot sign in.
    pub disabled_at: Option<OffsetDateTime>,
    /// Whether the customer owns their organisation (invites and removes colleagues).
    pub org_owner: bool,
    /// When two-factor sign-in was enabled.
    pub totp_enabled_at: Option<OffsetDateTime>,
    /// Whether the user's organisation requires two-factor sign-in.
    pub org_requires_two_factor: bool,
    /// The zone they read times in (IANA name).
    pub time_zone: String,
    /// The kinds of news they asked to receive by mail (stored spelling).
    pub mail_kinds: String,
}

impl UserRow {
    /// The user's id.
    pub fn user_id(&self) -> UserId {
        UserId(self.id)
    }

    /// The user's role, refusing an unknown stored spelling.
    pub fn role(&self) -> Result<Role, DbError> {
        self.role
            .parse()
            .map_err(|e: crate::domain::actor::UnknownRole| DbError::Corrupt(e.to_string()))
    }

    /// The user's organisation.
    pub fn org_id(&self) -> Option<OrgId> {
        self.organisation_id.map(OrgId)
    }

    /// The zone they read times in.
    pub fn zone(&self) -> Zone {
        Zone::stored(&self.time_zone)
    }

    /// The kinds of news they asked to receive by mail.
    pub fn mail_kinds(&self) -> Result<KindSet, DbError> {
        KindSet::parse(&self.mail_kinds)
            .map_err(|e| DbError::Corrupt(format!("user {}: {e}", self.id)))
    }

    /// Whether the account must have a second factor: staff and admins always (ASVS 4.3.1),
    /// customers when their organisation requires it.
    pub fn needs_second_factor(&self) -> bool {
        matches!(self.role.as_str(), "staff" | "admin") || self.org_requires_two_factor
    }
}

/// The columns of a [`UserRow`] but its password hash, read from `users u LEFT JOIN
/// organisations o`: one list, so a new column cannot reach one statement and miss the other.
macro_rules! user_columns {
    () => {
        "u.id, u.email, u.role, u.organisation_id, o.name AS organisation_name, u.disabled_at, \
         u.org_owner, u.totp_enabled_at, \
         COALESCE(o.require_two_factor, FALSE) AS org_requires_two_factor, u.time_zone, \
         u.mail_kinds"
    };
}

const USER_COLUMNS: &str = concat!(
    "SELECT ",
    user_columns!(),
    ", u.password_hash FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id"
);

/// A user's columns as [`UserRow`] names them, all `NULL` where a `LEFT JOIN users u` found no
/// user (and without the password hash), for statements that read a user beside something else.
pub(super) const OPTIONAL_USER_COLUMNS: &str = user_columns!();

/// [`OPTIONAL_USER_COLUMNS`] as read: a [`UserRow`] when the join found the user.
#[derive(sqlx::FromRow)]
pub(super) struct OptionalUserRow {
    id: Option<i64>,
    email: Option<String>,
    role: Option<String>,
    organisation_id: Option<i64>,
    organisation_name: Option<String>,
    disabled_at: Option<OffsetDateTime>,
    org_owner: Option<bool>,
    totp_enabled_at: Option<OffsetDateTime>,
    org_requires_two_factor: Option<bool>,
    time_zone: Option<String>,
    mail_kinds: Option<String>,
}

impl OptionalUserRow {
    /// The user, if the join found one (its password hash left empty).
    pub(super) fn into_user(self) -> Option<UserRow> {
        Some(UserRow {
            id: self.id?,
            email: self.email?,
            password_hash: String::new(),
            role: self.role?,
            organisation_id: self.organisation_id,
            organisation_name: self.organisation_name,
            disabled_at: self.disabled_at,
            org_owner: self.org_owner?,
            totp_enabled_at: self.totp_enabled_at,
            org_requires_two_factor: self.org_requires_two_factor.unwrap_or(false),
            time_zone: self.time_zone?,
            mail_kinds: self.mail_kinds?,
        })
    }
}

/// The user with this e-mail, if any.
pub async fn find_user_by_email(db: &Db, email: &Email) -> Result<Option<UserRow>, DbError> {
    let sql = format!("{USER_COLUMNS} WHERE u.email = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, UserRow>(&sql)
        .bind(email.as_str())
        .fetch_optional(pool)
        .await)?)
}

/// The user with this id, if any.
pub async fn find_user(db: &Db, id: UserId) -> Result<Option<UserRow>, DbError> {
    let sql = format!("{USER_COLUMNS} WHERE u.id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, UserRow>(&sql)
        .bind(id.0)
        .fetch_optional(pool)
        .await)?)
}

/// Sets the zone a user reads times in and the kinds of news they receive by mail.
pub async fn set_preferences(
    db: &Db,
    id: UserId,
    zone: &Zone,
    mail: &KindSet,
) -> Result<(), DbError> {
    on_db!(db, |pool| sqlx::query(
        "UPDATE users SET time_zone = $2, mail_kinds = $3 WHERE id = $1"
    )
    .bind(id.0)
    .bind(zone.name())
    .bind(mail.stored())
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The id of the organisation with this name, creating it when missing.
pub async fn ensure_organisation(
    db: &Db,
    name: &OrgName,
    now: OffsetDateTime,
) -> Result<OrgId, DbError> {
    // The no-op update makes RETURNING yield the existing row's id on both engines.
    let sql = "INSERT INTO organisations (name, created_at) VALUES ($1, $2) \
               ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id";
    let id: i64 = on_db!(db, |pool| sqlx::query_scalar(sql)
        .bind(name.as_str())
        .bind(stored_time(now))
        .fetch_one(pool)
        .await)?;
    Ok(OrgId(id))
}

/// Creates a user; `DbError::Duplicate` when the e-mail is taken. The first customer of an
/// organisation becomes its owner.
pub async fn insert_user(
    db: &Db,
    email: &Email,
    password_hash: &str,
    role: Role,
    org: Option<OrgId>,
    now: OffsetDateTime,
) -> Result<UserId, DbError> {
    let sql =
        "INSERT INTO users (email, password_hash, role, organisation_id, created_at, org_owner) \
               VALUES ($1, $2, $3, $4, $5, $3 = 'customer' AND NOT EXISTS \
               (SELECT 1 FROM users WHERE organisation_id = $4)) RETURNING id";
    let id: i64 = on_db!(db, |pool| sqlx::query_scalar(sql)
        .bind(email.as_str())
        .bind(password_hash)
        .bind(role.as_str())
        .bind(org.map(|o| o.0))
        .bind(stored_time(now))
        .fetch_one(pool)
        .await)?;
    Ok(UserId(id))
}

/// Creates a user inside a transaction (an accepted invitation), owner or not as invited;
/// `DbError::Duplicate` when the e-mail is taken.
pub async fn insert_user_in_tx(
    tx: &mut super::Tx,
    email: &Email,
    password_hash: &str,
    role: Role,
    org: Option<OrgId>,
    owner: bool,
    now: OffsetDateTime,
) -> Result<UserId, DbError> {
    let id: i64 = super::on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, role, organisation_id, created_at, org_owner) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(email.as_str())
    .bind(password_hash)
    .bind(role.as_str())
    .bind(org.map(|o| o.0))
    .bind(stored_time(now))
    .bind(owner)
    .fetch_one(&mut *conn)
    .await
    })?;
    Ok(UserId(id))
}

/// How many user accounts exist.
pub async fn count_users(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(pool)
    .await)?)
}

/// An organisation with its counts, for the staff overview.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgSummaryRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Customer users.
    pub users: i64,
    /// Services rented.
    pub services: i64,
}

/// One page of organisations in name order, after the keyset `(name, id)`.
pub async fn list_organisations(
    db: &Db,
    _staff: StaffToken,
    after: Option<(&str, i64)>,
    limit: i64,
) -> Result<Vec<OrgSummaryRow>, DbError> {
    let (name, id) = after.unwrap_or(("", 0));
    let sql = "SELECT o.id, o.name, \
                 (SELECT COUNT(*) FROM users u WHERE u.organisation_id = o.id) AS users, \
                 (SELECT COUNT(*) FROM services s WHERE s.organisation_id = o.id) AS services \
               FROM organisations o WHERE (o.name, o.id) > ($1, $2) ORDER BY o.name, o.id LIMIT $3";
    Ok(on_db!(db, |pool| sqlx::query_as::<_, OrgSummaryRow>(sql)
        .bind(name)
        .bind(id)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// An organisation's users: e-mail and stored role, in e-mail order.
pub async fn members(db: &Db, org: OrgId) -> Result<Vec<(String, String)>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT email, role FROM users WHERE organisation_id = $1 ORDER BY email"
    )
    .bind(org.0)
    .fetch_all(pool)
    .await)?)
}

/// Totals for the staff overview.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Totals {
    /// Organisations.
    pub organisations: i64,
    /// Customer users.
    pub customers: i64,
    /// Staff and admins.
    pub staff: i64,
    /// Services.
    pub services: i64,
    /// Services not active.
    pub services_restricted: i64,
}

/// Counts across the whole provider.
pub async fn totals(db: &Db, _staff: StaffToken) -> Result<Totals, DbError> {
    let sql = "SELECT \
        (SELECT COUNT(*) FROM organisations) AS organisations, \
        (SELECT COUNT(*) FROM users WHERE role = 'customer') AS customers, \
        (SELECT COUNT(*) FROM users WHERE role <> 'customer') AS staff, \
        (SELECT COUNT(*) FROM services) AS services, \
        (SELECT COUNT(*) FROM services WHERE state <> 'active') AS services_restricted";
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Totals>(sql)
        .fetch_one(pool)
        .await)?)
}

/// Every organisation's id and name, in name order (for filters).
/// One organisation's name.
pub async fn organisation_name(
    db: &Db,
    org: crate::domain::ids::OrgId,
) -> Result<Option<String>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT name FROM organisations WHERE id = $1"
    )
    .bind(org.0)
    .fetch_optional(pool)
    .await)?)
}

/// Every organisation's id and name, in name order (the first 1,000).
pub async fn organisation_names(
    db: &Db,
    _staff: StaffToken,
) -> Result<Vec<(i64, String)>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, name FROM organisations ORDER BY name, id LIMIT 1000"
    )
    .fetch_all(pool)
    .await)?)
}
