//! Invoices and their lines: drafts, numbering, issue and void, the lists, and an
//! organisation's sums.

use super::corrupt;
use crate::domain::actor::StaffToken;
use crate::domain::billing::fees::{FeeKind, FeeLine};
use crate::domain::billing::invoice::{InvoiceStatus, Totals};
use crate::domain::billing::money::{Currency, Money};
use crate::domain::ids::{OrgId, ServiceId, UserId};
use crate::server::db::{on_db, on_tx, stored_time, Db, DbError, Tx};
use time::{Date, OffsetDateTime};

/// An invoice with what the pages show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRecord {
    /// Id.
    pub id: i64,
    /// The customer.
    pub org_id: OrgId,
    /// The customer's name.
    pub organisation: String,
    /// The case it bills.
    pub notice_id: i64,
    /// The case's service.
    pub service_id: ServiceId,
    /// The service's name.
    pub service_label: String,
    /// As stored.
    pub status: InvoiceStatus,
    /// Whether it must be settled before the case's suspension ends (policy §5).
    pub blocks_reactivation: bool,
    /// `2026-0042`, once issued.
    pub number: Option<String>,
    /// The bank-transfer reference, once issued.
    pub payment_reference: Option<String>,
    /// Charged (the lines' sum while a draft), paid and credited.
    pub totals: Totals,
    /// When issued.
    pub issued_at: Option<OffsetDateTime>,
    /// When due.
    pub due_on: Option<Date>,
    /// When paid or waived in full.
    pub settled_at: Option<OffsetDateTime>,
    /// When drafted.
    pub created_at: OffsetDateTime,
    /// Why a draft was voided.
    pub void_reason: Option<String>,
}

impl InvoiceRecord {
    /// The number, or "Draft #7" before it has one.
    pub fn title(&self) -> String {
        match &self.number {
            Some(n) => format!("Invoice {n}"),
            None => format!("Draft invoice #{}", self.id),
        }
    }
}

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    id: i64,
    organisation_id: i64,
    organisation_name: String,
    notice_id: i64,
    service_id: i64,
    service_label: String,
    status: String,
    currency: String,
    blocks_reactivation: bool,
    number: Option<String>,
    payment_reference: Option<String>,
    total_minor: i64,
    paid_minor: i64,
    credited_minor: i64,
    issued_at: Option<OffsetDateTime>,
    due_on: Option<Date>,
    settled_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    void_reason: Option<String>,
}

impl InvoiceRow {
    fn into_record(self) -> Result<InvoiceRecord, DbError> {
        let currency: Currency = self.currency.parse().map_err(corrupt)?;
        let money = |minor| Money { minor, currency };
        Ok(InvoiceRecord {
            id: self.id,
            org_id: OrgId(self.organisation_id),
            organisation: self.organisation_name,
            notice_id: self.notice_id,
            service_id: ServiceId(self.service_id),
            service_label: self.service_label,
            status: self.status.parse().map_err(corrupt)?,
            blocks_reactivation: self.blocks_reactivation,
            number: self.number,
            payment_reference: self.payment_reference,
            totals: Totals {
                total: money(self.total_minor),
                paid: money(self.paid_minor),
                credited: money(self.credited_minor),
            },
            issued_at: self.issued_at,
            due_on: self.due_on,
            settled_at: self.settled_at,
            created_at: self.created_at,
            void_reason: self.void_reason,
        })
    }
}

const SELECT: &str = "SELECT i.id, i.organisation_id, o.name AS organisation_name, i.notice_id, \
     i.service_id, s.label AS service_label, i.status, i.currency, i.blocks_reactivation, i.number, \
     i.payment_reference, \
     COALESCE(i.total_minor, (SELECT CAST(COALESCE(SUM(l.amount_minor), 0) AS BIGINT) FROM invoice_lines l WHERE l.invoice_id = i.id)) AS total_minor, \
     i.paid_minor, i.credited_minor, i.issued_at, i.due_on, i.settled_at, i.created_at, i.void_reason \
     FROM invoices i JOIN organisations o ON o.id = i.organisation_id JOIN services s ON s.id = i.service_id";

fn records(rows: Vec<InvoiceRow>) -> Result<Vec<InvoiceRecord>, DbError> {
    rows.into_iter().map(InvoiceRow::into_record).collect()
}

/// A draft invoice about to be created.
#[derive(Debug, Clone, Copy)]
pub struct NewDraft {
    /// The customer.
    pub org: OrgId,
    /// The case it bills.
    pub notice_id: i64,
    /// The case's service.
    pub service: ServiceId,
    /// The invoice's currency.
    pub currency: Currency,
    /// Whether it must be settled before the case's suspension ends.
    pub blocks_reactivation: bool,
    /// Who drafts it.
    pub by: UserId,
}

/// A new draft invoice for a case; returns its id.
pub async fn insert_draft(
    tx: &mut Tx,
    _staff: StaffToken,
    d: &NewDraft,
    now: OffsetDateTime,
) -> Result<i64, DbError> {
    let sql = "INSERT INTO invoices (organisation_id, notice_id, service_id, status, currency, \
               blocks_reactivation, created_by, created_at, updated_at) \
               VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $7) RETURNING id";
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(d.org.0)
        .bind(d.notice_id)
        .bind(d.service.0)
        .bind(d.currency.as_str())
        .bind(d.blocks_reactivation)
        .bind(d.by.0)
        .bind(stored_time(now))
        .fetch_one(&mut *conn)
        .await)?)
}

/// Adds a line to a draft (the database refuses lines on an issued invoice).
pub async fn insert_line(tx: &mut Tx, invoice_id: i64, line: &FeeLine) -> Result<i64, DbError> {
    let sql = "INSERT INTO invoice_lines (invoice_id, kind, quantity, unit_minor, amount_minor, source, note) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(invoice_id)
        .bind(line.kind.as_str())
        .bind(line.quantity)
        .bind(line.unit.minor)
        .bind(line.amount.minor)
        .bind(&line.source)
        .bind(&line.note)
        .fetch_one(&mut *conn)
        .await)?)
}

/// Removes a line of a draft; `false` when the invoice has no such line.
pub async fn delete_line(tx: &mut Tx, invoice_id: i64, line_id: i64) -> Result<bool, DbError> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM invoice_lines WHERE id = $1 AND invoice_id = $2"
    )
    .bind(line_id)
    .bind(invoice_id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Sets whether a draft blocks reactivation.
pub async fn set_blocks_reactivation(
    tx: &mut Tx,
    invoice_id: i64,
    blocks: bool,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE invoices SET blocks_reactivation = $1, updated_at = $2 WHERE id = $3 AND status = 'draft'"
    )
    .bind(blocks)
    .bind(stored_time(now))
    .bind(invoice_id)
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Takes the next number of `series` in `year`, inside the transaction that issues the
/// document: concurrent issuers wait for each other on the counter row, and a rollback gives the
/// number back, so numbers have no gaps.
pub async fn next_number(tx: &mut Tx, series: &str, year: i32) -> Result<i64, DbError> {
    let sql = "INSERT INTO document_counters (series, year, last) VALUES ($1, $2, 1) \
               ON CONFLICT (series, year) DO UPDATE SET last = document_counters.last + 1 \
               RETURNING last";
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(series)
        .bind(year)
        .fetch_one(&mut *conn)
        .await)?)
}

/// What issuing sets, once and for good.
#[derive(Debug, Clone)]
pub struct Issue<'a> {
    /// The year of the number.
    pub year: i32,
    /// Its sequence in the year.
    pub seq: i64,
    /// `2026-0042`.
    pub number: &'a str,
    /// The bank-transfer reference.
    pub payment_reference: &'a str,
    /// The lines' sum.
    pub total: Money,
    /// Issue time.
    pub issued_at: OffsetDateTime,
    /// Due date.
    pub due_on: Date,
    /// Who issued it.
    pub by: UserId,
}

/// Issues a draft; `false` when it was no longer a draft.
pub async fn issue(
    tx: &mut Tx,
    _staff: StaffToken,
    id: i64,
    i: &Issue<'_>,
) -> Result<bool, DbError> {
    let sql = "UPDATE invoices SET status = 'issued', year = $1, seq = $2, number = $3, \
               payment_reference = $4, total_minor = $5, issued_at = $6, due_on = $7, issued_by = $8, \
               updated_at = $6 WHERE id = $9 AND status = 'draft'";
    let n = on_tx!(tx, |conn| sqlx::query(sql)
        .bind(i.year)
        .bind(i.seq)
        .bind(i.number)
        .bind(i.payment_reference)
        .bind(i.total.minor)
        .bind(stored_time(i.issued_at))
        .bind(i.due_on)
        .bind(i.by.0)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Voids a draft with a reason; `false` when it was no longer a draft.
pub async fn void(
    tx: &mut Tx,
    _staff: StaffToken,
    id: i64,
    reason: &str,
    now: OffsetDateTime,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE invoices SET status = 'void', void_reason = $1, updated_at = $2 WHERE id = $3 AND status = 'draft'"
    )
    .bind(reason)
    .bind(stored_time(now))
    .bind(id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// One invoice, locked for the rest of the transaction (PostgreSQL row lock; SQLite's write
/// transaction already excludes other writers).
pub async fn lock(tx: &mut Tx, id: i64) -> Result<Option<InvoiceRecord>, DbError> {
    // dialect: FOR UPDATE cannot name the joined tables on PostgreSQL, so lock the row first.
    let lock_sql = format!("SELECT id FROM invoices WHERE id = $1{}", tx.lock_clause());
    let found: Option<i64> = on_tx!(tx, |conn| sqlx::query_scalar(&lock_sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await)?;
    if found.is_none() {
        return Ok(None);
    }
    let sql = format!("{SELECT} WHERE i.id = $1");
    let row = on_tx!(tx, |conn| sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(id)
        .fetch_one(&mut *conn)
        .await)?;
    row.into_record().map(Some)
}

/// One invoice.
pub async fn get(db: &Db, id: i64) -> Result<Option<InvoiceRecord>, DbError> {
    let sql = format!("{SELECT} WHERE i.id = $1");
    let row = on_db!(db, |pool| sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    row.map(InvoiceRow::into_record).transpose()
}

/// The issued invoice with this payment reference.
pub async fn find_by_reference(
    db: &Db,
    _staff: StaffToken,
    reference: &str,
) -> Result<Option<InvoiceRecord>, DbError> {
    let sql = format!("{SELECT} WHERE i.payment_reference = $1");
    let row = on_db!(db, |pool| sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(reference)
        .fetch_optional(pool)
        .await)?;
    row.map(InvoiceRow::into_record).transpose()
}

/// A case's invoices, oldest first (drafts included; the caller hides them from customers).
pub async fn for_notice(db: &Db, notice_id: i64) -> Result<Vec<InvoiceRecord>, DbError> {
    let sql = format!("{SELECT} WHERE i.notice_id = $1 ORDER BY i.id");
    let rows = on_db!(db, |pool| sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(notice_id)
        .fetch_all(pool)
        .await)?;
    records(rows)
}

/// A case's invoices inside a transaction (for the reactivation check).
pub async fn for_notice_in_tx(tx: &mut Tx, notice_id: i64) -> Result<Vec<InvoiceRecord>, DbError> {
    let sql = format!("{SELECT} WHERE i.notice_id = $1 ORDER BY i.id");
    let rows = on_tx!(tx, |conn| sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(notice_id)
        .fetch_all(&mut *conn)
        .await)?;
    records(rows)
}

/// Which invoices a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// One organisation's (customers always pass their own).
    pub org: Option<OrgId>,
    /// Leave out drafts and void invoices (what customers may see).
    pub issued_only: bool,
    /// One stored status.
    pub status: Option<InvoiceStatus>,
    /// Issued, unsettled invoices due before this day.
    pub overdue_on: Option<Date>,
}

enum Bind {
    I64(i64),
    Text(&'static str),
    Day(Date),
}

/// A page of invoices, newest first, after invoice id `before` (keyset on the primary key, with
/// the organisation's or the status's index). Only the filter's clauses are written, so each
/// list uses its index.
pub async fn list(
    db: &Db,
    filter: &ListFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<InvoiceRecord>, DbError> {
    let mut clauses: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    let mut arg = |b: Bind| {
        binds.push(b);
        format!("${}", binds.len())
    };
    if let Some(org) = filter.org {
        clauses.push(format!("i.organisation_id = {}", arg(Bind::I64(org.0))));
    }
    if filter.issued_only {
        clauses.push("i.status NOT IN ('draft', 'void')".into());
    }
    if let Some(status) = filter.status {
        clauses.push(format!("i.status = {}", arg(Bind::Text(status.as_str()))));
    }
    if let Some(day) = filter.overdue_on {
        clauses.push(format!(
            "i.status = 'issued' AND i.due_on < {}",
            arg(Bind::Day(day))
        ));
    }
    if let Some(before) = before {
        clauses.push(format!("i.id < {}", arg(Bind::I64(before))));
    }
    let limit = arg(Bind::I64(limit));
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    let sql = format!("{SELECT}{where_sql} ORDER BY i.id DESC LIMIT {limit}");
    let rows = on_db!(db, |pool| {
        let mut q = sqlx::query_as::<_, InvoiceRow>(&sql);
        for b in &binds {
            q = match b {
                Bind::I64(v) => q.bind(*v),
                Bind::Text(v) => q.bind(*v),
                Bind::Day(v) => q.bind(*v),
            };
        }
        q.fetch_all(pool).await
    })?;
    records(rows)
}

/// A stored invoice line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRecord {
    /// Id.
    pub id: i64,
    /// The checked line.
    pub line: FeeLine,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    kind: String,
    quantity: i64,
    unit_minor: i64,
    amount_minor: i64,
    source: Option<String>,
    note: Option<String>,
}

/// An invoice's lines, in the order they were added.
pub async fn lines(
    db: &Db,
    invoice_id: i64,
    currency: Currency,
) -> Result<Vec<LineRecord>, DbError> {
    let rows = on_db!(db, |pool| sqlx::query_as::<_, LineRow>(
        "SELECT id, kind, quantity, unit_minor, amount_minor, source, note FROM invoice_lines \
         WHERE invoice_id = $1 ORDER BY id"
    )
    .bind(invoice_id)
    .fetch_all(pool)
    .await)?;
    rows.into_iter()
        .map(|r| {
            let kind: FeeKind = r.kind.parse().map_err(corrupt)?;
            let money = |minor| Money { minor, currency };
            Ok(LineRecord {
                id: r.id,
                line: FeeLine {
                    kind,
                    quantity: r.quantity,
                    unit: money(r.unit_minor),
                    amount: money(r.amount_minor),
                    source: r.source,
                    note: r.note,
                },
            })
        })
        .collect()
}

/// The sum and count of a draft's lines, inside the transaction that issues it.
pub async fn lines_total_in_tx(tx: &mut Tx, invoice_id: i64) -> Result<(i64, i64), DbError> {
    let (sum, count): (Option<i64>, i64) = on_tx!(tx, |conn| {
        sqlx::query_as(
        "SELECT CAST(SUM(amount_minor) AS BIGINT), COUNT(*) FROM invoice_lines WHERE invoice_id = $1"
    )
    .bind(invoice_id)
    .fetch_one(&mut *conn)
    .await
    })?;
    Ok((sum.unwrap_or(0), count))
}

/// One line's amount and whether it was waived, inside a transaction.
pub async fn line_in_tx(
    tx: &mut Tx,
    invoice_id: i64,
    line_id: i64,
) -> Result<Option<(i64, String, bool)>, DbError> {
    let row: Option<(i64, String, i64)> = on_tx!(tx, |conn| {
        sqlx::query_as(
        "SELECT l.amount_minor, l.kind, (SELECT COUNT(*) FROM invoice_credits c WHERE c.line_id = l.id) \
         FROM invoice_lines l WHERE l.id = $1 AND l.invoice_id = $2"
    )
    .bind(line_id)
    .bind(invoice_id)
    .fetch_optional(&mut *conn)
    .await
    })?;
    Ok(row.map(|(amount, kind, waived)| (amount, kind, waived > 0)))
}

/// An organisation's billing sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct OrgSums {
    /// Left to pay on its issued, unsettled invoices.
    pub owed_minor: i64,
    /// Paid on all its invoices.
    pub paid_minor: i64,
    /// Issued, unsettled invoices past their due date.
    pub overdue: i64,
}

/// What an organisation owes and has paid, as of `today`.
pub async fn org_sums(db: &Db, org: OrgId, today: Date) -> Result<OrgSums, DbError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, OrgSums>(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN status = 'issued' THEN total_minor - paid_minor - credited_minor ELSE 0 END), 0) AS BIGINT) AS owed_minor, \
         CAST(COALESCE(SUM(paid_minor), 0) AS BIGINT) AS paid_minor, \
         CAST(COALESCE(SUM(CASE WHEN status = 'issued' AND due_on < $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue \
         FROM invoices WHERE organisation_id = $1 AND status NOT IN ('draft', 'void')"
    )
    .bind(org.0)
    .bind(today)
    .fetch_one(pool)
    .await
    })?)
}
