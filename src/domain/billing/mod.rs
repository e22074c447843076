//! Billing (policy §5 and §6): money in integer minor units, the fee rules, invoices with their
//! gapless numbers and payment references, and the conditions for reactivating a suspended
//! service.

pub mod checkout;
pub mod fees;
pub mod invoice;
pub mod money;
pub mod reactivation;
