//! People: who may invite whom, who may change or disable whose account, and invitations.
//!
//! Admins invite staff, admins and customers of any organisation, change the provider's roles,
//! and disable any account but their own. A customer organisation's **owner** invites and
//! removes colleagues of their own organisation, never anyone else's, and never themselves.
//! Nobody changes their own role or disables themselves (the last admin cannot lock everyone
//! out, and a staff member cannot make themselves admin).
//!
//! Owners among themselves ([`Caller::may_change`]): an owner makes a colleague an owner, but
//! only the provider takes the flag from an owner or disables one; an account the provider
//! disabled is enabled again by the provider only; and nobody leaves an organisation without an
//! active owner (make someone else owner first).

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
    /// The owner flag is for customers only.
    #[error("Only customers own an organisation.")]
    OnlyCustomersOwn,
    /// An owner tried to disable another owner or take their flag.
    #[error("Only the abuse desk can disable another owner or make them a member.")]
    OtherOwner,
    /// An owner tried to enable an account the provider disabled.
    #[error("The abuse desk disabled this account: only the abuse desk can enable it again.")]
    DisabledByProvider,
    /// The change would leave the organisation without an active owner.
    #[error("This is the organisation's last active owner: make someone else owner first.")]
    LastOwner,
}

/// What an admin or owner does to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Disable it: it cannot sign in, and its sessions end at once.
    Disable,
    /// Enable it again.
    Enable,
    /// Make the customer their organisation's owner.
    MakeOwner,
    /// Take the owner flag away.
    RemoveOwner,
    /// Give a provider account this role (admins only).
    Role(Role),
}

impl Change {
    /// Every change the people pages offer.
    pub const OFFERED: [Change; 6] = [
        Change::Disable,
        Change::Enable,
        Change::MakeOwner,
        Change::RemoveOwner,
        Change::Role(Role::Staff),
        Change::Role(Role::Admin),
    ];

    /// Its form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Disable => "disable",
            Change::Enable => "enable",
            Change::MakeOwner => "owner",
            Change::RemoveOwner => "not_owner",
            Change::Role(role) => role.as_str(),
        }
    }

    /// Whether the change would alter `target` (the pages offer only those).
    pub fn alters(self, target: &Target) -> bool {
        match self {
            Change::Disable => !target.disabled,
            Change::Enable => target.disabled,
            Change::MakeOwner => !target.owner,
            Change::RemoveOwner => target.owner,
            Change::Role(role) => target.role != role,
        }
    }

    /// The offered change with this form value.
    pub fn parse(raw: &str) -> Option<Change> {
        Change::OFFERED.into_iter().find(|c| c.as_str() == raw)
    }

    /// The audit action that records it.
    pub fn audit_action(self) -> &'static str {
        match self {
            Change::Disable => "account_disabled",
            Change::Enable => "account_enabled",
            Change::MakeOwner => "owner_added",
            Change::RemoveOwner => "owner_removed",
            Change::Role(_) => "role_changed",
        }
    }
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
    /// Whether it owns its organisation.
    pub owner: bool,
    /// Whether it is disabled.
    pub disabled: bool,
    /// Whether the provider (an admin) disabled it.
    pub disabled_by_provider: bool,
}

impl Target {
    /// Whether it counts as one of its organisation's active owners.
    pub fn is_active_owner(&self) -> bool {
        self.owner && !self.disabled
    }
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

    /// May the caller make `change` to `target`? `other_active_owners` counts the active owners
    /// of the target's organisation besides the target (the last one is never removed). The
    /// rules of the module's documentation, on top of [`Caller::may_manage`] and
    /// [`Caller::may_set_role`].
    pub fn may_change(
        &self,
        target: &Target,
        change: Change,
        other_active_owners: u64,
    ) -> Result<(), PeopleError> {
        if let Change::Role(role) = change {
            return self.may_set_role(target, role);
        }
        self.may_manage(target)?;
        if matches!(change, Change::MakeOwner | Change::RemoveOwner)
            && target.role != Role::Customer
        {
            return Err(PeopleError::OnlyCustomersOwn);
        }
        let by_owner = self.actor.role == Role::Customer;
        let takes_an_owner = matches!(change, Change::Disable | Change::RemoveOwner);
        if by_owner && takes_an_owner && target.owner {
            return Err(PeopleError::OtherOwner);
        }
        if by_owner && change == Change::Enable && target.disabled_by_provider {
            return Err(PeopleError::DisabledByProvider);
        }
        if takes_an_owner && target.is_active_owner() && other_active_owners == 0 {
            return Err(PeopleError::LastOwner);
        }
        Ok(())
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

/// What the outbox keeps in place of an invitation's link (the mail as sent carries it; see
/// `server::db::outbox::NewMail::sealed_body`).
pub const LINK_NOT_KEPT: &str = "[the one-time link: in the mail as sent, not kept]";

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
            owner: false,
            disabled: false,
            disabled_by_provider: false,
        }
    }

    #[test]
    fn owners_keep_their_organisation_owned_and_their_colleagues_in_their_place() {
        let alice = actor(2, Role::Customer, Some(7));
        let owner = Caller {
            actor: &alice,
            owner: true,
        };
        let admin = actor(1, Role::Admin, None);
        let admin = Caller {
            actor: &admin,
            owner: false,
        };
        let member = target(5, Role::Customer, Some(7));
        let co_owner = Target {
            owner: true,
            ..target(6, Role::Customer, Some(7))
        };
        // An owner makes a colleague owner, and disables or enables members.
        for change in [Change::MakeOwner, Change::Disable, Change::Enable] {
            assert_eq!(owner.may_change(&member, change, 1), Ok(()), "{change:?}");
        }
        // Another owner is the provider's to disable or demote, never a co-owner's.
        for change in [Change::Disable, Change::RemoveOwner] {
            assert_eq!(
                owner.may_change(&co_owner, change, 1),
                Err(PeopleError::OtherOwner)
            );
            assert_eq!(admin.may_change(&co_owner, change, 1), Ok(()));
            // The last active owner stays, whoever asks.
            assert_eq!(
                admin.may_change(&co_owner, change, 0),
                Err(PeopleError::LastOwner)
            );
        }
        // A disabled owner is not an active one: their flag may go.
        let disabled_owner = Target {
            disabled: true,
            ..co_owner
        };
        assert_eq!(
            admin.may_change(&disabled_owner, Change::RemoveOwner, 0),
            Ok(())
        );
        // What the provider disabled, only the provider enables.
        let disabled_by_desk = Target {
            disabled: true,
            disabled_by_provider: true,
            ..member
        };
        assert_eq!(
            owner.may_change(&disabled_by_desk, Change::Enable, 1),
            Err(PeopleError::DisabledByProvider)
        );
        assert_eq!(
            admin.may_change(&disabled_by_desk, Change::Enable, 1),
            Ok(())
        );
        // The owner flag is a customer's.
        assert_eq!(
            admin.may_change(&target(3, Role::Staff, None), Change::MakeOwner, 0),
            Err(PeopleError::OnlyCustomersOwn)
        );
        assert_eq!(Change::parse("not_owner"), Some(Change::RemoveOwner));
        assert_eq!(Change::parse("admin"), Some(Change::Role(Role::Admin)));
        assert_eq!(
            Change::parse("customer"),
            None,
            "not a change any page offers"
        );
        assert_eq!(Change::parse("root"), None);
        assert!(
            Change::Enable.alters(&disabled_by_desk) && !Change::Disable.alters(&disabled_by_desk)
        );
        assert!(Change::RemoveOwner.alters(&co_owner) && !Change::MakeOwner.alters(&co_owner));
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
