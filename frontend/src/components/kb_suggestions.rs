//! Knowledge-base articles that might answer a new ticket before it is sent: searched with the
//! subject as it is typed (once typing pauses), opened in a new tab so the form is not lost.

use leptos::prelude::*;
use protocol::{KbHit, KbSearchParams};

use crate::api::use_client;
use crate::components::kb_hit::KbHitSummary;
use crate::debounce::{TYPING_PAUSE, debounced};

/// Fewer characters match too much to be worth suggesting.
const MIN_CHARS: usize = 3;
const LIMIT: u64 = 5;

#[component]
pub fn KbSuggestions(
    /// The subject typed so far, to search articles with.
    #[prop(into)]
    subject: Signal<String>,
) -> impl IntoView {
    let client = use_client();
    let words = Memo::new(move |_| subject.with(|s| s.trim().to_owned()));
    let settled: Signal<String> = debounced(words.into(), TYPING_PAUSE);
    let hits = LocalResource::new(move || {
        let q = settled.get();
        async move {
            if q.chars().count() < MIN_CHARS {
                return Vec::new();
            }
            let params = KbSearchParams {
                q,
                category_id: None,
                limit: Some(LIMIT),
            };
            // Only a help while writing: a failed search shows nothing rather than an error.
            client.kb_search(&params).await.unwrap_or_else(|e| {
                leptos::logging::warn!("article suggestions failed: {e:?}");
                Vec::new()
            })
        }
    });
    // The previous hits stay while the next search runs, so the list does not flicker.
    let shown = Signal::derive(move || hits.get().unwrap_or_default());

    view! {
        <section
            class="kb-suggestions"
            data-testid="kb-suggestions"
            aria-labelledby="kb-suggestions-title"
            hidden=move || shown.with(Vec::is_empty)
        >
            <h2 id="kb-suggestions-title">"These articles might answer your question"</h2>
            <ul class="plain-list" aria-live="polite">
                {move || shown.get().into_iter().map(|hit| view! { <Suggestion hit /> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Suggestion(hit: KbHit) -> impl IntoView {
    let id = hit.id;
    view! {
        <li class="kb-suggestion" data-testid="kb-suggestion" data-article-id=id>
            <KbHitSummary hit new_tab=true />
        </li>
    }
}
