//! Writing a reply or an internal note, against the ticket version the draft was started on,
//! with files: uploaded to the ticket first, then named by the message (`attachment_ids`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{PostMessage, TicketDetail, TicketStatus};

use crate::api::{Client, PostKind, use_client};
use crate::components::canned_picker::CannedPicker;
use crate::components::choice::{Choice, options_of};
use crate::components::composer::Composer;
use crate::components::conflict_banner::{Conflict, ConflictBanner};
use crate::components::file_picker::{FilePicker, PickedFiles, SendFile};
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
    let out = Outgoing {
        ticket_id,
        client: use_client(),
        composer,
        version,
        status: RwSignal::new(None),
        sending: RwSignal::new(false),
        error: RwSignal::new(None),
        conflict: RwSignal::new(None),
        picked: PickedFiles::new(),
        uploaded: RwSignal::new(None),
        on_updated,
        on_conflict,
    };
    out.track_draft();
    let send_anyway = Callback::new(move |()| out.send_anyway());
    let discard = Callback::new(move |()| out.discard());
    let is_note = move || composer.kind.get() == PostKind::Note;
    let sending = out.sending;

    view! {
        <section class="reply-box" class:reply-box-note=is_note aria-label="Reply">
            {move || {
                out.conflict
                    .get()
                    .map(|conflict| {
                        view! { <ConflictBanner conflict sending on_send_anyway=send_anyway on_discard=discard /> }
                    })
            }}
            <form on:submit=move |ev| {
                ev.prevent_default();
                out.send(None);
            }>
                <ModeToggle kind=composer.kind staff />
                <ReplyText out />
                <FilePicker picked=out.picked id="reply-files" />
                {move || {
                    out.error
                        .get()
                        .map(|e| {
                            view! {
                                <p class="form-error" role="alert" data-testid="reply-error">{e}</p>
                            }
                        })
                }}
                <ReplyActions out staff />
            </form>
        </section>
    }
}

/// The reply being written and how it is sent: the state the reply box's parts share.
#[derive(Clone, Copy)]
struct Outgoing {
    ticket_id: i64,
    client: Client,
    composer: Composer,
    /// The version of the ticket on screen.
    version: Signal<i64>,
    /// The status to set along with the message (staff only).
    status: RwSignal<Option<TicketStatus>>,
    sending: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    conflict: RwSignal<Option<Conflict>>,
    picked: PickedFiles,
    /// The ids of the picked files once uploaded: sending again after a conflict names the same
    /// uploads instead of storing the files twice.
    uploaded: RwSignal<Option<Vec<i64>>>,
    on_updated: Callback<TicketDetail>,
    on_conflict: Callback<Conflict>,
}

impl Outgoing {
    /// Forgets uploads when the picked files change, and starts or ends the draft's version.
    fn track_draft(self) {
        let Self { picked, uploaded, .. } = self;
        Effect::new(move |_| {
            picked.files.track();
            uploaded.set(None);
        });

        // A draft starts against the version on screen; an emptied box has no draft.
        let Composer { body, base_version, .. } = self.composer;
        let version = self.version;
        Effect::new(move |_| {
            let empty = body.with(|b| b.trim().is_empty());
            match (empty, base_version.get_untracked()) {
                (false, None) => base_version.set(Some(version.get_untracked())),
                (true, Some(_)) => base_version.set(None),
                _ => {}
            }
        });
    }

    /// Sends the draft, against `against` or else the version it was started on.
    fn send(self, against: Option<i64>) {
        let Composer {
            kind,
            body,
            base_version,
            ..
        } = self.composer;
        let text = body.get_untracked();
        if text.trim().is_empty() {
            self.error.set(Some("Write a message before sending.".into()));
            return;
        }
        if self.sending.get_untracked() {
            return;
        }
        let msg = PostMessage {
            body: text,
            version: against
                .or(base_version.get_untracked())
                .unwrap_or_else(|| self.version.get_untracked()),
            status: self.status.get_untracked(),
            attachment_ids: Vec::new(),
        };
        let which = kind.get_untracked();
        let files = self.files_to_send();
        self.sending.set(true);
        self.error.set(None);
        spawn_local(self.post(which, msg, files));
    }

    /// The ids of the files already uploaded (none picked: empty), or else the files to upload.
    fn files_to_send(self) -> Result<Vec<i64>, Vec<SendFile>> {
        let files = self.picked.files.get_untracked();
        match self.uploaded.get_untracked() {
            Some(ids) => Ok(ids),
            None if files.is_empty() => Ok(Vec::new()),
            None => Err(files),
        }
    }

    /// Uploads the picked files (once), then posts the message and takes in the answer.
    async fn post(self, which: PostKind, mut msg: PostMessage, files: Result<Vec<i64>, Vec<SendFile>>) {
        let ids = match files {
            Ok(ids) => ids,
            Err(files) => match self.upload(files).await {
                Some(ids) => ids,
                None => return,
            },
        };
        msg.attachment_ids = ids;
        let result = self.client.post_message(self.ticket_id, which, &msg).await;
        self.sending.set(false);
        match result {
            Ok(detail) => self.sent(detail),
            Err(e) if e.is_conflict() => {
                let c = Conflict {
                    current: e.current_ticket().cloned(),
                    messages: e.conflict_messages().to_vec(),
                };
                self.conflict.set(Some(c.clone()));
                self.on_conflict.run(c);
            }
            Err(e) => self.error.set(Some(e.user_message())),
        }
    }

    /// Uploads the picked files and keeps their ids; `None` (and the error shown) when that failed.
    async fn upload(self, files: Vec<SendFile>) -> Option<Vec<i64>> {
        match self.client.upload_all(self.ticket_id, files).await {
            Ok(ids) => {
                self.uploaded.set(Some(ids.clone()));
                Some(ids)
            }
            Err(e) => {
                self.sending.set(false);
                self.error
                    .set(Some(format!("The files could not be uploaded: {}", e.user_message())));
                None
            }
        }
    }

    /// The message is stored: clears the box and hands the ticket on.
    fn sent(self, detail: TicketDetail) {
        self.composer.body.set(String::new());
        self.composer.base_version.set(None);
        self.status.set(None);
        self.conflict.set(None);
        self.picked.clear();
        self.on_updated.run(detail);
    }

    /// Sends the draft again, now against the version the conflict reported.
    fn send_anyway(self) {
        let now = self
            .conflict
            .with_untracked(|c| c.as_ref().and_then(|c| c.current.as_ref().map(|t| t.version)));
        let now = now.unwrap_or_else(|| self.version.get_untracked());
        self.composer.base_version.set(Some(now));
        self.send(Some(now));
    }

    /// Throws the draft away after a conflict.
    fn discard(self) {
        self.composer.body.set(String::new());
        self.picked.clear();
        self.composer.base_version.set(None);
        self.conflict.set(None);
        self.error.set(None);
    }
}

/// The message's text area with its label; Ctrl+Enter sends.
#[component]
fn ReplyText(out: Outgoing) -> impl IntoView {
    let composer = out.composer;
    let is_note = move || composer.kind.get() == PostKind::Note;
    view! {
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
            bind:value=composer.body
            on:input=move |_| composer.last_input_ms.set(js_sys::Date::now())
            on:focus=move |_| composer.focused.set(true)
            on:blur=move |_| composer.focused.set(false)
            on:keydown=move |ev| {
                if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                    ev.prevent_default();
                    out.send(None);
                }
            }
        ></textarea>
    }
}

/// The row under the text: the shortcut hint, canned replies and status (staff), and Send.
#[component]
fn ReplyActions(out: Outgoing, staff: bool) -> impl IntoView {
    let Outgoing { sending, status, .. } = out;
    let kind = out.composer.kind;
    let body = out.composer.body;
    let send_label = move || match (kind.get(), sending.get()) {
        (_, true) => "Sending…",
        (PostKind::Reply, false) => "Send reply",
        (PostKind::Note, false) => "Add note",
    };
    view! {
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

/// "Then set status": the status to give the ticket along with the message.
#[component]
fn StatusSelect(status: RwSignal<Option<TicketStatus>>) -> impl IntoView {
    view! {
        <Choice
            label="Then set status"
            testid="reply-status"
            any="(unchanged)"
            options=options_of(TicketStatus::ALL, TicketStatus::as_str, status_label)
            selected=Signal::derive(move || status.get().map(|s| s.as_str().to_owned()))
            on_pick=Callback::new(move |v: String| status.set(TicketStatus::parse(&v)))
        />
    }
}
