//! Invoices, their lines, credit notes, the payment ledger, Stripe Checkout sessions and
//! events, and suspension holds. Every write runs inside the caller's transaction, beside the
//! case's audit entry; the database refuses changes to issued invoices, credit notes and
//! payments (migration 0005's triggers).

mod checkout;
mod holds;
mod invoices;
mod ledger;

pub use checkout::*;
pub use holds::*;
pub use invoices::*;
pub use ledger::*;

use super::DbError;
use crate::domain::names::UnknownName;

fn corrupt(e: UnknownName) -> DbError {
    DbError::Corrupt(e.to_string())
}
