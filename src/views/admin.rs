//! The admin overview, API tokens and the outbox of mails.

use serde::{Deserialize, Serialize};

/// Where a page of organisations starts: after this name and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgCursor {
    /// The last name on the previous page.
    pub name: String,
    /// Its id (names are unique, the id makes the order total anyway).
    pub id: i64,
}

/// An organisation in the staff overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Customer users.
    pub users: i64,
    /// Services rented.
    pub services: i64,
}

/// The admin home's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOverview {
    /// Customer organisations.
    pub organisations: i64,
    /// Customer users.
    pub customers: i64,
    /// Staff and admin users.
    pub staff: i64,
    /// Services.
    pub services: i64,
    /// Services restricted, suspended or terminated.
    pub services_not_active: i64,
    /// Mails given up after the last attempt.
    pub mails_given_up: i64,
    /// One page of organisations.
    pub page: Vec<OrgSummary>,
    /// Where the next page starts, if there is one.
    pub next: Option<OrgCursor>,
}

/// An API token in the admin list (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    /// Id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// Its scopes.
    pub scopes: String,
    /// The admin it acts for.
    pub acts_for: String,
    /// Made (UTC), in words.
    pub created_text: String,
    /// Last used (UTC), in words.
    pub last_used_text: Option<String>,
    /// Revoked (UTC), in words.
    pub revoked_text: Option<String>,
}

/// A token just made: shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCreated {
    /// Id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// The token.
    pub token: String,
}

/// One mail in the outbox, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRowView {
    /// Id.
    pub id: i64,
    /// To.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// What it is about, in words.
    pub about: String,
    /// The organisation it concerns.
    pub organisation: Option<String>,
    /// When it was written, in the viewer's zone.
    pub created_text: String,
    /// Where it stands, in words ("Sent 2026-…", "Given up 2026-…", "Next attempt 2026-…").
    pub status: String,
    /// `sent`, `waiting`, `retrying` or `given_up` (for the badge).
    pub status_key: String,
    /// Attempts so far.
    pub attempts: i64,
    /// The relay's last error.
    pub last_error: Option<String>,
}

/// The outbox as staff see it: one tab of mails, newest first, with the trouble counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    /// `given_up` (the default), `retrying` or `all`.
    pub tab: String,
    /// The mails.
    pub rows: Vec<MailRowView>,
    /// How many were given up.
    pub given_up: i64,
    /// How many are being tried again.
    pub retrying: i64,
    /// Whether a relay is configured (without one, mails wait).
    pub relay: bool,
    /// The id to continue after, when there are more.
    pub next: Option<i64>,
}
