//! The root component: session, live link and shortcut context, header and routes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api::Client;
use crate::auth::Auth;
use crate::components::header::AppHeader;
use crate::components::reconnect_banner::ReconnectBanner;
use crate::components::require_auth::RequireAuth;
use crate::components::shortcuts_help::ShortcutsHelp;
use crate::keys::Shortcuts;
use crate::live::Live;
use crate::pages::admin::{AdminHome, AdminPage};
use crate::pages::{autologin::AutologinPage, new_ticket::NewTicketPage, portal_tickets::PortalTicketsPage};
use crate::pages::{dashboard::DashboardPage, home::Home, login::LoginPage, not_found::NotFound};
use crate::pages::{kb::KbPage, kb_article::KbArticlePage};
use crate::pages::{search::SearchPage, ticket::TicketPage, tickets::TicketsPage};
use crate::seen::Seen;

#[component]
pub fn App() -> impl IntoView {
    let auth = Auth::load();
    provide_context(auth);
    provide_context(Live::start(auth));
    provide_context(Seen::start(auth));
    provide_context(Shortcuts {
        help_open: RwSignal::new(false),
    });
    refresh_user(auth);

    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <AppHeader />
            <ReconnectBanner />
            <main class="main" id="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/autologin") view=AutologinPage />
                    // The help center needs no session when the portal's knowledge base is public.
                    <Route path=path!("/kb") view=KbPage />
                    <Route path=path!("/kb/:id") view=KbArticlePage />
                    <Route
                        path=path!("/tickets")
                        view=|| view! { <RequireAuth><TicketsOrPortal /></RequireAuth> }
                    />
                    <Route
                        path=path!("/tickets/new")
                        view=|| view! { <RequireAuth><NewTicketPage /></RequireAuth> }
                    />
                    <Route
                        path=path!("/tickets/:id")
                        view=|| view! { <RequireAuth><TicketPage /></RequireAuth> }
                    />
                    <Route
                        path=path!("/search")
                        view=|| view! { <RequireAuth><SearchPage /></RequireAuth> }
                    />
                    <Route
                        path=path!("/admin")
                        view=|| view! { <RequireAuth><AdminHome /></RequireAuth> }
                    />
                    <Route
                        path=path!("/admin/:tab")
                        view=|| view! { <RequireAuth><AdminPage /></RequireAuth> }
                    />
                    <Route
                        path=path!("/admin/:tab/:id")
                        view=|| view! { <RequireAuth><AdminPage /></RequireAuth> }
                    />
                    <Route
                        path=path!("/dashboard")
                        view=|| view! { <RequireAuth><DashboardPage /></RequireAuth> }
                    />
                    <Route
                        path=path!("/account/password")
                        view=|| view! { <RequireAuth><crate::pages::account::PasswordPage /></RequireAuth> }
                    />
                    <Route
                        path=path!("/reports")
                        view=|| view! { <RequireAuth><crate::pages::reports::ReportsPage /></RequireAuth> }
                    />
                </Routes>
            </main>
            <ShortcutsHelp />
        </Router>
    }
}

/// Customers get the portal's list of their own tickets; staff the live queue.
#[component]
fn TicketsOrPortal() -> impl IntoView {
    let auth = crate::auth::use_auth();
    let customer = Memo::new(move |_| auth.user().is_some_and(|u| u.role == protocol::Role::Customer));
    move || {
        if customer.get() {
            view! { <PortalTicketsPage /> }.into_any()
        } else {
            view! { <TicketsPage /> }.into_any()
        }
    }
}

/// A stored session may be stale (name changed, account closed): ask the server who we are.
/// A rejected session is forgotten by the client, which sends the user to the login page.
fn refresh_user(auth: Auth) {
    if auth.session_untracked().is_none() {
        return;
    }
    spawn_local(async move {
        match Client::new(auth).me().await {
            Ok(user) => auth.set_user(user),
            Err(e) => leptos::logging::warn!("could not check the session: {e:?}"),
        }
    });
}
