//! The state of the reply box, shared with the ticket page: the page focuses it from the
//! keyboard (`r`, `n`), derives the user's presence from it, and rebases the draft after the
//! user's own changes.

use leptos::html;
use leptos::prelude::*;

use crate::api::PostKind;

#[derive(Debug, Clone, Copy)]
pub struct Composer {
    pub kind: RwSignal<PostKind>,
    pub body: RwSignal<String>,
    /// The ticket version the draft was started against; `None` while there is no draft. A
    /// reply is sent with this version, not the one on screen: changes that arrived live while
    /// it was written must still be acknowledged (the server's conflict check).
    pub base_version: RwSignal<Option<i64>>,
    pub focused: RwSignal<bool>,
    /// When the user last typed (ms since the epoch).
    pub last_input_ms: RwSignal<f64>,
    pub textarea: NodeRef<html::Textarea>,
}

impl Composer {
    pub fn new() -> Self {
        Self {
            kind: RwSignal::new(PostKind::Reply),
            body: RwSignal::new(String::new()),
            base_version: RwSignal::new(None),
            focused: RwSignal::new(false),
            last_input_ms: RwSignal::new(0.0),
            textarea: NodeRef::new(),
        }
    }

    /// Switches to `kind` and puts the cursor in the text.
    pub fn focus(&self, kind: PostKind) {
        self.kind.set(kind);
        if let Some(el) = self.textarea.get_untracked() {
            let _ = el.focus();
        }
    }

    /// The user's own change moved the ticket from `old` to `new`: a draft based on `old` did
    /// not miss anything.
    pub fn rebase(&self, old: i64, new: i64) {
        if self.base_version.get_untracked() == Some(old) {
            self.base_version.set(Some(new));
        }
    }

    /// Adds `text` to the end of the draft (whichever kind it is) and focuses the editor.
    pub fn insert(&self, text: &str) {
        append_to_draft(self.body, text);
        if let Some(el) = self.textarea.get_untracked() {
            let _ = el.focus();
        }
    }

    /// Whether the user is typing right now: text in a focused editor (reactive).
    pub fn has_focused_text(&self) -> bool {
        self.focused.get() && self.body.with(|b| !b.trim().is_empty())
    }
}

/// Adds `text` to the end of a draft, a blank line after what is already written; the one path
/// by which canned responses and suggested articles enter a reply.
pub fn append_to_draft(body: RwSignal<String>, text: &str) {
    body.update(|b| {
        if !b.trim().is_empty() && !b.ends_with('\n') {
            b.push_str("\n\n");
        }
        b.push_str(text);
    });
}
