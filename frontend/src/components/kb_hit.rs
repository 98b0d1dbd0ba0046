//! One article found by a search: its title (with the matched words marked when the title
//! matched) as a link, and the matching part of its text.

use leptos::prelude::*;
use protocol::{KbHit, Snippet};

use crate::components::badges::KbVisibilityBadge;
use crate::components::snippet::SnippetText;

/// The portal page of an article.
pub fn article_href(id: i64) -> String {
    format!("/kb/{id}")
}

#[component]
pub fn KbHitSummary(
    hit: KbHit,
    /// Open the article in a new tab (so a half-written form is not lost).
    #[prop(optional)]
    new_tab: bool,
) -> impl IntoView {
    let (title_snippet, body_snippet): (Option<Snippet>, Option<Snippet>) = match hit.snippet {
        Some(s) if s.field == "title" => (Some(s), None),
        other => (None, other),
    };
    let title = match title_snippet {
        Some(snippet) => view! { <SnippetText snippet /> }.into_any(),
        None => hit.title.into_any(),
    };
    let (target, rel) = if new_tab {
        (Some("_blank"), Some("noopener"))
    } else {
        (None, None)
    };
    view! {
        <a class="kb-hit-title" href=article_href(hit.id) target=target rel=rel data-testid="kb-hit-link">
            {title}
        </a>
        " "
        <KbVisibilityBadge visibility=hit.visibility />
        {body_snippet.map(|snippet| view! { <p class="snippet kb-snippet"><SnippetText snippet /></p> })}
    }
}
