//! Which search engine answers and how far indexing has caught up (admins): a saved article is
//! found only once indexed, so the KB screen says when changes are still waiting.

use leptos::prelude::*;
use protocol::Role;

use crate::api::use_client;
use crate::auth::use_auth;

#[component]
pub fn SearchIndexStatus() -> impl IntoView {
    let client = use_client();
    let admin = use_auth()
        .session_untracked()
        .is_some_and(|s| s.user.role == Role::Admin);
    let status =
        LocalResource::new(move || async move { if admin { client.search_status().await.ok() } else { None } });
    move || {
        status.get().flatten().map(|s| {
            let waiting = if s.pending == 0 {
                "up to date".to_owned()
            } else {
                format!("{} changes waiting", s.pending)
            };
            view! {
                <p class="muted search-status" data-testid="search-status">
                    {format!("Search: {} · {} tickets and {} articles indexed · {waiting}", s.engine, s.tickets, s.articles)}
                </p>
            }
        })
    }
}
