//! A search field that searches as the user types: the words are handed on once typing pauses
//! (or at once on Enter), and the field shows the search in force when it changes elsewhere
//! (Back, a link).

use leptos::html;
use leptos::prelude::*;

use crate::debounce::{TYPING_PAUSE, debounced};

#[component]
pub fn SearchBox(
    /// The input's id.
    id: &'static str,
    testid: &'static str,
    label: &'static str,
    #[prop(optional)] placeholder: &'static str,
    /// The search in force (from the URL).
    #[prop(into)]
    current: Signal<String>,
    /// Called with the trimmed words when they differ from `current`.
    on_search: Callback<String>,
    #[prop(optional)] node_ref: NodeRef<html::Input>,
) -> impl IntoView {
    let text = RwSignal::new(current.get_untracked());
    // What was last handed on: when it comes back as `current`, it is our own echo and must not
    // overwrite what the user typed since.
    let sent = StoredValue::new(current.get_untracked());
    let hand_on = move |words: String| {
        let words = words.trim().to_owned();
        if words != sent.get_value() && words != current.get_untracked() {
            sent.set_value(words.clone());
            on_search.run(words);
        }
    };
    let settled = debounced(text.into(), TYPING_PAUSE);
    Effect::new(move |_| hand_on(settled.get()));
    Effect::new(move |_| {
        let q = current.get();
        if q != sent.get_value() {
            sent.set_value(q.clone());
            text.set(q);
        }
    });

    view! {
        <form
            class="search"
            role="search"
            on:submit=move |ev| {
                ev.prevent_default();
                hand_on(text.get_untracked());
            }
        >
            <label class="visually-hidden" for=id>{label}</label>
            <input id=id type="search" placeholder=placeholder data-testid=testid node_ref=node_ref bind:value=text />
        </form>
    }
}
