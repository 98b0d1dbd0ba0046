//! The frame of an admin create-or-edit form (calendars, SLA policies, rules, custom fields):
//! the card with its title, Save and Cancel, and the error under them; and [`FormState`], which
//! sends the form and marks the field the server refuses.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;
use crate::components::loaded::FormStatus;
use crate::field_problem::FieldProblem;

/// A form's error, the field the server refused, and whether it is being saved.
#[derive(Debug, Clone, Copy)]
pub struct FormState {
    pub error: RwSignal<Option<String>>,
    pub problem: FieldProblem,
    pub saving: RwSignal<bool>,
}

impl Default for FormState {
    fn default() -> Self {
        Self {
            error: RwSignal::new(None),
            problem: FieldProblem::default(),
            saving: RwSignal::new(false),
        }
    }
}

impl FormState {
    /// Sends `request`; once answered, `on_saved` gets "<name> is saved." (`name` of what the
    /// server returned), or the field the server refused is marked and `message` says why.
    pub fn send<T: 'static>(
        self,
        request: impl Future<Output = Result<T, ApiError>> + 'static,
        on_saved: Callback<String>,
        name: impl FnOnce(T) -> String + 'static,
        message: impl FnOnce(&ApiError) -> String + 'static,
    ) {
        let Self { error, problem, saving } = self;
        saving.set(true);
        error.set(None);
        spawn_local(async move {
            let result = request.await;
            saving.set(false);
            match result {
                Ok(saved) => on_saved.run(format!("{} is saved.", name(saved))),
                Err(e) => {
                    problem.show(&e);
                    error.set(Some(message(&e)));
                }
            }
        });
    }
}

/// The form card: `title`, the fields (`children`), the error, Save (`save` its words) and
/// Cancel. The test ids are `{testid}-form`, `{testid}-save` and `{testid}-cancel`.
#[component]
pub fn EditForm(
    testid: &'static str,
    /// Classes besides `card admin-form`.
    #[prop(optional)]
    class: Option<&'static str>,
    title: &'static str,
    save: &'static str,
    form: FormState,
    on_submit: Callback<()>,
    on_cancel: Callback<()>,
    children: Children,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit.run(());
    };
    let class = class.map_or_else(|| "card admin-form".to_owned(), |c| format!("card admin-form {c}"));
    view! {
        <form class=class on:submit=submit novalidate data-testid=format!("{testid}-form") aria-label=title>
            <h3>{title}</h3>
            {children()}
            <FormStatus error=form.error />
            <div class="form-actions">
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid=format!("{testid}-save")
                    disabled=move || form.saving.get()
                >
                    {save}
                </button>
                <button type="button" class="btn" data-testid=format!("{testid}-cancel") on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
