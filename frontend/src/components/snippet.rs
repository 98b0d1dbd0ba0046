//! A search snippet with its matched words highlighted.
//!
//! The server sends plain text and byte ranges, never markup: each piece is rendered as a text
//! node, so nothing in a ticket or article can inject HTML through a search result.

use leptos::prelude::*;
use protocol::Snippet;

#[component]
pub fn SnippetText(snippet: Snippet) -> impl IntoView {
    snippet
        .runs()
        .into_iter()
        .map(|(piece, hit)| {
            let piece = piece.to_owned();
            if hit {
                view! { <mark data-testid="search-mark">{piece}</mark> }.into_any()
            } else {
                piece.into_any()
            }
        })
        .collect_view()
}

/// How a snippet's field is named to a reader.
pub fn field_label(field: &str) -> &'static str {
    match field {
        "subject" => "Subject",
        "messages" => "Message",
        "notes" => "Internal note",
        "title" => "Title",
        "body" => "Article",
        _ => "Match",
    }
}
