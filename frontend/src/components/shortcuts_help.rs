//! The app-wide shortcuts (`?` help, `/` search, `g q` to the queue, `g d` to the dashboard, Esc)
//! and the help overlay listing every shortcut.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

use crate::auth::use_auth;
use crate::keys::{Shortcuts, shortcut_key};
use crate::pages::search::SEARCH_INPUT_ID;

/// How long after `g` the second key of a `g …` sequence is accepted.
const SEQUENCE_MS: f64 = 1_500.0;

const SHORTCUTS: [(&str, &str); 11] = [
    ("/", "Search tickets (staff)"),
    ("j / k", "Next / previous ticket in the queue"),
    ("Enter or o", "Open the selected ticket"),
    ("r", "Write a reply"),
    ("n", "Write an internal note"),
    ("Ctrl + Enter", "Send the reply or note"),
    ("a", "Assign the ticket to me (take it)"),
    ("g then q", "Back to the queue"),
    ("g then d", "Dashboard (admins)"),
    ("Esc", "Close this help"),
    ("?", "Show this help"),
];

#[component]
pub fn ShortcutsHelp() -> impl IntoView {
    let shortcuts = expect_context::<Shortcuts>();
    let help_open = shortcuts.help_open;
    let auth = use_auth();
    let navigate = use_navigate();
    let g_pressed_at = StoredValue::new(None::<f64>);

    let handle = window_event_listener(ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            if help_open.get_untracked() {
                help_open.set(false);
                ev.prevent_default();
            }
            return;
        }
        let Some(key) = shortcut_key(&ev) else { return };
        if help_open.get_untracked() {
            return;
        }
        let Some(session) = auth.session_untracked() else {
            return;
        };
        let now = js_sys::Date::now();
        let after_g = g_pressed_at.get_value().is_some_and(|t| now - t < SEQUENCE_MS);
        g_pressed_at.set_value(None);
        match key.as_str() {
            "?" => help_open.set(true),
            "g" => g_pressed_at.set_value(Some(now)),
            "q" if after_g => navigate("/tickets", Default::default()),
            "d" if after_g => navigate("/dashboard", Default::default()),
            "/" if session.user.role.is_staff() => open_search(&navigate),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());

    view! {
        <Show when=move || help_open.get()>
            <HelpDialog close=move || help_open.set(false) />
        </Show>
    }
}

/// Puts the cursor in the search field, opening the search page first when elsewhere (the page
/// focuses its field when it opens).
fn open_search(navigate: &impl Fn(&str, NavigateOptions)) {
    let field = document()
        .get_element_by_id(SEARCH_INPUT_ID)
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    match field {
        Some(field) => {
            let _ = field.focus();
        }
        None => navigate("/search", Default::default()),
    }
}

#[component]
fn HelpDialog(close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let dialog = NodeRef::<html::Div>::new();
    // Focus moves into the dialog so Esc and Tab work from there; it returns to the page on close.
    Effect::new(move |_| {
        if let Some(el) = dialog.get() {
            let _ = el.focus();
        }
    });
    let rows = SHORTCUTS
        .iter()
        .map(|&(keys, what)| {
            view! {
                <tr>
                    <th scope="row"><kbd>{keys}</kbd></th>
                    <td>{what}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="overlay" on:click=move |_| close()>
            <div
                class="dialog card"
                role="dialog"
                aria-modal="true"
                aria-labelledby="shortcuts-title"
                tabindex="-1"
                data-testid="shortcuts-help"
                node_ref=dialog
                on:click=|ev| ev.stop_propagation()
            >
                <div class="dialog-head">
                    <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                    <button
                        type="button"
                        class="btn btn-ghost"
                        data-testid="shortcuts-close"
                        aria-label="Close"
                        on:click=move |_| close()
                    >
                        "✕"
                    </button>
                </div>
                <table class="shortcuts">
                    <tbody>{rows}</tbody>
                </table>
                <p class="muted">"Single-key shortcuts are off while you type in a field."</p>
            </div>
        </div>
    }
}
