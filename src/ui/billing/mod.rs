//! The customer's billing pages: `/billing` (what is owed and paid, per case and service),
//! `/billing/{id}` (an invoice: why each line is owed, how to pay, what paying changes) and
//! `/billing/{id}/receipts/{payment}` (a receipt). Invoices and receipts print on their own.

pub mod api;
mod components;
mod invoice_page;
mod list_page;
mod receipt_page;

pub use components::{
    CaseBillingPanel, InvoiceDocument, InvoiceTable, PaymentsAndCredits, ReactivationPanel,
    StandingBadge,
};
pub use invoice_page::{invoice_lead, InvoicePage};
pub use list_page::BillingPage;
pub use receipt_page::ReceiptPage;
