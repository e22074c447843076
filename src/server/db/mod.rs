//! The database: one `Db` over SQLite (embedded default) or PostgreSQL (production, several
//! portal processes on one database), picked from the URL at start.
//!
//! Queries are written once in SQL both engines accept (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`), and [`on_db!`] binds the same text on whichever pool is live. Statements that
//! must differ are marked `// dialect:`. Rows derive `sqlx::FromRow`, which decodes on both.

pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod billing;
pub mod enforcement;
pub mod inventory;
pub mod leases;
pub mod notices;
pub mod notifications;
pub mod outbox;
pub mod people;
pub mod reports;
pub mod responses;
pub mod services;
pub mod sessions;
pub mod settings;
pub mod smtp;
pub mod sqlite;
pub mod throttle;
pub mod two_factor;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// Runs `$body` with `$pool` bound to the live engine as a statement executor (`&SqliteDb` or
/// `&PgPool`); the body is compiled once per engine.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::server::db::Db::Sqlite($pool) => $body,
            $crate::server::db::Db::Postgres($pool) => $body,
        }
    };
}
pub use crate::on_db;

/// A connection pool on one of the two supported engines.
#[derive(Clone, Debug)]
pub enum Db {
    /// The embedded default: a file under the data directory.
    Sqlite(sqlite::SqliteDb),
    /// The production and scale-out engine.
    Postgres(PgPool),
}

/// Failures of the data layer that callers treat differently.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique constraint refused the write.
    #[error("a record with the same unique value already exists")]
    Duplicate,
    /// A foreign key refused the write.
    #[error("a referenced record does not exist")]
    MissingReference,
    /// A stored value does not decode into the domain type (a bug or a hand-edited row).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// Anything else from the driver.
    #[error(transparent)]
    Sqlx(sqlx::Error),
}

impl From<sqlx::Error> for DbError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db_err) = &err {
            match db_err.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return DbError::Duplicate,
                sqlx::error::ErrorKind::ForeignKeyViolation => return DbError::MissingReference,
                _ => {}
            }
        }
        DbError::Sqlx(err)
    }
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// `sqlite://path` or `postgres://…`.
    pub url: String,
    /// The pool's connection limit.
    pub max_connections: u32,
}

impl Db {
    /// Opens a pool for the URL's engine. A SQLite file and its folder are created when missing,
    /// with WAL journaling, foreign keys enforced and a busy timeout.
    pub async fn connect(opts: &DbOptions) -> Result<Db, DbError> {
        if opts.url.starts_with("postgres://") || opts.url.starts_with("postgresql://") {
            // The portal's statements are short keyset reads and single-row writes: JIT
            // compilation never pays for itself on them, and on a generic plan it cost about
            // 20 ms per list page at a million notices (issue 15). Turned off per connection.
            let connect = PgConnectOptions::from_str(&opts.url)?.options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(connect)
                .await?;
            Ok(Db::Postgres(pool))
        } else if opts.url.starts_with("sqlite:") {
            let connect = SqliteConnectOptions::from_str(&opts.url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            if let Some(dir) = connect.get_filename().parent() {
                std::fs::create_dir_all(dir).map_err(|e| DbError::Sqlx(sqlx::Error::Io(e)))?;
            }
            // A connection to a local file does not go stale: no ping before each use (sqlx's
            // default), which cost a round trip to the connection's thread per statement. Single
            // statements run on connections of their own, handed back without sqlx's ping on
            // release either (see `sqlite`).
            // The limit is shared: SQLite lets one writer at a time, so write transactions get
            // at most `WRITE_CONNECTIONS` (more would only wait on its lock, each holding a page
            // cache meanwhile) and single statements the rest.
            let acquire_timeout = Duration::from_secs(5);
            let writers = opts.max_connections.min(sqlite::WRITE_CONNECTIONS);
            let pool = SqlitePoolOptions::new()
                .max_connections(writers)
                .acquire_timeout(acquire_timeout)
                .test_before_acquire(false)
                .connect_with(connect.clone())
                .await?;
            Ok(Db::Sqlite(sqlite::SqliteDb::new(
                pool,
                connect,
                opts.max_connections.saturating_sub(writers),
                acquire_timeout,
            )))
        } else {
            Err(DbError::Corrupt(format!(
                "DATABASE_URL must start with sqlite: or postgres://, not {:?}",
                opts.url.split(':').next().unwrap_or_default()
            )))
        }
    }

    /// Applies the migrations in `migrations/<engine>/` that have not run yet.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite(db) => sqlx::migrate!("migrations/sqlite").run(&db.pool).await,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbError> {
        on_db!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// The engine's name, for logs and health output.
    pub fn engine(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Closes every connection (at shutdown and at the end of tests).
    pub async fn close(&self) {
        match self {
            Db::Sqlite(db) => db.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// A timestamp as stored: UTC, whole seconds. SQLite keeps times as RFC 3339 text, which sorts
/// correctly only when every value has the same shape, so fractions of a second are dropped.
pub fn stored_time(t: time::OffsetDateTime) -> time::OffsetDateTime {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("0 is a valid nanosecond")
}

/// The read-then-write steps that take turns across processes ([`Tx::take_turn`]).
#[derive(Debug, Clone, Copy)]
#[repr(i64)]
pub enum TurnKey {
    /// Inventory imports and the inventory API, which make organisations and services by name.
    Inventory = 0x4150_0001,
    /// Report intake and the verification of reported cases, which make waiting cases by
    /// service and category.
    Reports = 0x4150_0002,
}

/// A write transaction on either engine. On SQLite it begins `IMMEDIATE`, taking the write lock
/// at once so that the busy timeout applies instead of a failure at the first write.
pub enum Tx {
    /// SQLite.
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    /// PostgreSQL.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the transaction's connection (use `&mut *$conn`).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::server::db::Tx::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::server::db::Tx::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}
pub use crate::on_tx;

impl Db {
    /// Begins a write transaction.
    pub async fn begin_write(&self) -> Result<Tx, DbError> {
        Ok(match self {
            Db::Sqlite(db) => Tx::Sqlite(db.pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

impl Tx {
    /// Commits.
    pub async fn commit(self) -> Result<(), DbError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Waits for, then holds until the end of the transaction, the lock named `key`: on
    /// PostgreSQL a transaction-level advisory lock, so that portal processes sharing the
    /// database take turns at a read-then-write that no row lock can cover (making a record
    /// that does not exist yet); nothing on SQLite, whose IMMEDIATE transaction already
    /// serialises every writer.
    pub async fn take_turn(&mut self, key: TurnKey) -> Result<(), DbError> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock($1)") // dialect: advisory lock
                .bind(key as i64)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    /// `FOR UPDATE` on PostgreSQL; nothing on SQLite, where the IMMEDIATE transaction already
    /// holds the database's write lock.
    pub fn lock_clause(&self) -> &'static str {
        match self {
            Tx::Sqlite(_) => "",
            Tx::Postgres(_) => " FOR UPDATE", // dialect: row lock
        }
    }
}
