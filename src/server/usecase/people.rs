//! People: invitations by e-mail address (a one-time link, valid for a week, where the invited
//! person sets a password), disabling accounts (which ends their sessions at once), owners and
//! provider roles, and changing one's own password. Who may do what is `domain::people`; every
//! change goes into the provider-wide audit log.

use crate::domain::account::{Email, Password};
use crate::domain::actor::{AccessError, Actor, Role};
use crate::domain::ids::{OrgId, UserId};
use crate::domain::people::{Caller, InvitationState, PeopleError, Target, INVITATION_VALIDITY};
use crate::domain::time_format::utc;
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::server::db::audit::{self, AuditEvent};
use crate::server::db::people::{self as store, InvitationRow, NewInvitation};
use crate::server::db::{accounts, outbox, sessions as db_sessions, DbError};
use crate::server::state::AppState;
use crate::views::people::{
    InvitationCreated, InvitationView, InvitePageView, PeopleView, PersonView,
};
use sha2::{Digest, Sha256};

fn refused(e: PeopleError) -> AppError {
    match e {
        PeopleError::Access(a) => a.into(),
        PeopleError::OwnAccount => AppError::Conflict(e.to_string()),
        PeopleError::WrongOrganisation => AppError::invalid("organisation", e.to_string()),
    }
}

/// Whether the caller owns their organisation (read fresh: an owner flag can change).
pub(super) async fn caller_is_owner(st: &AppState, who: &Actor) -> Result<bool, AppError> {
    if who.role != Role::Customer {
        return Ok(false);
    }
    Ok(crate::server::state::user_row(st, who.user_id)
        .await?
        .is_some_and(|u| u.org_owner))
}

async fn log(st: &AppState, actor: &str, action: &str, detail: &str) -> Result<(), AppError> {
    let mut tx = st.db.begin_write().await?;
    audit::append_provider(
        &mut tx,
        &st.audit_keys,
        st.now(),
        AuditEvent {
            actor,
            action,
            detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn token_hash(token: &str) -> String {
    crate::domain::audit::to_hex(&Sha256::digest(token.as_bytes()))
}

fn as_text(role: &str, org: Option<&str>, owner: bool) -> String {
    let role_label = role.parse::<Role>().map(Role::label).unwrap_or("Account");
    match (org, owner) {
        (Some(org), true) => format!("{role_label}, owner of {org}"),
        (Some(org), false) => format!("{role_label} of {org}"),
        (None, _) => role_label.to_owned(),
    }
}

fn invitation_view(i: &InvitationRow, now: time::OffsetDateTime, zone: &Zone) -> InvitationView {
    let state = InvitationState::of(
        i.expires_at,
        i.accepted_at.is_some(),
        i.revoked_at.is_some(),
        now,
    );
    InvitationView {
        id: i.id,
        email: i.email.clone(),
        as_text: as_text(&i.role, i.organisation_name.as_deref(), i.org_owner),
        invited_by: i.invited_by_email.clone(),
        expires_text: zone.show(i.expires_at),
        state: state.label().to_owned(),
        open: state == InvitationState::Open,
    }
}

/// The people the caller manages: an admin, the provider's staff (`org` = `None`) or any
/// organisation's accounts; a customer owner, their own organisation's.
pub async fn people(
    st: &AppState,
    who: &Actor,
    org: Option<OrgId>,
) -> Result<PeopleView, AppError> {
    let owner = caller_is_owner(st, who).await?;
    let org = match who.role {
        Role::Admin => org,
        Role::Customer if owner => Some(who.org_id.ok_or(AppError::Forbidden)?),
        _ => return Err(AppError::Forbidden),
    };
    let now = st.now();
    let (organisation, rows) = match org {
        Some(org) => {
            let name = accounts::organisation_name(&st.db, org)
                .await?
                .ok_or(AppError::NotFound)?;
            (Some((org.0, name)), store::org_accounts(&st.db, org).await?)
        }
        None => (None, store::provider_accounts(&st.db).await?),
    };
    let people = rows
        .into_iter()
        .map(|a| PersonView {
            id: a.id,
            email: a.email,
            role: a.role.parse().unwrap_or(Role::Customer),
            owner: a.org_owner,
            disabled: a.disabled_at.is_some(),
            since_text: who.zone.show(a.created_at),
            you: a.id == who.user_id.0,
        })
        .collect();
    let invitations = store::invitations(&st.db, org, 50)
        .await?
        .iter()
        .map(|i| invitation_view(i, now, &who.zone))
        .collect();
    Ok(PeopleView {
        organisation,
        people,
        invitations,
        admin: who.role == Role::Admin,
    })
}

/// Invites `email` as `role` (into `org` for customers, as its owner when `owner`). Returns the
/// one-time link to pass on; only its hash is stored. An open invitation for the same address
/// is withdrawn.
pub async fn invite(
    st: &AppState,
    who: &Actor,
    email: &str,
    role: Role,
    org: Option<OrgId>,
    owner: bool,
) -> Result<InvitationCreated, AppError> {
    let is_owner = caller_is_owner(st, who).await?;
    Caller {
        actor: who,
        owner: is_owner,
    }
    .may_invite(role, org)
    .map_err(refused)?;
    let email = Email::parse(email).map_err(|e| AppError::invalid("email", e.to_string()))?;
    if accounts::find_user_by_email(&st.db, &email)
        .await?
        .is_some()
    {
        return Err(AppError::invalid(
            "email",
            format!("{email} already has an account."),
        ));
    }
    let org_name =
        match org {
            Some(org) => Some(accounts::organisation_name(&st.db, org).await?.ok_or_else(
                || AppError::invalid("organisation", "Choose an organisation from the list."),
            )?),
            None => None,
        };
    let owner = owner && role == Role::Customer;
    let token = crate::domain::audit::to_hex(&rand::random::<[u8; 32]>());
    let now = st.now();
    let expires_at = now + INVITATION_VALIDITY;
    let label = super::notices::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    store::insert_invitation(
        &mut tx,
        &NewInvitation {
            token_hash: &token_hash(&token),
            email: email.as_str(),
            role,
            org,
            owner,
            by: who.user_id,
            at: now,
            expires_at,
        },
    )
    .await?;
    audit::append_provider(
        &mut tx,
        &st.audit_keys,
        now,
        AuditEvent {
            actor: &label,
            action: "invitation_sent",
            detail: &format!(
                "{email} invited as {}; the link expires {}.",
                as_text(role.as_str(), org_name.as_deref(), owner),
                utc(expires_at)
            ),
        },
    )
    .await?;
    let base = st.config.public_url.as_str().trim_end_matches('/');
    let link = format!("{base}/invite/{token}");
    let inviter = accounts::find_user(&st.db, who.user_id)
        .await?
        .map(|u| u.email)
        .unwrap_or_else(|| "The abuse desk".to_owned());
    let (subject, body) = crate::domain::people::invitation_mail(
        &inviter,
        &as_text(role.as_str(), org_name.as_deref(), owner),
        &link,
        &utc(expires_at),
    );
    outbox::enqueue(
        &mut tx,
        &outbox::NewMail {
            recipient: email.as_str(),
            subject: &subject,
            body: &body,
            org,
            kind: "invitation",
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(InvitationCreated {
        email: email.as_str().to_owned(),
        link,
        expires_text: who.zone.show(expires_at),
    })
}

/// Withdraws an open invitation the caller may manage.
pub async fn revoke_invitation(st: &AppState, who: &Actor, id: i64) -> Result<(), AppError> {
    let invitation = store::invitation(&st.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let role: Role = invitation
        .role
        .parse()
        .map_err(crate::server::errors::internal)?;
    let is_owner = caller_is_owner(st, who).await?;
    Caller {
        actor: who,
        owner: is_owner,
    }
    .may_invite(role, invitation.organisation_id.map(OrgId))
    .map_err(|e| match e {
        // Someone else's invitation is not found, whatever the reason.
        PeopleError::Access(AccessError::OtherOrganisation) => AppError::NotFound,
        other => refused(other),
    })?;
    if !store::revoke(&st.db, id, st.now()).await? {
        return Err(AppError::Conflict(
            "This invitation was used or withdrawn already.".into(),
        ));
    }
    let label = super::notices::actor_label(st, who).await?;
    log(
        st,
        &label,
        "invitation_withdrawn",
        &format!("Invitation of {} withdrawn.", invitation.email),
    )
    .await
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

/// Changes an account the caller may manage.
pub async fn change(
    st: &AppState,
    who: &Actor,
    user: UserId,
    change: Change,
) -> Result<(), AppError> {
    let account = store::account(&st.db, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let target = Target {
        user,
        role: account
            .role
            .parse()
            .map_err(crate::server::errors::internal)?,
        org: account.organisation_id.map(OrgId),
    };
    let caller = Caller {
        actor: who,
        owner: caller_is_owner(st, who).await?,
    };
    let allowed = match change {
        Change::Role(role) => caller.may_set_role(&target, role),
        _ => caller.may_manage(&target),
    };
    allowed.map_err(|e| match e {
        PeopleError::Access(AccessError::OtherOrganisation) => AppError::NotFound,
        other => refused(other),
    })?;
    let now = st.now();
    let detail = match change {
        Change::Disable => {
            store::set_disabled(&st.db, user, Some(now)).await?;
            let ended = db_sessions::delete_all_for_user(&st.db, user).await?;
            format!("{} disabled; {ended} session(s) ended.", account.email)
        }
        Change::Enable => {
            store::set_disabled(&st.db, user, None).await?;
            format!("{} enabled again.", account.email)
        }
        Change::MakeOwner | Change::RemoveOwner if target.role != Role::Customer => {
            return Err(AppError::invalid(
                "change",
                "Only customers own an organisation.",
            ))
        }
        Change::MakeOwner => {
            store::set_owner(&st.db, user, true).await?;
            format!("{} made owner of their organisation.", account.email)
        }
        Change::RemoveOwner => {
            store::set_owner(&st.db, user, false).await?;
            format!("{} no longer owns their organisation.", account.email)
        }
        Change::Role(role) => {
            store::set_role(&st.db, user, role).await?;
            format!("{} is now {}.", account.email, role.label().to_lowercase())
        }
    };
    let label = super::notices::actor_label(st, who).await?;
    log(st, &label, "account_changed", &detail).await
}

/// `/invite/{token}`: the invitation, while it can be used; otherwise not found.
pub async fn invitation(st: &AppState, token: &str) -> Result<InvitePageView, AppError> {
    let i = open_invitation(st, token).await?;
    Ok(InvitePageView {
        email: i.email.clone(),
        as_text: as_text(&i.role, i.organisation_name.as_deref(), i.org_owner),
        invited_by: i.invited_by_email.clone(),
        expires_text: utc(i.expires_at),
    })
}

async fn open_invitation(st: &AppState, token: &str) -> Result<InvitationRow, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let i = store::invitation_by_token(&st.db, &token_hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    match InvitationState::of(
        i.expires_at,
        i.accepted_at.is_some(),
        i.revoked_at.is_some(),
        st.now(),
    ) {
        InvitationState::Open => Ok(i),
        _ => Err(AppError::NotFound),
    }
}

/// Accepts an invitation: creates the account with the password chosen (typed twice) and
/// returns it, for the caller to sign in. The link works once, whatever races with it.
pub async fn accept_invitation(
    st: &AppState,
    token: &str,
    password: &str,
    again: &str,
) -> Result<UserId, AppError> {
    let i = open_invitation(st, token).await?;
    let password =
        Password::parse(password).map_err(|e| AppError::invalid("password", e.to_string()))?;
    if password.expose() != again {
        return Err(AppError::invalid(
            "password_again",
            "The two passwords differ: type the same one twice.",
        ));
    }
    let email = Email::parse(&i.email).map_err(crate::server::errors::internal)?;
    let role: Role = i.role.parse().map_err(crate::server::errors::internal)?;
    let hash = st.hasher.hash(&password).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let user = accounts::insert_user_in_tx(
        &mut tx,
        &email,
        &hash,
        role,
        i.organisation_id.map(OrgId),
        i.org_owner,
        now,
    )
    .await
    .map_err(|e| match e {
        DbError::Duplicate => {
            AppError::Conflict(format!("{email} already has an account: sign in instead."))
        }
        other => other.into(),
    })?;
    if !store::accept(&mut tx, i.id, user, now).await? {
        return Err(AppError::NotFound);
    }
    audit::append_provider(
        &mut tx,
        &st.audit_keys,
        now,
        AuditEvent {
            actor: &format!("{email} ({})", role.as_str()),
            action: "invitation_accepted",
            detail: &format!(
                "{email} accepted the invitation from {} and set a password.",
                i.invited_by_email
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Changes the caller's own password: the current one first, the new one twice. Every other
/// session of theirs ends (`keep` is the one in use).
pub async fn change_password(
    st: &AppState,
    who: &Actor,
    current: &str,
    new: &str,
    again: &str,
    keep: Option<&str>,
) -> Result<(), AppError> {
    let user = accounts::find_user(&st.db, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    // The same throttle as signing in guards the current password.
    super::accounts::sign_in(st, &user.email, current, None)
        .await
        .map_err(|e| match e {
            AppError::BadCredentials => {
                AppError::invalid("current", "That is not your current password.")
            }
            other => other,
        })?;
    let password = Password::parse(new).map_err(|e| AppError::invalid("new", e.to_string()))?;
    if password.expose() != again {
        return Err(AppError::invalid(
            "again",
            "The two new passwords differ: type the same one twice.",
        ));
    }
    if new == current {
        return Err(AppError::invalid(
            "new",
            "Choose a password other than the current one.",
        ));
    }
    let hash = st.hasher.hash(&password).await?;
    store::set_password_hash(&st.db, who.user_id, &hash).await?;
    let ended =
        db_sessions::delete_other_for_user(&st.db, who.user_id, keep.unwrap_or_default()).await?;
    let label = super::notices::actor_label(st, who).await?;
    log(
        st,
        &label,
        "password_changed",
        &format!(
            "{} changed their password; {ended} other session(s) ended.",
            user.email
        ),
    )
    .await
}
