//! `/tickets`: the agent queue, filtered and paged through the URL.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use protocol::Category;

use crate::api::use_client;
use crate::components::feedback::{EmptyState, ErrorNotice, Loading};
use crate::components::pager::Pager;
use crate::components::ticket_filters::TicketFilters;
use crate::components::ticket_table::TicketTable;
use crate::filter::QueueFilter;

#[component]
pub fn TicketsPage() -> impl IntoView {
    let client = use_client();
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(QueueFilter::from_params));

    // The result remembers the filter it answers, to tell a stale list from a current one.
    let tickets = LocalResource::new(move || {
        let f = filter.get();
        async move {
            let result = client.tickets(&f.to_query()).await;
            (f, result)
        }
    });
    let categories = LocalResource::new(move || async move { client.categories().await });
    let category_list = Signal::derive(move || {
        categories.with(|c| match c {
            Some(Ok(list)) => list.clone(),
            _ => Vec::<Category>::new(),
        })
    });

    let navigate = use_navigate();
    let on_change = Callback::new(move |f: QueueFilter| navigate(&f.href(), Default::default()));
    let updating = move || tickets.with(|t| t.as_ref().is_some_and(|(shown, _)| *shown != filter.get()));

    view! {
        <section class="page tickets-page">
            <div class="page-head">
                <h1>"Tickets"</h1>
                <Show when=updating>
                    <span class="muted updating" role="status">"Updating…"</span>
                </Show>
            </div>
            <TicketFilters filter categories=category_list on_change />
            {move || match tickets.get() {
                None => view! { <Loading label="Loading tickets…" /> }.into_any(),
                Some((_, Err(error))) => {
                    view! { <ErrorNotice error retry=Callback::new(move |()| tickets.refetch()) /> }.into_any()
                }
                Some((shown, Ok(page))) if page.items.is_empty() => {
                    let filtered = shown != QueueFilter::default();
                    view! {
                        <EmptyState>
                            <p>
                                {if filtered {
                                    "No tickets match these filters."
                                } else {
                                    "There are no tickets yet."
                                }}
                            </p>
                        </EmptyState>
                        {(shown.page > 1)
                            .then(|| {
                                view! { <Pager filter=shown total=page.total per_page=page.per_page /> }
                            })}
                    }
                        .into_any()
                }
                Some((shown, Ok(page))) => {
                    view! {
                        <TicketTable tickets=page.items />
                        <Pager filter=shown total=page.total per_page=page.per_page />
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
