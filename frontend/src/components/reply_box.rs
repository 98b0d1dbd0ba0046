//! Writing a reply or an internal note, against the ticket version that was read.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{PostMessage, Ticket, TicketDetail, TicketStatus};

use crate::api::{PostKind, use_client};
use crate::format::status_label;

#[component]
pub fn ReplyBox(
    ticket_id: i64,
    /// The version of the ticket on screen; sent with the message.
    #[prop(into)]
    version: Signal<i64>,
    /// Staff may write internal notes and change the status.
    staff: bool,
    /// Called with the ticket as it is after posting (or after reloading).
    #[prop(into)]
    on_updated: Callback<TicketDetail>,
) -> impl IntoView {
    let client = use_client();
    let kind = RwSignal::new(PostKind::Reply);
    let body = RwSignal::new(String::new());
    let status = RwSignal::new(None::<TicketStatus>);
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // `Some` after a version conflict: the ticket as the server has it now, if it said.
    let conflict = RwSignal::new(None::<Option<Ticket>>);

    let send = move || {
        let text = body.get_untracked();
        if text.trim().is_empty() {
            error.set(Some("Write a message before sending.".into()));
            return;
        }
        let msg = PostMessage {
            body: text,
            version: version.get_untracked(),
            status: status.get_untracked(),
            attachment_ids: Vec::new(),
        };
        let which = kind.get_untracked();
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = client.post_message(ticket_id, which, &msg).await;
            sending.set(false);
            match result {
                Ok(detail) => {
                    body.set(String::new());
                    status.set(None);
                    conflict.set(None);
                    on_updated.run(detail);
                }
                Err(e) if e.is_conflict() => conflict.set(Some(e.current_ticket().cloned())),
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    let reload = move || {
        sending.set(true);
        spawn_local(async move {
            let result = client.ticket(ticket_id).await;
            sending.set(false);
            match result {
                Ok(detail) => {
                    conflict.set(None);
                    error.set(None);
                    on_updated.run(detail);
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    let is_note = move || kind.get() == PostKind::Note;
    let send_label = move || match (kind.get(), sending.get()) {
        (_, true) => "Sending…",
        (PostKind::Reply, false) => "Send reply",
        (PostKind::Note, false) => "Add note",
    };

    view! {
        <section class="reply-box" class:reply-box-note=is_note aria-label="Reply">
            {move || conflict.get().map(|current| view! { <ConflictBanner current reload /> })}
            <form on:submit=move |ev| {
                ev.prevent_default();
                send();
            }>
                <ModeToggle kind staff />
                <label class="visually-hidden" for="reply-body">"Message"</label>
                <textarea
                    id="reply-body"
                    rows="6"
                    data-testid="reply-body"
                    placeholder=move || {
                        if is_note() {
                            "Internal note: only staff can see this…"
                        } else {
                            "Write your reply to the requester…"
                        }
                    }
                    bind:value=body
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                            ev.prevent_default();
                            send();
                        }
                    }
                ></textarea>
                {move || {
                    error
                        .get()
                        .map(|e| {
                            view! {
                                <p class="form-error" role="alert" data-testid="reply-error">{e}</p>
                            }
                        })
                }}
                <div class="reply-actions">
                    {staff.then(|| view! { <StatusSelect status /> })}
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="reply-send"
                        disabled=move || sending.get()
                    >
                        {send_label}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// "Reply" / "Internal note"; customers only reply.
#[component]
fn ModeToggle(kind: RwSignal<PostKind>, staff: bool) -> impl IntoView {
    staff.then(|| {
        let button = move |k: PostKind, label: &'static str, testid: &'static str| {
            view! {
                <button
                    type="button"
                    class="toggle"
                    class:active=move || kind.get() == k
                    aria-pressed=move || (kind.get() == k).to_string()
                    data-testid=testid
                    on:click=move |_| kind.set(k)
                >
                    {label}
                </button>
            }
        };
        view! {
            <div class="mode-toggle" role="group" aria-label="Message type">
                {button(PostKind::Reply, "Reply", "mode-reply")}
                {button(PostKind::Note, "Internal note", "mode-note")}
            </div>
        }
    })
}

#[component]
fn StatusSelect(status: RwSignal<Option<TicketStatus>>) -> impl IntoView {
    view! {
        <label class="field-inline">
            <span>"Then set status"</span>
            <select
                data-testid="reply-status"
                on:change=move |ev| status.set(TicketStatus::parse(&event_target_value(&ev)))
            >
                <option value="" prop:selected=move || status.get().is_none()>
                    "(unchanged)"
                </option>
                {TicketStatus::ALL
                    .iter()
                    .copied()
                    .map(|s| {
                        view! {
                            <option value=s.as_str() prop:selected=move || status.get() == Some(s)>
                                {status_label(s)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// Shown when someone else changed the ticket first; the draft is kept.
#[component]
fn ConflictBanner(current: Option<Ticket>, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let detail = current.map(|t| {
        let who = t.assignee.map_or("nobody".to_owned(), |a| a.name);
        format!("It is now {}, assigned to {who}.", status_label(t.status))
    });
    view! {
        <div class="notice notice-warning conflict-banner" role="alert" data-testid="conflict-banner">
            <p>
                <strong>"This ticket changed while you were writing."</strong>
                " "
                {detail}
                " Your text is kept: reload the ticket, read what changed, then send again."
            </p>
            <button type="button" class="btn" data-testid="conflict-reload" on:click=move |_| reload()>
                "Reload ticket"
            </button>
        </div>
    }
}
