//! For pages anyone may open whose content the server may still keep for signed-in users (the
//! help center when the portal's knowledge base is not public): a way to sign in and come back.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::ApiError;
use crate::components::feedback::ErrorNotice;
use crate::components::require_auth::{login_href, path_of};

/// The sign-in link when the server asked for a session, else the error with "Try again".
#[component]
pub fn ReaderError(error: ApiError, retry: Callback<()>) -> impl IntoView {
    if error.rejects_session() {
        view! { <SignInNotice /> }.into_any()
    } else {
        view! { <ErrorNotice error retry /> }.into_any()
    }
}

#[component]
pub fn SignInNotice() -> impl IntoView {
    let href = login_href(&path_of(&use_location()));
    view! {
        <div class="notice notice-info" data-testid="sign-in-needed">
            <p>"Please sign in to read our help articles."</p>
            <p>
                <a class="btn btn-primary" href=href data-testid="sign-in-link">
                    "Sign in"
                </a>
            </p>
        </div>
    }
}
