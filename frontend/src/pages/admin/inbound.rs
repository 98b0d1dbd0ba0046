//! Quarantine and dead letters: inbound mails held back or failed, with release, replay and
//! the raw mail.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{InboundMail, InboundStatus, Page};

use crate::api::use_client;
use crate::components::feedback::EmptyState;
use crate::components::loaded::{FormStatus, loaded};
use crate::components::page_nav::PageNav;
use crate::downloads;
use crate::format::{datetime, file_size, relative};

#[component]
pub fn InboundTab() -> impl IntoView {
    let client = use_client();
    let which = RwSignal::new(InboundStatus::Quarantined);
    let page = RwSignal::new(1_u64);
    let mails = LocalResource::new(move || {
        let (status, page) = (which.get(), page.get());
        async move { client.inbound(status, page).await }
    });
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let act = Callback::new(move |(id, release): (i64, bool)| {
        error.set(None);
        done.set(None);
        spawn_local(async move {
            let result = if release {
                client.release_inbound(id).await
            } else {
                client.replay_inbound(id).await
            };
            match result {
                Ok(a) => {
                    let ticket = a.ticket_id.map_or_else(String::new, |t| format!(" into ticket {t}"));
                    done.set(Some(format!("Mail {} processed{ticket}.", a.journal_id)));
                    mails.refetch();
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    });
    let tab = move |status: InboundStatus, label: &'static str, testid: &'static str| {
        view! {
            <button
                type="button"
                class="toggle"
                class:active=move || which.get() == status
                aria-pressed=move || (which.get() == status).to_string()
                data-testid=testid
                on:click=move |_| {
                    page.set(1);
                    which.set(status);
                }
            >
                {label}
            </button>
        }
    };

    view! {
        <section aria-labelledby="inbound-title">
            <h2 id="inbound-title">"Quarantine and dead letters"</h2>
            <div class="mode-toggle" role="group" aria-label="Which mails">
                {tab(InboundStatus::Quarantined, "Quarantine", "inbound-quarantined")}
                {tab(InboundStatus::Failed, "Dead letters", "inbound-failed")}
            </div>
            <FormStatus error done />
            {loaded(mails, "Loading mails…", move |p: Page<InboundMail>| {
                if p.items.is_empty() {
                    return view! { <EmptyState><p>"Nothing here."</p></EmptyState> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="tickets admin-table" data-testid="inbound-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Received"</th>
                                    <th scope="col">"Message-ID"</th>
                                    <th scope="col">"Why"</th>
                                    <th scope="col">"Size"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {p.items.into_iter().map(|m| view! { <InboundRow m act /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <PageNav current=p.page total=p.total per_page=p.per_page page />
                }
                    .into_any()
            })}
        </section>
    }
}

#[component]
fn InboundRow(m: InboundMail, act: Callback<(i64, bool)>) -> impl IntoView {
    let client = use_client();
    let id = m.id;
    let quarantined = m.status == InboundStatus::Quarantined;
    // Opened by the browser, which cannot send the Authorization header: the click fetches a
    // one-time ticket for it first.
    let raw_href = format!("{}/inbound/{id}/raw", protocol::API_BASE);
    let href = raw_href.clone();
    let download = downloads::on_click(client, move || href.clone(), Some(format!("mail-{id}.eml")));
    let why = [m.kind, m.reason, m.error]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" — ");
    let testid = if quarantined {
        "quarantine-row"
    } else {
        "dead-letter-row"
    };
    view! {
        <tr data-testid=testid data-inbound-id=id>
            <td><time datetime=m.received_at.to_rfc3339() title=datetime(m.received_at)>{relative(m.received_at)}</time></td>
            <td class="mono-cell">{m.message_id.unwrap_or_else(|| "—".into())}</td>
            <td>{why}<div class="muted">{format!("{} attempts · {}", m.attempts, m.source)}</div></td>
            <td>{file_size(m.size)}</td>
            <td class="row-actions">
                <a class="btn" href=raw_href download=format!("mail-{id}.eml") rel="external" data-testid="inbound-raw" on:click=download>
                    "Raw"
                </a>
                {if quarantined {
                    view! { <button type="button" class="btn" data-testid="inbound-release" on:click=move |_| act.run((id, true))>"Release"</button> }.into_any()
                } else {
                    view! { <button type="button" class="btn" data-testid="inbound-replay" on:click=move |_| act.run((id, false))>"Replay"</button> }.into_any()
                }}
            </td>
        </tr>
    }
}
