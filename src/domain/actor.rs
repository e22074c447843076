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

    /// Whether the actor may read or act on records of organisation `org`.
    pub fn may_access_org(&self, org: OrgId) -> Result<(), AccessError> {
        if self.role.is_provider() || self.org_id == Some(org) {
            Ok(())
        } else {
            Err(AccessError::OtherOrganisation)
        }
    }

    /// The organisation a customer-side list must be limited to: the actor's own.
    /// `None` means the caller is staff and may see every organisation.
    pub fn org_scope(&self) -> Option<OrgId> {
        if self.role.is_provider() {
            None
        } else {
            self.org_id
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
        assert_eq!(alice.org_scope(), Some(OrgId(1)));
    }

    #[test]
    fn a_customer_without_organisation_touches_nothing() {
        let orphan = actor(Role::Customer, None);
        assert_eq!(
            orphan.may_access_org(OrgId(1)),
            Err(AccessError::OtherOrganisation)
        );
    }

    #[test]
    fn staff_touch_every_organisation() {
        for role in [Role::Staff, Role::Admin] {
            let who = actor(role, None);
            assert_eq!(who.may_access_org(OrgId(1)), Ok(()));
            assert_eq!(who.may_access_org(OrgId(99)), Ok(()));
            assert_eq!(who.org_scope(), None);
        }
    }
}
