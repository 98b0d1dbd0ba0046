//! Mailboxes: every mailbox with the fetcher's live state (polled), enable, create and edit
//! (with its OAuth connection).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{FetchProtocol, Mailbox, MailboxSettings};

use super::admin_list::SectionHead;
use super::mailbox_form::MailboxForm;
use super::mailbox_oauth::MailboxOAuth;
use crate::api::use_client;
use crate::components::feedback::EmptyState;
use crate::components::loaded::{FormStatus, loaded};
use crate::format::{datetime, relative};

/// How often the list is fetched again, so the status stays current.
const REFRESH_EVERY: Duration = Duration::from_secs(15);

/// Which form is open: none, a new mailbox, or an existing one.
#[derive(Debug, Clone, PartialEq)]
pub enum Editing {
    None,
    New,
    Existing(Box<Mailbox>),
}

#[component]
pub fn MailboxesTab() -> impl IntoView {
    let client = use_client();
    let mailboxes = LocalResource::new(move || async move { client.mailboxes().await });
    if let Ok(handle) = set_interval_with_handle(move || mailboxes.refetch(), REFRESH_EVERY) {
        on_cleanup(move || handle.clear());
    }
    let editing = RwSignal::new(Editing::None);
    let on_new = Callback::new(move |()| editing.set(Editing::New));
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let on_saved = Callback::new(move |message: String| {
        editing.set(Editing::None);
        done.set(Some(message));
        mailboxes.refetch();
    });
    let enable = Callback::new(move |id: i64| {
        error.set(None);
        let settings = MailboxSettings {
            enabled: Some(true),
            ..Default::default()
        };
        spawn_local(async move {
            match client.update_mailbox(id, &settings).await {
                Ok(m) => {
                    done.set(Some(format!("{} is enabled again.", m.name)));
                    mailboxes.refetch();
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    });

    view! {
        <section aria-labelledby="mailboxes-title">
            <SectionHead title_id="mailboxes-title" title="Mailboxes" testid="mailbox-new" new="New mailbox" on_new />
            <FormStatus error done />
            {move || match editing.get() {
                Editing::None => None,
                Editing::New => Some(view! { <MailboxForm existing=None on_saved on_cancel=Callback::new(move |()| editing.set(Editing::None)) /> }.into_any()),
                Editing::Existing(m) => Some(view! {
                    <MailboxForm existing=Some((*m).clone()) on_saved on_cancel=Callback::new(move |()| editing.set(Editing::None)) />
                    <MailboxOAuth mailbox=*m />
                }.into_any()),
            }}
            {loaded(mailboxes, "Loading mailboxes…", move |list: Vec<Mailbox>| {
                if list.is_empty() {
                    return view! { <EmptyState><p>"No mailboxes yet."</p></EmptyState> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="tickets admin-table" data-testid="mailbox-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Address"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Last fetch"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|m| view! { <MailboxRow m editing enable /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            })}
        </section>
    }
}

#[component]
fn MailboxRow(m: Mailbox, editing: RwSignal<Editing>, enable: Callback<i64>) -> impl IntoView {
    let id = m.id;
    let s = m.status.clone();
    let state = if !m.enabled {
        "disabled"
    } else if s.last_error.is_some() {
        "failing"
    } else {
        "ok"
    };
    let last_fetch = s.last_fetch_at.map_or_else(
        || view! { <span class="muted">"Never"</span> }.into_any(),
        |t| view! { <time datetime=t.to_rfc3339() title=datetime(t)>{relative(t)}</time> }.into_any(),
    );
    let enabled = m.enabled;
    let edit_with = m.clone();
    // Graph needs no server: its check reads the folder with the OAuth grant.
    let has_server = m.imap_host.is_some() || m.fetch_protocol == FetchProtocol::Graph;
    let client = use_client();
    // The last check's answer: (worked, the server's words).
    let check = RwSignal::new(None::<(bool, String)>);
    let run_check = move |connection: bool| {
        check.set(Some((true, "Checking…".into())));
        spawn_local(async move {
            let result = if connection {
                client.test_mailbox_connection(id).await
            } else {
                client.send_mailbox_test_mail(id).await
            };
            check.set(Some(match result {
                Ok(c) => (c.ok, c.answer),
                Err(e) => (false, e.user_message()),
            }));
        });
    };
    view! {
        <tr data-testid="admin-mailbox-row" data-mailbox-id=id data-enabled=enabled.to_string()>
            <td>{m.name}</td>
            <td>{m.address}</td>
            <td data-testid="mailbox-status" data-state=state>
                <span class=format!("badge mailbox-{state}")>
                    {match state {
                        "disabled" => "Disabled",
                        "failing" => "Failing",
                        _ => "Working",
                    }}
                </span>
                {(s.consecutive_failures > 0)
                    .then(|| view! { <span class="muted">{format!(" {} failures in a row", s.consecutive_failures)}</span> })}
                {s.disabled_at.map(|t| view! { <div class="muted">{format!("Disabled after failures at {}", datetime(t))}</div> })}
                {s.last_error.map(|e| view! { <div class="mailbox-error" data-testid="mailbox-last-error">{e}</div> })}
                <div class="muted">{format!("{} fetched, {} failed", s.fetched_count, s.failed_count)}</div>
                {move || check.get().map(|(ok, answer)| view! {
                    <div
                        class=if ok { "mailbox-check" } else { "mailbox-check mailbox-error" }
                        role="status"
                        data-testid="mailbox-check"
                        data-ok=ok.to_string()
                    >
                        {answer}
                    </div>
                })}
            </td>
            <td>{last_fetch}</td>
            <td class="row-actions">
                {(!enabled)
                    .then(|| {
                        view! {
                            <button type="button" class="btn" data-testid="mailbox-enable" on:click=move |_| enable.run(id)>
                                "Enable"
                            </button>
                        }
                    })}
                {has_server.then(|| view! {
                    <button type="button" class="btn" data-testid="mailbox-test-connection" on:click=move |_| run_check(true)>
                        "Test connection"
                    </button>
                })}
                <button type="button" class="btn" data-testid="mailbox-test-mail" on:click=move |_| run_check(false)>
                    "Send test e-mail"
                </button>
                <button
                    type="button"
                    class="btn"
                    data-testid="mailbox-edit"
                    on:click=move |_| editing.set(Editing::Existing(Box::new(edit_with.clone())))
                >
                    "Edit"
                </button>
            </td>
        </tr>
    }
}
