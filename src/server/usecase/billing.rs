//! Billing (policy §5 and §6): staff draft an invoice from a case, edit it while a draft and
//! issue it (a gapless number per year, a payment reference, a due date); payments arrive by
//! bank transfer (recorded by staff) or by card (confirmed by Stripe's signed webhook) into an
//! append-only ledger; corrections and waivers are numbered credit notes. After every payment,
//! credit, accepted evidence or released hold, a suspended service comes back by itself when
//! its case's reactivation conditions are all met. Every change is written with its audit
//! entry in one transaction.

use crate::domain::actor::Actor;
use crate::domain::billing::checkout;
use crate::domain::billing::fees::{self, CaseFacts, FeeKind, LineInput};
use crate::domain::billing::invoice::{
    self, credit_note_number, payment_reference, CreditKind, InvoiceStatus, PaymentMethod,
};
use crate::domain::billing::money::Money;
use crate::domain::billing::reactivation::{BlockingInvoice, ReactivationFacts};
use crate::domain::enforcement::service_state;
use crate::domain::ids::ServiceId;
use crate::error::AppError;
use crate::server::db::billing::{self as store, InvoiceRecord, NewCredit, NewPayment};
use crate::server::db::{enforcement, Db, DbError, Tx};
use crate::server::state::AppState;
use time::{Date, OffsetDateTime};

/// Trail actions that only staff see: drafts are not documents yet.
pub const STAFF_ONLY_ACTIONS: [&str; 2] = ["invoice_draft", "invoice_voided"];

/// The written reason of a waiver, a credit note, a void or a hold, from the form field `field`.
fn reason_text(field: &str, raw: &str) -> Result<String, AppError> {
    Ok(super::audit::written_reason(field, raw, "Write a reason")?.into_string())
}

fn invoice_error(e: invoice::InvoiceError) -> AppError {
    AppError::Conflict(e.to_string())
}

/// One invoice within the caller's scope: customers see their organisation's issued invoices
/// (never drafts or void ones); staff see all. Anything else is "not found".
pub async fn get_invoice(st: &AppState, who: &Actor, id: i64) -> Result<InvoiceRecord, AppError> {
    let invoice = store::get(&st.db, id).await?.ok_or(AppError::NotFound)?;
    who.may_access_org(invoice.org_id)?;
    if !who.role.is_provider()
        && matches!(invoice.status, InvoiceStatus::Draft | InvoiceStatus::Void)
    {
        return Err(AppError::NotFound);
    }
    Ok(invoice)
}

async fn lock_invoice(tx: &mut Tx, id: i64) -> Result<InvoiceRecord, AppError> {
    store::lock(tx, id).await?.ok_or(AppError::NotFound)
}

/// Whether a suspension from the case is in force on its service now.
async fn case_suspended(
    db: &Db,
    service: ServiceId,
    notice_id: i64,
    now: OffsetDateTime,
) -> Result<bool, DbError> {
    let actions = enforcement::for_service(db, service).await?;
    Ok(!enforcement::suspensions_of(&actions, notice_id, now).is_empty())
}

/// Staff draft an invoice for a case, with the lines the rules propose; returns its id.
pub async fn draft_from_case(st: &AppState, who: &Actor, notice_id: i64) -> Result<i64, AppError> {
    let staff = who.require_staff()?;
    let notice = super::case_access::get_notice(st, who, notice_id).await?;
    let now = st.now();
    let suspended = case_suspended(&st.db, notice.service_id, notice_id, now).await?;
    let schedule = &st.config.billing.fees;
    let lines = fees::propose(
        &CaseFacts {
            category: notice.category,
            verified_events: notice.event_count,
            suspended,
        },
        schedule,
    );
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    let id = store::insert_draft(
        &mut tx,
        staff,
        &store::NewDraft {
            org: notice.org_id,
            notice_id,
            service: notice.service_id,
            currency: schedule.currency,
            blocks_reactivation: suspended,
            by: who.user_id,
        },
        now,
    )
    .await?;
    for line in &lines {
        store::insert_line(&mut tx, id, line).await?;
    }
    let detail = format!(
        "Draft invoice #{id} started with {}: {}.",
        if lines.len() == 1 {
            "1 proposed line".to_owned()
        } else {
            format!("{} proposed lines", lines.len())
        },
        lines
            .iter()
            .map(|l| format!("{} {}", l.kind.label(), l.amount))
            .collect::<Vec<_>>()
            .join(", ")
    );
    super::audit::record_case(
        st,
        &mut tx,
        notice_id,
        now,
        &label,
        "invoice_draft",
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// What a draft edit does.
#[derive(Debug, Clone)]
pub enum DraftEdit {
    /// Adds a line as typed.
    AddLine(LineInput),
    /// Removes a line.
    RemoveLine(i64),
    /// Sets whether the invoice must be settled before the service is restored.
    BlocksReactivation(bool),
}

/// Staff edit a draft (lines, and whether it blocks reactivation).
pub async fn edit_draft(
    st: &AppState,
    who: &Actor,
    id: i64,
    edit: DraftEdit,
) -> Result<(), AppError> {
    who.require_staff()?;
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let invoice = lock_invoice(&mut tx, id).await?;
    invoice::ensure_draft(invoice.status, &invoice.title()).map_err(invoice_error)?;
    let detail = match edit {
        DraftEdit::AddLine(input) => {
            let events =
                crate::server::db::notices::event_count_in_tx(&mut tx, invoice.notice_id).await?;
            let line = input
                .check(events, invoice.totals.total.currency)
                .map_err(AppError::InvalidFields)?;
            store::insert_line(&mut tx, id, &line).await?;
            format!(
                "Draft invoice #{id}: line added, {} {}.",
                line.description(),
                line.amount
            )
        }
        DraftEdit::RemoveLine(line_id) => {
            if !store::delete_line(&mut tx, id, line_id).await? {
                return Err(AppError::NotFound);
            }
            format!("Draft invoice #{id}: a line was removed.")
        }
        DraftEdit::BlocksReactivation(blocks) => {
            store::set_blocks_reactivation(&mut tx, id, blocks, now).await?;
            if blocks {
                format!("Draft invoice #{id} must be settled before the service is restored.")
            } else {
                format!("Draft invoice #{id} does not hold back the service's reactivation.")
            }
        }
    };
    super::audit::record_case(
        st,
        &mut tx,
        invoice.notice_id,
        now,
        &label,
        "invoice_draft",
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Staff issue a draft: it gets the next number of the year (gapless even when two staff issue
/// at once: the counter row is taken in this transaction), its payment reference and due date,
/// and never changes again. Returns the number.
pub async fn issue(st: &AppState, who: &Actor, id: i64) -> Result<String, AppError> {
    let staff = who.require_staff()?;
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let invoice = lock_invoice(&mut tx, id).await?;
    invoice::ensure_draft(invoice.status, &invoice.title()).map_err(invoice_error)?;
    let (total, count) = store::lines_total_in_tx(&mut tx, id).await?;
    if count == 0 || total <= 0 {
        return Err(invoice_error(invoice::InvoiceError::Empty));
    }
    let total = Money {
        minor: total,
        currency: invoice.totals.total.currency,
    };
    if total.minor > crate::domain::billing::money::MAX_MINOR {
        return Err(AppError::Conflict(
            "The invoice's total is too large for one invoice; split it.".into(),
        ));
    }
    let year = now.year();
    let seq = store::next_number(&mut tx, "invoice", year).await?;
    let number = invoice::invoice_number(year, seq);
    let reference = payment_reference(year, seq);
    let due_on = invoice::due_date(now, st.config.billing.fees.payment_terms_days);
    let issued = store::issue(
        &mut tx,
        staff,
        id,
        &store::Issue {
            year,
            seq,
            number: &number,
            payment_reference: &reference,
            total,
            issued_at: now,
            due_on,
            by: who.user_id,
        },
    )
    .await?;
    if !issued {
        return Err(AppError::Conflict(
            "This invoice is no longer a draft.".into(),
        ));
    }
    let detail = format!(
        "Invoice {number} issued: {total}, due {due_on}, payment reference {reference}{}.",
        if invoice.blocks_reactivation {
            "; it must be paid before the service is restored (policy §5)"
        } else {
            ""
        }
    );
    super::audit::record_case(
        st,
        &mut tx,
        invoice.notice_id,
        now,
        &label,
        "invoice_issued",
        &detail,
    )
    .await?;
    super::notifications::tell(
        &mut tx,
        st,
        invoice.org_id,
        crate::domain::notification::NotificationKind::InvoiceIssued,
        |_| format!("Invoice {number}: {total}, due {due_on}."),
        &format!("/billing/{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(invoice = id, %number, "invoice issued");
    Ok(number)
}

/// Staff void a draft with a reason (an issued invoice is corrected by a credit note instead).
pub async fn void_draft(st: &AppState, who: &Actor, id: i64, reason: &str) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let reason = reason_text("reason", reason)?;
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let invoice = lock_invoice(&mut tx, id).await?;
    invoice::ensure_draft(invoice.status, &invoice.title()).map_err(invoice_error)?;
    store::void(&mut tx, staff, id, &reason, now).await?;
    super::audit::record_case(
        st,
        &mut tx,
        invoice.notice_id,
        now,
        &label,
        "invoice_voided",
        &format!("Draft invoice #{id} voided: {reason}"),
    )
    .await?;
    // A voided draft no longer holds the service back.
    reactivate_if_clear(&mut tx, st, invoice.notice_id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A bank transfer as staff record it.
#[derive(Debug, Clone)]
pub struct Transfer {
    /// The amount received, as typed.
    pub amount: String,
    /// The day it arrived (`YYYY-MM-DD`); empty: today.
    pub received_on: String,
    /// The reference on the statement, as typed; it must be the invoice's.
    pub reference: String,
    /// A note.
    pub note: String,
    /// The form's idempotency key: a double submission records one payment.
    pub idempotency_key: String,
}

/// What recording a payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The invoice.
    pub invoice_id: i64,
    /// Whether this call recorded it (`false`: it had been recorded before, by the same form
    /// or event, and nothing changed).
    pub new: bool,
}

fn received_on(raw: &str, today: Date) -> Result<Date, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(today);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = Date::parse(raw, &format).map_err(|_| {
        AppError::invalid(
            "received_on",
            "Give the day the money arrived, as YYYY-MM-DD.",
        )
    })?;
    if date > today {
        return Err(AppError::invalid(
            "received_on",
            "The money cannot have arrived in the future.",
        ));
    }
    Ok(date)
}

fn idempotency_key(raw: &str) -> Result<String, AppError> {
    let key = raw.trim();
    if key.len() < 16
        || key.len() > 100
        || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(AppError::Transport(
            "the form was incomplete; reload the page and try again".into(),
        ));
    }
    Ok(key.to_owned())
}

/// A fresh idempotency key for a payment form.
pub fn new_form_key() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::thread_rng().gen();
    crate::domain::audit::to_hex(&bytes)
}

/// Staff record a bank transfer against an issued invoice, found by id or by the payment
/// reference typed from the statement. Partial payments are allowed; more than the balance is
/// refused (a mistyped amount), and a second submission of the same form records nothing.
pub async fn record_transfer(
    st: &AppState,
    who: &Actor,
    invoice_id: Option<i64>,
    t: Transfer,
) -> Result<Recorded, AppError> {
    let staff = who.require_staff()?;
    let key = idempotency_key(&t.idempotency_key)?;
    let reference = invoice::parse_payment_reference(&t.reference).ok_or_else(|| {
        AppError::invalid(
            "reference",
            "That is not a valid payment reference: check it against the bank statement (it starts with RF).",
        )
    })?;
    let id = match invoice_id {
        Some(id) => id,
        None => {
            store::find_by_reference(&st.db, staff, &reference)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("reference", "No invoice has this payment reference.")
                })?
                .id
        }
    };
    let now = st.now();
    let received = received_on(&t.received_on, now.date())?;
    let note = t.note.trim();
    if note.chars().count() > 500 {
        return Err(AppError::invalid(
            "note",
            "Keep the note under 500 characters.",
        ));
    }
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    // The invoice's row lock orders concurrent submissions; the second then finds the first's
    // payment under the form's key and changes nothing.
    let invoice = lock_invoice(&mut tx, id).await?;
    if let Some((_, existing_invoice)) = store::payment_by_key(&mut tx, &key, None).await? {
        return Ok(Recorded {
            invoice_id: existing_invoice,
            new: false,
        });
    }
    if invoice.payment_reference.as_deref() != Some(reference.as_str()) {
        return Err(AppError::invalid(
            "reference",
            format!(
                "This reference belongs to another invoice; {} has {}.",
                invoice.title(),
                invoice.payment_reference.as_deref().unwrap_or("none yet")
            ),
        ));
    }
    invoice::ensure_open(invoice.status).map_err(invoice_error)?;
    let amount = Money::parse_positive(&t.amount, invoice.totals.total.currency)
        .map_err(|e| AppError::invalid("amount", e.to_string()))?;
    if amount.minor > invoice.totals.balance().minor {
        return Err(AppError::invalid(
            "amount",
            format!(
                "That is more than the balance of {}. Record the balance and refund the difference.",
                invoice.totals.balance()
            ),
        ));
    }
    let recorded = append_payment(
        &mut tx,
        st,
        &invoice,
        Payment {
            method: PaymentMethod::BankTransfer,
            amount,
            received_on: received,
            recorded_by: Some(who.user_id),
            idempotency_key: &key,
            external_id: None,
            reference: Some(&reference),
            note: (!note.is_empty()).then_some(note),
        },
        &label,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(recorded)
}

struct Payment<'a> {
    method: PaymentMethod,
    amount: Money,
    received_on: Date,
    recorded_by: Option<crate::domain::ids::UserId>,
    idempotency_key: &'a str,
    external_id: Option<&'a str>,
    reference: Option<&'a str>,
    note: Option<&'a str>,
}

/// Appends a payment to the ledger, moves the invoice's sums and status, writes the case's
/// trail and reactivates the service when that was the last condition, all in `tx`.
async fn append_payment(
    tx: &mut Tx,
    st: &AppState,
    invoice: &InvoiceRecord,
    p: Payment<'_>,
    actor: &str,
    now: OffsetDateTime,
) -> Result<Recorded, AppError> {
    let seq = store::next_number(tx, "receipt", now.year()).await?;
    let receipt = format!("R-{}-{seq:04}", now.year());
    let inserted = store::insert_payment(
        tx,
        &NewPayment {
            invoice_id: invoice.id,
            method: p.method,
            amount: p.amount,
            received_on: p.received_on,
            recorded_at: now,
            recorded_by: p.recorded_by,
            idempotency_key: p.idempotency_key,
            external_id: p.external_id,
            reference: p.reference,
            note: p.note,
            receipt_number: &receipt,
        },
    )
    .await?;
    if inserted.is_none() {
        // The key or external id was used for another invoice's payment: refused, and the
        // receipt number taken above returns with the rollback.
        return Err(AppError::Conflict(
            "This payment has already been recorded.".into(),
        ));
    }
    let mut totals = invoice.totals;
    totals.paid.minor += p.amount.minor;
    let status = totals.settled_status(invoice.status);
    store::apply_to_ledger(tx, invoice.id, p.amount.minor, 0, status, now).await?;
    let number = invoice.number.as_deref().unwrap_or_default();
    let balance = totals.balance();
    let standing = if balance.minor < 0 {
        format!(
            "overpaid by {}, to be refunded",
            Money {
                minor: -balance.minor,
                ..balance
            }
        )
    } else if balance.is_zero() {
        "paid in full".to_owned()
    } else {
        format!("balance {balance}")
    };
    let detail = format!(
        "Payment of {} by {} recorded against invoice {number} (receipt {receipt}); {standing}.",
        p.amount,
        p.method.label().to_lowercase()
    );
    super::audit::record_case(
        st,
        tx,
        invoice.notice_id,
        now,
        actor,
        "payment_recorded",
        &detail,
    )
    .await?;
    reactivate_if_clear(tx, st, invoice.notice_id, now).await?;
    tracing::info!(
        invoice = invoice.id,
        amount = p.amount.minor,
        method = p.method.as_str(),
        "payment recorded"
    );
    Ok(Recorded {
        invoice_id: invoice.id,
        new: true,
    })
}

/// What staff credit or waive.
#[derive(Debug, Clone)]
pub enum Credit {
    /// A credit note for an amount, correcting the invoice.
    Note {
        /// The amount, as typed.
        amount: String,
    },
    /// One line waived in full.
    Line(i64),
    /// Whatever is left to pay, waived.
    Rest,
}

/// Staff issue a numbered credit note (a correction, a waived line, or the rest waived) with a
/// written reason. Returns its number.
pub async fn credit(
    st: &AppState,
    who: &Actor,
    id: i64,
    credit: Credit,
    reason: &str,
) -> Result<String, AppError> {
    let staff = who.require_staff()?;
    let reason = reason_text("reason", reason)?;
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let invoice = lock_invoice(&mut tx, id).await?;
    invoice::ensure_open(invoice.status).map_err(invoice_error)?;
    let currency = invoice.totals.total.currency;
    let (kind, line_id, amount, what) = match credit {
        Credit::Note { amount } => {
            let amount = Money::parse_positive(&amount, currency)
                .map_err(|e| AppError::invalid("amount", e.to_string()))?;
            (
                CreditKind::CreditNote,
                None,
                amount,
                format!("Credit note for {amount}"),
            )
        }
        Credit::Line(line_id) => {
            let (minor, kind, waived) = store::line_in_tx(&mut tx, id, line_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if waived {
                return Err(invoice_error(invoice::InvoiceError::LineAlreadyWaived));
            }
            let kind: FeeKind = kind
                .parse()
                .map_err(|e: crate::domain::names::UnknownName| {
                    crate::server::errors::internal(e)
                })?;
            let amount = Money { minor, currency };
            (
                CreditKind::LineWaiver,
                Some(line_id),
                amount,
                format!("{} line waived ({amount})", kind.label()),
            )
        }
        Credit::Rest => {
            let balance = invoice.totals.balance();
            (
                CreditKind::InvoiceWaiver,
                None,
                balance,
                format!("Remaining {balance} waived"),
            )
        }
    };
    invoice::check_credit(amount, &invoice.totals).map_err(|e| match credit_field(kind) {
        Some(field) => AppError::invalid(field, e.to_string()),
        None => invoice_error(e),
    })?;
    if !amount.is_positive() {
        return Err(AppError::Conflict("Nothing is left to waive.".into()));
    }
    let seq = store::next_number(&mut tx, "credit_note", now.year()).await?;
    let number = credit_note_number(now.year(), seq);
    store::insert_credit(
        &mut tx,
        staff,
        &NewCredit {
            invoice_id: id,
            kind,
            number: &number,
            line_id,
            amount,
            reason: &reason,
            by: who.user_id,
            at: now,
        },
    )
    .await?;
    let mut totals = invoice.totals;
    totals.credited.minor += amount.minor;
    let status = totals.settled_status(invoice.status);
    store::apply_to_ledger(&mut tx, id, 0, amount.minor, status, now).await?;
    let detail = format!(
        "{what} on invoice {} by credit note {number}: {reason}. Balance {}.",
        invoice.number.as_deref().unwrap_or_default(),
        totals.balance()
    );
    super::audit::record_case(
        st,
        &mut tx,
        invoice.notice_id,
        now,
        &label,
        if kind == CreditKind::CreditNote {
            "credit_note_issued"
        } else {
            "invoice_waived"
        },
        &detail,
    )
    .await?;
    reactivate_if_clear(&mut tx, st, invoice.notice_id, now).await?;
    tx.commit().await?;
    Ok(number)
}

fn credit_field(kind: CreditKind) -> Option<&'static str> {
    match kind {
        CreditKind::CreditNote => Some("amount"),
        _ => None,
    }
}

/// A card payment confirmed by Stripe (a verified webhook): recorded whatever the invoice's
/// status, so that no payment is lost, once per Checkout Session whatever Stripe replays.
pub async fn record_card_payment(
    tx: &mut Tx,
    st: &AppState,
    invoice_id: i64,
    session_id: &str,
    payment_intent: Option<&str>,
    amount: Money,
    now: OffsetDateTime,
) -> Result<Recorded, AppError> {
    let key = format!("stripe:{session_id}");
    let invoice = lock_invoice(tx, invoice_id).await?;
    if let Some((_, invoice)) = store::payment_by_key(tx, &key, payment_intent).await? {
        return Ok(Recorded {
            invoice_id: invoice,
            new: false,
        });
    }
    if amount.currency != invoice.totals.total.currency {
        return Err(crate::server::errors::internal(format!(
            "Stripe session {session_id} paid in {} for an invoice in {}",
            amount.currency.as_str(),
            invoice.totals.total.currency.as_str()
        )));
    }
    append_payment(
        tx,
        st,
        &invoice,
        Payment {
            method: PaymentMethod::Card,
            amount,
            received_on: now.date(),
            recorded_by: None,
            idempotency_key: &key,
            external_id: payment_intent,
            reference: Some(session_id),
            note: None,
        },
        "Stripe (card payment)",
        now,
    )
    .await
}

/// The conditions of a case's reactivation, read in `tx`.
pub async fn reactivation_facts_in_tx(
    tx: &mut Tx,
    notice_id: i64,
) -> Result<ReactivationFacts, DbError> {
    let invoices = store::for_notice_in_tx(tx, notice_id).await?;
    Ok(ReactivationFacts {
        evidence_accepted: store::evidence_accepted_in_tx(tx, notice_id).await?,
        invoices: blocking(&invoices),
        hold: store::open_hold_in_tx(tx, notice_id).await?,
    })
}

/// The conditions of a case's reactivation.
pub async fn reactivation_facts(db: &Db, notice_id: i64) -> Result<ReactivationFacts, DbError> {
    let invoices = store::for_notice(db, notice_id).await?;
    Ok(ReactivationFacts {
        evidence_accepted: store::evidence_accepted(db, notice_id).await?,
        invoices: blocking(&invoices),
        hold: store::open_hold(db, notice_id).await?,
    })
}

fn blocking(invoices: &[InvoiceRecord]) -> Vec<BlockingInvoice> {
    invoices
        .iter()
        .filter(|i| i.blocks_reactivation && i.status != InvoiceStatus::Void)
        .map(|i| BlockingInvoice {
            number: i.number.clone(),
            balance: i.totals.balance(),
            settled: matches!(i.status, InvoiceStatus::Paid | InvoiceStatus::Waived),
        })
        .collect()
}

/// Ends the case's suspensions, by the portal, when every reactivation condition is met: run
/// in the transaction of each change that can meet the last one (a payment, a credit, accepted
/// evidence, a released hold, a voided draft). Returns the trail's words when it did.
pub async fn reactivate_if_clear(
    tx: &mut Tx,
    st: &AppState,
    notice_id: i64,
    now: OffsetDateTime,
) -> Result<Option<String>, AppError> {
    let service = crate::server::db::notices::service_of_in_tx(tx, notice_id).await?;
    let actions = enforcement::records_in_tx(tx, service).await?;
    let suspensions = enforcement::suspensions_of(&actions, notice_id, now);
    if suspensions.is_empty() {
        return Ok(None);
    }
    let facts = reactivation_facts_in_tx(tx, notice_id).await?;
    if !facts.clear() {
        return Ok(None);
    }
    let why = format!("Reactivation conditions met: {}.", facts.summary());
    for s in &suspensions {
        enforcement::end_by_portal(tx, s.id, now, &why).await?;
    }
    let (state, measures) = enforcement::measures_in_tx(tx, service).await?;
    let next = service_state(state, &measures, now);
    enforcement::set_service_state(tx, service, next).await?;
    let detail = format!(
        "Suspension ended automatically. {why} Service is {}.",
        next.label().to_lowercase()
    );
    super::audit::record_case(
        st,
        tx,
        notice_id,
        now,
        "system",
        "service_reactivated",
        &detail,
    )
    .await?;
    tracing::info!(notice_id, "service reactivated automatically");
    Ok(Some(detail))
}

/// Staff keep a case's service suspended whatever is paid or accepted (`hold`), or release that
/// hold; each with a reason in the case's trail. Releasing may reactivate the service at once.
pub async fn set_hold(
    st: &AppState,
    who: &Actor,
    notice_id: i64,
    hold: bool,
    reason: &str,
) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let reason = reason_text("hold_reason", reason)?;
    let notice = super::case_access::get_notice(st, who, notice_id).await?;
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    if hold {
        match store::insert_hold(&mut tx, staff, notice.id, &reason, who.user_id, now).await {
            Err(DbError::Duplicate) => {
                return Err(AppError::Conflict(
                    "The service is already kept suspended.".into(),
                ))
            }
            other => other?,
        }
    } else if !store::release_hold(&mut tx, staff, notice.id, &reason, who.user_id, now).await? {
        return Err(AppError::Conflict(
            "The service is not kept suspended by hand.".into(),
        ));
    }
    let detail = if hold {
        format!("Service kept suspended by hand until the abuse desk releases it: {reason}")
    } else {
        format!("Hold on reactivation released: {reason}")
    };
    super::audit::record_case(
        st,
        &mut tx,
        notice.id,
        now,
        &label,
        if hold {
            "reactivation_held"
        } else {
            "reactivation_hold_released"
        },
        &detail,
    )
    .await?;
    if !hold {
        reactivate_if_clear(&mut tx, st, notice.id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Staff reactivate a case's service by hand, whatever is still owed: every suspension from the
/// case ends now, with the reason in the trail.
pub async fn reactivate_now(
    st: &AppState,
    who: &Actor,
    notice_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let reason = reason_text("reactivate_reason", reason)?;
    let notice = super::case_access::get_notice(st, who, notice_id).await?;
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let actions = enforcement::records_in_tx(&mut tx, notice.service_id).await?;
    let mut ended = 0;
    for a in enforcement::suspensions_of(&actions, notice.id, now) {
        if enforcement::end(&mut tx, staff, a.id, who.user_id, now, &reason).await? {
            ended += 1;
        }
    }
    if ended == 0 {
        return Err(AppError::Conflict(
            "No suspension from this case is in force.".into(),
        ));
    }
    let (state, measures) = enforcement::measures_in_tx(&mut tx, notice.service_id).await?;
    let next = service_state(state, &measures, now);
    enforcement::set_service_state(&mut tx, notice.service_id, next).await?;
    super::audit::record_case(
        st,
        &mut tx,
        notice.id,
        now,
        &label,
        "service_reactivated",
        &format!(
            "Suspension ended by hand: {reason}. Service is {}.",
            next.label().to_lowercase()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A customer pays an invoice's balance by card: a Checkout Session is created through Stripe's
/// API and its page returned, to send the customer there. The invoice is paid only when
/// Stripe's signed webhook confirms it. The same form submitted twice (a double click, a retry)
/// reuses one attempt, and Stripe's idempotency key returns the same session; another click
/// while a page for the balance can still be used gets that page, and an invoice gets a few new
/// pages an hour at most (`domain::billing::checkout`).
pub async fn start_card_payment(
    st: &AppState,
    who: &Actor,
    id: i64,
    form_key: &str,
) -> Result<String, AppError> {
    use crate::server::payments::stripe::CheckoutRequest;
    let Some(client) = st.stripe.as_ref() else {
        return Err(AppError::Conflict(
            "Card payments are not available. Pay by bank transfer with the reference shown."
                .into(),
        ));
    };
    if who.role.is_provider() {
        return Err(AppError::Forbidden);
    }
    let key = idempotency_key(form_key)?;
    let invoice = get_invoice(st, who, id).await?;
    let email = crate::server::db::accounts::find_user(&st.db, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?
        .email;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let locked = lock_invoice(&mut tx, invoice.id).await?;
    invoice::ensure_open(locked.status).map_err(invoice_error)?;
    let balance = locked.totals.balance();
    if !balance.is_positive() {
        return Err(AppError::Conflict(
            "Nothing is left to pay on this invoice.".into(),
        ));
    }
    let recent = store::recent_checkouts(&mut tx, id, now - time::Duration::hours(1)).await?;
    let summary: Vec<checkout::RecentCheckout> = recent
        .iter()
        .map(|r| checkout::RecentCheckout {
            id: r.checkout.id,
            amount_minor: r.checkout.amount_minor,
            has_page: r.checkout.url.is_some(),
            created_at: r.created_at,
        })
        .collect();
    // The same form sent again (a double click) is the same attempt, whatever the limit.
    let same_form = recent.iter().any(|r| r.idempotency_key == key);
    match checkout::decide(&summary, balance.minor, now) {
        checkout::CheckoutDecision::Reuse(reused) => {
            tx.commit().await?;
            let url = recent
                .into_iter()
                .find_map(|r| {
                    (r.checkout.id == reused)
                        .then_some(r.checkout.url)
                        .flatten()
                })
                .ok_or_else(|| crate::server::errors::internal("a reused checkout has a page"))?;
            return Ok(url);
        }
        checkout::CheckoutDecision::Wait(retry_after_s) if !same_form => {
            return Err(AppError::RateLimited { retry_after_s });
        }
        _ => {}
    }
    let attempt =
        store::insert_checkout(&mut tx, id, &key, balance.minor, who.user_id, now).await?;
    tx.commit().await?;
    if attempt.invoice_id != id {
        return Err(AppError::Transport(
            "the form was incomplete; reload the page and try again".into(),
        ));
    }
    if let Some(url) = attempt.url {
        return Ok(url);
    }
    let base = st.config.public_url.as_str().trim_end_matches('/');
    let request = CheckoutRequest {
        invoice_id: id,
        description: format!(
            "Invoice {} ({})",
            locked.number.as_deref().unwrap_or_default(),
            locked.service_label
        ),
        amount_minor: attempt.amount_minor,
        currency: balance.currency.as_str().to_lowercase(),
        success_url: format!("{base}/billing/{id}?card=paid"),
        cancel_url: format!("{base}/billing/{id}?card=cancelled"),
        customer_email: email,
        expires_at: (now + checkout::CHECKOUT_LIFETIME).unix_timestamp(),
    };
    let created = client
        .create_checkout_session(&request, &format!("portal-checkout-{}", attempt.id))
        .await
        .map_err(|e| {
            tracing::error!(invoice = id, error = %e, "Stripe Checkout Session not created");
            AppError::Conflict(
                "The card payment could not be started: Stripe did not accept the request. Try again in a few minutes, or pay by bank transfer.".into(),
            )
        })?;
    store::set_checkout_session(&st.db, attempt.id, &created.id, &created.url).await?;
    Ok(created.url)
}
