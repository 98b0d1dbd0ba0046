//! Keyboard shortcuts: which key presses count as shortcuts, and a hook for pages.
//!
//! Single keys (`j`, `r`, `?`…) never fire while the user types in a field, and never with
//! Ctrl, Alt or Meta held, so they cannot eat text or browser shortcuts.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

/// App-wide shortcut state, provided as context by [`crate::app::App`].
#[derive(Debug, Clone, Copy)]
pub struct Shortcuts {
    /// The help overlay is open (pages ignore their keys meanwhile).
    pub help_open: RwSignal<bool>,
}

/// Whether the event comes from somewhere text is typed.
pub fn from_text_field(ev: &KeyboardEvent) -> bool {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return false;
    };
    let tag = el.tag_name().to_ascii_lowercase();
    matches!(tag.as_str(), "input" | "textarea" | "select") || el.closest("[contenteditable]").ok().flatten().is_some()
}

/// Whether the event comes from a link or button, which handle Enter themselves.
pub fn from_control(ev: &KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|el| el.closest("a, button").ok().flatten())
        .is_some()
}

/// The key of a plain shortcut press (`"j"`, `"Enter"`, `"?"`), or `None` when it is typing,
/// a modified press, or a repeat.
pub fn shortcut_key(ev: &KeyboardEvent) -> Option<String> {
    if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() || from_text_field(ev) {
        return None;
    }
    Some(ev.key())
}

/// Calls `f` with each shortcut key while the current component lives and the help overlay is
/// closed; `f` returns whether it handled the key (the browser's default is then prevented).
pub fn on_shortcut(f: impl Fn(&str, &KeyboardEvent) -> bool + 'static) {
    let help_open = use_context::<Shortcuts>().map(|s| s.help_open);
    let handle = window_event_listener(ev::keydown, move |ev| {
        if help_open.is_some_and(|h| h.get_untracked()) {
            return;
        }
        if let Some(key) = shortcut_key(&ev)
            && f(&key, &ev)
        {
            ev.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
}
