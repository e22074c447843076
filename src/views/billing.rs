//! Invoices, payments and reactivation as the customer's and the abuse desk's billing pages
//! show them. Amounts are [`Money`] (integer minor units) and are formatted by its `Display`.

use crate::domain::billing::fees::FeeKind;
use crate::domain::billing::invoice::Standing;
use crate::domain::billing::money::Money;
use crate::domain::billing::reactivation::Condition;
use serde::{Deserialize, Serialize};

/// The staff list's filter value for issued invoices past their due date.
pub const OVERDUE_FILTER: &str = "overdue";

/// An invoice in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRowView {
    /// Id (`/billing/{id}`).
    pub id: i64,
    /// "Invoice 2026-0042", or "Draft invoice #7".
    pub title: String,
    /// The number, once issued.
    pub number: Option<String>,
    /// Where it stands.
    pub standing: Standing,
    /// The customer.
    pub organisation: String,
    /// The case it bills.
    pub notice_id: i64,
    /// The case's service.
    pub service_id: i64,
    /// The service's name.
    pub service_label: String,
    /// Charged.
    pub total: Money,
    /// Paid.
    pub paid: Money,
    /// Credited or waived.
    pub credited: Money,
    /// Left to pay (negative: overpaid, to be refunded).
    pub balance: Money,
    /// Issued (UTC), in words.
    pub issued_text: Option<String>,
    /// Due date, `2026-12-10`.
    pub due_text: Option<String>,
    /// Whether it must be settled before the case's service is restored.
    pub blocks_reactivation: bool,
}

/// The customer's billing overview: what they owe and have paid, and their invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingOverviewView {
    /// Left to pay on every open invoice.
    pub owed: Money,
    /// Paid on every invoice.
    pub paid: Money,
    /// Open invoices whose due date has passed.
    pub overdue_count: i64,
    /// One page, newest first.
    pub rows: Vec<InvoiceRowView>,
    /// The keyset cursor of the next page.
    pub next: Option<i64>,
}

/// An invoice line with why it is owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    /// Id.
    pub id: i64,
    /// What it charges for.
    pub kind: FeeKind,
    /// The line as the invoice reads it.
    pub description: String,
    /// The policy section that makes it owed.
    pub policy_section: String,
    /// Why, in a sentence.
    pub why: String,
    /// Who imposed the charge or did the work.
    pub source: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// The amount.
    pub amount: Money,
    /// The credit note that waived it, if one did.
    pub waived_by: Option<String>,
}

/// A payment in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    /// Id (`/billing/{invoice}/receipts/{id}`).
    pub id: i64,
    /// `R-2026-0001`.
    pub receipt_number: String,
    /// "Bank transfer", "Card".
    pub method: String,
    /// How much.
    pub amount: Money,
    /// The day it arrived.
    pub received_text: String,
    /// When and by whom it was recorded, in words ("by the abuse desk", "confirmed by Stripe").
    pub recorded_text: String,
    /// As on the statement, or Stripe's session.
    pub reference: Option<String>,
    /// Staff's note (staff only).
    pub note: Option<String>,
}

/// A credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditView {
    /// `CN-2026-0001`.
    pub number: String,
    /// "Credit note", "Line waived", "Invoice waived".
    pub kind: String,
    /// How much.
    pub amount: Money,
    /// The written reason.
    pub reason: String,
    /// When (UTC), in words.
    pub at_text: String,
    /// Who (staff see the e-mail; customers "Abuse desk").
    pub by: String,
}

/// What decides the case's reactivation, while a suspension from the case is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactivationView {
    /// Each condition, met or not.
    pub conditions: Vec<Condition>,
    /// Other cases whose suspensions also hold the service.
    pub other_cases: Vec<i64>,
}

/// How to pay an issued invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HowToPayView {
    /// The bank-transfer reference.
    pub reference: String,
    /// The provider's bank account, as configured.
    pub bank_details: Option<String>,
    /// Whether card payments (Stripe Checkout) are on.
    pub card: bool,
}

/// Everything an invoice page shows (customer or staff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceDetailView {
    /// The invoice as listed.
    pub row: InvoiceRowView,
    /// The case's kind of abuse, in words.
    pub category: String,
    /// Its verified events.
    pub event_count: i64,
    /// The lines.
    pub lines: Vec<LineView>,
    /// Payments, oldest first.
    pub payments: Vec<PaymentView>,
    /// Credit notes, oldest first.
    pub credits: Vec<CreditView>,
    /// How to pay, while something is owed.
    pub how_to_pay: Option<HowToPayView>,
    /// The reactivation conditions of the case, when a suspension is or was involved.
    pub reactivation: Option<ReactivationView>,
    /// A fresh key for the payment forms on the page: a double submission counts once.
    pub form_key: String,
    /// Why a draft was voided.
    pub void_reason: Option<String>,
}

/// What the staff invoice page adds: the draft's editing choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffInvoiceView {
    /// The invoice.
    pub detail: InvoiceDetailView,
    /// The configured reactivation fee (the add-line form's default).
    pub reactivation_fee: Money,
    /// The configured labour rate.
    pub labour_rate: Money,
    /// Whether the abuse desk holds the service suspended by hand, and why.
    pub hold: Option<String>,
}

/// One receipt: a payment against an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    /// The payment.
    pub payment: PaymentView,
    /// The invoice.
    pub invoice: InvoiceRowView,
}

/// The staff billing list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffBillingView {
    /// One page, newest first.
    pub rows: Vec<InvoiceRowView>,
    /// The keyset cursor of the next page.
    pub next: Option<i64>,
    /// A fresh key for the bank-transfer form.
    pub form_key: String,
}

/// A case's billing, on the case and notice pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseBillingView {
    /// The case's invoices (customers: issued ones only).
    pub invoices: Vec<InvoiceRowView>,
    /// Its reactivation conditions, when a suspension from the case is in force.
    pub reactivation: Option<ReactivationView>,
}
