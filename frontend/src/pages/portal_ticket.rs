//! `/tickets/:id` for customers: the thread as the server gives it (it never includes internal
//! notes), the rating from the "closed" mail, and a reply box with attachments.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::live::Topic;
use protocol::{Rating, Ticket, TicketDetail, TicketStatus};

use crate::api::{ApiError, use_client};
use crate::components::custom_field_value::CustomFieldValues;
use crate::components::feedback::{ErrorNotice, Loading};
use crate::components::message::MessageItem;
use crate::components::portal_reply::PortalReply;
use crate::components::presence::TicketPresence;
use crate::components::ticket_title::{TicketStatusTag, TicketTitle};
use crate::format::datetime;
use crate::live::{LiveEvent, use_live};

#[component]
pub fn PortalTicketView(id: i64) -> impl IntoView {
    let client = use_client();
    let detail = RwSignal::new(None::<Result<TicketDetail, ApiError>>);
    let load = move || {
        spawn_local(async move {
            let result = client.ticket(id).await;
            // A failed reload keeps the thread on screen.
            if result.is_ok() || detail.with_untracked(|d| !matches!(d, Some(Ok(_)))) {
                detail.set(Some(result));
            }
        });
    };
    load();
    // An agent's reply or a status change shows up without a reload.
    let live = use_live();
    live.watch(Topic::Ticket(id));
    live.on_event(move |ev| match ev {
        LiveEvent::Ticket(c) if c.ticket.id == id => load(),
        LiveEvent::Ticket(_) => {}
        LiveEvent::Reconnected { .. } | LiveEvent::Resync => load(),
    });
    let version = Signal::derive(move || {
        detail.with(|d| match d {
            Some(Ok(d)) => d.ticket.version,
            _ => 0,
        })
    });

    view! {
        <section class="page portal-ticket-page" aria-labelledby="ticket-title">
            <p class="back-link"><a href="/tickets">"← My tickets"</a></p>
            {move || match detail.get() {
                None => view! { <Loading label="Loading ticket…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error retry=Callback::new(move |()| load()) /> }.into_any(),
                Some(Ok(d)) => {
                    let TicketDetail { ticket, messages, custom_fields, .. } = d;
                    view! {
                        <PortalTicketHeader
                            ticket
                            on_updated=Callback::new(move |d: TicketDetail| detail.set(Some(Ok(d))))
                        />
                        <CustomFieldValues values=custom_fields />
                        <ol class="thread" aria-label="Messages" data-testid="thread">
                            {messages.into_iter().map(|m| view! { <li><MessageItem message=m /></li> }).collect_view()}
                        </ol>
                    }
                        .into_any()
                }
            }}
            <Show when=move || matches!(detail.get(), Some(Ok(_)))>
                <TicketPresence ticket_id=id staff=false />
                <PortalReply
                    ticket_id=id
                    version
                    on_updated=Callback::new(move |d: TicketDetail| detail.set(Some(Ok(d))))
                    on_stale=Callback::new(move |()| load())
                />
            </Show>
        </section>
    }
}

#[component]
fn PortalTicketHeader(ticket: Ticket, on_updated: Callback<TicketDetail>) -> impl IntoView {
    let closed = matches!(ticket.status, TicketStatus::Closed | TicketStatus::Resolved);
    view! {
        <header class="ticket-header" data-testid="ticket-header" data-version=ticket.version>
            <TicketTitle number=ticket.number subject=ticket.subject />
            <div class="ticket-badges">
                <TicketStatusTag status=ticket.status />
                <span class="muted">{format!("Opened {}", datetime(ticket.created_at))}</span>
            </div>
            {closed
                .then(|| {
                    view! {
                        <RatingNote
                            ticket_id=ticket.id
                            rating=ticket.rating
                            comment=ticket.rating_comment
                            on_updated
                        />
                    }
                })}
        </header>
    }
}

/// The requester's rating: three buttons and an optional comment until they rate (here or from
/// the "closed" mail); then what they said.
#[component]
fn RatingNote(
    ticket_id: i64,
    rating: Option<String>,
    comment: Option<String>,
    on_updated: Callback<TicketDetail>,
) -> impl IntoView {
    let client = use_client();
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let text = match rating.as_deref() {
        Some("good") => "You rated our help: Good. Thank you!",
        Some("ok") => "You rated our help: OK. Thank you!",
        Some("bad") => "You rated our help: Bad. Thank you for telling us.",
        Some(_) => "You rated our help. Thank you!",
        None => "How did we do?",
    };
    let rated = rating.is_some();
    let rate = move |r: Rating| {
        let said = Some(draft.get_untracked().trim().to_owned()).filter(|c| !c.is_empty());
        spawn_local(async move {
            match client.rate(ticket_id, r, said).await {
                Ok(d) => on_updated.run(d),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="notice notice-info rating" data-testid="ticket-rating" data-rating=rating.unwrap_or_default()>
            <p>{text}</p>
            {comment
                .filter(|c| !c.is_empty())
                .map(|c| view! { <blockquote class="rating-comment" data-testid="rating-comment">{c}</blockquote> })}
            {(!rated).then(|| view! {
                <div class="field">
                    <label for="rating-comment-input">"Anything you want to tell us? (optional)"</label>
                    <textarea id="rating-comment-input" rows="2" maxlength="2000" data-testid="rating-comment-input" bind:value=draft></textarea>
                </div>
                <div class="rating-buttons" role="group" aria-label="Rate our help">
                    <button type="button" data-testid="rate-good" on:click=move |_| rate(Rating::Good)>"Good"</button>
                    <button type="button" data-testid="rate-ok" on:click=move |_| rate(Rating::Ok)>"OK"</button>
                    <button type="button" data-testid="rate-bad" on:click=move |_| rate(Rating::Bad)>"Bad"</button>
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e.user_message()}</p> })}
        </div>
    }
}
