//! `/`: to the queue when signed in, else to the login page.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Redirect;

use crate::auth::use_auth;

#[component]
pub fn Home() -> impl IntoView {
    let path = if use_auth().session_untracked().is_some() {
        "/tickets"
    } else {
        "/login"
    };
    let options = NavigateOptions {
        replace: true,
        ..Default::default()
    };
    view! { <Redirect path options /> }
}
