//! The slot for knowledge-base articles that might answer a new ticket before it is sent.
//!
//! Empty on purpose: the search API for articles does not exist yet. When it does, this
//! component searches with the subject (debounced) and lists the matches; the form around it
//! does not need to change.

use leptos::prelude::*;

#[component]
pub fn KbSuggestions(
    /// The subject typed so far, to search articles with.
    #[prop(into)]
    subject: Signal<String>,
) -> impl IntoView {
    let _ = subject;
    view! { <div class="kb-suggestions" data-testid="kb-suggestions" hidden></div> }
}
