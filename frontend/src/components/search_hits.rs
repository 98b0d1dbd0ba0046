//! Ticket search results: number, subject, status, requester and the matching snippets, each
//! opening its ticket.

use leptos::prelude::*;
use protocol::{Snippet, TicketHit};

use crate::components::badges::StatusBadge;
use crate::components::snippet::{SnippetText, field_label};
use crate::format::{datetime, relative};

#[component]
pub fn TicketHits(hits: Vec<TicketHit>) -> impl IntoView {
    view! {
        <ol class="plain-list search-hits" data-testid="search-results">
            {hits.into_iter().map(|hit| view! { <HitItem hit /> }).collect_view()}
        </ol>
    }
}

#[component]
fn HitItem(hit: TicketHit) -> impl IntoView {
    let t = hit.ticket;
    // A match in the subject is shown in the title itself rather than repeated below it.
    let (subject, others): (Vec<Snippet>, Vec<Snippet>) = hit.snippets.into_iter().partition(|s| s.field == "subject");
    let title = match subject.into_iter().next() {
        Some(snippet) => view! { <SnippetText snippet /> }.into_any(),
        None => t.subject.into_any(),
    };
    view! {
        <li class="card search-hit" data-testid="search-hit" data-ticket-id=t.id>
            <div class="search-hit-head">
                <a class="search-hit-link" href=format!("/tickets/{}", t.id) data-testid="search-hit-link">
                    <span class="ticket-number">{format!("#{}", t.number)}</span>
                    " "
                    {title}
                </a>
                <StatusBadge status=t.status />
            </div>
            <p class="search-hit-meta">
                <span title=t.requester.email>{t.requester.name}</span>
                " · "
                <time datetime=t.updated_at.to_rfc3339() title=datetime(t.updated_at)>
                    {format!("updated {}", relative(t.updated_at))}
                </time>
            </p>
            {others.into_iter().map(|snippet| view! { <SnippetLine snippet /> }).collect_view()}
        </li>
    }
}

#[component]
fn SnippetLine(snippet: Snippet) -> impl IntoView {
    let field = snippet.field.clone();
    let label = field_label(&field);
    view! {
        <p class="snippet" class:snippet-note=field == "notes" data-field=field>
            <span class="snippet-field">{label}</span>
            " "
            <SnippetText snippet />
        </p>
    }
}
