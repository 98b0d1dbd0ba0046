//! Quoted history in an HTML message, found in the browser's own parse of it.
//!
//! The server's sanitizer drops `class` and `id`, so Gmail's `div.gmail_quote` and Outlook's
//! `#appendonsend` / `#divRplyFwdMsg` arrive as plain `div`s: the history is found by what it
//! says instead — an attribution ("On …, Ann wrote:"), an Outlook header block ("From: … Sent:
//! … Subject: …", with the rule above it), "-----Original Message-----" or a forward header —
//! and, failing those, a `blockquote` that ends the message. Everything from there to the end
//! folds. A quote with the author's answers after it stays: those answers need their questions.
//!
//! The HTML is parsed in a `<template>`: inert, so nothing loads or runs while it is examined.
//! It was sanitized by the server; splitting it only moves whole nodes between two fragments.

use wasm_bindgen::JsCast;
use web_sys::{Document, DocumentFragment, HtmlTemplateElement, Node};

use crate::quoted::{Fold, is_attribution};

const ELEMENT_NODE: u16 = 1;
const TEXT_NODE: u16 = 3;

/// An Outlook header block is this short: beyond, "From:" starts prose.
const HEADER_BLOCK_CHARS: usize = 600;

/// The message's HTML split into what its author wrote and the history they quoted, if it has
/// such history and something is left once it folds.
pub fn fold_html(html: &str) -> Option<Fold> {
    split_at(html, first_separator).or_else(|| split_at(html, trailing_blockquote))
}

fn split_at(html: &str, find: fn(&Node) -> Option<Node>) -> Option<Fold> {
    let document = web_sys::window()?.document()?;
    let template = template(&document, html)?;
    let content = template.content();
    let root: &Node = content.as_ref();
    let cut = rule_above(find(root)?);
    // The range lives in the template's own (inert) document, where its nodes are.
    let range = root.owner_document()?.create_range().ok()?;
    range.set_start_before(&cut).ok()?;
    range.set_end_after(&root.last_child()?).ok()?;
    let quoted = range.extract_contents().ok()?;
    if !has_substance(&content) || !has_substance(&quoted) {
        return None;
    }
    let holder = template_of(&document)?;
    holder.content().append_child(&quoted).ok()?;
    Some(Fold {
        visible: template.inner_html(),
        quoted: holder.inner_html(),
    })
}

fn template_of(document: &Document) -> Option<HtmlTemplateElement> {
    document.create_element("template").ok()?.dyn_into().ok()
}

fn template(document: &Document, html: &str) -> Option<HtmlTemplateElement> {
    let t = template_of(document)?;
    t.set_inner_html(html);
    Some(t)
}

/// Text or a picture: what makes a part worth showing.
fn has_substance(fragment: &DocumentFragment) -> bool {
    let node: &Node = fragment.as_ref();
    node.text_content().is_some_and(|t| !t.trim().is_empty()) || fragment.query_selector("img").ok().flatten().is_some()
}

/// The first node, in document order, that starts quoted history. Inside a `blockquote`
/// everything is history already, so its content is not searched.
fn first_separator(root: &Node) -> Option<Node> {
    let mut node = root.first_child();
    while let Some(n) = node {
        if is_separator(&n) {
            return Some(n);
        }
        let descend = !is_tag(&n, "BLOCKQUOTE");
        node = next_in_order(&n, root, descend);
    }
    None
}

fn next_in_order(node: &Node, root: &Node, descend: bool) -> Option<Node> {
    if descend && let Some(child) = node.first_child() {
        return Some(child);
    }
    let mut n = node.clone();
    loop {
        if n.is_same_node(Some(root)) {
            return None;
        }
        if let Some(sibling) = n.next_sibling() {
            return Some(sibling);
        }
        n = n.parent_node()?;
    }
}

fn is_separator(n: &Node) -> bool {
    if !matches!(n.node_type(), ELEMENT_NODE | TEXT_NODE) {
        return false;
    }
    let text = plain_text(n);
    if text.is_empty() {
        return false;
    }
    let lower = text.to_lowercase();
    if is_attribution(&text, true) || (is_attribution(&text, false) && next_is_blockquote(n)) {
        return true;
    }
    lower.starts_with("-----original message")
        || lower.starts_with("---------- forwarded message")
        || lower.starts_with("begin forwarded message:")
        || is_header_block(&lower)
}

/// "From: Ann <…>Sent: Monday…To: …Subject: …" (`<br>`s add no spaces to the text).
fn is_header_block(lower: &str) -> bool {
    if !lower.starts_with("from:") {
        return false;
    }
    let head: String = lower.chars().take(HEADER_BLOCK_CHARS).collect();
    ["sent:", "date:", "to:", "subject:", "cc:"]
        .iter()
        .filter(|label| head.contains(*label))
        .count()
        >= 2
}

/// The node's text with non-breaking spaces made plain and runs of white space collapsed.
fn plain_text(n: &Node) -> String {
    let raw = n.text_content().unwrap_or_default();
    raw.replace(['\u{a0}', '\u{202f}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_tag(n: &Node, tag: &str) -> bool {
    n.node_type() == ELEMENT_NODE && n.node_name().eq_ignore_ascii_case(tag)
}

/// White space, line breaks and empty elements separate blocks without being content.
fn is_filler(n: &Node) -> bool {
    match n.node_type() {
        TEXT_NODE => plain_text(n).is_empty(),
        ELEMENT_NODE => {
            is_tag(n, "BR")
                || (!is_tag(n, "IMG")
                    && !is_tag(n, "HR")
                    && plain_text(n).is_empty()
                    && n.dyn_ref::<web_sys::Element>()
                        .is_none_or(|e| e.query_selector("img").ok().flatten().is_none()))
        }
        _ => true,
    }
}

fn next_is_blockquote(n: &Node) -> bool {
    let mut next = n.next_sibling();
    while let Some(s) = next {
        if !is_filler(&s) {
            return is_tag(&s, "BLOCKQUOTE");
        }
        next = s.next_sibling();
    }
    false
}

/// Outlook puts a rule (`<hr>`, after an empty `#appendonsend`) above its header block: it
/// belongs to the history.
fn rule_above(cut: Node) -> Node {
    let mut prev = cut.previous_sibling();
    while let Some(p) = prev {
        if is_tag(&p, "HR") {
            return p;
        }
        if !is_filler(&p) {
            break;
        }
        prev = p.previous_sibling();
    }
    cut
}

/// A `blockquote` with nothing but filler after it, looking into the last block at each level
/// (a reply is often wrapped in a `div`).
fn trailing_blockquote(root: &Node) -> Option<Node> {
    let mut parent = root.clone();
    loop {
        let mut last = parent.last_child();
        while let Some(l) = last.clone().filter(is_filler) {
            last = l.previous_sibling();
        }
        let last = last?;
        if is_tag(&last, "BLOCKQUOTE") {
            return Some(last);
        }
        if last.node_type() != ELEMENT_NODE || !last.has_child_nodes() {
            return None;
        }
        parent = last;
    }
}
