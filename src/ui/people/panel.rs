//! The people panel: accounts with what the viewer may do to them, the invitations, and the
//! invitation form. Used for an organisation (customers' owners and admins) and for the
//! provider's staff (admins).

use super::api::{ChangePerson, InvitePerson, RevokeInvitation};
use crate::domain::actor::Role;
use crate::ui::components::{action_field, form_action, kept, kept_checked, FieldError, FormError};
use crate::views::people::{PeopleView, PersonView};
use leptos::prelude::*;

/// The forms of the panel; the page reloads its data when any completes.
#[derive(Clone, Copy)]
pub struct PeopleActions {
    /// Invite someone.
    pub invite: ServerAction<InvitePerson>,
    /// Withdraw an invitation.
    pub revoke: ServerAction<RevokeInvitation>,
    /// Change an account.
    pub change: ServerAction<ChangePerson>,
}

impl PeopleActions {
    /// New actions (create them under the page's component).
    pub fn new() -> PeopleActions {
        PeopleActions {
            invite: form_action(),
            revoke: form_action(),
            change: form_action(),
        }
    }

    /// Changes whenever one of them completes.
    pub fn version(&self) -> usize {
        self.invite.version().get() + self.revoke.version().get() + self.change.version().get()
    }
}

impl Default for PeopleActions {
    fn default() -> Self {
        Self::new()
    }
}

/// The panel.
#[component]
pub fn PeoplePanel(
    /// The accounts and invitations.
    data: PeopleView,
    /// The forms' actions.
    actions: PeopleActions,
) -> impl IntoView {
    let org = data.organisation.clone();
    let admin = data.admin;
    view! {
        <section class="panel" aria-labelledby="people-heading">
            <h2 id="people-heading">"People"</h2>
            {if data.people.is_empty() {
                view! { <p class="muted">"No accounts yet: invite someone below."</p> }.into_any()
            } else {
                view! {
                    <ul class="measure-list" aria-label="Accounts">
                        {data.people.clone().into_iter().map(|p| view! { <Person person=p admin actions/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <FormError action=actions.change/>
        </section>
        <section class="panel" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite someone"</h2>
            <p class="muted">"They get a link, valid for a week, where they choose a password. Pass the link on yourself until the portal sends mail."</p>
            <ActionForm action=actions.invite attr:class="form">
                <div class="two-columns">
                    <div class="field">
                        <label for="invite-email">"E-mail address"</label>
                        <input type="email" id="invite-email" name="email" value={kept::<InvitePerson>("email")} autocomplete="off" aria-describedby="invite-email-error"/>
                        <FieldError id="invite-email-error" message=action_field(actions.invite, "email")/>
                    </div>
                    {match org.clone() {
                        Some((id, _)) => view! {
                            <input type="hidden" name="role" value="customer"/>
                            <input type="hidden" name="organisation" value=id.to_string()/>
                            <div class="field-checkbox">
                                <input type="checkbox" id="invite-owner" name="owner" value="on" checked={kept_checked::<InvitePerson>("owner", "on", false)}/>
                                <label for="invite-owner">"Owner: may invite and remove colleagues"</label>
                            </div>
                        }.into_any(),
                        None => view! {
                            <div class="field">
                                <label for="invite-role">"Role"</label>
                                <select id="invite-role" name="role" aria-describedby="invite-role-error">
                                    <option value="staff">{Role::Staff.label()}</option>
                                    <option value="admin" selected={kept::<InvitePerson>("role") == "admin"}>{Role::Admin.label()}</option>
                                </select>
                                <FieldError id="invite-role-error" message=action_field(actions.invite, "role")/>
                            </div>
                        }.into_any(),
                    }}
                </div>
                <button type="submit" class="button button-primary">"Create the invitation"</button>
                <FormError action=actions.invite/>
            </ActionForm>
            {move || actions.invite.value().get().and_then(Result::ok).map(|created| view! {
                <div class="notice notice-ok" role="status">
                    <p>{format!("Invitation for {} created. Send them this link (valid until {}):", created.email, created.expires_text)}</p>
                    <label for="invite-link" class="visually-hidden">"Invitation link"</label>
                    <input type="text" id="invite-link" class="invite-link" readonly value=created.link.clone()/>
                </div>
            })}
        </section>
        {(!data.invitations.is_empty()).then(|| view! {
            <section class="panel" aria-labelledby="invitations-heading">
                <h2 id="invitations-heading">"Invitations"</h2>
                <ul class="measure-list" aria-label="Invitations">
                    {data.invitations.clone().into_iter().map(|i| view! {
                        <li>
                            <strong>{i.email.clone()}</strong>" · "{i.state.clone()}
                            <span class="row-sub">{format!("{} · invited by {} · until {}", i.as_text, i.invited_by, i.expires_text)}</span>
                            {i.open.then(|| view! {
                                <ActionForm action=actions.revoke attr:class="inline-form">
                                    <input type="hidden" name="id" value=i.id.to_string()/>
                                    <button type="submit" class="button button-secondary" aria-label=format!("Withdraw the invitation of {}", i.email)>"Withdraw"</button>
                                </ActionForm>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
                <FormError action=actions.revoke/>
            </section>
        })}
    }
}

#[component]
fn Person(person: PersonView, admin: bool, actions: PeopleActions) -> impl IntoView {
    let button = move |change: &'static str, label: String, danger: bool| {
        view! {
            <ActionForm action=actions.change attr:class="inline-form">
                <input type="hidden" name="user" value=person.id.to_string()/>
                <input type="hidden" name="change" value=change/>
                <button type="submit" class=if danger { "button button-danger" } else { "button button-secondary" }>{label}</button>
            </ActionForm>
        }
    };
    let email = person.email.clone();
    let role_text = match (person.role, person.owner) {
        (Role::Customer, true) => "Owner".to_owned(),
        (Role::Customer, false) => "Member".to_owned(),
        (role, _) => role.label().to_owned(),
    };
    view! {
        <li class:measure-live=person.disabled>
            <strong>{person.email.clone()}</strong>
            {person.you.then(|| view! { " "<span class="tag tag-info">"You"</span> })}
            {person.disabled.then(|| view! { " "<span class="badge badge-suspended">"Disabled"</span> })}
            <span class="row-sub">{format!("{role_text} · since {}", person.since_text)}</span>
            {(!person.you).then(|| view! {
                <div class="inline-actions">
                    {if person.disabled {
                        button("enable", format!("Enable {email}"), false).into_any()
                    } else {
                        button("disable", format!("Disable {email}"), true).into_any()
                    }}
                    {match person.role {
                        Role::Customer if person.owner => button("not_owner", format!("Make {email} a member"), false).into_any(),
                        Role::Customer => button("owner", format!("Make {email} an owner"), false).into_any(),
                        Role::Staff if admin => button("admin", format!("Make {email} an administrator"), false).into_any(),
                        Role::Admin if admin => button("staff", format!("Make {email} staff"), false).into_any(),
                        _ => ().into_any(),
                    }}
                </div>
            })}
        </li>
    }
}
