//! Payments into the append-only ledger: bank transfers recorded by staff (once per form, by its
//! idempotency key), card payments confirmed by Stripe's signed webhook, and starting a card
//! payment through Stripe Checkout.

use super::reactivation::reactivate_if_clear;
use super::{get_invoice, invoice_error, lock_invoice};
use crate::domain::actor::Actor;
use crate::domain::billing::checkout;
use crate::domain::billing::invoice::{self, PaymentMethod};
use crate::domain::billing::money::Money;
use crate::error::AppError;
use crate::server::db::billing::{self as store, InvoiceRecord, NewPayment};
use crate::server::db::Tx;
use crate::server::state::AppState;
use time::{Date, OffsetDateTime};

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
    let label = super::super::audit::actor_label(st, who).await?;
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
    super::super::audit::record_case(
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
