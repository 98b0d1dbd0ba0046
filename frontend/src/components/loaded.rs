//! A request's three states drawn the same way everywhere: loading, a readable error with
//! "Try again", or the content; and a form's outcome ([`Outcome`], shown by [`FormStatus`]).

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

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

/// What a form or a list's action last did: an error, or a confirmation.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub error: RwSignal<Option<String>>,
    pub done: RwSignal<Option<String>>,
}

impl Default for Outcome {
    fn default() -> Self {
        Self {
            error: RwSignal::new(None),
            done: RwSignal::new(None),
        }
    }
}

impl Outcome {
    /// Clears the outcome and sends `request`; then shows what `confirm` makes of the answer,
    /// or the error.
    pub fn send<T: 'static>(
        self,
        request: impl Future<Output = Result<T, ApiError>> + 'static,
        confirm: impl FnOnce(T) -> String + 'static,
    ) {
        self.error.set(None);
        self.done.set(None);
        spawn_local(async move {
            match request.await {
                Ok(answer) => self.done.set(Some(confirm(answer))),
                Err(e) => self.error.set(Some(e.user_message())),
            }
        });
    }
}
