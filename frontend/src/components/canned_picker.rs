//! "Insert a canned response" for staff: picking one adds its text to the draft at the end.

use leptos::prelude::*;

use crate::api::use_client;
use crate::components::composer::append_to_draft;

#[component]
pub fn CannedPicker(body: RwSignal<String>) -> impl IntoView {
    let client = use_client();
    let canned = LocalResource::new(move || async move { client.canned_responses().await });
    let insert = move |id: String| {
        let Ok(id) = id.parse::<i64>() else { return };
        let text = canned.with(|c| match c {
            Some(Ok(list)) => list.iter().find(|c| c.id == id).map(|c| c.body.clone()),
            _ => None,
        });
        if let Some(text) = text {
            append_to_draft(body, &text);
        }
    };
    view! {
        <label class="canned-picker">
            <span class="visually-hidden">"Insert a canned response"</span>
            <select
                data-testid="canned-picker"
                prop:value=""
                on:change=move |ev| {
                    insert(event_target_value(&ev));
                    event_target::<web_sys::HtmlSelectElement>(&ev).set_value("");
                }
            >
                <option value="">"Canned response…"</option>
                {move || match canned.get() {
                    Some(Ok(list)) => list
                        .into_iter()
                        .map(|c| view! { <option value=c.id.to_string()>{c.title}</option> })
                        .collect_view()
                        .into_any(),
                    _ => ().into_any(),
                }}
            </select>
        </label>
    }
}
