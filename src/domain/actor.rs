//! Who is calling, and what they may touch: the one place that answers access questions.
//!
//! Customers act only on their own organisation's records; staff and admins act on every
//! organisation's; only admins manage accounts. Staff-only operations take a [`StaffToken`],
//! which can only be obtained from [`Actor::require_staff`], so a query that needs staff rights
//! cannot be called without that check having passed.

use super::ids::{OrgId, UserId};
use super::zone::Zone;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A customer's user: sees and answers their own organisation's notices.
    Customer,
    /// The provider's abuse desk: reviews every organisation's cases.
    Staff,
    /// Staff who also manage accounts.
    Admin,
}

impl Role {
    /// Every role, in order of increasing rights.
    pub const ALL: [Role; 3] = [Role::Customer, Role::Staff, Role::Admin];

    /// The stored and command-line spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    /// Whether the role belongs to the provider rather than to a customer.
    pub fn is_provider(self) -> bool {
        matches!(self, Role::Staff | Role::Admin)
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Customer => "Customer",
            Role::Staff => "Abuse desk staff",
            Role::Admin => "Administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected customer, staff or admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "customer" => Ok(Role::Customer),
            "staff" => Ok(Role::Staff),
            "admin" => Ok(Role::Admin),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

/// Why an actor may not do something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The action needs a staff or admin role.
    #[error("this needs a staff role")]
    NotStaff,
    /// The action needs the admin role.
    #[error("this needs the admin role")]
    NotAdmin,
    /// The record belongs to another organisation. Callers report it as "not found" so that
    /// the existence of other organisations' records is not revealed.
    #[error("not found")]
    OtherOrganisation,
    /// The action is a customer's, on their own organisation, and the caller is not a customer
    /// of one.
    #[error("this needs a customer of an organisation")]
    NotCustomer,
}

/// A signed-in user, as every access decision sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: UserId,
    /// The user's role.
    pub role: Role,
    /// The organisation of a customer; `None` for staff and admins.
    pub org_id: Option<OrgId>,
    /// The zone every time is shown to them in.
    pub zone: Zone,
}

/// Proof that the actor holding it passed a staff check; demanded by staff-only operations.
#[derive(Debug, Clone, Copy)]
pub struct StaffToken {
    _private: (),
}

/// Proof that the actor holding it passed an admin check.
#[derive(Debug, Clone, Copy)]
pub struct AdminToken {
    _private: (),
}

impl Actor {
    /// Succeeds for staff and admins.
    pub fn require_staff(&self) -> Result<StaffToken, AccessError> {
        if self.role.is_provider() {
            Ok(StaffToken { _private: () })
        } else {
            Err(AccessError::NotStaff)
        }
    }

    /// Succeeds for admins only.
    pub fn require_admin(&self) -> Result<AdminToken, AccessError> {
        match self.role {
            Role::Admin => Ok(AdminToken { _private: () }),
            _ => Err(AccessError::NotAdmin),
        }
    }

    /// Whether the actor may read or act on records of organisation `org`: whether it is within
    /// their [`Reach`]. A customer without an organisation reaches no one's.
    pub fn may_access_org(&self, org: OrgId) -> Result<(), AccessError> {
        let reach = self.reach().map_err(|_| AccessError::OtherOrganisation)?;
        reach.covers(org)
    }

    /// The customer's own organisation, for actions only a customer takes (filing a port-25
    /// request, changing their organisation's contacts). Staff and customers without an
    /// organisation get [`AccessError::NotCustomer`].
    pub fn customer_scope(&self) -> Result<OrgScope, AccessError> {
        match (self.role, self.org_id) {
            (Role::Customer, Some(org)) => Ok(OrgScope { org }),
            _ => Err(AccessError::NotCustomer),
        }
    }

    /// Whose records the actor reads: their own organisation's, or every one's for staff.
    /// A customer without an organisation reaches nothing ([`AccessError::NotCustomer`]).
    pub fn reach(&self) -> Result<Reach, AccessError> {
        match self.require_staff() {
            Ok(staff) => Ok(Reach::Provider(staff)),
            Err(_) => self.customer_scope().map(Reach::Organisation),
        }
    }
}

/// Proof that the caller is a customer of this organisation; only [`Actor::customer_scope`]
/// makes one, so a use case that takes it cannot run for anyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgScope {
    org: OrgId,
}

impl OrgScope {
    /// The organisation.
    pub fn id(self) -> OrgId {
        self.org
    }

    /// Succeeds when `org` is this organisation; another's record reads as "not found".
    pub fn owns(self, org: OrgId) -> Result<(), AccessError> {
        if org == self.org {
            Ok(())
        } else {
            Err(AccessError::OtherOrganisation)
        }
    }
}

/// Whose records a caller may read, decided once from the [`Actor`].
#[derive(Debug, Clone, Copy)]
pub enum Reach {
    /// A customer: their organisation's records only.
    Organisation(OrgScope),
    /// Staff and admins: every organisation's.
    Provider(StaffToken),
}

impl Reach {
    /// The organisation a list is limited to; `None` for staff, who see every one.
    pub fn org_filter(self) -> Option<OrgId> {
        match self {
            Reach::Organisation(scope) => Some(scope.id()),
            Reach::Provider(_) => None,
        }
    }

    /// Succeeds when a record of `org` is within reach; another's reads as "not found".
    pub fn covers(self, org: OrgId) -> Result<(), AccessError> {
        match self {
            Reach::Organisation(scope) => scope.owns(org),
            Reach::Provider(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, org: Option<i64>) -> Actor {
        Actor {
            user_id: UserId(1),
            role,
            org_id: org.map(OrgId),
            zone: Default::default(),
        }
    }

    #[test]
    fn roles_parse_and_print_the_same_spelling() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
        assert!("Staff".parse::<Role>().is_err());
    }

    #[test]
    fn staff_check_by_role() {
        assert_eq!(
            actor(Role::Customer, Some(1)).require_staff().err(),
            Some(AccessError::NotStaff)
        );
        assert!(actor(Role::Staff, None).require_staff().is_ok());
        assert!(actor(Role::Admin, None).require_staff().is_ok());
    }

    #[test]
    fn admin_check_by_role() {
        assert_eq!(
            actor(Role::Customer, Some(1)).require_admin().err(),
            Some(AccessError::NotAdmin)
        );
        assert_eq!(
            actor(Role::Staff, None).require_admin().err(),
            Some(AccessError::NotAdmin)
        );
        assert!(actor(Role::Admin, None).require_admin().is_ok());
    }

    #[test]
    fn customers_touch_only_their_own_organisation() {
        let alice = actor(Role::Customer, Some(1));
        assert_eq!(alice.may_access_org(OrgId(1)), Ok(()));
        assert_eq!(
            alice.may_access_org(OrgId(2)),
            Err(AccessError::OtherOrganisation)
        );
        let reach = alice.reach().unwrap();
        assert_eq!(reach.org_filter(), Some(OrgId(1)));
        assert_eq!(reach.covers(OrgId(2)), Err(AccessError::OtherOrganisation));
        assert_eq!(alice.customer_scope().map(OrgScope::id), Ok(OrgId(1)));
    }

    #[test]
    fn a_customer_without_organisation_touches_nothing() {
        let orphan = actor(Role::Customer, None);
        assert_eq!(
            orphan.may_access_org(OrgId(1)),
            Err(AccessError::OtherOrganisation)
        );
        assert_eq!(orphan.reach().err(), Some(AccessError::NotCustomer));
        assert_eq!(orphan.customer_scope(), Err(AccessError::NotCustomer));
    }

    #[test]
    fn staff_touch_every_organisation() {
        for role in [Role::Staff, Role::Admin] {
            let who = actor(role, None);
            assert_eq!(who.may_access_org(OrgId(1)), Ok(()));
            assert_eq!(who.may_access_org(OrgId(99)), Ok(()));
            let reach = who.reach().unwrap();
            assert_eq!(reach.org_filter(), None);
            assert_eq!(reach.covers(OrgId(99)), Ok(()));
            assert_eq!(who.customer_scope(), Err(AccessError::NotCustomer));
        }
    }
}
