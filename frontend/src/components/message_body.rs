//! A message's text, with quoted history folded behind "Show quoted text".

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{Client, use_client};
use crate::components::quoted_html::fold_html;
use crate::quoted::fold_text;

/// Where inline images of a message point (attachment downloads), as the server writes them.
const ATTACHMENT_SRC: &str = "src=\"/api/v1/attachments/";

#[component]
pub fn MessageBody(text: String, html: Option<String>) -> impl IntoView {
    // Sanitized by the server before it is stored.
    match html.filter(|h| !h.trim().is_empty()) {
        Some(html) => {
            let images = inline_images(use_client(), &html);
            let part = move |h: String| html_part(move || with_images(&h, &images.get()));
            match fold_html(&html) {
                Some(fold) => folded(part(fold.visible), part(fold.quoted)).into_any(),
                None => part(html).into_any(),
            }
        }
        None => match fold_text(&text) {
            Some(fold) => folded(text_part(fold.visible), text_part(fold.quoted)).into_any(),
            None => text_part(text).into_any(),
        },
    }
}

/// Inline images point at attachment downloads, which need the session; an `<img>` cannot
/// send the Authorization header and the token must not go into a URL. So each image is
/// fetched with the header and shown from a `blob:` URL (allowed by the CSP's `img-src`).
/// The map from download path to blob URL fills in as the images arrive.
fn inline_images(client: Client, html: &str) -> RwSignal<HashMap<String, String>> {
    let images = RwSignal::new(HashMap::new());
    let mut paths = image_paths(html);
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        return images;
    }
    on_cleanup(move || {
        if let Some(urls) = images.try_get_untracked() {
            urls.values().for_each(|u| revoke(u));
        }
    });
    spawn_local(async move {
        for path in paths {
            let Some(api_path) = path.strip_prefix(protocol::API_BASE) else {
                continue;
            };
            let url = match client.bytes(api_path).await {
                Ok((bytes, kind)) => blob_url(&bytes, &kind),
                Err(e) => {
                    leptos::logging::warn!("could not load the image {path}: {}", e.user_message());
                    None
                }
            };
            if let Some(url) = url {
                // The message may be gone meanwhile: then nobody will revoke it but us.
                if images.try_update(|m| m.insert(path, url.clone())).is_none() {
                    revoke(&url);
                }
            }
        }
    });
    images
}

fn blob_url(bytes: &[u8], kind: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

/// The attachment paths inline images point at, in order (repeats included).
fn image_paths(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(ATTACHMENT_SRC) {
        let start = at + "src=\"".len();
        let Some(len) = rest[start..].find('"') else { break };
        out.push(rest[start..start + len].to_owned());
        rest = &rest[start + len..];
    }
    out
}

/// The HTML with each inline image pointing at its loaded blob, or, not loaded yet, at
/// nothing (`data-src` keeps the path): the browser must not request it without the session.
fn with_images(html: &str, loaded: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(ATTACHMENT_SRC) {
        let start = at + "src=\"".len();
        let Some(len) = rest[start..].find('"') else { break };
        let path = &rest[start..start + len];
        out.push_str(&rest[..at]);
        match loaded.get(path) {
            Some(blob) => out.push_str(&format!("src=\"{blob}\" data-src=\"{path}")),
            None => out.push_str(&format!("data-src=\"{path}")),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

fn html_part(html: impl Fn() -> String + Send + Sync + 'static) -> AnyView {
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
    fn inline_images_show_their_blob_or_nothing() {
        let html = r#"<p>x</p><img src="/api/v1/attachments/7" alt="a"><img src="https://e.x/y.png">"#;
        assert_eq!(image_paths(html), vec!["/api/v1/attachments/7".to_owned()]);
        assert_eq!(
            with_images(html, &HashMap::new()),
            r#"<p>x</p><img data-src="/api/v1/attachments/7" alt="a"><img src="https://e.x/y.png">"#
        );
        let loaded = HashMap::from([("/api/v1/attachments/7".to_owned(), "blob:x/1".to_owned())]);
        assert_eq!(
            with_images(html, &loaded),
            r#"<p>x</p><img src="blob:x/1" data-src="/api/v1/attachments/7" alt="a"><img src="https://e.x/y.png">"#
        );
    }
}
