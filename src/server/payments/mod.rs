//! Payments: the billing settings (fee schedule, bank details, Stripe) and Stripe's API (its
//! webhook is `inbound::stripe_webhook`). The ledger itself lives in `db::billing`; what a
//! payment changes, in `usecase::billing`.

pub mod stripe;

use crate::domain::billing::fees::FeeSchedule;

/// `PORTAL_REACTIVATION_FEE`, `PORTAL_LABOUR_RATE`, `PORTAL_PAYMENT_TERMS_DAYS`,
/// `PORTAL_BANK_DETAILS` and `PORTAL_STRIPE_*`.
#[derive(Debug, Clone, Default)]
pub struct BillingConfig {
    /// Prices and payment terms.
    pub fees: FeeSchedule,
    /// The provider's bank account as customers read it on invoices (name, IBAN, BIC).
    pub bank_details: Option<String>,
    /// Card payments through Stripe Checkout; `None` when not configured.
    pub stripe: Option<stripe::StripeConfig>,
}
