//! The page frame: skip link, demo banner, header with navigation and the signed-in user, main.

use crate::domain::actor::Role;
use crate::ui::auth::use_auth;
use leptos::prelude::*;
use leptos_router::components::A;

/// Wraps every page. Navigation depends on the signed-in user's role; it only helps people find
/// their way, the server checks every request.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let auth = use_auth();
    let session = move || auth.session.get().and_then(Result::ok);
    let user = move || session().and_then(|s| s.user);
    let demo = move || session().map(|s| s.demo).unwrap_or(false);

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Suspense>
            {move || demo().then(|| view! {
                <div class="demo-banner" role="note">
                    <strong>"Demo mode."</strong>
                    " This portal runs on sample data. Demo accounts use the password "
                    <code>"demo-password-1"</code>"."
                </div>
            }.into_any())}
        </Suspense>
        <header class="site-header">
            <div class="site-header-inner">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"◆"</span>
                    " Abuse-case portal"
                </A>
                <Suspense>
                    {move || user().map(|u| {
                        let is_staff = u.role.is_provider();
                        let is_admin = u.role == Role::Admin;
                        view! {
                            <nav class="site-nav" aria-label="Main">
                                <ul>
                                    {(!is_staff).then(|| view! { <li><A href="/" exact=true>"Home"</A></li><li><A href="/notices">"Notices"</A></li><li><A href="/services">"Services"</A></li><li><A href="/smtp">"Port 25"</A></li><li><A href="/billing">"Billing"</A></li><li><A href="/notifications">"Notifications"{(u.unread > 0).then(|| view! { " "<span class="nav-count">{u.unread}<span class="visually-hidden">" unread"</span></span> })}</A></li> })}
                                    {is_staff.then(|| view! { <li><A href="/admin" exact=true>"Overview"</A></li><li><A href="/admin/cases">"Cases"</A></li><li><A href="/admin/reports">"Reports"</A></li><li><A href="/admin/smtp">"Port 25"</A></li><li><A href="/admin/billing">"Billing"</A></li><li><A href="/admin/organisations">"Organisations"</A></li> })}
                                    {is_admin.then(|| view! { <li><A href="/admin/people">"Staff"</A></li> })}
                                </ul>
                            </nav>
                            <div class="account">
                                <span class="account-name">
                                    <A href="/account/sessions" attr:class="account-link" attr:title="Your sessions">{u.email.clone()}</A>
                                    <span class="account-role">
                                        {match (u.role, u.org_name.clone()) {
                                            (Role::Customer, Some(org)) => org,
                                            (role, _) => role.label().to_owned(),
                                        }}
                                    </span>
                                </span>
                                <ActionForm action=auth.logout attr:class="inline-form">
                                    <button type="submit" class="button button-quiet">"Sign out"</button>
                                </ActionForm>
                            </div>
                        }
                        // Boxed: the server renders a Suspense's children through layers of
                        // futures that move them by value, and this view is large.
                        .into_any()
                    })}
                </Suspense>
            </div>
        </header>
        <main id="main" class="site-main" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <p>"Responses to abuse notices are due within 48 hours. The provider keeps no message contents."</p>
            <p><a href="/report">"Report abuse"</a>" · "<a href="/report/dsa">"EU DSA notice"</a></p>
        </footer>
    }
}
