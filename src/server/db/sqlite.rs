//! The SQLite side of [`super::Db`]: sqlx's pool for write transactions, and beside it the
//! connections that run single statements, handed back without a round trip.
//!
//! Every connection to SQLite has its own thread in sqlx, and sqlx's pool pings a connection
//! (one more trip to that thread and back, from a task it spawns) each time one is returned, a
//! check meant for network connections left in doubt by a cancelled query. A single statement on
//! a local file leaves nothing in doubt: a cancelled one is reset by its thread before the next
//! command, and autocommit leaves no transaction open. So statements outside a transaction run
//! on [`Statements`], an idle list that takes a connection back as it is; a connection whose
//! thread or file failed is closed instead.

use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteConnection, SqlitePool, SqliteQueryResult, SqliteRow,
    SqliteStatement, SqliteTypeInfo,
};
use sqlx::{ConnectOptions, Connection, Describe, Either, Execute, Executor};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The most connections for write transactions: one writes, one waits for the lock.
pub const WRITE_CONNECTIONS: u32 = 2;

/// A SQLite database: [`Self::pool`] for transactions and migrations; statements through
/// `&SqliteDb` as an [`Executor`] (what [`super::on_db!`] binds).
#[derive(Clone, Debug)]
pub struct SqliteDb {
    /// sqlx's pool: write transactions (`BEGIN IMMEDIATE`) and migrations.
    pub pool: SqlitePool,
    statements: Arc<Statements>,
}

/// The connections for single statements: at most `limit` at once, opened as needed, kept idle
/// between uses.
#[derive(Debug)]
struct Statements {
    idle: Mutex<Vec<SqliteConnection>>,
    permits: Arc<Semaphore>,
    connect: SqliteConnectOptions,
    acquire_timeout: Duration,
}

impl SqliteDb {
    /// `pool` for transactions, and up to `limit` more connections opened with `connect` for
    /// single statements.
    pub fn new(
        pool: SqlitePool,
        connect: SqliteConnectOptions,
        limit: u32,
        acquire_timeout: Duration,
    ) -> Self {
        Self {
            pool,
            statements: Arc::new(Statements {
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(limit.max(1) as usize)),
                connect,
                acquire_timeout,
            }),
        }
    }

    /// Closes both sets of connections; afterwards every statement fails with `PoolClosed`.
    pub async fn close(&self) {
        self.statements.permits.close();
        let idle = std::mem::take(&mut *self.statements.lock_idle());
        for conn in idle {
            let _ = conn.close().await;
        }
        self.pool.close().await;
    }

    /// Runs `statement` on a leased connection, and settles the lease with its result.
    async fn on_lease<T>(
        &self,
        statement: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut lease = self.lease().await?;
        let result = statement(lease.conn()).await;
        lease.settle(&result);
        result
    }

    /// A connection for one statement, waiting up to the acquire timeout for one to be free.
    async fn lease(&self) -> Result<Lease, sqlx::Error> {
        let statements = &self.statements;
        let permit = tokio::time::timeout(
            statements.acquire_timeout,
            Arc::clone(&statements.permits).acquire_owned(),
        )
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?
        .map_err(|_| sqlx::Error::PoolClosed)?;
        let kept = statements.lock_idle().pop();
        let conn = match kept {
            Some(conn) => conn,
            None => statements.connect.connect().await?,
        };
        Ok(Lease {
            conn: Some(conn),
            statements: Arc::clone(statements),
            permit: Some(permit),
            settled: false,
        })
    }
}

impl Statements {
    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<SqliteConnection>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Puts `conn` back on the idle list, unless the database was closed meanwhile.
    fn keep(&self, conn: SqliteConnection) {
        if !self.permits.is_closed() {
            self.lock_idle().push(conn);
        }
    }
}

/// One connection lent for a statement; back to the idle list when dropped, unless
/// [`Lease::settle`] saw its thread or file fail.
struct Lease {
    conn: Option<SqliteConnection>,
    statements: Arc<Statements>,
    permit: Option<OwnedSemaphorePermit>,
    /// The statement ran to its end (or failed): nothing of it is left on the connection.
    settled: bool,
}

impl Lease {
    fn conn(&mut self) -> &mut SqliteConnection {
        self.conn
            .as_mut()
            .expect("a lease holds its connection until dropped")
    }

    /// Marks the statement ended, and drops the connection instead of keeping it when `result`
    /// says it can no longer be trusted (anything but the statement's own failure: a
    /// constraint, a missing row, a value that does not decode).
    fn settle<T>(&mut self, result: &Result<T, sqlx::Error>) {
        self.settled = true;
        if let Err(error) = result {
            let statement_only = matches!(
                error,
                sqlx::Error::Database(_)
                    | sqlx::Error::RowNotFound
                    | sqlx::Error::ColumnNotFound(_)
                    | sqlx::Error::ColumnIndexOutOfBounds { .. }
                    | sqlx::Error::ColumnDecode { .. }
                    | sqlx::Error::Decode(_)
                    | sqlx::Error::Encode(_)
                    | sqlx::Error::TypeNotFound { .. }
            );
            if !statement_only {
                self.conn = None;
            }
        }
    }
}

impl Drop for Lease {
    /// A settled connection goes straight back to the idle list. One whose statement was given
    /// up half-way (its caller dropped) may still be running it on its thread: it goes back
    /// once a ping has waited behind that statement, and counts against the limit until then,
    /// so that no caller inherits the rest of someone else's statement.
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let (statements, permit) = (Arc::clone(&self.statements), self.permit.take());
        if self.settled {
            statements.keep(conn);
        } else if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let mut conn = conn;
                if conn.ping().await.is_ok() {
                    statements.keep(conn);
                }
                drop(permit);
            });
        }
    }
}

impl<'p> Executor<'p> for &'_ SqliteDb {
    type Database = Sqlite;

    /// Runs the statement and collects its results before yielding them: the portal's
    /// statements return pages of rows, never a stream worth holding a connection for.
    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Sqlite>,
    {
        let db = self.clone();
        let results = async move {
            let rows: Vec<_> = db
                .on_lease(async move |conn| conn.fetch_many(query).try_collect().await)
                .await?;
            Ok::<_, sqlx::Error>(futures::stream::iter(rows.into_iter().map(Ok)))
        };
        futures::stream::once(results).try_flatten().boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<SqliteRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Sqlite>,
    {
        let db = self.clone();
        Box::pin(async move {
            db.on_lease(async move |conn| conn.fetch_optional(query).await)
                .await
        })
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [SqliteTypeInfo],
    ) -> BoxFuture<'e, Result<SqliteStatement<'q>, sqlx::Error>> {
        let db = self.clone();
        Box::pin(async move {
            db.on_lease(async move |conn| conn.prepare_with(sql, parameters).await)
                .await
        })
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<Describe<Sqlite>, sqlx::Error>> {
        let db = self.clone();
        Box::pin(async move {
            db.on_lease(async move |conn| conn.describe(sql).await)
                .await
        })
    }
}
