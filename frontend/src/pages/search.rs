//! `/search`: full-text search over tickets, with filters, order and page kept in the URL.

use leptos::html;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use protocol::{Category, Page, TicketHit, User};

use crate::api::{ApiError, Client, use_client};
use crate::auth::use_auth;
use crate::components::feedback::{EmptyState, ErrorNotice, Loading};
use crate::components::pager::Pager;
use crate::components::search_box::SearchBox;
use crate::components::search_filters::SearchFilters;
use crate::components::search_hits::TicketHits;
use crate::search_filter::SearchFilter;

/// The id of the search field, which the `/` shortcut focuses.
pub const SEARCH_INPUT_ID: &str = "search-q";

#[component]
pub fn SearchPage() -> impl IntoView {
    let client = use_client();
    let staff = use_auth().session_untracked().is_some_and(|s| s.user.role.is_staff());
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(SearchFilter::from_params));

    // The result remembers the search it answers, to tell a stale list from a current one.
    let results = LocalResource::new(move || {
        let f = filter.get();
        async move {
            let result = if f.is_blank() {
                None
            } else {
                Some(client.search_tickets(&f.to_params()).await)
            };
            (f, result)
        }
    });
    let (category_list, agents) = filter_choices(client, staff);

    let navigate = use_navigate();
    let on_change = {
        let navigate = navigate.clone();
        Callback::new(move |f: SearchFilter| navigate(&f.href(), Default::default()))
    };
    // Typing replaces the history entry: Back leaves the search, not one word at a time.
    let on_search = Callback::new(move |q: String| {
        let next = SearchFilter {
            q,
            page: 1,
            ..filter.get_untracked()
        };
        let options = NavigateOptions {
            replace: true,
            ..Default::default()
        };
        navigate(&next.href(), options);
    });
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let current_q = Signal::derive(move || filter.with(|f| f.q.clone()));
    let updating = move || results.with(|r| r.as_ref().is_some_and(|(shown, _)| *shown != filter.get()));

    view! {
        <section class="page search-page" aria-labelledby="search-title">
            <div class="page-head">
                <h1 id="search-title">"Search"</h1>
                <Show when=updating>
                    <span class="muted updating" role="status">"Searching…"</span>
                </Show>
                <span class="muted shortcut-hint">"Press " <kbd>"/"</kbd> " to search from anywhere"</span>
            </div>
            <SearchBox
                id=SEARCH_INPUT_ID
                testid="search-input"
                label="Search tickets"
                placeholder="Search subjects, messages and notes… (\"quoted phrase\")"
                current=current_q
                on_search
                node_ref=input
            />
            <SearchFilters filter categories=category_list agents on_change />
            {move || {
                let retry = Callback::new(move |()| results.refetch());
                search_results(results.get(), retry)
            }}
        </section>
    }
}

/// What the filters offer: the categories, and (for staff) the agents who may hold tickets.
fn filter_choices(client: Client, staff: bool) -> (Signal<Vec<Category>>, Signal<Vec<User>>) {
    let categories = LocalResource::new(move || async move { client.categories().await });
    let category_list = Signal::derive(move || match categories.get() {
        Some(Ok(list)) => list,
        _ => Vec::<Category>::new(),
    });
    // The directory is staff-only: customers search their own tickets, with no assignee filter.
    let users = LocalResource::new(move || async move { if staff { client.users().await } else { Ok(Vec::new()) } });
    let agents = Signal::derive(move || match users.get() {
        Some(Ok(list)) => list.into_iter().filter(|u| u.role.is_staff()).collect(),
        _ => Vec::<User>::new(),
    });
    (category_list, agents)
}

/// A search's result (`None` while nothing is asked), with the filter it answers.
type Answer = (SearchFilter, Option<Result<Page<TicketHit>, ApiError>>);

/// The results below the filters: loading, a hint, an error, none, or the hits with count and pager.
fn search_results(results: Option<Answer>, retry: Callback<()>) -> AnyView {
    match results {
        None => view! { <Loading label="Searching…" /> }.into_any(),
        Some((_, None)) => view! {
            <p class="muted search-hint" data-testid="search-hint">
                "Type a few words, or pick a filter, to find tickets."
            </p>
        }
        .into_any(),
        Some((_, Some(Err(error)))) => view! { <ErrorNotice error retry /> }.into_any(),
        Some((shown, Some(Ok(page)))) if page.items.is_empty() => {
            let what = if shown.q.is_empty() {
                "these filters"
            } else {
                "your search"
            };
            view! {
                <EmptyState>
                    <p>{format!("No tickets match {what}.")}</p>
                </EmptyState>
            }
            .into_any()
        }
        Some((shown, Some(Ok(page)))) => {
            let (total, per_page) = (page.total, page.per_page);
            let count = if total == 1 {
                "1 ticket".to_owned()
            } else {
                format!("{total} tickets")
            };
            view! {
                <p class="visually-hidden" role="status" data-testid="search-count">{count}</p>
                <TicketHits hits=page.items />
                <Pager filter=shown total per_page />
            }
            .into_any()
        }
    }
}
