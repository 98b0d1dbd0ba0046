//! The outbox: every mail queued, sent, failed or held (the dev outbox when there is no SMTP),
//! filtered by status and ticket.

use leptos::prelude::*;
use protocol::{OutboundMail, OutboundStatus, Page};

use crate::api::OutboxFilter;
use crate::api::use_client;
use crate::components::feedback::EmptyState;
use crate::components::loaded::loaded;
use crate::components::page_nav::PageNav;
use crate::format::{datetime, relative};

const STATUSES: [OutboundStatus; 5] = [
    OutboundStatus::Queued,
    OutboundStatus::Sending,
    OutboundStatus::Sent,
    OutboundStatus::Failed,
    OutboundStatus::Suppressed,
];

#[component]
pub fn OutboxTab() -> impl IntoView {
    let client = use_client();
    let status = RwSignal::new(String::new());
    let ticket = RwSignal::new(String::new());
    let page = RwSignal::new(1_u64);
    let filter = Memo::new(move |_| OutboxFilter {
        status: OutboundStatus::parse(&status.get()),
        ticket_id: ticket.get().trim().parse().ok(),
        page: page.get(),
    });
    let mails = LocalResource::new(move || {
        let f = filter.get();
        async move { client.outbox(&f).await }
    });

    view! {
        <section aria-labelledby="outbox-title">
            <h2 id="outbox-title">"Outbox"</h2>
            <div class="filters" role="search" data-testid="outbox-filters">
                <div class="field-inline">
                    <label for="outbox-status">"Status"</label>
                    <select id="outbox-status" data-testid="outbox-status-filter" bind:value=status on:change=move |_| page.set(1)>
                        <option value="">"Any"</option>
                        {STATUSES.iter().map(|s| view! { <option value=s.as_str()>{s.as_str()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field-inline">
                    <label for="outbox-ticket">"Ticket id"</label>
                    <input id="outbox-ticket" type="number" min="1" data-testid="outbox-ticket-filter" bind:value=ticket on:input=move |_| page.set(1) />
                </div>
            </div>
            {loaded(mails, "Loading the outbox…", move |p: Page<OutboundMail>| view! { <OutboxList p page /> })}
        </section>
    }
}

#[component]
fn OutboxList(p: Page<OutboundMail>, page: RwSignal<u64>) -> impl IntoView {
    if p.items.is_empty() {
        return view! { <EmptyState><p>"No mails match."</p></EmptyState> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="tickets admin-table" data-testid="outbox-table">
                <thead>
                    <tr>
                        <th scope="col">"Subject"</th>
                        <th scope="col">"To"</th>
                        <th scope="col">"Template"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Ticket"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>
                    {p.items.into_iter().map(|m| view! { <OutboxRow m /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <PageNav current=p.page total=p.total per_page=p.per_page page />
    }
    .into_any()
}

#[component]
fn OutboxRow(m: OutboundMail) -> impl IntoView {
    let subject = if m.subject.is_empty() {
        "(no subject)".to_owned()
    } else {
        m.subject
    };
    view! {
        <tr data-testid="outbox-row" data-outbox-id=m.id data-status=m.status.as_str()>
            <td><a href=format!("/admin/outbox/{}", m.id) data-testid="outbox-link">{subject}</a></td>
            <td>{m.to.join(", ")}</td>
            <td>{m.template}</td>
            <td>
                <span class=format!("badge outbound-{}", m.status.as_str())>{m.status.as_str()}</span>
                {m.last_error.map(|e| view! { <div class="mailbox-error">{e}</div> })}
            </td>
            <td>{m.ticket_id.map(|t| view! { <a href=format!("/tickets/{t}")>{format!("#{t}")}</a> })}</td>
            <td><time datetime=m.created_at.to_rfc3339() title=datetime(m.created_at)>{relative(m.created_at)}</time></td>
        </tr>
    }
}
