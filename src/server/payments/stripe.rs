//! Stripe, as far as the portal uses it: creating a Checkout Session for an invoice's balance
//! through Stripe's HTTP API, and reading the webhook events that confirm payment, after
//! verifying their `Stripe-Signature` exactly as Stripe documents it (HMAC-SHA256 over
//! `<t>.<raw body>`, any `v1` signature matching, compared in constant time, within a timestamp
//! tolerance, on the raw bytes before anything is parsed).

use crate::domain::audit::{hash_from_hex, to_hex};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::time::Duration;

/// Where Stripe's hosted payment pages live; a form that leads there must be allowed to.
pub const CHECKOUT_ORIGIN: &str = "https://checkout.stripe.com";

/// Stripe's settings (`PORTAL_STRIPE_*`). Card payments are offered only when they are set.
#[derive(Clone)]
pub struct StripeConfig {
    /// The secret API key (`sk_live_…` / `sk_test_…`).
    pub secret_key: String,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: String,
    /// Stripe's API base URL (`https://api.stripe.com`; a local server in tests).
    pub api_base: url::Url,
    /// How old (or how far in the future) a signed webhook may be.
    pub tolerance: Duration,
}

impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeConfig")
            .field("api_base", &self.api_base.as_str())
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

/// Why a webhook's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Stripe-Signature` header, or one without `t=` or `v1=`.
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    /// The timestamp is outside the tolerance (a replay, or a clock far off).
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    /// No `v1` signature matches the payload under the endpoint secret.
    #[error("no signature matches the payload")]
    Mismatch,
}

/// Verifies a webhook's `Stripe-Signature` header over the raw `payload` at `now_unix`.
/// Returns the signed timestamp.
pub fn verify_signature(
    header: &str,
    payload: &[u8],
    secret: &str,
    now_unix: i64,
    tolerance: Duration,
) -> Result<i64, SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" => timestamp = value.parse::<i64>().ok(),
            "v1" => candidates.extend(hash_from_hex(value)),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if now_unix.abs_diff(timestamp) > tolerance as u64 {
        return Err(SignatureError::Stale);
    }
    let mac = signed_payload_mac(timestamp, payload, secret);
    // `verify_slice` compares in constant time; every candidate is tried.
    let matched = candidates
        .iter()
        .fold(false, |ok, sig| mac.clone().verify_slice(sig).is_ok() | ok);
    if matched {
        Ok(timestamp)
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn signed_payload_mac(timestamp: i64, payload: &[u8], secret: &str) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// A `Stripe-Signature` header for `payload`, signed the documented way (for tests and for
/// trying a webhook endpoint by hand).
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let sig = signed_payload_mac(timestamp, payload, secret)
        .finalize()
        .into_bytes();
    format!("t={timestamp},v1={}", to_hex(&sig))
}

/// A webhook event, as much of it as the portal reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    /// `evt_…`: applied at most once.
    pub id: String,
    /// `checkout.session.completed`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The event's object.
    pub data: EventData,
}

/// The object an event is about.
#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    /// A Checkout Session for the events the portal handles.
    pub object: serde_json::Value,
}

/// A Checkout Session as an event carries it.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutSessionObject {
    /// `cs_…`.
    pub id: String,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: String,
    /// The amount charged, in minor units.
    pub amount_total: Option<i64>,
    /// Lower-case ISO currency (`usd`).
    pub currency: Option<String>,
    /// The portal's invoice id, as sent when the session was created.
    pub client_reference_id: Option<String>,
    /// `pi_…`.
    pub payment_intent: Option<String>,
}

impl Event {
    /// The Checkout Session of an event that confirms a card payment: `completed` with
    /// `payment_status = paid`, or `async_payment_succeeded`. `None` for any other event.
    pub fn paid_checkout_session(&self) -> Option<CheckoutSessionObject> {
        let confirms = matches!(
            self.kind.as_str(),
            "checkout.session.completed" | "checkout.session.async_payment_succeeded"
        );
        if !confirms {
            return None;
        }
        let session: CheckoutSessionObject =
            serde_json::from_value(self.data.object.clone()).ok()?;
        (session.payment_status == "paid").then_some(session)
    }
}

/// What the portal asks Stripe for: a one-line Checkout Session paying an invoice's balance.
#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    /// The portal's invoice id (sent as `client_reference_id` and in metadata).
    pub invoice_id: i64,
    /// What the line says on Stripe's page ("Invoice 2026-0042").
    pub description: String,
    /// The amount in minor units.
    pub amount_minor: i64,
    /// Lower-case ISO currency.
    pub currency: String,
    /// Where Stripe sends the customer after paying.
    pub success_url: String,
    /// Where Stripe sends the customer after giving up.
    pub cancel_url: String,
    /// The customer's e-mail, prefilled on Stripe's page.
    pub customer_email: String,
    /// When the page stops working (Unix time; Stripe accepts 30 minutes to 24 hours ahead).
    pub expires_at: i64,
}

/// A Checkout Session Stripe created.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreatedSession {
    /// `cs_…`.
    pub id: String,
    /// Stripe's hosted payment page.
    pub url: String,
}

/// Why Stripe's API did not give a session.
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// Stripe could not be reached or did not answer in time.
    #[error("Stripe could not be reached: {0}")]
    Unreachable(String),
    /// Stripe answered with an error.
    #[error("Stripe refused the request ({status}): {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// Stripe's error message.
        message: String,
    },
}

/// Stripe's HTTP API.
#[derive(Clone, Debug)]
pub struct StripeClient {
    http: reqwest::Client,
    config: StripeConfig,
}

impl StripeClient {
    /// A client for the configured API.
    pub fn new(config: StripeConfig) -> StripeClient {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("a TLS-capable HTTP client builds");
        StripeClient { http, config }
    }

    /// The settings.
    pub fn config(&self) -> &StripeConfig {
        &self.config
    }

    /// Creates a Checkout Session. The idempotency key makes a retried call (a double click, a
    /// timeout) return the same session instead of a second one.
    pub async fn create_checkout_session(
        &self,
        req: &CheckoutRequest,
        idempotency_key: &str,
    ) -> Result<CreatedSession, StripeError> {
        let url = self
            .config
            .api_base
            .join("/v1/checkout/sessions")
            .map_err(|e| StripeError::Unreachable(e.to_string()))?;
        let invoice = req.invoice_id.to_string();
        let amount = req.amount_minor.to_string();
        let expires_at = req.expires_at.to_string();
        let form: Vec<(&str, &str)> = vec![
            ("mode", "payment"),
            ("client_reference_id", &invoice),
            ("metadata[invoice_id]", &invoice),
            ("payment_intent_data[metadata][invoice_id]", &invoice),
            ("customer_email", &req.customer_email),
            ("success_url", &req.success_url),
            ("cancel_url", &req.cancel_url),
            ("expires_at", &expires_at),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", &req.currency),
            ("line_items[0][price_data][unit_amount]", &amount),
            (
                "line_items[0][price_data][product_data][name]",
                &req.description,
            ),
        ];
        let response = self
            .http
            .post(url)
            .bearer_auth(&self.config.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .form(&form)
            .send()
            .await
            .map_err(|e| StripeError::Unreachable(e.to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| StripeError::Unreachable(e.to_string()))?;
        if !status.is_success() {
            #[derive(Deserialize)]
            struct ErrorBody {
                error: ErrorDetail,
            }
            #[derive(Deserialize)]
            struct ErrorDetail {
                message: Option<String>,
            }
            let message = serde_json::from_slice::<ErrorBody>(&body)
                .ok()
                .and_then(|b| b.error.message)
                .unwrap_or_else(|| "no message".into());
            return Err(StripeError::Refused {
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_slice(&body).map_err(|e| StripeError::Refused {
            status: status.as_u16(),
            message: format!("unexpected answer: {e}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
    const TOLERANCE: Duration = Duration::from_secs(300);

    #[test]
    fn a_signature_made_the_documented_way_verifies() {
        let header = sign(BODY, SECRET, 1_700_000_000);
        assert_eq!(
            verify_signature(&header, BODY, SECRET, 1_700_000_100, TOLERANCE),
            Ok(1_700_000_000)
        );
    }

    #[test]
    fn a_signature_equals_one_computed_independently() {
        // printf '%s' "1700000000.$BODY" | openssl dgst -sha256 -hmac whsec_test_secret
        assert_eq!(
            sign(BODY, SECRET, 1_700_000_000),
            "t=1700000000,v1=a13d4b1f9003bc2fb6c06224e878b6056185eaa50d40e1e7dc05517f8af41d7b"
        );
    }

    #[test]
    fn any_v1_may_match_and_others_are_ignored() {
        let good = sign(BODY, SECRET, 1_700_000_000);
        let v1 = good.split("v1=").nth(1).unwrap();
        let header = format!("t=1700000000,v1={},v0=abc,v1={v1}", "0".repeat(64));
        assert!(verify_signature(&header, BODY, SECRET, 1_700_000_000, TOLERANCE).is_ok());
    }

    #[test]
    fn wrong_secret_altered_body_and_stale_timestamps_are_refused() {
        let header = sign(BODY, SECRET, 1_700_000_000);
        assert_eq!(
            verify_signature(&header, BODY, "whsec_other", 1_700_000_000, TOLERANCE),
            Err(SignatureError::Mismatch)
        );
        let altered = br#"{"id":"evt_1","type":"checkout.session.completeD"}"#;
        assert_eq!(
            verify_signature(&header, altered, SECRET, 1_700_000_000, TOLERANCE),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(&header, BODY, SECRET, 1_700_000_301, TOLERANCE),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify_signature(&header, BODY, SECRET, 1_699_999_699, TOLERANCE),
            Err(SignatureError::Stale)
        );
        // The timestamp is signed: moving it breaks the signature.
        let moved = header.replace("t=1700000000", "t=1700000200");
        assert_eq!(
            verify_signature(&moved, BODY, SECRET, 1_700_000_200, TOLERANCE),
            Err(SignatureError::Mismatch)
        );
        for bad in ["", "t=1700000000", "v1=00", "t=x,v1=00", "garbage"] {
            assert_eq!(
                verify_signature(bad, BODY, SECRET, 1_700_000_000, TOLERANCE),
                Err(SignatureError::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn only_paid_checkout_sessions_confirm_payment() {
        let event = |kind: &str, status: &str| Event {
            id: "evt_1".into(),
            kind: kind.into(),
            data: EventData {
                object: serde_json::json!({
                    "id": "cs_1", "payment_status": status, "amount_total": 120000,
                    "currency": "usd", "client_reference_id": "7", "payment_intent": "pi_1"
                }),
            },
        };
        let paid = event("checkout.session.completed", "paid")
            .paid_checkout_session()
            .unwrap();
        assert_eq!(paid.amount_total, Some(120_000));
        assert_eq!(paid.client_reference_id.as_deref(), Some("7"));
        assert!(event("checkout.session.completed", "unpaid")
            .paid_checkout_session()
            .is_none());
        assert!(event("checkout.session.async_payment_succeeded", "paid")
            .paid_checkout_session()
            .is_some());
        assert!(event("payment_intent.succeeded", "paid")
            .paid_checkout_session()
            .is_none());
    }
}
