//! The "Add a …" form under an admin list (users, companies, categories, canned responses):
//! the card with its fields, the outcome and the button; and [`Adding`], which sends it and
//! empties it once added.

use std::future::Future;

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::loaded::{FormStatus, Outcome};

/// `title` heads the form and names it; `children` are its fields, in a grid. The test ids are
/// `{testid}-form` and `{testid}-create` (the button, `button` its words).
#[component]
pub fn AddForm(
    testid: &'static str,
    title: &'static str,
    button: &'static str,
    outcome: Outcome,
    on_submit: Callback<()>,
    children: Children,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit.run(());
    };
    view! {
        <form class="card admin-form" on:submit=submit novalidate data-testid=format!("{testid}-form") aria-label=title>
            <h3>{title}</h3>
            <div class="form-grid">{children()}</div>
            <FormStatus error=outcome.error done=outcome.done />
            <button type="submit" class="btn btn-primary" data-testid=format!("{testid}-create")>
                {button}
            </button>
        </form>
    }
}

/// An "Add" form's outcome and the text fields it empties once an item is added.
#[derive(Debug, Clone, Copy)]
pub struct Adding<const N: usize> {
    pub outcome: Outcome,
    pub fields: [RwSignal<String>; N],
}

impl<const N: usize> Default for Adding<N> {
    fn default() -> Self {
        Self {
            outcome: Outcome::default(),
            fields: std::array::from_fn(|_| RwSignal::new(String::new())),
        }
    }
}

impl<const N: usize> Adding<N> {
    /// Sends `request`; once added, empties the fields, runs `reload` and says "<name> is
    /// added." (`name` of what the server returned), else shows the error.
    pub fn send<T: 'static>(
        self,
        request: impl Future<Output = Result<T, ApiError>> + 'static,
        name: impl FnOnce(T) -> String + 'static,
        reload: impl FnOnce() + 'static,
    ) {
        self.outcome.send(request, move |added| {
            for field in self.fields {
                field.set(String::new());
            }
            reload();
            format!("{} is added.", name(added))
        });
    }
}
