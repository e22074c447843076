//! People as the people pages show them: accounts, invitations, and an invitation's own page.

use crate::domain::actor::Role;
use serde::{Deserialize, Serialize};

/// An account in a people list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    /// Id.
    pub id: i64,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Owner of the organisation (customers).
    pub owner: bool,
    /// Whether the account is disabled.
    pub disabled: bool,
    /// Whether the abuse desk disabled it (then only the desk enables it again).
    pub disabled_by_provider: bool,
    /// Since (UTC), in words.
    pub since_text: String,
    /// Whether it is the viewer's own account (which they cannot change here).
    pub you: bool,
    /// The changes the viewer may make to it, as buttons.
    pub actions: Vec<PersonAction>,
}

/// A change the viewer may make to an account: a button of its row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonAction {
    /// The form value (`disable`, `enable`, `owner`, `not_owner`, `staff`, `admin`).
    pub change: String,
    /// The button's words, naming the account.
    pub label: String,
    /// Whether it takes something away (drawn as a danger).
    pub danger: bool,
}

/// An invitation in a people list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    /// Id.
    pub id: i64,
    /// Who is invited.
    pub email: String,
    /// As what, in words ("Customer, owner of Acme").
    pub as_text: String,
    /// Who invited.
    pub invited_by: String,
    /// Until when it can be used, in words (in the inviter's zone).
    pub expires_text: String,
    /// Where it stands, in words.
    pub state: String,
    /// Whether it can still be used (and withdrawn).
    pub open: bool,
}

/// A people page: the accounts and invitations the viewer manages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleView {
    /// The organisation managed, or `None` for the provider's own staff.
    pub organisation: Option<(i64, String)>,
    /// Its accounts.
    pub people: Vec<PersonView>,
    /// Its latest invitations.
    pub invitations: Vec<InvitationView>,
    /// Whether the viewer is an admin (who may also set staff and admin roles).
    pub admin: bool,
}

/// What inviting someone gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationCreated {
    /// Who is invited.
    pub email: String,
    /// The one-time link, for an admin to pass on (or anyone, while the portal has no mail
    /// relay); `None` when it went by mail only.
    pub link: Option<String>,
    /// Until when it can be used, in words (in the inviter's zone).
    pub expires_text: String,
    /// Whether the portal sends it by mail (it has a relay).
    pub mailed: bool,
}

/// `/invite/{token}`: what the invited person is asked to accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitePageView {
    /// Their e-mail address (their sign-in name).
    pub email: String,
    /// As what, in words.
    pub as_text: String,
    /// Who invited them.
    pub invited_by: String,
    /// Until when (UTC), in words.
    pub expires_text: String,
}
