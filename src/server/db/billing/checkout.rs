//! Card payments asked of Stripe (Checkout sessions) and the Stripe events already handled.

use crate::domain::ids::UserId;
use crate::server::db::{on_db, on_tx, stored_time, Db, DbError, Tx};
use time::OffsetDateTime;

/// A card payment asked of Stripe.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CheckoutRow {
    /// Id.
    pub id: i64,
    /// The invoice.
    pub invoice_id: i64,
    /// `cs_…`, once Stripe answered.
    pub stripe_id: Option<String>,
    /// Stripe's payment page.
    pub url: Option<String>,
    /// The amount asked.
    pub amount_minor: i64,
}

/// Records a checkout attempt under the form's idempotency key; the attempt already recorded
/// under that key when there is one (a double click).
pub async fn insert_checkout(
    tx: &mut Tx,
    invoice_id: i64,
    idempotency_key: &str,
    amount_minor: i64,
    by: UserId,
    now: OffsetDateTime,
) -> Result<CheckoutRow, DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO checkout_sessions (invoice_id, idempotency_key, amount_minor, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING"
    )
    .bind(invoice_id)
    .bind(idempotency_key)
    .bind(amount_minor)
    .bind(by.0)
    .bind(stored_time(now))
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as::<_, CheckoutRow>(
        "SELECT id, invoice_id, stripe_id, url, amount_minor FROM checkout_sessions WHERE idempotency_key = $1"
    )
    .bind(idempotency_key)
    .fetch_one(&mut *conn)
    .await
    })?)
}

/// A checkout attempt made recently, as a new click weighs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecentCheckoutRow {
    /// The attempt.
    #[sqlx(flatten)]
    pub checkout: CheckoutRow,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// The form's idempotency key it was made under.
    pub idempotency_key: String,
}

/// The invoice's checkout attempts made since `since`.
pub async fn recent_checkouts(
    tx: &mut Tx,
    invoice_id: i64,
    since: OffsetDateTime,
) -> Result<Vec<RecentCheckoutRow>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as::<_, RecentCheckoutRow>(
            "SELECT id, invoice_id, stripe_id, url, amount_minor, created_at, idempotency_key \
             FROM checkout_sessions WHERE invoice_id = $1 AND created_at > $2 ORDER BY id",
        )
        .bind(invoice_id)
        .bind(stored_time(since))
        .fetch_all(&mut *conn)
        .await
    })?)
}

/// Stores the session Stripe created for an attempt.
pub async fn set_checkout_session(
    db: &Db,
    id: i64,
    stripe_id: &str,
    url: &str,
) -> Result<(), DbError> {
    on_db!(db, |pool| sqlx::query(
        "UPDATE checkout_sessions SET stripe_id = $1, url = $2 WHERE id = $3"
    )
    .bind(stripe_id)
    .bind(url)
    .bind(id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The attempt a Stripe session belongs to.
pub async fn checkout_by_stripe_id(
    tx: &mut Tx,
    stripe_id: &str,
) -> Result<Option<CheckoutRow>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as::<_, CheckoutRow>(
        "SELECT id, invoice_id, stripe_id, url, amount_minor FROM checkout_sessions WHERE stripe_id = $1"
    )
    .bind(stripe_id)
    .fetch_optional(&mut *conn)
    .await
    })?)
}

/// Records that a Stripe event is being applied; `false` when it already was (a replay).
pub async fn claim_stripe_event(
    tx: &mut Tx,
    event_id: &str,
    kind: &str,
    now: OffsetDateTime,
    outcome: &str,
) -> Result<bool, DbError> {
    let claimed: Option<String> = on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "INSERT INTO stripe_events (event_id, type, received_at, outcome) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    )
    .bind(event_id)
    .bind(kind)
    .bind(stored_time(now))
    .bind(outcome)
    .fetch_optional(&mut *conn)
    .await
    })?;
    Ok(claimed.is_some())
}

/// How many Stripe events were applied (for tests and health output).
pub async fn stripe_event_count(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM stripe_events"
    )
    .fetch_one(pool)
    .await)?)
}
