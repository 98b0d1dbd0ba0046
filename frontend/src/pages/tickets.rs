//! `/tickets`: the agent queue, filtered and paged through the URL, kept current live.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use protocol::Category;
use protocol::live::Topic;

use crate::api::{Client, use_client};
use crate::auth::use_auth;
use crate::components::feedback::{EmptyState, ErrorNotice, Loading};
use crate::components::pager::Pager;
use crate::components::ticket_filters::TicketFilters;
use crate::components::ticket_table::TicketTable;
use crate::filter::QueueFilter;
use crate::live::use_live;
use crate::pages::tickets_live::{QueueContext, follow_live, queue_shortcuts};
use crate::queue_live::QueueList;
use crate::seen::use_seen;

#[component]
pub fn TicketsPage() -> impl IntoView {
    let client = use_client();
    let live = use_live();
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
    // The fetched page, then patched by live changes until the next fetch.
    let list = RwSignal::new(QueueList::default());
    Effect::new(move |_| {
        tickets.with(|t| {
            if let Some((_, Ok(page))) = t {
                list.set(QueueList {
                    items: page.items.clone(),
                    total: page.total,
                });
            }
        });
    });
    let category_list = category_list(client);

    let user = use_auth().session_untracked().map(|s| s.user);
    let ctx = QueueContext {
        client,
        filter,
        list,
        me: user.as_ref().map(|u| u.id),
        staff: user.as_ref().is_some_and(|u| u.role.is_staff()),
        seen: use_seen(),
        selected: RwSignal::new(None),
        notice: RwSignal::new(None),
        announce: RwSignal::new(String::new()),
        refetch: Callback::new(move |()| tickets.refetch()),
    };
    live.watch(Topic::Queue);
    follow_live(ctx);
    queue_shortcuts(ctx);

    let navigate = use_navigate();
    let on_change = Callback::new(move |f: QueueFilter| navigate(&f.href(), Default::default()));
    let updating = move || tickets.with(|t| t.as_ref().is_some_and(|(shown, _)| *shown != filter.get()));
    let rows = Signal::derive(move || list.with(|l| l.items.clone()));
    let filtered = move || filter.get() != QueueFilter::default();

    view! {
        <section class="page tickets-page" aria-labelledby="tickets-title">
            <QueueHead updating=Signal::derive(updating) />
            <QueueNotices ctx />
            <TicketFilters filter categories=category_list on_change />
            {move || match tickets.with(|t| t.as_ref().map(|(shown, r)| (shown.clone(), r.clone().err()))) {
                None => view! { <Loading label="Loading tickets…" /> }.into_any(),
                Some((_, Some(error))) => {
                    view! { <ErrorNotice error retry=Callback::new(move |()| tickets.refetch()) /> }.into_any()
                }
                Some((shown, None)) => {
                    let pager = move || {
                        let (total, per_page) = (list.with(|l| l.total), crate::filter::PER_PAGE);
                        view! { <Pager filter=shown.clone() total per_page /> }
                    };
                    let empty = move || list.with(|l| l.items.is_empty());
                    view! {
                        <Show
                            when=move || !empty()
                            fallback=move || view! { <EmptyQueue filtered=filtered() /> }
                        >
                            <TicketTable tickets=rows selected=ctx.selected />
                        </Show>
                        {pager}
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// The heading, "Updating…" while a new filter loads, and the shortcuts hint.
#[component]
fn QueueHead(#[prop(into)] updating: Signal<bool>) -> impl IntoView {
    view! {
        <div class="page-head">
            <h1 id="tickets-title">"Tickets"</h1>
            <Show when=move || updating.get()>
                <span class="muted updating" role="status">"Updating…"</span>
            </Show>
            <span class="muted shortcut-hint">"Press " <kbd>"?"</kbd> " for shortcuts"</span>
        </div>
    }
}

/// What happened live, read out to screen readers, and the queue's notice when there is one.
#[component]
fn QueueNotices(ctx: QueueContext) -> impl IntoView {
    view! {
        <p class="visually-hidden" role="status" aria-live="polite" data-testid="queue-announce">
            {move || ctx.announce.get()}
        </p>
        {move || {
            ctx.notice
                .get()
                .map(|n| view! { <p class="notice notice-info" role="status" data-testid="queue-notice">{n}</p> })
        }}
    }
}

/// The categories to filter by, once loaded (the queue works without them).
fn category_list(client: Client) -> Signal<Vec<Category>> {
    let categories = LocalResource::new(move || async move { client.categories().await });
    Signal::derive(move || {
        categories.with(|c| match c {
            Some(Ok(list)) => list.clone(),
            _ => Vec::<Category>::new(),
        })
    })
}

#[component]
fn EmptyQueue(filtered: bool) -> impl IntoView {
    view! {
        <EmptyState>
            <p>
                {if filtered { "No tickets match these filters." } else { "There are no tickets yet." }}
            </p>
        </EmptyState>
    }
}
