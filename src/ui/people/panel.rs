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
    view! {
        <section class="panel" aria-labelledby="people-heading">
            <h2 id="people-heading">"People"</h2>
            {if data.people.is_empty() {
                view! { <p class="muted">"No accounts yet: invite someone below."</p> }.into_any()
            } else {
                view! {
                    <ul class="measure-list" aria-label="Accounts">
                        {data.people.clone().into_iter().map(|p| view! { <Person person=p actions/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <FormError action=actions.change/>
        </section>
        <section class="panel" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite someone"</h2>
            <p class="muted">"They get a link by mail, valid for a week, where they choose a password."</p>
            <ActionForm action=actions.invite attr:class="form">
                <FormError action=actions.invite/>
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
                                <label for="invite-owner">"Owner: may invite colleagues and manage the members"</label>
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
            </ActionForm>
            {move || actions.invite.value().get().and_then(Result::ok).map(|created| match created.link {
                None => view! {
                    <div class="notice notice-ok" role="status">
                        <p>{format!("The invitation is on its way to {} by mail. Its link works until {}.", created.email, created.expires_text)}</p>
                    </div>
                }.into_any(),
                Some(link) => view! {
                    <div class="notice notice-ok" role="status">
                        <p>{format!("Invitation for {} created; its link works until {}. {}", created.email, created.expires_text, if created.mailed {
                            "It also goes to that address by mail."
                        } else {
                            "The portal cannot send mail yet: pass the link on yourself."
                        })}</p>
                        <p><strong>"Whoever opens this link can make the account: give it only to the person at that address."</strong></p>
                        <label for="invite-link">"Invitation link"</label>
                        <input type="text" id="invite-link" class="invite-link" readonly value=link/>
                    </div>
                }.into_any(),
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
fn Person(person: PersonView, actions: PeopleActions) -> impl IntoView {
    let role_text = match (person.role, person.owner) {
        (Role::Customer, true) => "Owner".to_owned(),
        (Role::Customer, false) => "Member".to_owned(),
        (role, _) => role.label().to_owned(),
    };
    let id = person.id;
    let buttons = person.actions.clone();
    view! {
        <li class:measure-live=person.disabled>
            <strong>{person.email.clone()}</strong>
            {person.you.then(|| view! { " "<span class="tag tag-info">"You"</span> })}
            {person.disabled.then(|| view! { " "<span class="badge badge-suspended">"Disabled"</span> })}
            <span class="row-sub">
                {format!("{role_text} · since {}", person.since_text)}
                {person.disabled_by_provider.then_some(" · disabled by the abuse desk")}
            </span>
            {(!buttons.is_empty()).then(move || view! {
                <div class="inline-actions">
                    {buttons.into_iter().map(|a| view! {
                        <ActionForm action=actions.change attr:class="inline-form">
                            <input type="hidden" name="user" value=id.to_string()/>
                            <input type="hidden" name="change" value=a.change/>
                            <button type="submit" class=if a.danger { "button button-danger" } else { "button button-secondary" }>{a.label}</button>
                        </ActionForm>
                    }).collect_view()}
                </div>
            })}
        </li>
    }
}
