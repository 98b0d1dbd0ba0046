//! A message's text, with quoted history folded behind "Show quoted text".

use leptos::prelude::*;

use crate::components::quoted_html::fold_html;
use crate::quoted::fold_text;

#[component]
pub fn MessageBody(text: String, html: Option<String>) -> impl IntoView {
    // Sanitized by the server before it is stored.
    match html.filter(|h| !h.trim().is_empty()) {
        Some(html) => match fold_html(&html) {
            Some(fold) => folded(html_part(fold.visible), html_part(fold.quoted)).into_any(),
            None => html_part(html).into_any(),
        },
        None => match fold_text(&text) {
            Some(fold) => folded(text_part(fold.visible), text_part(fold.quoted)).into_any(),
            None => text_part(text).into_any(),
        },
    }
}

fn html_part(html: String) -> AnyView {
    view! { <div class="message-body message-html" inner_html=html></div> }.into_any()
}

fn text_part(text: String) -> AnyView {
    view! { <div class="message-body message-text">{text}</div> }.into_any()
}

fn folded(visible: AnyView, quoted: AnyView) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        {visible}
        <button
            type="button"
            class="quoted-toggle"
            data-testid="quoted-toggle"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            <span aria-hidden="true">"…"</span>
            {move || if open.get() { " Hide quoted text" } else { " Show quoted text" }}
        </button>
        <div class="message-quoted" data-testid="quoted-text" hidden=move || !open.get()>
            {quoted}
        </div>
    }
}
