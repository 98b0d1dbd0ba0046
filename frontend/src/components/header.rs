//! The top bar: app name, navigation, who is signed in, sign-out.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::auth::use_auth;

#[component]
pub fn AppHeader() -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let sign_out = move |_| {
        auth.sign_out();
        navigate("/login", Default::default());
    };
    let user_name = move || auth.user().map(|u| u.name);

    view! {
        <header class="app-header">
            <div class="app-header-inner">
                <a class="brand" href="/" data-testid="brand">
                    <span class="brand-mark" aria-hidden="true">"✉"</span>
                    "Maildesk"
                </a>
                <Show when=move || auth.signed_in()>
                    <nav class="app-nav" aria-label="Main">
                        <A href="/tickets">"Tickets"</A>
                    </nav>
                    <div class="app-user">
                        <span class="user-name" data-testid="user-name">
                            {user_name}
                        </span>
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
            </div>
        </header>
    }
}
