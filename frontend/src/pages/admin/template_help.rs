//! The placeholders a template may use, in both syntaxes the server knows, listed from the
//! table the server resolves them with (`protocol::placeholders`); anything else is refused on
//! save with a message naming it.

use leptos::prelude::*;
use protocol::placeholders::{CUSTOM_FIELD_EXAMPLE, HASH, PERCENT};

#[component]
pub fn PlaceholderHelp() -> impl IntoView {
    view! {
        <details class="card placeholder-help" data-testid="placeholder-help">
            <summary>"Placeholders"</summary>
            <dl class="facts">
                {HASH
                    .iter()
                    .chain([&CUSTOM_FIELD_EXAMPLE])
                    .map(|(name, what)| view! { <dt><code>{format!("#{name}#")}</code></dt><dd>{*what}</dd> })
                    .collect_view()}
                {PERCENT
                    .iter()
                    .map(|(name, same)| {
                        view! { <dt><code>{format!("%{{{name}}}")}</code></dt><dd>{format!("same as #{same}#")}</dd> }
                    })
                    .collect_view()}
            </dl>
        </details>
    }
}
