//! Loading, empty and error states, so no screen is ever blank.

use leptos::prelude::*;

use crate::api::ApiError;

#[component]
pub fn Loading(#[prop(default = "Loading…")] label: &'static str) -> impl IntoView {
    view! {
        <div class="loading" role="status" aria-live="polite" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}

/// The error in words a person understands, with an optional "Try again".
#[component]
pub fn ErrorNotice(error: ApiError, #[prop(optional, into)] retry: Option<Callback<()>>) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert" data-testid="error-message">
            <p>{error.user_message()}</p>
            {retry
                .map(|retry| {
                    view! {
                        <button type="button" class="btn" on:click=move |_| retry.run(())>
                            "Try again"
                        </button>
                    }
                })}
        </div>
    }
}

#[component]
pub fn EmptyState(children: Children) -> impl IntoView {
    view! {
        <div class="empty" data-testid="empty-state">
            {children()}
        </div>
    }
}
