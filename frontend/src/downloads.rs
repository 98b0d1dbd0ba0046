//! Downloads the browser opens itself (attachments, the report CSV, raw mails). Such a request
//! cannot carry the Authorization header, and the access token must not go into a URL (logs,
//! history, `Referer`), so each click first fetches a one-time ticket and then opens the URL
//! with it.

use leptos::ev::MouseEvent;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::Client;

/// The click handler of a download link whose `href` is the plain URL (without ticket).
pub fn on_click(client: Client, url: impl Fn() -> String + 'static, filename: Option<String>) -> impl Fn(MouseEvent) {
    move |ev: MouseEvent| {
        // Modified clicks (new tab…) would open the URL without a ticket: handle them alike.
        ev.prevent_default();
        let url = url();
        let filename = filename.clone();
        spawn_local(async move {
            match client.ticketed(&url).await {
                Ok(url) => open(&url, filename.as_deref()),
                Err(e) => leptos::logging::warn!("could not download {url}: {}", e.user_message()),
            }
        });
    }
}

/// Opens `url` as a download through a temporary link (so the page stays where it is).
fn open(url: &str, filename: Option<&str>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(link) = document.create_element("a") else {
        return;
    };
    let _ = link.set_attribute("href", url);
    let _ = link.set_attribute("rel", "external");
    if let Some(name) = filename {
        let _ = link.set_attribute("download", name);
    }
    if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
        link.click();
    }
}
