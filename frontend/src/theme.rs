//! Light and dark themes: the system's choice (`prefers-color-scheme`) unless the user picked
//! one, which is kept in `localStorage` and set as `data-theme` on `<html>` (index.html applies
//! it before the app loads, so a reload does not flash the other theme).

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

const STORAGE_KEY: &str = "maildesk.theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "light" => Some(Self::Light),
            "dark" => Some(Self::Dark),
            _ => None,
        }
    }

    fn other(self) -> Self {
        match self {
            Self::Light => Self::Dark,
            Self::Dark => Self::Light,
        }
    }
}

fn system_theme() -> Theme {
    let dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    if dark { Theme::Dark } else { Theme::Light }
}

fn apply(theme: Option<Theme>) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let result = match theme {
        Some(t) => root.set_attribute("data-theme", t.as_str()),
        None => root.remove_attribute("data-theme"),
    };
    if let Err(e) = result {
        leptos::logging::warn!("could not set the theme: {e:?}");
    }
}

/// The header's button switching between the light and the dark theme.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let chosen = RwSignal::new(
        LocalStorage::get::<String>(STORAGE_KEY)
            .ok()
            .and_then(|s| Theme::parse(&s)),
    );
    apply(chosen.get_untracked());
    let current = move || chosen.get().unwrap_or_else(system_theme);
    let toggle = move |_| {
        let next = current().other();
        if let Err(e) = LocalStorage::set(STORAGE_KEY, next.as_str()) {
            leptos::logging::warn!("could not store the theme: {e}");
        }
        chosen.set(Some(next));
        apply(Some(next));
    };
    view! {
        <button
            type="button"
            class="btn btn-ghost theme-toggle"
            data-testid="theme-toggle"
            aria-pressed=move || (current() == Theme::Dark).to_string()
            title="Dark theme"
            on:click=toggle
        >
            <span aria-hidden="true">{move || if current() == Theme::Dark { "☾" } else { "☀" }}</span>
            <span class="visually-hidden">"Dark theme"</span>
        </button>
    }
}
