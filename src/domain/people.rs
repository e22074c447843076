//! People: who may invite whom, who may change or disable whose account, and invitations.
//!
//! Admins invite staff, admins and customers of any organisation, change the provider's roles,
//! and disable any account but their own. A customer organisation's **owner** invites and
//! removes colleagues of their own organisation, never anyone else's, and never themselves.
//! Nobody changes their own role or disables themselves (the last admin cannot lock everyone
//! out, and a staff member cannot make themselves admin).

use super::actor::{AccessError, Actor, Role};
use super::ids::{OrgId, UserId};
use time::{Duration, OffsetDateTime};

/// How long an invitation link can be used.
pub const INVITATION_VALIDITY: Duration = Duration::days(7);

/// Why a people operation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeopleError {
    /// Not allowed for this caller (maps to 403, or 404 for another organisation).
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The caller tried to change or disable their own account.
    #[error("You cannot change or disable your own account here; ask another administrator.")]
    OwnAccount,
    /// A customer invitation without an organisation, or a provider one with.
    #[error("Customers belong to an organisation; staff and admins to none.")]
    WrongOrganisation,
}

/// What the caller is, for people decisions: the actor and whether they own their organisation.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// Who is calling.
    pub actor: &'a Actor,
    /// Whether they are their organisation's owner (customers only).
    pub owner: bool,
}

/// The account an operation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// Its id.
    pub user: UserId,
    /// Its role.
    pub role: Role,
    /// Its organisation (customers).
    pub org: Option<OrgId>,
}

impl Caller<'_> {
    /// May the caller invite someone as `role` into `org`?
    pub fn may_invite(&self, role: Role, org: Option<OrgId>) -> Result<(), PeopleError> {
        if (role == Role::Customer) != org.is_some() {
            return Err(PeopleError::WrongOrganisation);
        }
        match self.actor.role {
            Role::Admin => Ok(()),
            Role::Customer if self.owner => {
                if role != Role::Customer {
                    return Err(AccessError::NotAdmin.into());
                }
                if org != self.actor.org_id {
                    return Err(AccessError::OtherOrganisation.into());
                }
                Ok(())
            }
            _ => Err(AccessError::NotAdmin.into()),
        }
    }

    /// May the caller disable, enable or change the owner flag of `target`?
    pub fn may_manage(&self, target: &Target) -> Result<(), PeopleError> {
        if target.user == self.actor.user_id {
            return Err(PeopleError::OwnAccount);
        }
        match self.actor.role {
            Role::Admin => Ok(()),
            Role::Customer if self.owner => {
                if target.role == Role::Customer && target.org == self.actor.org_id {
                    Ok(())
                } else {
                    Err(AccessError::OtherOrganisation.into())
                }
            }
            _ => Err(AccessError::NotAdmin.into()),
        }
    }

    /// May the caller give `target` the provider role `role` (staff ↔ admin)? Admins only,
    /// never on their own account, and customers stay customers.
    pub fn may_set_role(&self, target: &Target, role: Role) -> Result<(), PeopleError> {
        if target.user == self.actor.user_id {
            return Err(PeopleError::OwnAccount);
        }
        self.actor.require_admin()?;
        if !target.role.is_provider() || !role.is_provider() {
            return Err(PeopleError::WrongOrganisation);
        }
        Ok(())
    }
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    /// It can be used.
    Open,
    /// Someone accepted it.
    Accepted,
    /// It was withdrawn.
    Revoked,
    /// Its time ran out.
    Expired,
}

impl InvitationState {
    /// An invitation's state at `now`.
    pub fn of(
        expires_at: OffsetDateTime,
        accepted: bool,
        revoked: bool,
        now: OffsetDateTime,
    ) -> InvitationState {
        if accepted {
            InvitationState::Accepted
        } else if revoked {
            InvitationState::Revoked
        } else if now >= expires_at {
            InvitationState::Expired
        } else {
            InvitationState::Open
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            InvitationState::Open => "Waiting",
            InvitationState::Accepted => "Accepted",
            InvitationState::Revoked => "Withdrawn",
            InvitationState::Expired => "Expired",
        }
    }
}

/// The mail that carries an invitation: who invites, as what, the one-time link, and until
/// when it works (`expires_text`, in UTC: the invited person has no time zone yet).
pub fn invitation_mail(
    inviter: &str,
    as_text: &str,
    link: &str,
    expires_text: &str,
) -> (String, String) {
    use super::notification::wrap;
    let subject = "You are invited to the abuse-case portal".to_owned();
    let paragraphs = [
        wrap(
            &format!("{inviter} invited you to the abuse-case portal as: {as_text}."),
            72,
        ),
        format!("Open this link to choose your password and sign in:\n{link}"),
        wrap(
            &format!(
                "The link works once, until {expires_text}. If you did not expect this invitation, ignore this mail: no account is made until the link is used."
            ),
            72,
        ),
    ];
    (subject, paragraphs.join("\n\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(id: i64, role: Role, org: Option<i64>) -> Actor {
        Actor {
            user_id: UserId(id),
            role,
            org_id: org.map(OrgId),
            zone: Default::default(),
        }
    }

    fn target(id: i64, role: Role, org: Option<i64>) -> Target {
        Target {
            user: UserId(id),
            role,
            org: org.map(OrgId),
        }
    }

    #[test]
    fn an_invitation_mail_carries_the_link_on_its_own_line() {
        let (subject, body) = invitation_mail(
            "alice@acme.test",
            "Customer of Acme Hosting",
            "https://portal.example/invite/abc",
            "2026-12-04 09:00 UTC",
        );
        assert_eq!(subject, "You are invited to the abuse-case portal");
        assert!(body.contains("\nhttps://portal.example/invite/abc\n"));
        assert!(body.contains("alice@acme.test invited you"));
        assert!(body.contains("2026-12-04 09:00 UTC"));
        assert!(body.lines().all(|l| l.chars().count() <= 72), "{body}");
    }

    #[test]
    fn admins_invite_anyone_owners_only_colleagues() {
        let admin = actor(1, Role::Admin, None);
        let admin = Caller {
            actor: &admin,
            owner: false,
        };
        assert!(admin.may_invite(Role::Staff, None).is_ok());
        assert!(admin.may_invite(Role::Customer, Some(OrgId(7))).is_ok());
        assert_eq!(
            admin.may_invite(Role::Customer, None),
            Err(PeopleError::WrongOrganisation)
        );
        assert_eq!(
            admin.may_invite(Role::Staff, Some(OrgId(7))),
            Err(PeopleError::WrongOrganisation)
        );

        let alice = actor(2, Role::Customer, Some(7));
        let owner = Caller {
            actor: &alice,
            owner: true,
        };
        assert!(owner.may_invite(Role::Customer, Some(OrgId(7))).is_ok());
        assert_eq!(
            owner.may_invite(Role::Customer, Some(OrgId(8))),
            Err(PeopleError::Access(AccessError::OtherOrganisation))
        );
        assert_eq!(
            owner.may_invite(Role::Admin, None),
            Err(PeopleError::Access(AccessError::NotAdmin))
        );
        let member = Caller {
            actor: &alice,
            owner: false,
        };
        assert!(member.may_invite(Role::Customer, Some(OrgId(7))).is_err());
        let staff = actor(3, Role::Staff, None);
        let staff = Caller {
            actor: &staff,
            owner: false,
        };
        assert!(staff.may_invite(Role::Customer, Some(OrgId(7))).is_err());
    }

    #[test]
    fn nobody_manages_their_own_account_or_another_organisation() {
        let alice = actor(2, Role::Customer, Some(7));
        let owner = Caller {
            actor: &alice,
            owner: true,
        };
        assert!(owner
            .may_manage(&target(5, Role::Customer, Some(7)))
            .is_ok());
        assert_eq!(
            owner.may_manage(&target(2, Role::Customer, Some(7))),
            Err(PeopleError::OwnAccount)
        );
        assert_eq!(
            owner.may_manage(&target(6, Role::Customer, Some(8))),
            Err(PeopleError::Access(AccessError::OtherOrganisation))
        );
        assert!(owner.may_manage(&target(1, Role::Admin, None)).is_err());
        let admin = actor(1, Role::Admin, None);
        let admin = Caller {
            actor: &admin,
            owner: false,
        };
        assert!(admin
            .may_manage(&target(5, Role::Customer, Some(7)))
            .is_ok());
        assert_eq!(
            admin.may_manage(&target(1, Role::Admin, None)),
            Err(PeopleError::OwnAccount)
        );
    }

    #[test]
    fn only_admins_change_provider_roles_and_never_their_own() {
        let staff = actor(3, Role::Staff, None);
        let staff = Caller {
            actor: &staff,
            owner: false,
        };
        // A staff member cannot make themselves, or anyone, admin.
        assert_eq!(
            staff.may_set_role(&target(3, Role::Staff, None), Role::Admin),
            Err(PeopleError::OwnAccount)
        );
        assert_eq!(
            staff.may_set_role(&target(4, Role::Staff, None), Role::Admin),
            Err(PeopleError::Access(AccessError::NotAdmin))
        );
        let admin = actor(1, Role::Admin, None);
        let admin = Caller {
            actor: &admin,
            owner: false,
        };
        assert!(admin
            .may_set_role(&target(3, Role::Staff, None), Role::Admin)
            .is_ok());
        assert_eq!(
            admin.may_set_role(&target(5, Role::Customer, Some(7)), Role::Staff),
            Err(PeopleError::WrongOrganisation)
        );
    }

    #[test]
    fn invitations_expire_and_are_used_once() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(100);
        let expires = now + Duration::hours(1);
        assert_eq!(
            InvitationState::of(expires, false, false, now),
            InvitationState::Open
        );
        assert_eq!(
            InvitationState::of(expires, true, false, now),
            InvitationState::Accepted
        );
        assert_eq!(
            InvitationState::of(expires, false, true, now),
            InvitationState::Revoked
        );
        assert_eq!(
            InvitationState::of(now, false, false, now),
            InvitationState::Expired
        );
    }
}
