//! Abuse notices: what they are about (policy §1 and §3), where the report came from, and the
//! case lifecycle that every change of state goes through.
//!
//! The lifecycle is a pure function, [`transition`]: a state and an event give the next state or
//! a [`TransitionError`]. Nothing else may change a notice's state.

use super::actor::Role;
use super::names::named_enum;
use serde::{Deserialize, Serialize};

named_enum!(
    /// The kind of abuse a notice is about (policy §1 definitions and §3 prohibited activities).
    NoticeCategory, "notice category" {
        /// Unsolicited bulk or commercial messaging without consent.
        Spam = "spam", "Spam (unsolicited bulk messaging)";
        /// Phishing, scam or deceptive messaging.
        Phishing = "phishing", "Phishing or scam";
        /// Fraud, including AI-assisted fraudulent communications.
        Fraud = "fraud", "Fraud";
        /// Malware distribution.
        Malware = "malware", "Malware distribution";
        /// Participation in a botnet.
        Botnet = "botnet", "Botnet activity";
        /// Denial-of-service attacks.
        Ddos = "ddos", "DDoS attack";
        /// Network or port scanning.
        Scanning = "scanning", "Network scanning";
        /// Brute-force attacks or password cracking.
        BruteForce = "brute_force", "Brute force or password cracking";
        /// Header, domain or identity spoofing.
        Spoofing = "spoofing", "Spoofing";
        /// Open relay, proxy or amplification misuse.
        OpenRelay = "open_relay", "Open relay, proxy or amplification";
        /// Spamvertising or abuse-driven promotion.
        Spamvertising = "spamvertising", "Spamvertising";
        /// IP reputation damage or blacklist (RBL) listing.
        Blacklisting = "blacklisting", "Blacklisting or IP reputation damage";
    }
);

impl NoticeCategory {
    /// Whether the category is on the policy's §5 list of high-risk scenarios that may be
    /// enforced at once and without notice (active DDoS, botnets, malware distribution, network
    /// scanning). Staff may still mark any notice high-risk, e.g. a large-scale spam campaign.
    pub fn high_risk_by_default(self) -> bool {
        matches!(
            self,
            NoticeCategory::Ddos
                | NoticeCategory::Botnet
                | NoticeCategory::Malware
                | NoticeCategory::Scanning
        )
    }
}

named_enum!(
    /// Where the report behind a notice came from.
    NoticeSource, "notice source" {
        /// A complaint from a third party.
        ThirdPartyReport = "third_party_report", "Third-party report";
        /// A blacklist (RBL) listing.
        BlacklistListing = "blacklist_listing", "Blacklist (RBL) listing";
        /// The upstream data centre or network provider.
        UpstreamProvider = "upstream_provider", "Upstream provider";
        /// Automated detection by the provider or its partners.
        AutomatedDetection = "automated_detection", "Automated detection";
    }
);

named_enum!(
    /// Where a case stands.
    NoticeState, "notice state" {
        /// Notified; no response yet.
        Open = "open", "Open";
        /// The customer has seen it and is working on it; evidence or a dispute is still due.
        Acknowledged = "acknowledged", "Acknowledged";
        /// Remediation evidence is waiting for staff.
        EvidenceSubmitted = "evidence_submitted", "Evidence submitted";
        /// Staff are reviewing the evidence.
        UnderReview = "under_review", "Under review";
        /// Staff rejected the evidence with a reason; the customer must submit again.
        EvidenceRejected = "evidence_rejected", "Evidence rejected";
        /// The customer disputes the notice; staff must decide.
        Disputed = "disputed", "Disputed";
        /// Staff upheld the notice against the dispute; remediation evidence is due.
        Upheld = "upheld", "Notice upheld";
        /// The deadline passed without the response that was due.
        Overdue = "overdue", "Overdue";
        /// Staff accepted the evidence.
        Resolved = "resolved", "Resolved";
        /// Staff withdrew the notice (the dispute was right, or the report was wrong).
        Withdrawn = "withdrawn", "Withdrawn";
        /// Closed for good; nothing more happens.
        Closed = "closed", "Closed";
    }
);

impl NoticeState {
    /// Whether the customer owes a response (evidence or a dispute) by the deadline.
    pub fn awaits_customer(self) -> bool {
        matches!(
            self,
            NoticeState::Open
                | NoticeState::Acknowledged
                | NoticeState::EvidenceRejected
                | NoticeState::Upheld
        )
    }

    /// Whether the customer still owes a response, on time or overdue: the deadline is shown
    /// with its countdown, and staff may move it.
    pub fn response_owed(self) -> bool {
        self.awaits_customer() || self == NoticeState::Overdue
    }

    /// Whether staff owe a decision.
    pub fn awaits_staff(self) -> bool {
        matches!(
            self,
            NoticeState::EvidenceSubmitted | NoticeState::UnderReview | NoticeState::Disputed
        )
    }

    /// Whether the case is finished (resolved, withdrawn or closed).
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            NoticeState::Resolved | NoticeState::Withdrawn | NoticeState::Closed
        )
    }
}

/// Whether a text looks like message content (mail headers or a pasted message) rather than a
/// summary of what was observed. The provider keeps no message payloads (policy §7), so staff
/// summaries that look like one are refused.
pub fn looks_like_message_payload(text: &str) -> bool {
    const HEADERS: [&str; 8] = [
        "received:",
        "from:",
        "to:",
        "subject:",
        "message-id:",
        "content-type:",
        "mime-version:",
        "dkim-signature:",
    ];
    let header_lines = text
        .lines()
        .filter(|line| {
            let l = line.trim_start().to_ascii_lowercase();
            HEADERS.iter().any(|h| l.starts_with(h))
        })
        .count();
    header_lines >= 2
}

/// The shortest and longest reasons a customer may give for a dispute, in characters.
pub const DISPUTE_REASONS_CHARS: std::ops::RangeInclusive<usize> = 20..=5_000;

/// A customer's reasons for disputing a notice, trimmed, or what is wrong with them.
pub fn dispute_reasons(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    let n = text.chars().count();
    if n < *DISPUTE_REASONS_CHARS.start() {
        Err(format!(
            "Explain in at least {} characters why you think the notice is wrong.",
            DISPUTE_REASONS_CHARS.start()
        ))
    } else if n > *DISPUTE_REASONS_CHARS.end() {
        Err(format!(
            "Keep your reasons under {} characters ({n} now); attach details as evidence instead.",
            DISPUTE_REASONS_CHARS.end()
        ))
    } else {
        Ok(text.to_owned())
    }
}

/// Something that happens to a case. Staff decisions carry their written reason elsewhere; the
/// lifecycle only decides whether the event is allowed and what state follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeEvent {
    /// The customer acknowledges the notice.
    Acknowledge,
    /// The customer submits remediation evidence (again, after a rejection).
    SubmitEvidence,
    /// The customer disputes the notice.
    Dispute,
    /// Staff start reviewing submitted evidence.
    StartReview,
    /// Staff accept the evidence.
    AcceptEvidence,
    /// Staff reject the evidence, with a reason.
    RejectEvidence,
    /// Staff uphold the notice against a dispute, with a statement of reasons.
    UpholdNotice,
    /// Staff withdraw the notice, with a reason.
    WithdrawNotice,
    /// The deadline passed while a response was due (recorded by the system).
    MarkOverdue,
    /// Staff move the deadline of an overdue case into the future: a response is due again.
    Reopen,
    /// Staff close the case.
    Close,
}

impl NoticeEvent {
    /// Every event.
    pub const ALL: [NoticeEvent; 11] = [
        NoticeEvent::Acknowledge,
        NoticeEvent::SubmitEvidence,
        NoticeEvent::Dispute,
        NoticeEvent::StartReview,
        NoticeEvent::AcceptEvidence,
        NoticeEvent::RejectEvidence,
        NoticeEvent::UpholdNotice,
        NoticeEvent::WithdrawNotice,
        NoticeEvent::MarkOverdue,
        NoticeEvent::Reopen,
        NoticeEvent::Close,
    ];

    /// Who may cause the event.
    pub fn caused_by(self) -> EventActor {
        match self {
            NoticeEvent::Acknowledge | NoticeEvent::SubmitEvidence | NoticeEvent::Dispute => {
                EventActor::Customer
            }
            NoticeEvent::MarkOverdue => EventActor::System,
            _ => EventActor::Staff,
        }
    }

    /// Whether the event needs a written reason, which the customer reads (a rejection, an
    /// upheld or withdrawn notice, a closed case).
    pub fn needs_written_reason(self) -> bool {
        matches!(
            self,
            NoticeEvent::RejectEvidence
                | NoticeEvent::UpholdNotice
                | NoticeEvent::WithdrawNotice
                | NoticeEvent::Close
        )
    }
}

/// A decision staff take on a case page: the one list that the page offers, the server function
/// reads back and the use case applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffDecision {
    /// Start reviewing submitted evidence.
    StartReview,
    /// Accept the evidence.
    AcceptEvidence,
    /// Reject the evidence.
    RejectEvidence,
    /// Uphold the notice against a dispute.
    UpholdNotice,
    /// Withdraw the notice.
    WithdrawNotice,
    /// Close the case.
    Close,
}

impl StaffDecision {
    /// Every decision, in the order the page lists them.
    pub const ALL: [StaffDecision; 6] = [
        StaffDecision::StartReview,
        StaffDecision::AcceptEvidence,
        StaffDecision::RejectEvidence,
        StaffDecision::UpholdNotice,
        StaffDecision::WithdrawNotice,
        StaffDecision::Close,
    ];

    /// The form value.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffDecision::StartReview => "start_review",
            StaffDecision::AcceptEvidence => "accept",
            StaffDecision::RejectEvidence => "reject",
            StaffDecision::UpholdNotice => "uphold",
            StaffDecision::WithdrawNotice => "withdraw",
            StaffDecision::Close => "close",
        }
    }

    /// The decision a form value names.
    pub fn parse(value: &str) -> Option<StaffDecision> {
        Self::ALL.into_iter().find(|d| d.as_str() == value)
    }

    /// What the page calls it.
    pub fn label(self) -> &'static str {
        match self {
            StaffDecision::StartReview => "Start review",
            StaffDecision::AcceptEvidence => "Accept evidence",
            StaffDecision::RejectEvidence => "Reject evidence",
            StaffDecision::UpholdNotice => "Uphold the notice (dispute rejected)",
            StaffDecision::WithdrawNotice => "Withdraw the notice",
            StaffDecision::Close => "Close the case",
        }
    }

    /// The lifecycle event it causes.
    pub fn event(self) -> NoticeEvent {
        match self {
            StaffDecision::StartReview => NoticeEvent::StartReview,
            StaffDecision::AcceptEvidence => NoticeEvent::AcceptEvidence,
            StaffDecision::RejectEvidence => NoticeEvent::RejectEvidence,
            StaffDecision::UpholdNotice => NoticeEvent::UpholdNotice,
            StaffDecision::WithdrawNotice => NoticeEvent::WithdrawNotice,
            StaffDecision::Close => NoticeEvent::Close,
        }
    }

    /// Whether it needs a written reason.
    pub fn needs_reason(self) -> bool {
        self.event().needs_written_reason()
    }

    /// The decisions a case in `state` allows, in page order.
    pub fn offered_in(state: NoticeState) -> Vec<StaffDecision> {
        Self::ALL
            .into_iter()
            .filter(|d| transition(state, d.event()).is_ok())
            .collect()
    }
}

/// Who may cause an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventActor {
    /// A user of the organisation the notice is against.
    Customer,
    /// Staff or an admin.
    Staff,
    /// The portal itself (the deadline watcher).
    System,
}

impl EventActor {
    /// Whether a user with `role` may cause events of this kind.
    pub fn allows(self, role: Role) -> bool {
        match self {
            EventActor::Customer => role == Role::Customer,
            EventActor::Staff => role.is_provider(),
            EventActor::System => false,
        }
    }
}

/// An event that the case's current state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {event:?} a case that is {from:?}")]
pub struct TransitionError {
    /// The state the case is in.
    pub from: NoticeState,
    /// The event refused.
    pub event: NoticeEvent,
}

impl TransitionError {
    /// Why, in words for the person who tried.
    pub fn user_message(&self) -> String {
        format!(
            "This case is {}: that action is not available now.",
            self.from.label().to_lowercase()
        )
    }
}

/// The state after `event` happens to a case in state `from`, or why it cannot happen.
pub fn transition(from: NoticeState, event: NoticeEvent) -> Result<NoticeState, TransitionError> {
    use NoticeEvent as E;
    use NoticeState as S;
    let to = match (from, event) {
        (S::Open, E::Acknowledge) => S::Acknowledged,
        (
            S::Open | S::Acknowledged | S::EvidenceRejected | S::Upheld | S::Overdue,
            E::SubmitEvidence,
        ) => S::EvidenceSubmitted,
        (S::Open | S::Acknowledged | S::Overdue, E::Dispute) => S::Disputed,
        (S::EvidenceSubmitted, E::StartReview) => S::UnderReview,
        (S::EvidenceSubmitted | S::UnderReview, E::AcceptEvidence) => S::Resolved,
        (S::EvidenceSubmitted | S::UnderReview, E::RejectEvidence) => S::EvidenceRejected,
        (S::Disputed, E::UpholdNotice) => S::Upheld,
        (from, E::WithdrawNotice) if !from.is_finished() => S::Withdrawn,
        (from, E::MarkOverdue) if from.awaits_customer() => S::Overdue,
        (S::Overdue, E::Reopen) => S::Open,
        (S::Resolved | S::Withdrawn | S::Overdue | S::Upheld | S::EvidenceRejected, E::Close) => {
            S::Closed
        }
        _ => return Err(TransitionError { from, event }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_decisions_read_back_what_the_page_offers() {
        for d in StaffDecision::ALL {
            assert_eq!(StaffDecision::parse(d.as_str()), Some(d));
            assert_eq!(d.event().caused_by(), EventActor::Staff, "{d:?}");
        }
        assert_eq!(StaffDecision::parse("Close"), None);
        assert_eq!(StaffDecision::parse(""), None);
        // The decisions that write to the customer need a reason; starting a review and
        // accepting evidence do not.
        let with_reason: Vec<_> = StaffDecision::ALL
            .into_iter()
            .filter(|d| d.needs_reason())
            .collect();
        assert_eq!(
            with_reason,
            [
                StaffDecision::RejectEvidence,
                StaffDecision::UpholdNotice,
                StaffDecision::WithdrawNotice,
                StaffDecision::Close
            ]
        );
    }

    #[test]
    fn a_case_offers_only_the_decisions_its_state_allows() {
        assert_eq!(
            StaffDecision::offered_in(NoticeState::EvidenceSubmitted),
            [
                StaffDecision::StartReview,
                StaffDecision::AcceptEvidence,
                StaffDecision::RejectEvidence,
                StaffDecision::WithdrawNotice,
            ]
        );
        for &state in NoticeState::ALL {
            for d in StaffDecision::offered_in(state) {
                assert!(transition(state, d.event()).is_ok());
            }
        }
    }

    #[test]
    fn a_response_is_owed_while_awaited_and_once_overdue() {
        for &state in NoticeState::ALL {
            assert_eq!(
                state.response_owed(),
                state.awaits_customer() || state == NoticeState::Overdue
            );
        }
        assert!(NoticeState::Overdue.response_owed());
        assert!(!NoticeState::Disputed.response_owed());
        assert!(!NoticeState::Closed.response_owed());
    }

    #[test]
    fn dispute_reasons_have_both_bounds() {
        assert!(dispute_reasons("  too short  ").is_err());
        let ok = "x".repeat(20);
        assert_eq!(dispute_reasons(&format!("  {ok} ")), Ok(ok));
        assert!(dispute_reasons(&"y".repeat(5_000)).is_ok());
        let long = dispute_reasons(&"y".repeat(5_001)).unwrap_err();
        assert!(long.contains("under 5000 characters (5001 now)"), "{long}");
    }
    use NoticeEvent as E;
    use NoticeState as S;

    /// The whole table: every state × event, and what it must give (None: refused).
    fn expected(from: S, event: E) -> Option<S> {
        let table: &[(S, E, S)] = &[
            (S::Open, E::Acknowledge, S::Acknowledged),
            (S::Open, E::SubmitEvidence, S::EvidenceSubmitted),
            (S::Open, E::Dispute, S::Disputed),
            (S::Open, E::WithdrawNotice, S::Withdrawn),
            (S::Open, E::MarkOverdue, S::Overdue),
            (S::Acknowledged, E::SubmitEvidence, S::EvidenceSubmitted),
            (S::Acknowledged, E::Dispute, S::Disputed),
            (S::Acknowledged, E::WithdrawNotice, S::Withdrawn),
            (S::Acknowledged, E::MarkOverdue, S::Overdue),
            (S::EvidenceSubmitted, E::StartReview, S::UnderReview),
            (S::EvidenceSubmitted, E::AcceptEvidence, S::Resolved),
            (S::EvidenceSubmitted, E::RejectEvidence, S::EvidenceRejected),
            (S::EvidenceSubmitted, E::WithdrawNotice, S::Withdrawn),
            (S::UnderReview, E::AcceptEvidence, S::Resolved),
            (S::UnderReview, E::RejectEvidence, S::EvidenceRejected),
            (S::UnderReview, E::WithdrawNotice, S::Withdrawn),
            (S::EvidenceRejected, E::SubmitEvidence, S::EvidenceSubmitted),
            (S::EvidenceRejected, E::WithdrawNotice, S::Withdrawn),
            (S::EvidenceRejected, E::MarkOverdue, S::Overdue),
            (S::EvidenceRejected, E::Close, S::Closed),
            (S::Disputed, E::UpholdNotice, S::Upheld),
            (S::Disputed, E::WithdrawNotice, S::Withdrawn),
            (S::Upheld, E::SubmitEvidence, S::EvidenceSubmitted),
            (S::Upheld, E::WithdrawNotice, S::Withdrawn),
            (S::Upheld, E::MarkOverdue, S::Overdue),
            (S::Upheld, E::Close, S::Closed),
            (S::Overdue, E::SubmitEvidence, S::EvidenceSubmitted),
            (S::Overdue, E::Dispute, S::Disputed),
            (S::Overdue, E::WithdrawNotice, S::Withdrawn),
            (S::Overdue, E::Reopen, S::Open),
            (S::Overdue, E::Close, S::Closed),
            (S::Resolved, E::Close, S::Closed),
            (S::Withdrawn, E::Close, S::Closed),
        ];
        table
            .iter()
            .find(|(f, e, _)| *f == from && *e == event)
            .map(|(_, _, to)| *to)
    }

    #[test]
    fn every_state_and_event_follows_the_table() {
        for from in S::ALL {
            for event in E::ALL {
                let got = transition(*from, event).ok();
                assert_eq!(got, expected(*from, event), "{from:?} + {event:?}");
                if got.is_none() {
                    assert_eq!(
                        transition(*from, event),
                        Err(TransitionError { from: *from, event })
                    );
                }
            }
        }
    }

    #[test]
    fn closed_cases_accept_nothing() {
        for event in E::ALL {
            assert!(transition(S::Closed, event).is_err(), "{event:?}");
        }
    }

    #[test]
    fn the_loop_reject_resubmit_accept_resolves() {
        let mut s = S::Open;
        for event in [
            E::Acknowledge,
            E::SubmitEvidence,
            E::StartReview,
            E::RejectEvidence,
            E::SubmitEvidence,
            E::AcceptEvidence,
        ] {
            s = transition(s, event).unwrap();
        }
        assert_eq!(s, S::Resolved);
    }

    #[test]
    fn a_case_can_dispute_only_before_a_decision_on_the_dispute() {
        let upheld = transition(transition(S::Open, E::Dispute).unwrap(), E::UpholdNotice).unwrap();
        assert_eq!(upheld, S::Upheld);
        assert!(
            transition(upheld, E::Dispute).is_err(),
            "no second dispute after the notice was upheld"
        );
    }

    #[test]
    fn who_may_cause_each_event() {
        assert!(E::SubmitEvidence.caused_by().allows(Role::Customer));
        assert!(!E::SubmitEvidence.caused_by().allows(Role::Staff));
        for event in [
            E::AcceptEvidence,
            E::RejectEvidence,
            E::UpholdNotice,
            E::WithdrawNotice,
            E::Close,
            E::Reopen,
        ] {
            assert!(!event.caused_by().allows(Role::Customer), "{event:?}");
            assert!(event.caused_by().allows(Role::Staff) && event.caused_by().allows(Role::Admin));
        }
        for role in Role::ALL {
            assert!(
                !E::MarkOverdue.caused_by().allows(role),
                "only the system marks cases overdue"
            );
        }
    }

    #[test]
    fn high_risk_categories_follow_policy_section_5() {
        let high: Vec<_> = NoticeCategory::ALL
            .iter()
            .filter(|c| c.high_risk_by_default())
            .collect();
        assert_eq!(
            high,
            [
                &NoticeCategory::Malware,
                &NoticeCategory::Botnet,
                &NoticeCategory::Ddos,
                &NoticeCategory::Scanning
            ]
        );
    }

    #[test]
    fn pasted_messages_are_recognised_and_summaries_are_not() {
        assert!(looks_like_message_payload(
            "Received: from x\nFrom: a@b.test\nSubject: win now\n\nbody"
        ));
        assert!(!looks_like_message_payload(
            "5,120 spam messages reported by 3 recipients; Spamhaus SBL listing."
        ));
        assert!(!looks_like_message_payload(
            "From: one line only mentions a sender"
        ));
    }

    #[test]
    fn state_groups_do_not_overlap() {
        for s in S::ALL {
            let groups = [s.awaits_customer(), s.awaits_staff(), s.is_finished()]
                .iter()
                .filter(|b| **b)
                .count();
            assert!(groups <= 1, "{s:?}");
        }
    }
}
