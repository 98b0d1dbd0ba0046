//! The top bar: app name, navigation, who is signed in, their password, sign-out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use protocol::Role;

use crate::api::use_client;
use crate::auth::use_auth;
use crate::keys::Shortcuts;
use crate::theme::ThemeToggle;

#[component]
pub fn AppHeader() -> impl IntoView {
    let auth = use_auth();
    let shortcuts = expect_context::<Shortcuts>();
    let navigate = use_navigate();
    let client = use_client();
    // Ends the session on the server too, so its refresh token is dead, not just forgotten.
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            client.logout().await;
            navigate("/login", Default::default());
        });
    };
    let user_name = move || auth.user().map(|u| u.name);
    let is_customer = move || auth.user().is_some_and(|u| u.role == Role::Customer);
    let is_admin = move || auth.user().is_some_and(|u| u.role == Role::Admin);
    let is_agent = move || auth.user().is_some_and(|u| u.role == Role::Agent);

    view! {
        <header class="app-header" role="banner">
            <div class="app-header-inner">
                <a class="brand" href="/" data-testid="brand">
                    <span class="brand-mark" aria-hidden="true">"✉"</span>
                    "Maildesk"
                </a>
                <Show when=move || auth.signed_in() fallback=VisitorNav>
                    <nav class="app-nav" aria-label="Main">
                        <A href="/tickets">{move || if is_customer() { "My tickets" } else { "Tickets" }}</A>
                        <Show when=is_customer>
                            <A href="/kb" attr:data-testid="nav-kb">"Help center"</A>
                        </Show>
                        <Show when=move || !is_customer()>
                            <A href="/search" attr:data-testid="nav-search" attr:title="Search tickets (/)">"Search"</A>
                        </Show>
                        // Agents write help articles but see no other admin screen.
                        <Show when=is_agent>
                            <A href="/admin/kb" attr:data-testid="nav-kb-admin">"Knowledge base"</A>
                        </Show>
                        <Show when=is_admin>
                            <A href="/dashboard" attr:data-testid="nav-dashboard">"Dashboard"</A>
                            <A href="/reports" attr:data-testid="nav-reports">"Reports"</A>
                            <A href="/admin" attr:data-testid="nav-admin">"Admin"</A>
                        </Show>
                    </nav>
                    <div class="app-user">
                        <button
                            type="button"
                            class="btn btn-ghost"
                            data-testid="shortcuts-open"
                            title="Keyboard shortcuts (?)"
                            on:click=move |_| shortcuts.help_open.set(true)
                        >
                            <span aria-hidden="true">"⌨"</span>
                            <span class="visually-hidden">"Keyboard shortcuts"</span>
                        </button>
                        <span class="user-name" data-testid="user-name">
                            {user_name}
                        </span>
                        // Sessions opened by a mail link never proved a password.
                        <Show when=move || !is_customer()>
                            <A href="/account/password" attr:class="btn btn-ghost" attr:data-testid="nav-password">
                                "Password"
                            </A>
                        </Show>
                        <button
                            type="button"
                            class="btn btn-ghost"
                            data-testid="sign-out"
                            on:click=sign_out.clone()
                        >
                            "Sign out"
                        </button>
                    </div>
                </Show>
                <ThemeToggle />
            </div>
        </header>
    }
}

/// Visitors who are not signed in can still reach the help center (when it is public).
#[component]
fn VisitorNav() -> impl IntoView {
    view! {
        <nav class="app-nav" aria-label="Main">
            <A href="/kb" attr:data-testid="nav-kb">"Help center"</A>
        </nav>
    }
}
