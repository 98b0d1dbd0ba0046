//! A request's three states drawn the same way everywhere: loading, a readable error with
//! "Try again", or the content.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::feedback::{ErrorNotice, Loading};

/// Draws `resource` with `content` once it has loaded.
pub fn loaded<T, V>(
    resource: LocalResource<Result<T, ApiError>>,
    label: &'static str,
    content: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    move || match resource.get() {
        None => view! { <Loading label /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice error retry=Callback::new(move |()| resource.refetch()) /> }.into_any()
        }
        Some(Ok(value)) => content(value).into_any(),
    }
}

/// A form's outcome under its button: an error (`role=alert`) or a confirmation.
#[component]
pub fn FormStatus(
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into, optional)] done: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        {move || {
            error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="form-error">{e}</p> })
        }}
        {move || {
            done.get()
                .map(|d| view! { <p class="notice notice-info" role="status" data-testid="form-done">{d}</p> })
        }}
    }
}
