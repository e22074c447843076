//! The page frame: skip link, demo banner, header with navigation and the signed-in user, main.

use crate::domain::actor::Role;
use crate::ui::auth::use_auth;
use leptos::prelude::*;

/// Wraps every page. Navigation depends on the signed-in user's role; it only helps people find
/// their way, the server checks every request.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let auth = use_auth();
    let logout = auth.logout;
    let demo = auth.session.demo;
    // Plain links: every link is a full page load (only islands run in the browser), so the
    // router's <A> would add nothing but its cost; the current page is marked here instead.
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        {demo.then(|| view! {
            <div class="demo-banner" role="note">
                <strong>"Demo mode."</strong>
                " This portal runs on sample data. Demo accounts use the password "
                <code>"demo-password-1"</code>"."
            </div>
        })}
        <header class="site-header">
            <div class="site-header-inner">
                <a href="/" class="brand">
                    <span class="brand-mark" aria-hidden="true">"◆"</span>
                    " Abuse-case portal"
                </a>
                {auth.session.user.map(|u| {
                    let current = |href: &str, exact: bool| is_current(&path, href, exact).then_some("page");
                    let is_staff = u.role.is_provider();
                    let is_admin = u.role == Role::Admin;
                    view! {
                        <nav class="site-nav" aria-label="Main">
                            <ul>
                                {(!is_staff).then(|| view! { <li><a href="/" aria-current=current("/", true)>"Home"</a></li><li><a href="/notices" aria-current=current("/notices", false)>"Notices"</a></li><li><a href="/services" aria-current=current("/services", false)>"Services"</a></li><li><a href="/smtp" aria-current=current("/smtp", false)>"Port 25"</a></li><li><a href="/billing" aria-current=current("/billing", false)>"Billing"</a></li><li><a href="/notifications" aria-current=current("/notifications", false)>"Notifications"{(u.unread > 0).then(|| view! { " "<span class="nav-count">{u.unread}<span class="visually-hidden">" unread"</span></span> })}</a></li> })}
                                {is_staff.then(|| view! { <li><a href="/admin" aria-current=current("/admin", true)>"Overview"</a></li><li><a href="/admin/cases" aria-current=current("/admin/cases", false)>"Cases"</a></li><li><a href="/admin/reports" aria-current=current("/admin/reports", false)>"Reports"</a></li><li><a href="/admin/smtp" aria-current=current("/admin/smtp", false)>"Port 25"</a></li><li><a href="/admin/billing" aria-current=current("/admin/billing", false)>"Billing"</a></li><li><a href="/admin/organisations" aria-current=current("/admin/organisations", false)>"Organisations"</a></li> })}
                                {is_admin.then(|| view! { <li><a href="/admin/people" aria-current=current("/admin/people", false)>"Staff"</a></li> })}
                            </ul>
                        </nav>
                        <div class="account">
                            <span class="account-name">
                                <a href="/account/sessions" class="account-link" aria-current=current("/account/sessions", false) title="Your sessions">{u.email.clone()}</a>
                                <span class="account-role">
                                    {match (u.role, u.org_name.clone()) {
                                        (Role::Customer, Some(org)) => org,
                                        (role, _) => role.label().to_owned(),
                                    }}
                                </span>
                            </span>
                            <ActionForm action=logout attr:class="inline-form">
                                <button type="submit" class="button button-quiet">"Sign out"</button>
                            </ActionForm>
                        </div>
                    }
                    // Boxed: this view is large, and the page frame around it is moved
                    // by value as it renders.
                    .into_any()
                })}
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

/// Whether a navigation link to `href` leads to the page at `path`: the same address or, unless
/// `exact`, a page under it (the list's link is current on one of its notices).
fn is_current(path: &str, href: &str, exact: bool) -> bool {
    path == href
        || (!exact
            && path
                .strip_prefix(href)
                .is_some_and(|rest| rest.starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn a_link_is_current_on_its_page_and_the_pages_under_it() {
        assert!(is_current("/notices", "/notices", false));
        assert!(is_current("/notices/12", "/notices", false));
        assert!(!is_current("/notices-old", "/notices", false));
        assert!(!is_current("/services", "/notices", false));
    }

    #[test]
    fn an_exact_link_is_current_on_its_page_only() {
        assert!(is_current("/admin", "/admin", true));
        assert!(!is_current("/admin/cases", "/admin", true));
        assert!(is_current("/", "/", true));
        assert!(!is_current("/notices", "/", true));
    }
}
