//! The HTML shell, the root component and the route table (every URL of the portal).

use crate::ui::account::{
    AccountPeoplePage, OrganisationSettingsPage, PasswordPage, PreferencesPage, SessionsPage,
    TwoFactorPage,
};
use crate::ui::admin::billing::{StaffBillingPage, StaffInvoicePage};
use crate::ui::admin::cases::{CasePage, CaseQueuePage, NewCasePage};
use crate::ui::admin::organisations::{
    AdminServicePage, ImportPage, OrganisationPage, OrganisationsPage,
};
use crate::ui::admin::reports::{IntakePage, PendingCasePage, ReportPage};
use crate::ui::admin::smtp::{RequestQueuePage, StaffRequestPage};
use crate::ui::admin::{AdminHomePage, AdminPeoplePage, MailPage, TokensPage};
use crate::ui::auth::{Auth, LoginCodePage, LoginPage, LogoutPage};
use crate::ui::billing::{BillingPage, InvoicePage, ReceiptPage};
use crate::ui::components::{Layout, NotFoundPage};
use crate::ui::home::HomePage;
use crate::ui::inventory::{ServiceDetailPage, ServiceListPage};
use crate::ui::notices::{NoticeDetailPage, NoticeListPage};
use crate::ui::notifications::NotificationsPage;
use crate::ui::people::InvitePage;
use crate::ui::report::{DsaNoticePage, ReportAbusePage, ReportReceivedPage};
use crate::ui::smtp::{NewRequestPage, RequestDetailPage, RequestListPage};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode, StaticSegment};

/// The document around the app, rendered on the server. It links the front end's files by
/// their content-hashed names (read once at start: `server::assets`), and its script, which
/// hydrates the islands, carries the nonce that the security-headers layer made for this
/// response and allows in its Content-Security-Policy.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use crate::server::assets::AssetNames;
    use leptos::reactive::owner::with_context;
    // Borrowed from the context, not cloned: a clone of the request's parts copies its headers.
    let nonce = with_context(|parts: &axum::http::request::Parts| {
        parts
            .extensions
            .get::<crate::server::inbound::http::CspNonce>()
            .map(|nonce| nonce.0.clone())
    })
    .flatten();
    if let Some(nonce) = &nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce.clone()));
    }
    // Only islands hydrate: the page's resources are not sent along for the browser.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let assets = with_context(|st: &crate::server::state::AppState| st.assets.clone())
        .unwrap_or_else(|| std::sync::Arc::new(AssetNames::of_this_build("pkg", "portal")));
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=assets.css.clone()/>
                <link rel="modulepreload" href=assets.js.clone()/>
                <link rel="preload" href=assets.wasm.clone() r#as="fetch" r#type="application/wasm" crossorigin=""/>
                <script type="module" nonce=nonce>{assets.start_script.clone()}</script>
                <AutoReload options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The root component: sign-in state, layout and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Title text="Abuse-case portal"/>
        <Router>
            <AppRoutes/>
        </Router>
    }
}

/// Everything inside the router: the sign-in state, the layout and the route table.
#[component]
fn AppRoutes() -> impl IntoView {
    Auth::provide();
    crate::ui::components::ShownFields::provide();
    view! {
        <Layout>
            <Routes fallback=NotFoundPage>
                <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async/>
                <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("logout") view=LogoutPage ssr=SsrMode::Async/>
                <Route path=path!("/login/code") view=LoginCodePage ssr=SsrMode::Async/>
                <Route path=StaticSegment("admin") view=AdminHomePage ssr=SsrMode::Async/>
                <Route path=StaticSegment("notices") view=NoticeListPage ssr=SsrMode::Async/>
                <Route path=path!("/notices/:id") view=NoticeDetailPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("notifications") view=NotificationsPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("services") view=ServiceListPage ssr=SsrMode::Async/>
                <Route path=path!("/services/:id") view=ServiceDetailPage ssr=SsrMode::Async/>
                <Route path=path!("/account/sessions") view=SessionsPage ssr=SsrMode::Async/>
                <Route path=path!("/account/password") view=PasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/account/two-factor") view=TwoFactorPage ssr=SsrMode::Async/>
                <Route path=path!("/account/people") view=AccountPeoplePage ssr=SsrMode::Async/>
                <Route path=path!("/account/preferences") view=PreferencesPage ssr=SsrMode::Async/>
                <Route path=path!("/account/organisation") view=OrganisationSettingsPage ssr=SsrMode::Async/>
                <Route path=path!("/invite/:token") view=InvitePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/people") view=AdminPeoplePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/tokens") view=TokensPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/mail") view=MailPage ssr=SsrMode::Async/>
                <Route path=path!("/smtp") view=RequestListPage ssr=SsrMode::Async/>
                <Route path=path!("/smtp/new") view=NewRequestPage ssr=SsrMode::Async/>
                <Route path=path!("/smtp/:id") view=RequestDetailPage ssr=SsrMode::Async/>
                <Route path=path!("/billing") view=BillingPage ssr=SsrMode::Async/>
                <Route path=path!("/billing/:id") view=InvoicePage ssr=SsrMode::Async/>
                <Route path=path!("/billing/:id/receipts/:payment") view=ReceiptPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/billing") view=StaffBillingPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/billing/:id") view=StaffInvoicePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/organisations") view=OrganisationsPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/organisations/import") view=ImportPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/organisations/:id") view=OrganisationPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/services/:id") view=AdminServicePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/smtp") view=RequestQueuePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/smtp/:id") view=StaffRequestPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/cases") view=CaseQueuePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/cases/new") view=NewCasePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/cases/:id") view=CasePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/reports") view=IntakePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/reports/cases/:id") view=PendingCasePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/reports/:id") view=ReportPage ssr=SsrMode::Async/>
                <Route path=path!("/report") view=ReportAbusePage ssr=SsrMode::Async/>
                <Route path=path!("/report/dsa") view=DsaNoticePage ssr=SsrMode::Async/>
                <Route path=path!("/report/received/:reference") view=ReportReceivedPage ssr=SsrMode::Async/>
            </Routes>
        </Layout>
    }
}
