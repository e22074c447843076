//! People: invitations by e-mail address (a one-time link, valid for a week, where the invited
//! person sets a password), disabling accounts (which ends their sessions at once), owners and
//! provider roles, and changing one's own password. Who may do what is `domain::people`; every
//! change goes into the provider-wide audit log.

use super::audit::record_provider;
use crate::domain::account::{Email, Password};
use crate::domain::actor::{AccessError, Actor, Role};
use crate::domain::ids::{OrgId, UserId};
pub use crate::domain::people::Change;
use crate::domain::people::{Caller, InvitationState, PeopleError, Target, INVITATION_VALIDITY};
use crate::domain::time_format::utc;
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::server::db::people::{self as store, AccountRow, InvitationRow, NewInvitation};
use crate::server::db::{accounts, outbox, sessions as db_sessions, DbError};
use crate::server::state::AppState;
use crate::views::people::{
    InvitationCreated, InvitationView, InvitePageView, PeopleView, PersonAction, PersonView,
};
use sha2::{Digest, Sha256};

fn refused(e: PeopleError) -> AppError {
    match e {
        PeopleError::Access(a) => a.into(),
        PeopleError::WrongOrganisation => AppError::invalid("organisation", e.to_string()),
        PeopleError::OwnAccount
        | PeopleError::OnlyCustomersOwn
        | PeopleError::OtherOwner
        | PeopleError::DisabledByProvider
        | PeopleError::LastOwner => AppError::Conflict(e.to_string()),
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
        Role::Customer if owner => Some(who.customer_scope()?.id()),
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
    let caller = Caller { actor: who, owner };
    let targets: Vec<Target> = rows.iter().map(target_of).collect();
    let active_owners = targets.iter().filter(|t| t.is_active_owner()).count() as u64;
    let people = rows
        .into_iter()
        .zip(targets)
        .map(|(a, target)| {
            let others = active_owners - u64::from(target.is_active_owner());
            PersonView {
                actions: offered_changes(&caller, &target, others, &a.email),
                id: a.id,
                role: target.role,
                owner: a.org_owner,
                disabled: a.disabled_at.is_some(),
                disabled_by_provider: a.disabled_by_provider,
                since_text: who.zone.show(a.created_at),
                you: a.id == who.user_id.0,
                email: a.email,
            }
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

/// The account as people rules see it.
fn target_of(a: &AccountRow) -> Target {
    Target {
        user: UserId(a.id),
        role: a.role.parse().unwrap_or(Role::Customer),
        org: a.organisation_id.map(OrgId),
        owner: a.org_owner,
        disabled: a.disabled_at.is_some(),
        disabled_by_provider: a.disabled_by_provider,
    }
}

/// The changes the caller may make to `target`, as the buttons its row shows (the use case
/// checks again).
fn offered_changes(
    caller: &Caller,
    target: &Target,
    other_active_owners: u64,
    email: &str,
) -> Vec<PersonAction> {
    let label = |change: Change| match change {
        Change::Disable => format!("Disable {email}"),
        Change::Enable => format!("Enable {email}"),
        Change::MakeOwner => format!("Make {email} an owner"),
        Change::RemoveOwner => format!("Make {email} a member"),
        Change::Role(Role::Admin) => format!("Make {email} an administrator"),
        Change::Role(_) => format!("Make {email} staff"),
    };
    Change::OFFERED
        .into_iter()
        .filter(|change| {
            change.alters(target)
                && caller
                    .may_change(target, *change, other_active_owners)
                    .is_ok()
        })
        .map(|change| PersonAction {
            change: change.as_str().to_owned(),
            label: label(change),
            danger: change == Change::Disable,
        })
        .collect()
}

/// Invites `email` as `role` (into `org` for customers, as its owner when `owner`); only the
/// link's hash is stored. An open invitation of the same address into the same organisation (or
/// the provider's own, for staff) is withdrawn; another organisation's stays.
///
/// The link goes to the address by mail. It comes back to the caller, to pass on themselves,
/// only when they are an admin, or when the portal has no mail relay: an owner never holds the
/// link of an address they may not control. Nor does an owner learn whether an address has an
/// account already: with a relay, their answer and their list of invitations read the same
/// either way (but nothing is sent to an address that has one, so that invitation only
/// expires).
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
    let admin = who.role == Role::Admin;
    let mailed = st.config.mail.smtp_url.is_some();
    let has_account = accounts::find_user_by_email(&st.db, &email)
        .await?
        .is_some();
    let org_name =
        match org {
            Some(org) => Some(accounts::organisation_name(&st.db, org).await?.ok_or_else(
                || AppError::invalid("organisation", "Choose an organisation from the list."),
            )?),
            None => None,
        };
    let owner = owner && role == Role::Customer;
    let now = st.now();
    let expires_at = now + INVITATION_VALIDITY;
    let as_words = as_text(role.as_str(), org_name.as_deref(), owner);
    let label = super::audit::actor_label(st, who).await?;
    if has_account && (admin || !mailed) {
        return Err(AppError::invalid(
            "email",
            format!("{email} already has an account."),
        ));
    }
    let token = crate::domain::audit::to_hex(&rand::random::<[u8; 32]>());
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
    if has_account {
        // To the owner it reads, and lists, as any invitation; but no mail goes out, so its link
        // reaches nobody and it can only expire. The provider's log says why.
        record_provider(
            st,
            &mut tx,
            &label,
            "invitation_not_sent",
            &format!(
                "{email} was not sent an invitation as {as_words}: the address has an account already."
            ),
        )
        .await?;
        tx.commit().await?;
        return Ok(InvitationCreated {
            email: email.as_str().to_owned(),
            link: None,
            expires_text: who.zone.show(expires_at),
            mailed,
        });
    }
    let link_to_caller = admin || !mailed;
    record_provider(
        st,
        &mut tx,
        &label,
        "invitation_sent",
        &format!(
            "{email} invited as {as_words}; the link expires {}{}.",
            utc(expires_at),
            if link_to_caller {
                "; the link was shown to the inviter"
            } else {
                ""
            }
        ),
    )
    .await?;
    let base = st.config.public_url.as_str().trim_end_matches('/');
    let link = format!("{base}/invite/{token}");
    let inviter = accounts::find_user(&st.db, who.user_id)
        .await?
        .map(|u| u.email)
        .unwrap_or_else(|| "The abuse desk".to_owned());
    let mail = |link: &str| {
        crate::domain::people::invitation_mail(&inviter, &as_words, link, &utc(expires_at))
    };
    // The outbox keeps the mail without its link; the whole mail waits sealed until it is sent.
    let (subject, body) = mail(crate::domain::people::LINK_NOT_KEPT);
    let sealed = crate::server::sealed::seal(
        &st.audit_keys,
        super::mail::OUTBOX_SEAL,
        mail(&link).1.as_bytes(),
    );
    outbox::enqueue(
        &mut tx,
        &outbox::NewMail {
            recipient: email.as_str(),
            subject: &subject,
            body: &body,
            org,
            kind: "invitation",
            sealed_body: Some(&sealed),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(InvitationCreated {
        email: email.as_str().to_owned(),
        link: link_to_caller.then_some(link),
        expires_text: who.zone.show(expires_at),
        mailed,
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
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    if !store::revoke(&mut tx, id, st.now()).await? {
        return Err(AppError::Conflict(
            "This invitation was used or withdrawn already.".into(),
        ));
    }
    record_provider(
        st,
        &mut tx,
        &label,
        "invitation_withdrawn",
        &format!("Invitation of {} withdrawn.", invitation.email),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes an account the caller may manage (see `Caller::may_change` for the rules), with its
/// audit entry in the same transaction. Disabling ends the account's sessions at once.
pub async fn change(
    st: &AppState,
    who: &Actor,
    user: UserId,
    change: Change,
) -> Result<(), AppError> {
    let account = store::account(&st.db, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let target = target_of(&account);
    let caller = Caller {
        actor: who,
        owner: caller_is_owner(st, who).await?,
    };
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    let other_owners = match (target.org, target.role) {
        (Some(org), Role::Customer) => store::other_active_owners(&mut tx, org, user).await?,
        _ => 0,
    };
    caller
        .may_change(&target, change, other_owners)
        .map_err(|e| match e {
            PeopleError::Access(AccessError::OtherOrganisation) => AppError::NotFound,
            other => refused(other),
        })?;
    let now = st.now();
    let detail = match change {
        Change::Disable => {
            store::set_disabled(&mut tx, user, Some(now), who.role.is_provider()).await?;
            let ended = db_sessions::delete_all_for_user(&mut tx, user).await?;
            format!("{} disabled; {ended} session(s) ended.", account.email)
        }
        Change::Enable => {
            store::set_disabled(&mut tx, user, None, false).await?;
            format!("{} enabled again.", account.email)
        }
        Change::MakeOwner => {
            store::set_owner(&mut tx, user, true).await?;
            format!("{} made owner of their organisation.", account.email)
        }
        Change::RemoveOwner => {
            store::set_owner(&mut tx, user, false).await?;
            format!(
                "{} no longer owns their organisation; {other_owners} active owner(s) remain.",
                account.email
            )
        }
        Change::Role(role) => {
            store::set_role(&mut tx, user, role).await?;
            format!("{} is now {}.", account.email, role.label().to_lowercase())
        }
    };
    record_provider(st, &mut tx, &label, change.audit_action(), &detail).await?;
    tx.commit().await?;
    Ok(())
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

/// Whether the invitation's sender is still enabled and still allowed to invite as they did
/// (an owner who lost the flag or the organisation, a disabled admin): otherwise the link no
/// longer works.
fn inviter_still_may(i: &InvitationRow) -> Result<(), AppError> {
    let gone = || {
        AppError::Conflict(
            "This invitation can no longer be used: its sender may no longer invite. Ask for a new one.".into(),
        )
    };
    if i.inviter_disabled_at.is_some() {
        return Err(gone());
    }
    let inviter = Actor {
        user_id: UserId(i.invited_by),
        role: i.inviter_role.parse().map_err(|_| gone())?,
        org_id: i.inviter_organisation_id.map(OrgId),
        zone: Zone::utc(),
    };
    let role: Role = i.role.parse().map_err(crate::server::errors::internal)?;
    Caller {
        actor: &inviter,
        owner: i.inviter_owner,
    }
    .may_invite(role, i.organisation_id.map(OrgId))
    .map_err(|_| gone())
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
    inviter_still_may(&i)?;
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
    record_provider(
        st,
        &mut tx,
        &format!("{email} ({})", role.as_str()),
        "invitation_accepted",
        &format!(
            "{email} accepted the invitation from {} and set a password.",
            i.invited_by_email
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Changes the caller's own password: the current one first (throttled like signing in, on
/// keys of their own: see `accounts::confirm_password`), the new one twice. Every other session of theirs ends, a
/// sign-in waiting for its code included (`keep` is the one in use), in the transaction that
/// changes the password and records it.
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
    super::accounts::confirm_password(st, who, current, "current").await?;
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
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    store::set_password_hash(&mut tx, who.user_id, &hash).await?;
    let ended =
        db_sessions::delete_other_for_user(&mut tx, who.user_id, keep.unwrap_or_default()).await?;
    record_provider(
        st,
        &mut tx,
        &label,
        "password_changed",
        &format!(
            "{} changed their password; {ended} other session(s) ended.",
            user.email
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
