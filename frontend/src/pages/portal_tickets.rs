//! `/tickets` for customers: their own tickets (the server decides which), newest first.

use leptos::prelude::*;
use protocol::{Page, SortOrder, Ticket, TicketQuery, TicketSort};

use crate::api::use_client;
use crate::components::badges::StatusBadge;
use crate::components::feedback::EmptyState;
use crate::components::loaded::loaded;
use crate::components::page_nav::PageNav;
use crate::format::{datetime, relative};

#[component]
pub fn PortalTicketsPage() -> impl IntoView {
    let client = use_client();
    let page = RwSignal::new(1_u64);
    let tickets = LocalResource::new(move || {
        let query = TicketQuery {
            sort: Some(TicketSort::Updated),
            order: Some(SortOrder::Desc),
            page: Some(page.get()),
            ..Default::default()
        };
        async move { client.tickets(&query).await }
    });

    view! {
        <section class="page portal-page" aria-labelledby="portal-title">
            <div class="page-head">
                <h1 id="portal-title">"My tickets"</h1>
                <a class="btn btn-primary" href="/tickets/new" data-testid="new-ticket-link">"New ticket"</a>
            </div>
            {loaded(tickets, "Loading your tickets…", move |p: Page<Ticket>| view! { <PortalList p page /> })}
        </section>
    }
}

#[component]
fn PortalList(p: Page<Ticket>, page: RwSignal<u64>) -> impl IntoView {
    if p.items.is_empty() {
        return view! {
            <EmptyState>
                <p>"You have no tickets yet."</p>
                <p><a href="/tickets/new">"Ask us something"</a></p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <ul class="portal-list" data-testid="portal-ticket-list">
            {p.items.into_iter().map(|t| view! { <PortalRow t /> }).collect_view()}
        </ul>
        <PageNav current=p.page total=p.total per_page=p.per_page page />
    }
    .into_any()
}

#[component]
fn PortalRow(t: Ticket) -> impl IntoView {
    view! {
        <li class="portal-row card" data-testid="portal-ticket-row" data-ticket-id=t.id>
            <a class="portal-row-subject" data-testid="portal-ticket-link" href=format!("/tickets/{}", t.id)>
                <span class="ticket-number">{format!("#{}", t.number)}</span>
                " "
                {t.subject}
            </a>
            <span class="portal-row-meta">
                <StatusBadge status=t.status />
                <time datetime=t.updated_at.to_rfc3339() title=datetime(t.updated_at)>
                    {format!("Updated {}", relative(t.updated_at))}
                </time>
            </span>
        </li>
    }
}
