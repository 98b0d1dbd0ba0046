//! `/tickets/:id`: one ticket with its thread and the reply box, kept current live.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use protocol::{Message, MessageKind, Role, Ticket, TicketDetail};

use crate::api::{ApiError, use_client};
use crate::auth::use_auth;
use crate::components::badges::PriorityBadge;
use crate::components::composer::Composer;
use crate::components::conflict_banner::Conflict;
use crate::components::custom_field_editor::CustomFieldEditor;
use crate::components::feedback::{ErrorNotice, Loading};
use crate::components::kb_suggested::SuggestedArticles;
use crate::components::message::MessageItem;
use crate::components::presence::TicketPresence;
use crate::components::reply_box::ReplyBox;
use crate::components::sla_block::SlaBlock;
use crate::components::ticket_actions::TicketActions;
use crate::components::ticket_history::TicketHistory;
use crate::components::ticket_sidebar::TicketSidebar;
use crate::components::ticket_title::{TicketStatusTag, TicketTitle};
use crate::components::time_entries::TimeEntries;
use crate::pages::portal_ticket::PortalTicketView;
use crate::pages::ticket_live::{TicketContext, follow_live, ticket_shortcuts};
use crate::staff_directory::StaffDirectory;

#[component]
pub fn TicketPage() -> impl IntoView {
    let params = use_params_map();
    let auth = use_auth();
    let is_customer = move || auth.user().is_some_and(|u| u.role == Role::Customer);
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));

    // A new ticket gets a fresh view (and an empty reply box).
    move || match id.get() {
        Some(id) if is_customer() => view! { <PortalTicketView id /> }.into_any(),
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
    let auth = use_auth();
    let user = auth.session_untracked().map(|s| s.user);
    let staff = user.as_ref().is_some_and(|u| u.role.is_staff());
    let admin = user.as_ref().is_some_and(|u| u.role == Role::Admin);
    let directory = StaffDirectory::load(client);

    let ctx = TicketContext::new(id, client, user.map(|u| u.id), staff, Composer::new());
    ctx.load(false);
    follow_live(ctx);
    ticket_shortcuts(ctx);

    let detail = ctx.detail;
    let ticket = Memo::new(move |_| ctx.with_detail(|d| d.ticket.clone()));
    let messages = Memo::new(move |_| ctx.with_detail(|d| d.messages.clone()).unwrap_or_default());
    let loaded = Memo::new(move |_| ticket.with(Option::is_some));
    let version = Signal::derive(move || ticket.with(|t| t.as_ref().map_or(0, |t| t.version)));

    view! {
        <section class="page ticket-page" aria-labelledby="ticket-title">
            <p class="back-link"><a href="/tickets">"← All tickets"</a></p>
            {move || match detail.with(|d| d.as_ref().map(|r| r.as_ref().err().cloned())) {
                None => Some(view! { <Loading label="Loading ticket…" /> }.into_any()),
                Some(Some(error)) => {
                    let retry = Callback::new(move |()| ctx.load(false));
                    Some(view! { <ErrorNotice error retry /> }.into_any())
                }
                Some(None) => None,
            }}
            <Show when=move || loaded.get()>
                {move || ticket.get().map(|t| view! { <TicketHeader ticket=t ctx /> })}
                <TicketPresence ticket_id=id staff />
                <p class="visually-hidden" role="status" aria-live="polite" data-testid="ticket-announce">
                    {move || ctx.announce.get()}
                </p>
                <div class="ticket-layout">
                    <div class="ticket-main">
                        <Thread messages ctx />
                        <ReplyBox
                            ticket_id=id
                            version
                            staff
                            composer=ctx.composer
                            on_updated=Callback::new(move |d: TicketDetail| ctx.own_change(d))
                            on_conflict=Callback::new(move |c: Conflict| ctx.conflict_seen(c))
                        />
                    </div>
                    <div class="ticket-side">
                        {staff.then(|| view! { <SlaBlock ticket admin /> })}
                        {staff.then(|| view! { <TicketActions ctx directory /> })}
                        {staff.then(|| view! { <CustomFieldEditor ctx /> })}
                        {staff.then(|| view! { <TimeEntries ctx /> })}
                        {move || {
                            ctx.with_detail(|d| {
                                let category = d.ticket.category_id.and_then(|c| directory.category_name(c));
                                view! { <TicketSidebar ticket=d.ticket.clone() category /> }
                            })
                        }}
                        {staff.then(|| view! { <TicketHistory ctx directory /> })}
                        {staff.then(|| view! { <SuggestedArticles ticket_id=id composer=ctx.composer /> })}
                    </div>
                </div>
            </Show>
        </section>
    }
}

#[component]
fn TicketHeader(ticket: Ticket, ctx: TicketContext) -> impl IntoView {
    let mine = ticket.assignee.as_ref().map(|a| a.id) == ctx.me && ctx.me.is_some();
    let assignee = match ticket.assignee {
        Some(a) => view! { <span>{a.name}</span> }.into_any(),
        None => view! { <span class="muted">"Unassigned"</span> }.into_any(),
    };
    let can_take = ctx.staff && !mine;
    view! {
        <header class="ticket-header" data-testid="ticket-header" data-version=ticket.version>
            <TicketTitle number=ticket.number subject=ticket.subject />
            <div class="ticket-badges">
                <TicketStatusTag status=ticket.status />
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
                {can_take
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn"
                                data-testid="take"
                                title="Assign to me (a)"
                                disabled=move || ctx.taking.get()
                                on:click=move |_| ctx.take()
                            >
                                "Assign to me"
                            </button>
                        }
                    })}
            </p>
            {move || {
                ctx.action_error
                    .get()
                    .map(|e| view! { <p class="form-error" role="alert" data-testid="ticket-action-error">{e}</p> })
            }}
        </header>
    }
}

#[component]
fn Thread(messages: Memo<Vec<Message>>, ctx: TicketContext) -> impl IntoView {
    let navigate = use_navigate();
    let open = Callback::new(move |id: i64| navigate(&format!("/tickets/{id}"), Default::default()));
    let first = Memo::new(move |_| messages.with(|m| m.first().map(|m| m.id)));
    // The first message is what the ticket is about; notes and system lines are not mail to
    // split off (the server moves customer mail and replies).
    let split_for = move |m: &Message| {
        let can = ctx.staff
            && Some(m.id) != first.get_untracked()
            && matches!(m.kind, MessageKind::Customer | MessageKind::Reply);
        can.then(|| Callback::new(move |message_id: i64| ctx.split(message_id, open)))
    };
    view! {
        <Show
            when=move || messages.with(|m| !m.is_empty())
            fallback=|| view! { <p class="muted">"No messages yet."</p> }
        >
            <ol class="thread" aria-label="Messages" data-testid="thread">
                <For
                    each=move || messages.get()
                    key=|m| m.id
                    children=move |m| {
                        let on_split = split_for(&m);
                        view! { <li><MessageItem message=m on_split /></li> }
                    }
                />
            </ol>
        </Show>
    }
}
