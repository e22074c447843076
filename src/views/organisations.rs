//! The provider's inventory as the admin pages show it: organisations with their contacts and
//! members, services, and the history of address assignments.

use crate::domain::inventory::Contacts;
use crate::domain::service::{ServiceKind, ServiceState};
use serde::{Deserialize, Serialize};

/// An address assignment: which block, to which service and organisation, from when until when,
/// who did it and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentView {
    /// `203.0.113.7`, `2001:db8:ac::/64`.
    pub block: String,
    /// The service.
    pub service_id: i64,
    /// Its label.
    pub service_label: String,
    /// The organisation.
    pub organisation_id: i64,
    /// Its name.
    pub organisation_name: String,
    /// From (UTC), in words.
    pub from_text: String,
    /// Until (UTC), in words; `None` while it holds.
    pub until_text: Option<String>,
    /// Who assigned it ("the portal" when no person did).
    pub assigned_by: String,
    /// Why.
    pub reason: String,
    /// Who released it.
    pub released_by: Option<String>,
    /// Why it was released.
    pub release_reason: Option<String>,
}

/// A service in an organisation's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSummary {
    /// Id.
    pub id: i64,
    /// Label.
    pub label: String,
    /// Kind.
    pub kind: ServiceKind,
    /// State.
    pub state: ServiceState,
    /// Its addresses now.
    pub blocks: Vec<String>,
    /// When it was retired, in words.
    pub retired_text: Option<String>,
}

/// A user of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// Their e-mail address.
    pub email: String,
    /// Their role, in words.
    pub role: String,
}

/// `/admin/organisations/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Contacts.
    pub contacts: Contacts,
    /// Which mails each contact receives, in words: (contact, kinds), as the owners chose.
    pub mail_routes: Vec<(String, String)>,
    /// The time zone of the mails to the contacts.
    pub mail_zone: String,
    /// A customer since, in words (the viewer's zone).
    pub created_text: String,
    /// Retired, in words (the viewer's zone).
    pub retired_text: Option<String>,
    /// Its services, retired ones last.
    pub services: Vec<ServiceSummary>,
    /// Its users.
    pub members: Vec<MemberView>,
    /// Its accounts and invitations, for admins who manage them.
    pub people: Option<crate::views::people::PeopleView>,
    /// Whether the viewer may change the inventory (admins).
    pub may_edit: bool,
}

/// `/admin/services/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminServiceView {
    /// Id.
    pub id: i64,
    /// Label.
    pub label: String,
    /// Kind.
    pub kind: ServiceKind,
    /// State.
    pub state: ServiceState,
    /// Its organisation.
    pub organisation_id: i64,
    /// Its name.
    pub organisation_name: String,
    /// Since (UTC), in words.
    pub created_text: String,
    /// Retired (UTC), in words.
    pub retired_text: Option<String>,
    /// The addresses it holds now.
    pub current: Vec<AssignmentView>,
    /// Every assignment it ever had, newest first.
    pub history: Vec<AssignmentView>,
    /// Organisations it may move to: (id, name); `None` when there are more than a list in a
    /// form can show, and the form asks for the organisation's number instead.
    pub organisations: Option<Vec<(i64, String)>>,
    /// Services its addresses may move to: (id, "organisation · label"); `None` likewise.
    pub services: Option<Vec<(i64, String)>>,
    /// Whether the viewer may change the inventory (admins).
    pub may_edit: bool,
}

/// The answer to "who held this address at that time".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderView {
    /// The address asked about.
    pub address: String,
    /// The time asked about (UTC), in words.
    pub at_text: String,
    /// The assignment that covered it then, if any.
    pub assignment: Option<AssignmentView>,
}

/// `/admin/organisations`: search results and the "who held it" answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventorySearchView {
    /// What was searched for.
    pub query: String,
    /// The zone a typed time is read in (the viewer's).
    pub zone: String,
    /// Organisations by name, contact or member e-mail: (id, name).
    pub organisations: Vec<(i64, String)>,
    /// Services by label: (id, label, organisation name).
    pub services: Vec<(i64, String, String)>,
    /// Assignments, past and present, of the address or prefix searched for.
    pub assignments: Vec<AssignmentView>,
    /// The "who held it" answer, when asked.
    pub holder: Option<HolderView>,
    /// Whether the viewer may change the inventory (admins).
    pub may_edit: bool,
    /// Without a query, where the next page of organisations starts.
    pub next: Option<crate::views::admin::OrgCursor>,
}

/// One row of an inventory import: what it changes, or why it is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRowView {
    /// The line in the file.
    pub line: usize,
    /// The organisation and service it is about, when readable.
    pub subject: String,
    /// What it changes; empty when nothing.
    pub changes: Vec<String>,
    /// Why it is refused.
    pub error: Option<String>,
}

/// An inventory import, previewed or applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    /// Whether the changes were made (`false`: a preview).
    pub applied: bool,
    /// Every row.
    pub rows: Vec<ImportRowView>,
    /// Rows that change something.
    pub changing: usize,
    /// Rows that change nothing.
    pub unchanged: usize,
    /// Rows refused.
    pub refused: usize,
}
