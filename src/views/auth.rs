//! Who is signed in, as the navigation shows it, and their account's pages.

use crate::domain::actor::Role;
use crate::domain::inventory::Contacts;
use crate::domain::notification::NotificationKind;
use serde::{Deserialize, Serialize};

/// The signed-in user as the navigation shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    /// E-mail address (sign-in name).
    pub email: String,
    /// Role.
    pub role: Role,
    /// The customer's organisation.
    pub org_name: Option<String>,
    /// Whether the customer owns it (manages its people).
    pub owner: bool,
    /// Notifications not read yet.
    pub unread: i64,
}

/// Who is signed in, if anyone, and whether the site runs on demo data (by default: no one, and
/// not demo data).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The signed-in user.
    pub user: Option<SignedInUser>,
    /// Whether the database holds demo data.
    pub demo: bool,
}

/// One of the signed-in user's sessions, as the sessions page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// A handle naming the session for "end this session" (never the session id itself).
    pub handle: String,
    /// When it signed in (UTC).
    pub signed_in_text: String,
    /// When it was last active, to the minute (UTC).
    pub last_active_text: String,
    /// The address it signed in from.
    pub address: String,
    /// The browser, in words ("Firefox on Linux").
    pub browser: String,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// The signed-in user's sessions, the current one first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionsView {
    /// The sessions.
    pub sessions: Vec<SessionView>,
}

/// Setting up two-factor sign-in: the QR code and the key to type by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    /// The QR code, an SVG made on the server.
    pub qr_svg: String,
    /// The secret in base32, in groups of four.
    pub key: String,
}

/// `/account/two-factor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorView {
    /// Whether it is on.
    pub enabled: bool,
    /// While off: the setup.
    pub setup: Option<TwoFactorSetup>,
    /// Recovery codes not used yet.
    pub recovery_left: i64,
    /// Whether the account needs it (staff, admins, or an organisation that requires it).
    pub required: bool,
    /// For an organisation's owner: its name and whether it requires a second factor.
    pub owner_of: Option<(String, bool)>,
}

/// The signed-in user's preferences: the zone they read times in and, for customers, the news
/// they receive by mail themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferencesView {
    /// Their zone (IANA name).
    pub time_zone: String,
    /// Every zone to choose from.
    pub zones: Vec<String>,
    /// The time now in their zone, as every page writes it.
    pub now_text: String,
    /// Whether they belong to a customer organisation (only those receive news).
    pub customer: bool,
    /// Each kind of news and whether they receive it by mail.
    pub mail: Vec<(NotificationKind, bool)>,
    /// Their organisation's contacts for the news they do not receive themselves, in words.
    pub contacts_text: Option<String>,
}

/// A customer organisation's contacts and who receives which mail, on its settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationSettingsView {
    /// The organisation's name.
    pub name: String,
    /// Its contacts.
    pub contacts: Contacts,
    /// The zone of the mails to its contacts.
    pub time_zone: String,
    /// Every zone to choose from.
    pub zones: Vec<String>,
    /// Each kind of news, and which contacts receive it.
    pub routes: Vec<MailRouteView>,
    /// Members who chose to receive mails themselves, with what.
    pub members_mailed: Vec<(String, Vec<NotificationKind>)>,
    /// Whether the viewer may change it (owners).
    pub may_edit: bool,
}

/// One kind of news and the contacts it is mailed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRouteView {
    /// The kind.
    pub kind: NotificationKind,
    /// To the abuse contact.
    pub abuse: bool,
    /// Whether the abuse contact always receives it (not a choice).
    pub abuse_required: bool,
    /// To the technical contact.
    pub technical: bool,
    /// To the billing contact.
    pub billing: bool,
}
