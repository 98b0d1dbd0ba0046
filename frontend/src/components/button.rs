//! A plain `type="button"` button drawn the same way on every screen: its class, test id,
//! optional accessible name, disabled while a signal holds, and what a click does.

use leptos::prelude::*;

#[component]
pub fn Button(
    /// `btn`, `btn btn-small`, `chip-remove`…
    #[prop(default = "btn")]
    class: &'static str,
    #[prop(into)] testid: String,
    /// The accessible name, when the text alone does not say what the button acts on.
    #[prop(optional_no_strip, into)]
    aria_label: Option<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
    on_click: Callback<()>,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class=class
            data-testid=testid
            aria-label=aria_label
            disabled=move || disabled.get()
            on:click=move |_| on_click.run(())
        >
            {children()}
        </button>
    }
}
