//! The admin overview.

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
