//! When a suspended service comes back (policy §5: a fee may be required before restoring it):
//! every reactivation-blocking invoice of its case paid or waived, **and** the case's remediation
//! evidence accepted, and no hold by the abuse desk. The same conditions, each met or not, are
//! what the customer's case, service and invoice pages show.

use super::money::Money;
use serde::{Deserialize, Serialize};

/// A reactivation-blocking invoice of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingInvoice {
    /// Its number, or `None` while a draft.
    pub number: Option<String>,
    /// What is left to pay.
    pub balance: Money,
    /// Whether it is paid or waived.
    pub settled: bool,
}

/// What decides a case's reactivation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactivationFacts {
    /// Whether staff accepted remediation evidence for the case.
    pub evidence_accepted: bool,
    /// The case's invoices that must be settled first (void ones left out).
    pub invoices: Vec<BlockingInvoice>,
    /// Why the abuse desk keeps the service suspended by hand, if it does.
    pub hold: Option<String>,
}

/// One condition, met or not, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// Whether it is met.
    pub met: bool,
    /// "Remediation evidence accepted", "Invoice 2026-0042 unpaid: USD 1,200.00".
    pub text: String,
}

impl ReactivationFacts {
    /// Every condition, met or not, in the order people read them.
    pub fn conditions(&self) -> Vec<Condition> {
        let mut out = vec![Condition {
            met: self.evidence_accepted,
            text: if self.evidence_accepted {
                "Remediation evidence accepted".into()
            } else {
                "Remediation evidence not yet accepted".into()
            },
        }];
        for invoice in &self.invoices {
            let text = match (&invoice.number, invoice.settled) {
                (Some(n), true) => format!("Invoice {n} settled"),
                (Some(n), false) => format!("Invoice {n} unpaid: {}", invoice.balance),
                (None, _) => "An invoice is being prepared by the abuse desk".into(),
            };
            out.push(Condition {
                met: invoice.settled,
                text,
            });
        }
        if let Some(reason) = &self.hold {
            out.push(Condition {
                met: false,
                text: format!("Kept suspended by the abuse desk: {reason}"),
            });
        }
        out
    }

    /// Whether the case's suspension may end now.
    pub fn clear(&self) -> bool {
        self.conditions().iter().all(|c| c.met)
    }

    /// One line: "evidence accepted ✓, invoice 2026-0042 unpaid: USD 1,200.00".
    pub fn summary(&self) -> String {
        self.conditions()
            .into_iter()
            .map(|c| {
                let mut text = c.text;
                if let Some(first) = text.get(0..1) {
                    text.replace_range(0..1, &first.to_lowercase());
                }
                if c.met {
                    format!("{text} ✓")
                } else {
                    text
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoice(number: &str, balance: i64, settled: bool) -> BlockingInvoice {
        BlockingInvoice {
            number: Some(number.into()),
            balance: Money::usd(balance),
            settled,
        }
    }

    #[test]
    fn evidence_and_every_blocking_invoice_are_needed() {
        let mut facts = ReactivationFacts {
            evidence_accepted: true,
            invoices: vec![invoice("2026-0042", 120_000, false)],
            hold: None,
        };
        assert!(!facts.clear());
        assert_eq!(
            facts.summary(),
            "remediation evidence accepted ✓, invoice 2026-0042 unpaid: USD 1,200.00"
        );
        facts.invoices[0] = invoice("2026-0042", 0, true);
        assert!(facts.clear());
        facts.evidence_accepted = false;
        assert!(!facts.clear());
        assert_eq!(
            facts.summary(),
            "remediation evidence not yet accepted, invoice 2026-0042 settled ✓"
        );
    }

    #[test]
    fn a_draft_or_a_hold_keeps_the_service_suspended() {
        let draft = ReactivationFacts {
            evidence_accepted: true,
            invoices: vec![BlockingInvoice {
                number: None,
                balance: Money::usd(0),
                settled: false,
            }],
            hold: None,
        };
        assert!(!draft.clear());
        let held = ReactivationFacts {
            evidence_accepted: true,
            invoices: vec![],
            hold: Some("Upstream asked us to wait".into()),
        };
        assert!(!held.clear());
        assert_eq!(
            held.conditions().last().unwrap().text,
            "Kept suspended by the abuse desk: Upstream asked us to wait"
        );
        let nothing_owed = ReactivationFacts {
            evidence_accepted: true,
            invoices: vec![],
            hold: None,
        };
        assert!(nothing_owed.clear());
    }
}
