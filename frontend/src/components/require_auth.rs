//! Guards the pages that need a session: without one, go to the login page and come back.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;
use leptos_router::location::Location;

use crate::auth::use_auth;

#[component]
pub fn RequireAuth(children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    // Only a sign-in or sign-out re-renders the page, not a token refresh.
    let signed_in = Memo::new(move |_| auth.signed_in());
    let location = use_location();

    move || {
        if signed_in.get() {
            children().into_any()
        } else {
            let path = login_href(&path_of(&location));
            let options = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            view! { <Redirect path=path options=options /> }.into_any()
        }
    }
}

/// The path and query of `location`, to come back to after signing in.
pub fn path_of(location: &Location) -> String {
    let path = location.pathname.get_untracked();
    let search = location.search.get_untracked();
    if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    }
}

/// `/login?next=<here>`, so the login page can send the user back.
pub fn login_href(here: &str) -> String {
    if here.is_empty() || here == "/" {
        "/login".into()
    } else {
        format!("/login?next={}", String::from(js_sys::encode_uri_component(here)))
    }
}
