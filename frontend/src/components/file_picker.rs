//! Choosing files to attach: a labelled file input and the list of what was chosen.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::format::file_size;

/// The files the user picked; cleared after sending.
#[derive(Debug, Clone, Copy)]
pub struct PickedFiles {
    pub files: RwSignal<Vec<SendFile>, LocalStorage>,
    input: NodeRef<html::Input>,
}

/// A picked file (browser objects stay on the thread that made them).
pub type SendFile = web_sys::File;

impl PickedFiles {
    pub fn new() -> Self {
        Self {
            files: RwSignal::new_local(Vec::new()),
            input: NodeRef::new(),
        }
    }

    pub fn clear(&self) {
        self.files.set(Vec::new());
        if let Some(input) = self.input.get_untracked() {
            input.set_value("");
        }
    }
}

#[component]
pub fn FilePicker(picked: PickedFiles, id: &'static str) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let mut files = Vec::new();
        if let Some(list) = input.files() {
            for i in 0..list.length() {
                if let Some(f) = list.get(i) {
                    files.push(f);
                }
            }
        }
        picked.files.set(files);
    };
    view! {
        <div class="field file-picker">
            <label for=id>"Attach files"</label>
            <input id=id type="file" multiple node_ref=picked.input on:change=on_change data-testid="file-input" />
            <ul class="plain-list picked-files" aria-label="Files to attach">
                {move || {
                    picked
                        .files
                        .get()
                        .into_iter()
                        .map(|f| {
                            #[allow(clippy::cast_possible_truncation)]
                            let size = file_size(f.size() as i64);
                            view! { <li data-testid="picked-file">{format!("{} ({size})", f.name())}</li> }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
