//! Labelled inputs bound to a signal, for the admin forms.

use leptos::prelude::*;

/// A text-like input (`kind`: text, email, number, password) with its label; the id is also
/// the test id.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type=kind data-testid=id bind:value=value />
        </div>
    }
}

#[component]
pub fn CheckField(id: &'static str, label: &'static str, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="field-check">
            <input id=id type="checkbox" data-testid=id bind:checked=value />
            <label for=id>{label}</label>
        </div>
    }
}
