//! `/account/sessions`: where the user is signed in, with a way to end any session and to sign
//! out everywhere.

use super::api::{get_sessions, EndSession, SignOutEverywhere};
use crate::ui::components::{form_action, loaded, FormError};
use crate::views::auth::SessionsView;
use leptos::prelude::*;
use leptos_meta::Title;

/// The sessions page.
#[component]
pub fn SessionsPage() -> impl IntoView {
    let end = form_action::<EndSession>();
    let everywhere = form_action::<SignOutEverywhere>();
    let sessions = Resource::new(move || end.version().get(), |_| Box::pin(get_sessions()));
    let auth = crate::ui::auth::use_auth();
    let user = auth.session.user.as_ref();
    let owner = user.is_some_and(|u| u.owner);
    let customer = user.is_some_and(|u| u.org_name.is_some());
    view! {
        <Title text="Your sessions · Abuse-case portal"/>
        <div class="page-heading">
            <h1>"Your sessions"</h1>
            <p class="lead">"Where you are signed in. End any session you do not recognise; after a lost device or a password change, sign out everywhere."</p>
            <p class="inline-actions">
                <a href="/account/password">"Change your password"</a>
                <a href="/account/two-factor">"Two-factor sign-in"</a>
                <a href="/account/preferences">"Time zone and mail"</a>
                {customer.then(|| view! { <a href="/account/organisation">"Contacts and mail of your organisation"</a> })}
                {owner.then(|| view! { <a href="/account/people">"People of your organisation"</a> })}
            </p>
        </div>
        {loaded(sessions, move |data| view! { <SessionTable data end/> })}
        <FormError action=end/>
        <section class="panel" aria-labelledby="everywhere-heading">
            <h2 id="everywhere-heading">"Sign out everywhere"</h2>
            <p>"Ends every session listed here, this one included. You will need your password to sign in again."</p>
            <ActionForm action=everywhere attr:class="inline-actions">
                <FormError action=everywhere/>
                <button type="submit" class="button button-secondary">"Sign out everywhere"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn SessionTable(data: SessionsView, end: ServerAction<EndSession>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table stack-on-small-screens">
                <caption class="visually-hidden">"Your sessions"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Browser"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Signed in"</th>
                        <th scope="col">"Last active"</th>
                        <th scope="col"><span class="visually-hidden">"Action"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {data.sessions.into_iter().map(|s| {
                        let label = format!("End session: {} from {}", s.browser, s.address);
                        view! {
                            <tr>
                                <th scope="row">
                                    {s.browser.clone()}
                                    {s.current.then(|| view! { <span class="tag tag-info">"This device"</span> })}
                                </th>
                                <td data-label="Address"><code>{s.address.clone()}</code></td>
                                <td data-label="Signed in">{s.signed_in_text.clone()}</td>
                                <td data-label="Last active">{s.last_active_text.clone()}</td>
                                <td data-label="Action">
                                    {if s.current {
                                        view! { <span class="muted">"Use “Sign out” to end it"</span> }.into_any()
                                    } else {
                                        view! {
                                            <ActionForm action=end attr:class="inline-form">
                                                <input type="hidden" name="handle" value=s.handle.clone()/>
                                                <button type="submit" class="button button-secondary" aria-label=label>"End session"</button>
                                            </ActionForm>
                                        }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
