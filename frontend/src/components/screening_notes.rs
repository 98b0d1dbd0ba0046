//! What screening found on an inbound mail, for staff under the message: files removed as
//! malware, attachments that went unscanned, the spam filter's flag, and the files the mailbox
//! did not store, each with a link to take it from the original mail (while retention keeps it).

use leptos::prelude::*;
use protocol::{MailChecks, WithheldFile};

use crate::api::use_client;
use crate::downloads;
use crate::format::file_size;

#[component]
pub fn ScreeningNotes(message_id: i64, checks: MailChecks) -> impl IntoView {
    let malware = checks.malware.iter().map(|f| {
        view! {
            <li class="screening-warning" data-testid="malware-removed">
                {format!("⚠ {} was removed: it carries malware ({})", f.filename, f.signature)}
            </li>
        }
    });
    let unscanned = checks.unscanned.clone().map(|why| {
        view! { <li class="screening-warning" data-testid="unscanned">{format!("⚠ Attachments not scanned: {why}")}</li> }
    });
    let spam = checks.spam.clone().filter(|s| s.is_suspect() || s.is_junk()).map(|s| {
        let rules = s
            .symbols
            .iter()
            .map(|r| format!("{} ({:+.1})", r.name, r.score))
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <li class="screening-warning" data-testid="spam-flag" title=rules>
                {format!("Likely spam: score {:.1} of {:.1}", s.score, s.required_score)}
            </li>
        }
    });
    let withheld = checks
        .withheld
        .into_iter()
        .map(|w| view! { <Withheld message_id file=w /> })
        .collect_view();
    view! {
        <ul class="screening-notes" aria-label="Screening">
            {malware.collect_view()}
            {unscanned}
            {spam}
            {withheld}
        </ul>
    }
}

/// A file the mailbox did not store, with the link that takes it from the original mail.
#[component]
fn Withheld(message_id: i64, file: WithheldFile) -> impl IntoView {
    let client = use_client();
    let url = format!("{}/messages/{message_id}/original/{}", protocol::API_BASE, file.index);
    let href = url.clone();
    let on_click = downloads::on_click(client, move || url.clone(), Some(file.filename.clone()));
    view! {
        <li class="screening-withheld" data-testid="withheld-file">
            {format!("Not stored: {} ({}) — {} ", file.filename, file_size(file.size as i64), file.reason)}
            <a href=href rel="external" on:click=on_click>"download from the original mail"</a>
        </li>
    }
}
