//! The customer's request to send mail on port 25: what they confirm, what they send, its
//! statuses and the only way it changes state ([`transition`]).

use crate::domain::names::named_enum;
use serde::{Deserialize, Serialize};

/// What the customer confirms before port 25 is opened: the policy's §2 and §4, in the
/// policy's own terms, shown on the form rather than only linked.
pub const OBLIGATIONS: &[&str] = &[
    "I am solely responsible for complying with all anti-spam, communications and \
     consumer-protection laws that apply to this mail, including the U.S. CAN-SPAM Act, the EU \
     ePrivacy Directive and UK PECR (policy §2).",
    "I am responsible for the mail software and MTA configuration, relay security and abuse \
     prevention controls of this server (policy §4).",
    "I will publish and keep correct SPF, DKIM, DMARC and reverse DNS (PTR) records for the \
     sending domains and this address (policy §4).",
    "I am responsible for message content, recipient consent and suppression handling \
     (unsubscribes, bounces, complaints), and for this address's reputation (policy §4).",
    "I understand that port 25 is blocked again at once if abuse is reported from this address, \
     and that the approval can be revoked (policy §5).",
];

named_enum!(
    /// What the customer wants to send mail on port 25 for.
    UseCase, "use case" {
        /// Mail that the customer's own application sends (receipts, password resets…).
        Transactional = "transactional", "Transactional mail from my own application";
        /// A mail server for the customer's own domains.
        OwnMailServer = "own_mail_server", "A mail server for my own domains";
        /// Newsletters to lists whose members opted in.
        Newsletters = "newsletters", "Newsletters to opted-in lists";
        /// Something else, explained.
        Other = "other", "Something else (explained below)";
    }
);

named_enum!(
    /// Where a port-25 request stands.
    RequestStatus, "request status" {
        /// Being written by the customer; staff do not see it yet.
        Draft = "draft", "Draft";
        /// Submitted, waiting for staff.
        Pending = "pending", "Waiting for review";
        /// Approved in writing: port 25 is open unless a block for abuse is in force.
        Approved = "approved", "Approved";
        /// Refused, with a written reason.
        Rejected = "rejected", "Rejected";
        /// An approval taken back, with a written reason.
        Revoked = "revoked", "Revoked";
        /// An approval put on hold because a spam or phishing case was opened on the address.
        Suspended = "suspended", "Suspended";
        /// Withdrawn by the customer before a decision.
        Withdrawn = "withdrawn", "Withdrawn";
    }
);

impl RequestStatus {
    /// Whether the request still occupies its address (a new request for it is refused).
    pub fn is_live(self) -> bool {
        matches!(
            self,
            RequestStatus::Pending | RequestStatus::Approved | RequestStatus::Suspended
        )
    }

    /// Whether staff have something to decide.
    pub fn awaits_staff(self) -> bool {
        matches!(self, RequestStatus::Pending | RequestStatus::Suspended)
    }
}

/// Something that happens to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestEvent {
    /// The customer submits the draft.
    Submit,
    /// The customer withdraws a pending request.
    Withdraw,
    /// Staff approve, in writing (again, after a suspension or a probation review).
    Approve,
    /// Staff reject, with a reason.
    Reject,
    /// Staff revoke an approval, with a reason.
    Revoke,
    /// The portal suspends an approval: a spam or phishing case was opened on the address.
    Suspend,
}

/// An event that the request's state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {event:?} a request that is {from:?}")]
pub struct RequestTransitionError {
    /// The state the request is in.
    pub from: RequestStatus,
    /// The event refused.
    pub event: RequestEvent,
}

impl RequestTransitionError {
    /// Why, in words for the person who tried.
    pub fn user_message(&self) -> String {
        format!(
            "This request is {}: that action is not available now.",
            self.from.label().to_lowercase()
        )
    }
}

/// The state after `event` happens to a request in state `from`, or why it cannot happen.
pub fn transition(
    from: RequestStatus,
    event: RequestEvent,
) -> Result<RequestStatus, RequestTransitionError> {
    use RequestEvent as E;
    use RequestStatus as S;
    let to = match (from, event) {
        (S::Draft, E::Submit) => S::Pending,
        (S::Pending, E::Withdraw) => S::Withdrawn,
        // Approving an approved request renews it after its probation review.
        (S::Pending | S::Suspended | S::Approved, E::Approve) => S::Approved,
        (S::Pending, E::Reject) => S::Rejected,
        (S::Approved | S::Suspended, E::Revoke) => S::Revoked,
        (S::Approved, E::Suspend) => S::Suspended,
        _ => return Err(RequestTransitionError { from, event }),
    };
    Ok(to)
}

/// What ends a request once its service no longer holds its address (the address released,
/// moved, or its service moved to another organisation): a request and its written approval
/// belong to the holder that asked, so a pending one is rejected and an approval revoked; the
/// next holder asks afresh. `None` for a request that is not live.
pub fn ending_on_release(from: RequestStatus) -> Option<RequestEvent> {
    match from {
        RequestStatus::Pending => Some(RequestEvent::Reject),
        RequestStatus::Approved | RequestStatus::Suspended => Some(RequestEvent::Revoke),
        _ => None,
    }
}
