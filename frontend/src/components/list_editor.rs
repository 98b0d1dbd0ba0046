//! The pieces the ticket's list editors (tags, CC subscribers) share: a chip's × button, and
//! the inline "Add" form with the line that says why an entry was not taken.

use leptos::prelude::*;

/// The × that removes one entry; `label` says which.
#[component]
pub fn ChipRemove(
    testid: &'static str,
    label: String,
    #[prop(into)] disabled: Signal<bool>,
    on_click: Callback<()>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="chip-remove"
            data-testid=testid
            aria-label=label
            title="Remove"
            disabled=move || disabled.get()
            on:click=move |_| on_click.run(())
        >
            <span aria-hidden="true">"×"</span>
        </button>
    }
}

/// The input for a new entry and its "Add" button (`{testid}-input`, `{testid}-add`), then the
/// problem with what was typed, if any. `on_add` runs on submit.
#[component]
pub fn InlineAdd(
    testid: &'static str,
    /// The input's type.
    kind: &'static str,
    /// The input's accessible name.
    label: &'static str,
    placeholder: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] maxlength: Option<&'static str>,
    /// Whether the browser's own checks are off (the server checks).
    #[prop(optional)]
    novalidate: bool,
    draft: RwSignal<String>,
    problem: RwSignal<Option<String>>,
    #[prop(into)] disabled: Signal<bool>,
    on_add: Callback<()>,
) -> impl IntoView {
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_add.run(());
    };
    view! {
        <form class="inline-form" novalidate=novalidate on:submit=add>
            <input
                type=kind
                data-testid=format!("{testid}-input")
                aria-label=label
                placeholder=placeholder
                autocomplete=autocomplete
                maxlength=maxlength
                bind:value=draft
            />
            <button type="submit" class="btn" data-testid=format!("{testid}-add") disabled=move || disabled.get()>
                "Add"
            </button>
        </form>
        {move || problem.get().map(|p| view! { <p class="field-problem" role="alert">{p}</p> })}
    }
}
