//! `/tickets/:id`: one ticket with its thread and the reply box.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use protocol::{Ticket, TicketDetail};

use crate::api::{ApiError, use_client};
use crate::auth::use_auth;
use crate::components::badges::{PriorityBadge, StatusBadge};
use crate::components::feedback::{ErrorNotice, Loading};
use crate::components::message::MessageItem;
use crate::components::reply_box::ReplyBox;
use crate::components::ticket_sidebar::TicketSidebar;

#[component]
pub fn TicketPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));

    // A new ticket gets a fresh view (and an empty reply box).
    move || match id.get() {
        Some(id) => view! { <TicketView id /> }.into_any(),
        None => view! {
            <section class="page">
                <ErrorNotice error=ApiError::Http { status: 404 } />
                <p><a href="/tickets">"Back to the tickets"</a></p>
            </section>
        }
        .into_any(),
    }
}

#[component]
fn TicketView(id: i64) -> impl IntoView {
    let client = use_client();
    let staff = use_auth().session_untracked().is_some_and(|s| s.user.role.is_staff());
    let detail = LocalResource::new(move || async move { client.ticket(id).await });
    let categories = LocalResource::new(move || async move { client.categories().await });

    let loaded = Memo::new(move |_| detail.with(|d| matches!(d, Some(Ok(_)))));
    let version = Signal::derive(move || {
        detail.with(|d| match d {
            Some(Ok(d)) => d.ticket.version,
            _ => 0,
        })
    });
    let on_updated = Callback::new(move |d: TicketDetail| detail.set(Some(Ok(d))));
    let category_name = move |category_id: Option<i64>| {
        let category_id = category_id?;
        categories.with(|c| match c {
            Some(Ok(list)) => list.iter().find(|c| c.id == category_id).map(|c| c.name.clone()),
            _ => None,
        })
    };

    let current = move || detail.get().and_then(Result::ok);

    view! {
        <section class="page ticket-page">
            <p class="back-link"><a href="/tickets">"← All tickets"</a></p>
            {move || match detail.get() {
                None => Some(view! { <Loading label="Loading ticket…" /> }.into_any()),
                Some(Err(error)) => {
                    let retry = Callback::new(move |()| detail.refetch());
                    Some(view! { <ErrorNotice error retry /> }.into_any())
                }
                Some(Ok(_)) => None,
            }}
            <Show when=move || loaded.get()>
                {move || current().map(|d| view! { <TicketHeader ticket=d.ticket /> })}
                <div class="ticket-layout">
                    <div class="ticket-main">
                        {move || current().map(|d| view! { <Thread detail=d /> })}
                        <ReplyBox ticket_id=id version staff on_updated />
                    </div>
                    {move || {
                        current()
                            .map(|d| {
                                let category = category_name(d.ticket.category_id);
                                view! {
                                    <TicketSidebar
                                        ticket=d.ticket
                                        subscribers=d.subscribers
                                        events=d.events
                                        category
                                    />
                                }
                            })
                    }}
                </div>
            </Show>
        </section>
    }
}

#[component]
fn TicketHeader(ticket: Ticket) -> impl IntoView {
    let assignee = match ticket.assignee {
        Some(a) => view! { <span>{a.name}</span> }.into_any(),
        None => view! { <span class="muted">"Unassigned"</span> }.into_any(),
    };
    view! {
        <header class="ticket-header">
            <h1>
                <span class="ticket-number" data-testid="ticket-number">
                    {format!("#{}", ticket.number)}
                </span>
                " "
                <span data-testid="ticket-subject">{ticket.subject}</span>
            </h1>
            <div class="ticket-badges">
                <StatusBadge status=ticket.status />
                <PriorityBadge priority=ticket.priority />
                {ticket.tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
            </div>
            <p class="ticket-people">
                <span>
                    "From "
                    <strong data-testid="ticket-requester" title=ticket.requester.email>
                        {ticket.requester.name}
                    </strong>
                </span>
                <span>"Assignee: " <strong data-testid="ticket-assignee">{assignee}</strong></span>
            </p>
        </header>
    }
}

#[component]
fn Thread(detail: TicketDetail) -> impl IntoView {
    if detail.messages.is_empty() {
        return view! { <p class="muted">"No messages yet."</p> }.into_any();
    }
    view! {
        <ol class="thread" aria-label="Messages" data-testid="thread">
            {detail
                .messages
                .into_iter()
                .map(|m| view! { <li><MessageItem message=m /></li> })
                .collect_view()}
        </ol>
    }
    .into_any()
}
