//! The policy's fee rules (§5 reactivation, §6 cost recovery and liquidated damages) on integer
//! minor units: what each kind of line may charge, the lines proposed for a case, and a line as
//! staff type it, checked field by field.

use super::money::{group_thousands, AmountError, Currency, Money, MAX_MINOR};
use crate::domain::form::FieldError;
use crate::domain::names::named_enum;
use crate::domain::notice::NoticeCategory;
use serde::{Deserialize, Serialize};

named_enum!(
    /// What an invoice line charges for.
    FeeKind, "fee kind" {
        /// Policy §6: USD 500 or USD 1 per verified abuse event, whichever is greater.
        LiquidatedDamages = "liquidated_damages", "Liquidated damages";
        /// Policy §6: a remediation fee starting at USD 500.
        RemediationFee = "remediation_fee", "Remediation fee";
        /// Policy §6: a blacklist-removal fee starting at USD 500.
        BlacklistRemovalFee = "blacklist_removal_fee", "Blacklist removal fee";
        /// Policy §5: a reactivation fee before a suspended service is restored.
        ReactivationFee = "reactivation_fee", "Reactivation fee";
        /// Policy §6 (ii): a fine or surcharge from an upstream provider, passed on.
        UpstreamFine = "upstream_fine", "Upstream fine or surcharge";
        /// Policy §6 (iii): a third party's RBL de-listing fee, passed on.
        RblRemovalFee = "rbl_removal_fee", "RBL removal fee (third party)";
        /// Policy §6 (i): the provider's labour, hours × rate.
        Labour = "labour", "Labour";
    }
);

impl FeeKind {
    /// The policy section that makes the line owed, as cited on invoices.
    pub fn policy_section(self) -> &'static str {
        match self {
            FeeKind::ReactivationFee => "Policy §5, Enforcement actions",
            FeeKind::LiquidatedDamages => "Policy §6, Cost recovery & liquidated damages",
            FeeKind::RemediationFee | FeeKind::BlacklistRemovalFee => {
                "Policy §6, remediation or blacklist removal fee"
            }
            FeeKind::UpstreamFine | FeeKind::RblRemovalFee | FeeKind::Labour => {
                "Policy §6, IP reputation repair and upstream cost recovery"
            }
        }
    }

    /// Why the line is owed, in a sentence the customer reads beside it.
    pub fn why(self) -> &'static str {
        match self {
            FeeKind::LiquidatedDamages => "Where actual damages cannot be reasonably calculated, the policy sets them at USD 500 or USD 1 per verified abuse event, whichever is greater.",
            FeeKind::RemediationFee => "The cost of remediating the abuse incident: engineering effort, third-party costs and operational impact, starting at USD 500.",
            FeeKind::BlacklistRemovalFee => "The cost of having the affected addresses removed from blacklists, starting at USD 500.",
            FeeKind::ReactivationFee => "A non-refundable fee the policy allows before a suspended service is restored.",
            FeeKind::UpstreamFine => "A fine, penalty or surcharge the upstream provider imposed on us because of this incident, passed on at cost.",
            FeeKind::RblRemovalFee => "A third party's fee for removing the address from its real-time blackhole list (RBL), passed on at cost.",
            FeeKind::Labour => "Our administrative and technical work on this incident, at the hourly rate shown.",
        }
    }

    /// Whether the line must name who imposed or did it (a pass-through item).
    pub fn needs_source(self) -> bool {
        matches!(
            self,
            FeeKind::UpstreamFine | FeeKind::RblRemovalFee | FeeKind::Labour
        )
    }

    /// The least a line of this kind may charge, where the policy sets one.
    pub fn minimum(self) -> Option<Money> {
        match self {
            FeeKind::RemediationFee | FeeKind::BlacklistRemovalFee => Some(REMEDIATION_FEE_MINIMUM),
            _ => None,
        }
    }
}

/// Policy §6: liquidated damages are at least USD 500.00.
pub const LIQUIDATED_DAMAGES_MINIMUM: Money = Money::usd(50_000);
/// Policy §6: or USD 1.00 per verified abuse event, whichever is greater.
pub const LIQUIDATED_DAMAGES_PER_EVENT: Money = Money::usd(100);
/// Policy §6: a remediation or blacklist-removal fee starts at USD 500.00.
pub const REMEDIATION_FEE_MINIMUM: Money = Money::usd(50_000);
/// The most hours one labour line may bill.
pub const MAX_LABOUR_HOURS: i64 = 1_000;

/// Policy §6: liquidated damages for a case's verified abuse events: max(USD 500.00,
/// USD 1.00 × events). `None` when the amount would pass the largest amount a line may carry.
pub fn liquidated_damages(verified_events: i64) -> Option<Money> {
    let per_event = LIQUIDATED_DAMAGES_PER_EVENT
        .minor
        .checked_mul(verified_events.max(0))?;
    let amount = Money::usd(per_event).max(LIQUIDATED_DAMAGES_MINIMUM);
    (amount.minor <= MAX_MINOR).then_some(amount)
}

/// The provider's configurable prices and terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSchedule {
    /// The invoices' currency (the policy's amounts are in USD).
    pub currency: Currency,
    /// Policy §5: the reactivation fee.
    pub reactivation_fee: Money,
    /// Policy §6 (i): labour per hour.
    pub labour_rate: Money,
    /// Days between issue and due date.
    pub payment_terms_days: u32,
}

impl Default for FeeSchedule {
    fn default() -> Self {
        FeeSchedule {
            currency: Currency::Usd,
            reactivation_fee: Money::usd(25_000),
            labour_rate: Money::usd(12_000),
            payment_terms_days: 14,
        }
    }
}

/// What the rules need to know about a case to propose its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    /// The kind of abuse.
    pub category: NoticeCategory,
    /// Verified abuse events of the case.
    pub verified_events: i64,
    /// Whether a suspension from this case is in force.
    pub suspended: bool,
}

/// A checked invoice line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    /// What it charges for.
    pub kind: FeeKind,
    /// Events for damages, hundredths of an hour for labour, 1 otherwise.
    pub quantity: i64,
    /// Per event, per hour, or the whole amount.
    pub unit: Money,
    /// What the line charges.
    pub amount: Money,
    /// Who imposed the charge or did the work (pass-through items).
    pub source: Option<String>,
    /// Staff's note, printed on the invoice.
    pub note: Option<String>,
}

impl FeeLine {
    /// The line as the invoice reads it: "Liquidated damages: 1,200 verified abuse events at
    /// USD 1.00 each (at least USD 500.00)".
    pub fn description(&self) -> String {
        match self.kind {
            FeeKind::LiquidatedDamages => format!(
                "Liquidated damages: {} at {} each (at least {})",
                events_in_words(self.quantity),
                self.unit,
                LIQUIDATED_DAMAGES_MINIMUM
            ),
            FeeKind::Labour => format!(
                "Labour: {} at {} an hour",
                hours_in_words(self.quantity),
                self.unit
            ),
            kind => kind.label().to_owned(),
        }
    }
}

/// "1 verified abuse event", "1,200 verified abuse events".
pub fn events_in_words(events: i64) -> String {
    if events == 1 {
        "1 verified abuse event".into()
    } else {
        format!(
            "{} verified abuse events",
            group_thousands(events.unsigned_abs())
        )
    }
}

/// "1.50 hours" from hundredths of an hour.
pub fn hours_in_words(hundredths: i64) -> String {
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    if hundredths == 100 {
        format!("{text} hour")
    } else {
        format!("{text} hours")
    }
}

/// Labour: hundredths of an hour × rate per hour, rounded half up to the minor unit.
pub fn labour_amount(hundredths: i64, rate: Money) -> Option<Money> {
    let product = i128::from(hundredths) * i128::from(rate.minor);
    let minor = i64::try_from((product + 50) / 100).ok()?;
    (minor <= MAX_MINOR).then_some(Money {
        minor,
        currency: rate.currency,
    })
}

/// Reads hours as typed (`1`, `1.5`, `0.25`) into hundredths of an hour.
pub fn parse_hours(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if whole.is_empty() && fraction.is_empty()
        || whole.len() > 4
        || fraction.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || (raw.contains('.') && fraction.is_empty())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<2}").parse().ok()?
    };
    Some(whole * 100 + fraction)
}

/// The lines the rules propose for a case: liquidated damages always (from its verified
/// events), the reactivation fee while a suspension from the case is in force, and the
/// blacklist-removal fee at its minimum for a blacklisting case. Staff edit them while the
/// invoice is a draft.
pub fn propose(case: &CaseFacts, schedule: &FeeSchedule) -> Vec<FeeLine> {
    let mut lines = Vec::new();
    if let Some(amount) = liquidated_damages(case.verified_events) {
        lines.push(FeeLine {
            kind: FeeKind::LiquidatedDamages,
            quantity: case.verified_events,
            unit: LIQUIDATED_DAMAGES_PER_EVENT,
            amount,
            source: None,
            note: None,
        });
    }
    if case.category == NoticeCategory::Blacklisting {
        lines.push(fixed_line(
            FeeKind::BlacklistRemovalFee,
            REMEDIATION_FEE_MINIMUM,
        ));
    }
    if case.suspended {
        lines.push(fixed_line(
            FeeKind::ReactivationFee,
            schedule.reactivation_fee,
        ));
    }
    lines
}

fn fixed_line(kind: FeeKind, amount: Money) -> FeeLine {
    FeeLine {
        kind,
        quantity: 1,
        unit: amount,
        amount,
        source: None,
        note: None,
    }
}

/// A line as staff type it; every field is text, checked by [`LineInput::check`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineInput {
    /// A [`FeeKind`]'s stored spelling.
    pub kind: String,
    /// The amount (for labour: the rate per hour). Ignored for damages, which follow the rule.
    pub amount: String,
    /// Hours, for labour.
    pub hours: String,
    /// Who imposed the charge or did the work.
    pub source: String,
    /// A note printed on the invoice.
    pub note: String,
}

/// The longest source or note accepted.
pub const MAX_LINE_TEXT: usize = 500;

impl LineInput {
    /// Checks the line; the case's verified events set the damages. Each problem names its
    /// form field (`kind`, `amount`, `hours`, `source`, `note`).
    pub fn check(
        &self,
        verified_events: i64,
        currency: Currency,
    ) -> Result<FeeLine, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut error = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        let Ok(kind) = self.kind.parse::<FeeKind>() else {
            error("kind", "Choose what the line charges for.".into());
            return Err(errors);
        };
        let source = clean(&self.source);
        let note = clean(&self.note);
        if kind.needs_source() && source.as_deref().is_none_or(|s| s.chars().count() < 3) {
            let what = match kind {
                FeeKind::Labour => "Say who did the work (a team or a person).",
                FeeKind::UpstreamFine => "Name the upstream provider and its invoice or notice.",
                _ => "Name the blacklist (RBL) and its reference.",
            };
            error("source", what.into());
        }
        for (field, text) in [("source", &source), ("note", &note)] {
            if text
                .as_ref()
                .is_some_and(|t| t.chars().count() > MAX_LINE_TEXT)
            {
                error(
                    field,
                    format!("Keep this under {MAX_LINE_TEXT} characters."),
                );
            }
        }
        let amount_error = |e: AmountError| match e {
            AmountError::Zero => "The amount must be more than zero.".to_owned(),
            other => other.to_string(),
        };
        let line = match kind {
            FeeKind::LiquidatedDamages => match liquidated_damages(verified_events) {
                Some(amount) => Some(FeeLine {
                    kind,
                    quantity: verified_events,
                    unit: LIQUIDATED_DAMAGES_PER_EVENT,
                    amount,
                    source: None,
                    note: note.clone(),
                }),
                None => {
                    error(
                        "kind",
                        "The case has too many events to bill on one line.".into(),
                    );
                    None
                }
            },
            FeeKind::Labour => {
                let hours = parse_hours(&self.hours);
                match hours {
                    Some(h) if h > 0 && h <= MAX_LABOUR_HOURS * 100 => {}
                    Some(h) if h > 0 => error(
                        "hours",
                        format!("Bill at most {MAX_LABOUR_HOURS} hours on one line."),
                    ),
                    _ => error(
                        "hours",
                        "Enter the hours as a number with at most two decimals, for example 1.5."
                            .into(),
                    ),
                }
                let rate = Money::parse_positive(&self.amount, currency);
                if let Err(e) = &rate {
                    error("amount", amount_error(e.clone()));
                }
                match (hours, rate) {
                    (Some(h), Ok(rate)) if h > 0 && h <= MAX_LABOUR_HOURS * 100 => {
                        match labour_amount(h, rate) {
                            Some(amount) => Some(FeeLine {
                                kind,
                                quantity: h,
                                unit: rate,
                                amount,
                                source: source.clone(),
                                note: note.clone(),
                            }),
                            None => {
                                error("amount", AmountError::TooLarge.to_string());
                                None
                            }
                        }
                    }
                    _ => None,
                }
            }
            _ => match Money::parse_positive(&self.amount, currency) {
                Ok(amount) => match kind.minimum() {
                    Some(min) if amount.minor < min.minor => {
                        error(
                            "amount",
                            format!("The policy sets this fee at {min} or more."),
                        );
                        None
                    }
                    _ => Some(FeeLine {
                        kind,
                        quantity: 1,
                        unit: amount,
                        amount,
                        source: source.clone(),
                        note: note.clone(),
                    }),
                },
                Err(e) => {
                    error("amount", amount_error(e));
                    None
                }
            },
        };
        match line {
            Some(line) if errors.is_empty() => Ok(line),
            _ => Err(errors),
        }
    }
}

fn clean(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liquidated_damages_are_500_or_1_per_event_whichever_is_greater() {
        assert_eq!(liquidated_damages(0), Some(Money::usd(50_000)));
        assert_eq!(liquidated_damages(1), Some(Money::usd(50_000)));
        assert_eq!(liquidated_damages(499), Some(Money::usd(50_000)));
        assert_eq!(liquidated_damages(500), Some(Money::usd(50_000)));
        assert_eq!(liquidated_damages(501), Some(Money::usd(50_100)));
        assert_eq!(liquidated_damages(1_200), Some(Money::usd(120_000)));
        assert_eq!(liquidated_damages(10_000_000), Some(Money::usd(MAX_MINOR)));
        assert_eq!(liquidated_damages(10_000_001), None);
        assert_eq!(liquidated_damages(i64::MAX), None);
        assert_eq!(
            liquidated_damages(1_200).unwrap().to_string(),
            "USD 1,200.00"
        );
    }

    #[test]
    fn remediation_and_blacklist_fees_start_at_500() {
        let line = |kind: &str, amount: &str| {
            LineInput {
                kind: kind.into(),
                amount: amount.into(),
                ..LineInput::default()
            }
            .check(10, Currency::Usd)
        };
        let refused = line("remediation_fee", "499.99").unwrap_err();
        assert_eq!(refused[0].field, "amount");
        assert_eq!(
            refused[0].message,
            "The policy sets this fee at USD 500.00 or more."
        );
        assert_eq!(
            line("remediation_fee", "500").unwrap().amount,
            Money::usd(50_000)
        );
        assert!(line("blacklist_removal_fee", "499").is_err());
        assert_eq!(
            line("blacklist_removal_fee", "750.50").unwrap().amount,
            Money::usd(75_050)
        );
        // The reactivation fee has no floor but must be more than zero.
        assert_eq!(
            line("reactivation_fee", "0").unwrap_err()[0].field,
            "amount"
        );
        assert_eq!(
            line("reactivation_fee", "25").unwrap().amount,
            Money::usd(2_500)
        );
    }

    #[test]
    fn damages_lines_follow_the_case_not_what_was_typed() {
        let line = LineInput {
            kind: "liquidated_damages".into(),
            amount: "1.00".into(),
            ..LineInput::default()
        }
        .check(1_200, Currency::Usd)
        .unwrap();
        assert_eq!(line.amount, Money::usd(120_000));
        assert_eq!(line.quantity, 1_200);
        assert_eq!(
            line.description(),
            "Liquidated damages: 1,200 verified abuse events at USD 1.00 each (at least USD 500.00)"
        );
    }

    #[test]
    fn pass_through_items_name_their_source() {
        let fine = LineInput {
            kind: "upstream_fine".into(),
            amount: "2,000".into(),
            note: "Null-route fee".into(),
            ..LineInput::default()
        };
        let refused = fine.check(1, Currency::Usd).unwrap_err();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].field, "source");
        let fine = LineInput {
            source: "Transit carrier, notice 88-123".into(),
            ..fine
        }
        .check(1, Currency::Usd)
        .unwrap();
        assert_eq!(
            fine.source.as_deref(),
            Some("Transit carrier, notice 88-123")
        );
        assert_eq!(fine.note.as_deref(), Some("Null-route fee"));
        assert_eq!(fine.amount, Money::usd(200_000));
    }

    #[test]
    fn labour_is_hours_times_rate_rounded_half_up() {
        assert_eq!(parse_hours("1.5"), Some(150));
        assert_eq!(parse_hours("0.25"), Some(25));
        assert_eq!(parse_hours("2"), Some(200));
        assert_eq!(parse_hours(".5"), Some(50));
        assert_eq!(parse_hours("1.555"), None);
        assert_eq!(parse_hours("1."), None);
        assert_eq!(parse_hours("-1"), None);
        assert_eq!(parse_hours(""), None);
        assert_eq!(
            labour_amount(150, Money::usd(12_000)),
            Some(Money::usd(18_000))
        );
        // 0.01 h × USD 0.50 = 0.5 cent: rounds up to 1 cent.
        assert_eq!(labour_amount(1, Money::usd(50)), Some(Money::usd(1)));
        assert_eq!(labour_amount(1, Money::usd(49)), Some(Money::usd(0)));
        let line = LineInput {
            kind: "labour".into(),
            hours: "1.5".into(),
            amount: "120".into(),
            source: "Abuse desk".into(),
            ..LineInput::default()
        }
        .check(1, Currency::Usd)
        .unwrap();
        assert_eq!(line.amount.to_string(), "USD 180.00");
        assert_eq!(
            line.description(),
            "Labour: 1.50 hours at USD 120.00 an hour"
        );
        let too_long = LineInput {
            kind: "labour".into(),
            hours: "1000.01".into(),
            amount: "120".into(),
            source: "Abuse desk".into(),
            ..LineInput::default()
        }
        .check(1, Currency::Usd)
        .unwrap_err();
        assert_eq!(too_long[0].field, "hours");
    }

    #[test]
    fn proposals_follow_the_case() {
        let schedule = FeeSchedule::default();
        let spam = CaseFacts {
            category: NoticeCategory::Spam,
            verified_events: 1_200,
            suspended: true,
        };
        let lines = propose(&spam, &schedule);
        assert_eq!(
            lines.iter().map(|l| l.kind).collect::<Vec<_>>(),
            [FeeKind::LiquidatedDamages, FeeKind::ReactivationFee]
        );
        assert_eq!(lines[0].amount, Money::usd(120_000));
        assert_eq!(lines[1].amount, schedule.reactivation_fee);
        let listed = CaseFacts {
            category: NoticeCategory::Blacklisting,
            verified_events: 3,
            suspended: false,
        };
        let lines = propose(&listed, &schedule);
        assert_eq!(
            lines.iter().map(|l| (l.kind, l.amount)).collect::<Vec<_>>(),
            [
                (FeeKind::LiquidatedDamages, Money::usd(50_000)),
                (FeeKind::BlacklistRemovalFee, Money::usd(50_000)),
            ]
        );
    }

    #[test]
    fn every_kind_cites_the_policy() {
        for kind in FeeKind::ALL {
            assert!(kind.policy_section().starts_with("Policy §"));
            assert!(!kind.why().is_empty());
        }
        let unknown = LineInput::default().check(1, Currency::Usd).unwrap_err();
        assert_eq!(unknown[0].field, "kind");
    }
}
