//! Invoices: their lifecycle (a draft is edited, then issued and never changed again; corrections
//! are credit notes), the balance after payments and credits, gapless numbers per year, and the
//! bank-transfer payment reference (ISO 11649 "RF" creditor reference, with check digits that
//! catch a mistyped reference).

use super::money::{Currency, Money};
use crate::domain::names::named_enum;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

named_enum!(
    /// Where an invoice stands, as stored.
    InvoiceStatus, "invoice status" {
        /// Being prepared by staff; the customer does not see it.
        Draft = "draft", "Draft";
        /// Issued and not yet settled.
        Issued = "issued", "Issued";
        /// Settled by payments (and perhaps credits).
        Paid = "paid", "Paid";
        /// Settled by waivers and credit notes, nothing paid.
        Waived = "waived", "Waived";
        /// A draft thrown away; it never had a number.
        Void = "void", "Void";
    }
);

named_enum!(
    /// How a payment arrived.
    PaymentMethod, "payment method" {
        /// A bank transfer, recorded by staff against the payment reference.
        BankTransfer = "bank_transfer", "Bank transfer";
        /// A card, through Stripe Checkout, confirmed by Stripe's signed webhook.
        Card = "card", "Card";
    }
);

named_enum!(
    /// What reduced an issued invoice's balance other than a payment.
    CreditKind, "credit kind" {
        /// A credit note correcting the invoice.
        CreditNote = "credit_note", "Credit note";
        /// One line waived, with a reason.
        LineWaiver = "line_waiver", "Line waived";
        /// The rest of the invoice waived, with a reason.
        InvoiceWaiver = "invoice_waiver", "Invoice waived";
    }
);

/// What people see of an invoice's standing (derived, never stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    /// A draft.
    Draft,
    /// Issued; nothing paid; not yet due.
    Open,
    /// Issued; part paid.
    PartlyPaid,
    /// Issued; the due date has passed with a balance left.
    Overdue,
    /// Paid in full.
    Paid,
    /// Waived.
    Waived,
    /// Void.
    Void,
}

impl Standing {
    /// The label people read.
    pub fn label(self) -> &'static str {
        match self {
            Standing::Draft => "Draft",
            Standing::Open => "Unpaid",
            Standing::PartlyPaid => "Partly paid",
            Standing::Overdue => "Overdue",
            Standing::Paid => "Paid",
            Standing::Waived => "Waived",
            Standing::Void => "Void",
        }
    }

    /// Whether the customer still owes something.
    pub fn owes(self) -> bool {
        matches!(
            self,
            Standing::Open | Standing::PartlyPaid | Standing::Overdue
        )
    }
}

/// An invoice's amounts: what was charged, paid and credited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// The sum of the lines.
    pub total: Money,
    /// The sum of payments.
    pub paid: Money,
    /// The sum of credit notes and waivers.
    pub credited: Money,
}

impl Totals {
    /// Nothing charged, paid or credited.
    pub fn zero(currency: Currency) -> Totals {
        Totals {
            total: Money::zero(currency),
            paid: Money::zero(currency),
            credited: Money::zero(currency),
        }
    }

    /// What is left to pay; negative when more was paid than owed (to be refunded).
    pub fn balance(&self) -> Money {
        Money {
            minor: self.total.minor - self.paid.minor - self.credited.minor,
            currency: self.total.currency,
        }
    }

    /// The status an issued invoice takes once these are its amounts: still issued while a
    /// balance is left, else paid (something was paid) or waived (nothing was).
    pub fn settled_status(&self, status: InvoiceStatus) -> InvoiceStatus {
        if status != InvoiceStatus::Issued || self.balance().is_positive() {
            return status;
        }
        if self.paid.is_positive() {
            InvoiceStatus::Paid
        } else {
            InvoiceStatus::Waived
        }
    }

    /// What people see: overdue once the due date has passed with a balance left.
    pub fn standing(
        &self,
        status: InvoiceStatus,
        due: Option<Date>,
        now: OffsetDateTime,
    ) -> Standing {
        match status {
            InvoiceStatus::Draft => Standing::Draft,
            InvoiceStatus::Void => Standing::Void,
            InvoiceStatus::Paid => Standing::Paid,
            InvoiceStatus::Waived => Standing::Waived,
            InvoiceStatus::Issued if due.is_some_and(|d| now.date() > d) => Standing::Overdue,
            InvoiceStatus::Issued if self.paid.is_positive() => Standing::PartlyPaid,
            InvoiceStatus::Issued => Standing::Open,
        }
    }
}

/// Why an invoice operation was refused, in the words staff read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    /// Lines change only while the invoice is a draft.
    #[error("Invoice {0} has been issued and cannot change; issue a credit note to correct it.")]
    NotDraft(String),
    /// Only issued invoices take payments, credits and waivers.
    #[error("This invoice is {0}: it takes no payments, credits or waivers.")]
    NotOpen(&'static str),
    /// An invoice needs a line with an amount before it is issued.
    #[error("Add at least one line before issuing the invoice.")]
    Empty,
    /// A credit or waiver larger than the balance.
    #[error("That is more than the balance of {0}.")]
    MoreThanBalance(Money),
    /// A line waived twice.
    #[error("That line has already been waived.")]
    LineAlreadyWaived,
}

/// May the lines of an invoice in `status` change (or may it be issued or voided)?
pub fn ensure_draft(status: InvoiceStatus, number: &str) -> Result<(), InvoiceError> {
    if status == InvoiceStatus::Draft {
        Ok(())
    } else {
        Err(InvoiceError::NotDraft(number.to_owned()))
    }
}

/// May staff record a bank transfer, a credit or a waiver on an invoice in `status`? Card
/// payments confirmed by Stripe are recorded whatever the status, so that no payment is lost.
pub fn ensure_open(status: InvoiceStatus) -> Result<(), InvoiceError> {
    match status {
        InvoiceStatus::Issued => Ok(()),
        other => Err(InvoiceError::NotOpen(match other {
            InvoiceStatus::Draft => "a draft",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Waived => "waived",
            _ => "void",
        })),
    }
}

/// Checks a credit note or waiver against the balance.
pub fn check_credit(amount: Money, totals: &Totals) -> Result<(), InvoiceError> {
    if amount.minor > totals.balance().minor {
        Err(InvoiceError::MoreThanBalance(totals.balance()))
    } else {
        Ok(())
    }
}

/// An invoice's number: `2026-0042` (the year, then its gapless sequence, at least 4 digits).
pub fn invoice_number(year: i32, seq: i64) -> String {
    format!("{year}-{seq:04}")
}

/// A credit note's number: `CN-2026-0007`.
pub fn credit_note_number(year: i32, seq: i64) -> String {
    format!("CN-{year}-{seq:04}")
}

/// The due date: `terms_days` after the issue date.
pub fn due_date(issued: OffsetDateTime, terms_days: u32) -> Date {
    issued.date() + time::Duration::days(i64::from(terms_days))
}

/// The bank-transfer reference of invoice `year`/`seq`: an ISO 11649 creditor reference,
/// `RF` + two check digits + `INV` + year + sequence (`RF47INV20260042`), which banks carry
/// unchanged and whose check digits catch a mistyped reference.
pub fn payment_reference(year: i32, seq: i64) -> String {
    let body = format!("INV{year}{seq:04}");
    format!("RF{:02}{body}", 98 - mod97(&format!("{body}RF00")))
}

/// Reads a payment reference as staff type it (spaces and case ignored) and checks its digits;
/// `None` when it is not a valid creditor reference.
pub fn parse_payment_reference(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.len() < 5
        || compact.len() > 25
        || !compact.starts_with("RF")
        || !compact.chars().all(|c| c.is_ascii_alphanumeric())
        || !compact[2..4].chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
    (mod97(&rearranged) == 1).then_some(compact)
}

/// ISO 7064 MOD 97-10 over letters as numbers (A = 10 … Z = 35).
fn mod97(text: &str) -> u32 {
    text.chars().fold(0u32, |acc, c| {
        let v = c.to_digit(36).unwrap_or(0);
        if v >= 10 {
            (acc * 100 + v) % 97
        } else {
            (acc * 10 + v) % 97
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn totals(total: i64, paid: i64, credited: i64) -> Totals {
        Totals {
            total: Money::usd(total),
            paid: Money::usd(paid),
            credited: Money::usd(credited),
        }
    }

    #[test]
    fn balances_follow_payments_and_credits() {
        assert_eq!(totals(120_000, 0, 0).balance(), Money::usd(120_000));
        assert_eq!(totals(120_000, 20_000, 0).balance(), Money::usd(100_000));
        assert_eq!(totals(120_000, 20_000, 100_000).balance(), Money::usd(0));
        assert_eq!(totals(120_000, 130_000, 0).balance(), Money::usd(-10_000));
    }

    #[test]
    fn issued_invoices_settle_as_paid_or_waived() {
        use InvoiceStatus::*;
        assert_eq!(totals(100, 50, 0).settled_status(Issued), Issued);
        assert_eq!(totals(100, 100, 0).settled_status(Issued), Paid);
        assert_eq!(totals(100, 40, 60).settled_status(Issued), Paid);
        assert_eq!(totals(100, 0, 100).settled_status(Issued), Waived);
        assert_eq!(totals(100, 150, 0).settled_status(Issued), Paid);
        // Drafts and void invoices never settle; paid stays paid.
        assert_eq!(totals(0, 0, 0).settled_status(Draft), Draft);
        assert_eq!(totals(100, 0, 0).settled_status(Void), Void);
        assert_eq!(totals(100, 200, 0).settled_status(Paid), Paid);
    }

    #[test]
    fn standing_says_partly_paid_and_overdue() {
        let now = datetime!(2026-12-01 10:00 UTC);
        let due = Some(date!(2026 - 12 - 01));
        use InvoiceStatus::*;
        assert_eq!(totals(100, 0, 0).standing(Issued, due, now), Standing::Open);
        assert_eq!(
            totals(100, 10, 0).standing(Issued, due, now),
            Standing::PartlyPaid
        );
        let late = datetime!(2026-12-02 00:00 UTC);
        assert_eq!(
            totals(100, 10, 0).standing(Issued, due, late),
            Standing::Overdue
        );
        assert_eq!(
            totals(100, 100, 0).standing(Paid, due, late),
            Standing::Paid
        );
        assert!(Standing::Overdue.owes());
        assert!(!Standing::Waived.owes());
    }

    #[test]
    fn only_drafts_change_and_only_issued_invoices_take_money() {
        assert!(ensure_draft(InvoiceStatus::Draft, "").is_ok());
        assert_eq!(
            ensure_draft(InvoiceStatus::Issued, "2026-0042").unwrap_err().to_string(),
            "Invoice 2026-0042 has been issued and cannot change; issue a credit note to correct it."
        );
        assert!(ensure_open(InvoiceStatus::Issued).is_ok());
        assert_eq!(
            ensure_open(InvoiceStatus::Paid).unwrap_err().to_string(),
            "This invoice is paid: it takes no payments, credits or waivers."
        );
        assert!(check_credit(Money::usd(100), &totals(300, 200, 0)).is_ok());
        assert_eq!(
            check_credit(Money::usd(101), &totals(300, 200, 0)),
            Err(InvoiceError::MoreThanBalance(Money::usd(100)))
        );
    }

    #[test]
    fn numbers_are_per_year_and_zero_padded() {
        assert_eq!(invoice_number(2026, 42), "2026-0042");
        assert_eq!(invoice_number(2026, 12_345), "2026-12345");
        assert_eq!(credit_note_number(2027, 1), "CN-2027-0001");
        assert_eq!(
            due_date(datetime!(2026-12-20 23:59 UTC), 14),
            date!(2027 - 01 - 03)
        );
    }

    #[test]
    fn payment_references_are_iso_11649_and_catch_typos() {
        // The standard's own example.
        assert_eq!(
            parse_payment_reference("RF18 5390 0754 7034").as_deref(),
            Some("RF18539007547034")
        );
        let reference = payment_reference(2026, 42);
        assert!(reference.starts_with("RF") && reference.ends_with("INV20260042"));
        assert_eq!(parse_payment_reference(&reference), Some(reference.clone()));
        assert_eq!(
            parse_payment_reference(&reference.to_lowercase()),
            Some(reference.clone())
        );
        // One wrong character, or two swapped, fails the check.
        let typo = reference.replace("0042", "0043");
        assert_eq!(parse_payment_reference(&typo), None);
        let swapped = reference.replace("0042", "0024");
        assert_eq!(parse_payment_reference(&swapped), None);
        assert_eq!(parse_payment_reference("2026-0042"), None);
        assert_ne!(payment_reference(2026, 1), payment_reference(2027, 1));
    }
}
