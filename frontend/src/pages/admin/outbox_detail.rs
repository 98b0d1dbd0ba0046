//! `/admin/outbox/:id`: one mail with its headers and the complete message as sent.

use leptos::prelude::*;
use protocol::OutboundMail;

use crate::api::use_client;
use crate::components::loaded::loaded;
use crate::format::datetime;

#[component]
pub fn OutboxDetail(id: i64) -> impl IntoView {
    let client = use_client();
    let mail = LocalResource::new(move || async move { client.outbox_mail(id).await });
    view! {
        <section aria-labelledby="outbox-mail-title" data-testid="outbox-detail">
            <p class="back-link"><a href="/admin/outbox">"← Outbox"</a></p>
            {loaded(mail, "Loading the mail…", |m: OutboundMail| view! { <MailView m /> })}
        </section>
    }
}

#[component]
fn MailView(m: OutboundMail) -> impl IntoView {
    let row = |label: &'static str, value: String| view! { <dt>{label}</dt><dd>{value}</dd> };
    view! {
        <h2 id="outbox-mail-title">{m.subject.clone()}</h2>
        <dl class="facts card" data-testid="outbox-headers">
            {row("To", m.to.join(", "))}
            {row("Cc", m.cc.join(", "))}
            {row("Message-ID", m.message_id.clone())}
            {row("Template", format!("{}{}", m.template, if m.automatic { " (automatic)" } else { "" }))}
            {row("Status", m.status.as_str().to_owned())}
            {row("Attempts", m.attempts.to_string())}
            {row("Transport", m.transport.clone().unwrap_or_else(|| "—".into()))}
            {row("Created", datetime(m.created_at))}
            {row("Sent", m.sent_at.map_or_else(|| "—".into(), datetime))}
            {row("Next attempt", datetime(m.next_attempt_at))}
            {row("Last error", m.last_error.clone().unwrap_or_else(|| "—".into()))}
            {row("Ticket", m.ticket_id.map_or_else(|| "—".into(), |t| t.to_string()))}
        </dl>
        <h3>"Message as sent"</h3>
        <pre class="raw-mail" data-testid="outbox-raw" tabindex="0">
            {m.raw.unwrap_or_else(|| "The complete message is not kept for this mail.".into())}
        </pre>
    }
}
