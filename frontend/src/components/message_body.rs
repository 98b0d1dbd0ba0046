//! A message's text, with quoted history folded behind "Show quoted text".

use leptos::prelude::*;

use crate::auth::use_auth;
use crate::components::quoted_html::fold_html;
use crate::quoted::fold_text;

#[component]
pub fn MessageBody(text: String, html: Option<String>) -> impl IntoView {
    let token = use_auth().access_token();
    // Sanitized by the server before it is stored.
    match html
        .filter(|h| !h.trim().is_empty())
        .map(|h| with_image_token(&h, token.as_deref()))
    {
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

/// Inline images point at attachment downloads; an `<img>` cannot send the Authorization
/// header, so the access token goes in the query, as for download links.
fn with_image_token(html: &str, token: Option<&str>) -> String {
    const SRC: &str = "src=\"/api/v1/attachments/";
    let Some(token) = token else {
        return html.to_owned();
    };
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(SRC) {
        let start = at + SRC.len();
        let Some(len) = rest[start..].find('"') else { break };
        out.push_str(&rest[..start + len]);
        out.push_str("?access_token=");
        out.push_str(token);
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_images_get_the_token() {
        let html = r#"<p>x</p><img src="/api/v1/attachments/7" alt="a"><img src="https://e.x/y.png">"#;
        assert_eq!(
            with_image_token(html, Some("T")),
            r#"<p>x</p><img src="/api/v1/attachments/7?access_token=T" alt="a"><img src="https://e.x/y.png">"#
        );
        assert_eq!(with_image_token(html, None), html);
    }
}
