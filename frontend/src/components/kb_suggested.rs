//! "Suggested articles" beside a ticket (staff): the knowledge-base articles the server finds
//! most relevant to it, each with "Insert" to quote it in the reply.

use leptos::prelude::*;
use protocol::{KbHit, KbVisibility};

use crate::api::use_client;
use crate::components::composer::Composer;
use crate::components::kb_hit::{KbHitSummary, article_href};

#[component]
pub fn SuggestedArticles(ticket_id: i64, composer: Composer) -> impl IntoView {
    let client = use_client();
    let hits = LocalResource::new(move || async move { client.kb_suggestions(ticket_id).await });
    view! {
        <section class="kb-suggested-panel" data-testid="kb-suggested-panel" aria-labelledby="kb-suggested-title">
            <h2 id="kb-suggested-title">"Suggested articles"</h2>
            {move || match hits.get() {
                None => view! { <p class="muted">"Looking for articles…"</p> }.into_any(),
                Some(Err(e)) => {
                    view! {
                        <p class="muted" data-testid="kb-suggested-error">
                            {e.user_message()} " "
                            <button type="button" class="btn btn-ghost" on:click=move |_| hits.refetch()>
                                "Try again"
                            </button>
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="muted" data-testid="kb-suggested-none">"No article matches this ticket."</p> }
                        .into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <ul class="plain-list">
                            {list.into_iter().map(|hit| view! { <Suggested hit composer /> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn Suggested(hit: KbHit, composer: Composer) -> impl IntoView {
    let id = hit.id;
    let text = article_reference(&hit);
    let hint = match hit.visibility {
        KbVisibility::Public => "Add the title, link and matching passage to the reply",
        KbVisibility::Agents => {
            "Add the title and matching passage (no link: customers cannot open agents-only articles)"
        }
    };
    view! {
        <li class="kb-suggested" data-testid="kb-suggested" data-article-id=id>
            <KbHitSummary hit new_tab=true />
            <button
                type="button"
                class="btn kb-insert"
                data-testid="kb-insert"
                title=hint
                on:click=move |_| composer.insert(&text)
            >
                "Insert"
            </button>
        </li>
    }
}

/// What "Insert" adds to the draft: the title, a link the customer can open, and the passage
/// that matched. Agents-only articles get no link: the customer could not open it.
fn article_reference(hit: &KbHit) -> String {
    let mut out = hit.title.clone();
    if hit.visibility == KbVisibility::Public {
        out.push('\n');
        out.push_str(&absolute_url(&hit.url, hit.id));
    }
    let passage = hit
        .snippet
        .as_ref()
        .filter(|s| s.field != "title")
        .map(|s| s.text.trim())
        .filter(|t| !t.is_empty());
    if let Some(passage) = passage {
        out.push_str("\n\n");
        out.push_str(passage);
    }
    out
}

/// A link that works from a mail: the server's `url` made absolute against this site (it may be
/// a path), or the portal page when the server sent none.
fn absolute_url(url: &str, id: i64) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        return url.to_owned();
    }
    let path = if url.starts_with('/') {
        url.to_owned()
    } else {
        article_href(id)
    };
    let origin = window().location().origin().unwrap_or_default();
    format!("{origin}{path}")
}
