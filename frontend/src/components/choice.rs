//! A filter's labelled select with an "any" entry (status, priority, category, assignee…),
//! shared by the queue's and the search page's filters, the help center and the reply box.

use leptos::prelude::*;

/// A labelled select with an "any" entry; hidden while it has nothing to offer.
#[component]
pub fn Choice(
    label: &'static str,
    testid: &'static str,
    /// The label of the entry that sets no filter.
    any: &'static str,
    /// `(value, label)` pairs.
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    #[prop(into)] selected: Signal<Option<String>>,
    on_pick: Callback<String>,
) -> impl IntoView {
    move || {
        let list = options.get();
        (!list.is_empty()).then(|| {
            view! {
                <label class="field-inline">
                    <span>{label}</span>
                    <select data-testid=testid on:change=move |ev| on_pick.run(event_target_value(&ev))>
                        <option value="" prop:selected=move || selected.with(Option::is_none)>{any}</option>
                        {list
                            .into_iter()
                            .map(|(value, text)| {
                                let is = value.clone();
                                view! {
                                    <option
                                        value=value
                                        prop:selected=move || selected.with(|s| s.as_deref() == Some(is.as_str()))
                                    >
                                        {text}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            }
        })
    }
}

/// Every value of `all` as `(value, label)` options: `key` is a value's form value, `text` its
/// words.
pub fn options_of<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    text: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter().map(|&v| (key(v).to_owned(), text(v).to_owned())).collect()
}
