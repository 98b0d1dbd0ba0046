//! Labelled inputs, selects and checkboxes, for the admin forms and the ticket's fields.

use leptos::prelude::*;

/// A text-like input (`kind`: text, email, number, password, url) with its label, bound to
/// `value`; the test id is the id unless `testid` says otherwise.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(optional, into)] placeholder: Option<String>,
    /// `aria-invalid`: whether the server refused what was typed.
    #[prop(optional, into)]
    invalid: Option<Signal<String>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type=kind
                data-testid=testid.unwrap_or(id)
                placeholder=placeholder
                aria-invalid=invalid
                bind:value=value
            />
        </div>
    }
}

/// A select with its label; `children` are its options, `on_change` gets the value picked.
#[component]
pub fn SelectField(
    id: &'static str,
    label: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    /// `aria-invalid`: whether the server refused the value.
    #[prop(optional, into)]
    invalid: Option<Signal<String>>,
    on_change: Callback<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select
                id=id
                data-testid=testid.unwrap_or(id)
                aria-invalid=invalid
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                {children()}
            </select>
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

/// A checkbox that reports each change (`on_change` gets whether it is ticked); `class` is the
/// wrapper's besides `field-check`.
#[component]
pub fn CheckBox(
    class: &'static str,
    id: String,
    testid: String,
    #[prop(into)] label: String,
    #[prop(into)] checked: Signal<bool>,
    #[prop(optional, into)] disabled: Signal<bool>,
    on_change: Callback<bool>,
) -> impl IntoView {
    view! {
        <div class=format!("field-check {class}")>
            <input
                id=id.clone()
                type="checkbox"
                data-testid=testid
                prop:checked=move || checked.get()
                disabled=move || disabled.get()
                on:change=move |ev| on_change.run(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
    }
}

/// A [`SelectField`] of every value in `all`, showing `value`; picking one sets it. `key` is a
/// value's form value, `parse` reads one back and `text` says it in words.
#[component]
pub fn EnumSelect<T>(
    id: &'static str,
    label: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    all: &'static [T],
    value: RwSignal<T>,
    key: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
    text: fn(T) -> &'static str,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let on_change = Callback::new(move |picked: String| {
        if let Some(v) = parse(&picked) {
            value.set(v);
        }
    });
    view! {
        <SelectField id label testid=testid.unwrap_or(id) on_change>
            {all
                .iter()
                .map(|&v| view! { <option value=key(v) prop:selected=move || value.get() == v>{text(v)}</option> })
                .collect_view()}
        </SelectField>
    }
}
