//! The payment ledger and credit notes, both append-only.

use crate::domain::actor::StaffToken;
use crate::domain::billing::invoice::{CreditKind, InvoiceStatus, PaymentMethod};
use crate::domain::billing::money::Money;
use crate::domain::ids::UserId;
use crate::server::db::{on_db, on_tx, stored_time, Db, DbError, Tx};
use time::{Date, OffsetDateTime};

/// A payment to record.
#[derive(Debug, Clone)]
pub struct NewPayment<'a> {
    /// The invoice.
    pub invoice_id: i64,
    /// How it arrived.
    pub method: PaymentMethod,
    /// How much.
    pub amount: Money,
    /// When the money arrived.
    pub received_on: Date,
    /// When recorded.
    pub recorded_at: OffsetDateTime,
    /// Staff who recorded it; `None` for Stripe's webhook.
    pub recorded_by: Option<UserId>,
    /// One payment per key, whatever is retried.
    pub idempotency_key: &'a str,
    /// Stripe's payment intent or session, or the bank's transaction id.
    pub external_id: Option<&'a str>,
    /// The reference the bank statement shows.
    pub reference: Option<&'a str>,
    /// Staff's note.
    pub note: Option<&'a str>,
    /// `R-2026-0001`.
    pub receipt_number: &'a str,
}

/// Appends a payment to the ledger. `None` when a payment with the same idempotency key or
/// external id is already there: the retry is answered with what was recorded the first time.
pub async fn insert_payment(tx: &mut Tx, p: &NewPayment<'_>) -> Result<Option<i64>, DbError> {
    let sql = "INSERT INTO payments (invoice_id, method, amount_minor, currency, received_on, recorded_at, \
               recorded_by, idempotency_key, external_id, reference, note, receipt_number) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
               ON CONFLICT DO NOTHING RETURNING id";
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(p.invoice_id)
        .bind(p.method.as_str())
        .bind(p.amount.minor)
        .bind(p.amount.currency.as_str())
        .bind(p.received_on)
        .bind(stored_time(p.recorded_at))
        .bind(p.recorded_by.map(|u| u.0))
        .bind(p.idempotency_key)
        .bind(p.external_id)
        .bind(p.reference)
        .bind(p.note)
        .bind(p.receipt_number)
        .fetch_optional(&mut *conn)
        .await)?)
}

/// The payment already recorded under an idempotency key or external id.
pub async fn payment_by_key(
    tx: &mut Tx,
    idempotency_key: &str,
    external_id: Option<&str>,
) -> Result<Option<(i64, i64)>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(
        "SELECT id, invoice_id FROM payments WHERE idempotency_key = $1 OR ($2 IS NOT NULL AND external_id = $2)"
    )
    .bind(idempotency_key)
    .bind(external_id)
    .fetch_optional(&mut *conn)
    .await
    })?)
}

/// Moves an invoice's ledger sums and status after a payment or credit.
pub async fn apply_to_ledger(
    tx: &mut Tx,
    invoice_id: i64,
    paid_delta: i64,
    credited_delta: i64,
    status: InvoiceStatus,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    let settled = matches!(status, InvoiceStatus::Paid | InvoiceStatus::Waived);
    on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE invoices SET paid_minor = paid_minor + $1, credited_minor = credited_minor + $2, \
         status = $3, updated_at = $4, settled_at = CASE WHEN $5 AND settled_at IS NULL THEN $4 ELSE settled_at END \
         WHERE id = $6"
    )
    .bind(paid_delta)
    .bind(credited_delta)
    .bind(status.as_str())
    .bind(stored_time(now))
    .bind(settled)
    .bind(invoice_id)
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// A recorded payment.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PaymentRow {
    /// Id.
    pub id: i64,
    /// The invoice.
    pub invoice_id: i64,
    /// Stored spelling of the method.
    pub method: String,
    /// Minor units.
    pub amount_minor: i64,
    /// When the money arrived.
    pub received_on: Date,
    /// When recorded.
    pub recorded_at: OffsetDateTime,
    /// Who recorded it (e-mail), if staff did.
    pub recorded_by_email: Option<String>,
    /// Stripe's or the bank's id.
    pub external_id: Option<String>,
    /// As on the statement.
    pub reference: Option<String>,
    /// Staff's note.
    pub note: Option<String>,
    /// `R-2026-0001`.
    pub receipt_number: String,
}

/// An invoice's payments, oldest first.
pub async fn payments(db: &Db, invoice_id: i64) -> Result<Vec<PaymentRow>, DbError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, PaymentRow>(
        "SELECT p.id, p.invoice_id, p.method, p.amount_minor, p.received_on, p.recorded_at, \
         u.email AS recorded_by_email, p.external_id, p.reference, p.note, p.receipt_number \
         FROM payments p LEFT JOIN users u ON u.id = p.recorded_by WHERE p.invoice_id = $1 ORDER BY p.id"
    )
    .bind(invoice_id)
    .fetch_all(pool)
    .await
    })?)
}

/// A credit note to record.
#[derive(Debug, Clone)]
pub struct NewCredit<'a> {
    /// The invoice.
    pub invoice_id: i64,
    /// Credit note, line waiver or invoice waiver.
    pub kind: CreditKind,
    /// `CN-2026-0001`.
    pub number: &'a str,
    /// The line waived.
    pub line_id: Option<i64>,
    /// How much.
    pub amount: Money,
    /// The written reason.
    pub reason: &'a str,
    /// Who.
    pub by: UserId,
    /// When.
    pub at: OffsetDateTime,
}

/// Appends a credit note; returns its id.
pub async fn insert_credit(
    tx: &mut Tx,
    _staff: StaffToken,
    c: &NewCredit<'_>,
) -> Result<i64, DbError> {
    let sql =
        "INSERT INTO invoice_credits (invoice_id, kind, number, line_id, amount_minor, reason, \
               created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(c.invoice_id)
        .bind(c.kind.as_str())
        .bind(c.number)
        .bind(c.line_id)
        .bind(c.amount.minor)
        .bind(c.reason)
        .bind(c.by.0)
        .bind(stored_time(c.at))
        .fetch_one(&mut *conn)
        .await)?)
}

/// A recorded credit note.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CreditRow {
    /// Id.
    pub id: i64,
    /// Stored spelling of the kind.
    pub kind: String,
    /// `CN-2026-0001`.
    pub number: String,
    /// The line waived.
    pub line_id: Option<i64>,
    /// Minor units.
    pub amount_minor: i64,
    /// The written reason.
    pub reason: String,
    /// Who (e-mail).
    pub created_by_email: String,
    /// When.
    pub created_at: OffsetDateTime,
}

/// An invoice's credit notes, oldest first.
pub async fn credits(db: &Db, invoice_id: i64) -> Result<Vec<CreditRow>, DbError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, CreditRow>(
        "SELECT c.id, c.kind, c.number, c.line_id, c.amount_minor, c.reason, u.email AS created_by_email, \
         c.created_at FROM invoice_credits c JOIN users u ON u.id = c.created_by \
         WHERE c.invoice_id = $1 ORDER BY c.id"
    )
    .bind(invoice_id)
    .fetch_all(pool)
    .await
    })?)
}
