//! `POST /webhooks/stripe`: Stripe's signed events. The signature is checked on the raw body
//! before anything is parsed; a paid Checkout Session becomes one payment in the ledger (its
//! trail entry and any reactivation in the same transaction); each event id is applied once.
//! Stripe retries anything but a 2xx, so a database outage answers 503 and loses nothing.

use crate::domain::billing::money::{Currency, Money};
use crate::error::AppError;
use crate::server::db::billing as store;
use crate::server::payments::stripe::{verify_signature, Event};
use crate::server::state::AppState;
use crate::server::usecase::billing::record_card_payment;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// The largest event body accepted (Stripe's are a few kilobytes).
pub const MAX_BODY: usize = 256 * 1024;

/// What became of an event, as answered to Stripe and kept in `stripe_events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A payment was recorded.
    Paid {
        /// The invoice.
        invoice_id: i64,
    },
    /// The payment had been recorded from another event of the same session.
    AlreadyPaid,
    /// The event was applied before (a retry or a replay).
    Duplicate,
    /// Not an event that pays anything, or a session the portal did not create.
    Ignored(&'static str),
}

impl Outcome {
    fn stored(&self) -> String {
        match self {
            Outcome::Paid { invoice_id } => format!("payment recorded on invoice {invoice_id}"),
            Outcome::AlreadyPaid => "payment already recorded".into(),
            Outcome::Duplicate => "duplicate".into(),
            Outcome::Ignored(why) => format!("ignored: {why}"),
        }
    }
}

/// The handler.
pub async fn stripe_webhook(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(stripe) = st.config.billing.stripe.clone() else {
        return (StatusCode::NOT_FOUND, "card payments are not configured").into_response();
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let now = st.now();
    if let Err(e) = verify_signature(
        signature,
        &body,
        &stripe.webhook_secret,
        now.unix_timestamp(),
        stripe.tolerance,
    ) {
        tracing::warn!(error = %e, "Stripe webhook refused");
        return (StatusCode::BAD_REQUEST, e.to_string()).into_response();
    }
    let event: Event = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(e) => {
            tracing::warn!(error = %e, "Stripe webhook: signed body is not an event");
            return (StatusCode::BAD_REQUEST, "the body is not a Stripe event").into_response();
        }
    };
    match apply(&st, &event).await {
        Ok(outcome) => {
            tracing::info!(event = %event.id, kind = %event.kind, outcome = %outcome.stored(), "Stripe event");
            (StatusCode::OK, outcome.stored()).into_response()
        }
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let status = if status.is_client_error() {
                // Nothing Stripe sends again can fix a conflict here: it is logged, and Stripe
                // is told to stop.
                tracing::error!(event = %event.id, error = %e.user_message(), "Stripe event not applied");
                StatusCode::OK
            } else {
                status
            };
            (status, e.user_message()).into_response()
        }
    }
}

/// Applies one verified event in one transaction: the payment, its trail entry, any
/// reactivation, and the record that the event was applied.
pub async fn apply(st: &AppState, event: &Event) -> Result<Outcome, AppError> {
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let outcome = match event.paid_checkout_session() {
        None => Outcome::Ignored("not a paid Checkout Session"),
        Some(session) => match store::checkout_by_stripe_id(&mut tx, &session.id).await? {
            None => Outcome::Ignored("a Checkout Session the portal did not create"),
            Some(checkout) => {
                let currency = session
                    .currency
                    .as_deref()
                    .and_then(|c| c.to_uppercase().parse::<Currency>().ok());
                match (session.amount_total, currency) {
                    (Some(minor), Some(currency)) if minor > 0 => {
                        let recorded = record_card_payment(
                            &mut tx,
                            st,
                            checkout.invoice_id,
                            &session.id,
                            session.payment_intent.as_deref(),
                            Money { minor, currency },
                            now,
                        )
                        .await?;
                        if recorded.new {
                            Outcome::Paid {
                                invoice_id: recorded.invoice_id,
                            }
                        } else {
                            Outcome::AlreadyPaid
                        }
                    }
                    _ => Outcome::Ignored("no amount or an unknown currency"),
                }
            }
        },
    };
    if !store::claim_stripe_event(&mut tx, &event.id, &event.kind, now, &outcome.stored()).await? {
        // Applied before: everything done above is rolled back with the transaction.
        return Ok(Outcome::Duplicate);
    }
    tx.commit().await?;
    Ok(outcome)
}
