//! Writing a reply or an internal note, against the ticket version the draft was started on,
//! with files: uploaded to the ticket first, then named by the message (`attachment_ids`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{PostMessage, TicketDetail, TicketStatus};

use crate::api::{PostKind, use_client};
use crate::components::canned_picker::CannedPicker;
use crate::components::composer::Composer;
use crate::components::conflict_banner::{Conflict, ConflictBanner};
use crate::components::file_picker::{FilePicker, PickedFiles};
use crate::format::status_label;

#[component]
pub fn ReplyBox(
    ticket_id: i64,
    /// The version of the ticket on screen.
    #[prop(into)]
    version: Signal<i64>,
    /// Staff may write internal notes and change the status.
    staff: bool,
    composer: Composer,
    /// Called with the ticket as it is after posting.
    #[prop(into)]
    on_updated: Callback<TicketDetail>,
    /// Called when the server refused the draft as written against an old version.
    #[prop(into)]
    on_conflict: Callback<Conflict>,
) -> impl IntoView {
    let client = use_client();
    let Composer {
        kind,
        body,
        base_version,
        ..
    } = composer;
    let status = RwSignal::new(None::<TicketStatus>);
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let conflict = RwSignal::new(None::<Conflict>);
    let picked = PickedFiles::new();
    // The ids of the picked files once uploaded: sending again after a conflict names the same
    // uploads instead of storing the files twice.
    let uploaded = RwSignal::new(None::<Vec<i64>>);
    Effect::new(move |_| {
        picked.files.track();
        uploaded.set(None);
    });

    // A draft starts against the version on screen; an emptied box has no draft.
    Effect::new(move |_| {
        let empty = body.with(|b| b.trim().is_empty());
        match (empty, base_version.get_untracked()) {
            (false, None) => base_version.set(Some(version.get_untracked())),
            (true, Some(_)) => base_version.set(None),
            _ => {}
        }
    });

    let send = move |against: Option<i64>| {
        let text = body.get_untracked();
        if text.trim().is_empty() {
            error.set(Some("Write a message before sending.".into()));
            return;
        }
        if sending.get_untracked() {
            return;
        }
        let mut msg = PostMessage {
            body: text,
            version: against
                .or(base_version.get_untracked())
                .unwrap_or_else(|| version.get_untracked()),
            status: status.get_untracked(),
            attachment_ids: Vec::new(),
        };
        let which = kind.get_untracked();
        let files = picked.files.get_untracked();
        let done_uploads = uploaded.get_untracked();
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            msg.attachment_ids = match done_uploads {
                Some(ids) => ids,
                None if files.is_empty() => Vec::new(),
                None => match client.upload_all(ticket_id, files).await {
                    Ok(ids) => {
                        uploaded.set(Some(ids.clone()));
                        ids
                    }
                    Err(e) => {
                        sending.set(false);
                        error.set(Some(format!("The files could not be uploaded: {}", e.user_message())));
                        return;
                    }
                },
            };
            let result = client.post_message(ticket_id, which, &msg).await;
            sending.set(false);
            match result {
                Ok(detail) => {
                    body.set(String::new());
                    base_version.set(None);
                    status.set(None);
                    conflict.set(None);
                    picked.clear();
                    on_updated.run(detail);
                }
                Err(e) if e.is_conflict() => {
                    let c = Conflict {
                        current: e.current_ticket().cloned(),
                        messages: e.conflict_messages().to_vec(),
                    };
                    conflict.set(Some(c.clone()));
                    on_conflict.run(c);
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };
    let send_anyway = Callback::new(move |()| {
        let now = conflict.with_untracked(|c| c.as_ref().and_then(|c| c.current.as_ref().map(|t| t.version)));
        let now = now.unwrap_or_else(|| version.get_untracked());
        base_version.set(Some(now));
        send(Some(now));
    });
    let discard = Callback::new(move |()| {
        body.set(String::new());
        picked.clear();
        base_version.set(None);
        conflict.set(None);
        error.set(None);
    });

    let is_note = move || kind.get() == PostKind::Note;
    let send_label = move || match (kind.get(), sending.get()) {
        (_, true) => "Sending…",
        (PostKind::Reply, false) => "Send reply",
        (PostKind::Note, false) => "Add note",
    };

    view! {
        <section class="reply-box" class:reply-box-note=is_note aria-label="Reply">
            {move || {
                conflict
                    .get()
                    .map(|conflict| {
                        view! { <ConflictBanner conflict sending on_send_anyway=send_anyway on_discard=discard /> }
                    })
            }}
            <form on:submit=move |ev| {
                ev.prevent_default();
                send(None);
            }>
                <ModeToggle kind staff />
                <label class="visually-hidden" for="reply-body">
                    {move || if is_note() { "Internal note" } else { "Reply" }}
                </label>
                <textarea
                    id="reply-body"
                    rows="6"
                    data-testid="reply-body"
                    node_ref=composer.textarea
                    placeholder=move || {
                        if is_note() {
                            "Internal note: only staff can see this…"
                        } else {
                            "Write your reply to the requester…"
                        }
                    }
                    bind:value=body
                    on:input=move |_| composer.last_input_ms.set(js_sys::Date::now())
                    on:focus=move |_| composer.focused.set(true)
                    on:blur=move |_| composer.focused.set(false)
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                            ev.prevent_default();
                            send(None);
                        }
                    }
                ></textarea>
                <FilePicker picked id="reply-files" />
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
                    <span class="muted shortcut-hint"><kbd>"Ctrl"</kbd> "+" <kbd>"Enter"</kbd> " sends"</span>
                    {staff.then(|| view! { <CannedPicker body /> })}
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
