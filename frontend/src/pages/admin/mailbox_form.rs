//! Creating a mailbox or changing its core settings, and its own SMTP account for replies
//! (empty host: the global one). Passwords are write-only: left empty, the stored one is kept.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{FetchProtocol, Mailbox, MailboxSettings, TlsMode};

use crate::api::use_client;
use crate::components::form_fields::{CheckField, TextField};
use crate::components::loaded::FormStatus;

#[component]
pub fn MailboxForm(
    existing: Option<Mailbox>,
    /// Called with a confirmation to show.
    on_saved: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let id = existing.as_ref().map(|m| m.id);
    let m = existing.as_ref();
    let name = RwSignal::new(m.map(|m| m.name.clone()).unwrap_or_default());
    let address = RwSignal::new(m.map(|m| m.address.clone()).unwrap_or_default());
    let enabled = RwSignal::new(m.is_none_or(|m| m.enabled));
    let fetch_protocol = RwSignal::new(m.map_or("imap", |m| m.fetch_protocol.as_str()).to_owned());
    let host = RwSignal::new(m.and_then(|m| m.imap_host.clone()).unwrap_or_default());
    let port = RwSignal::new(m.and_then(|m| m.imap_port).map(|p| p.to_string()).unwrap_or_default());
    let tls = RwSignal::new(m.map_or("implicit", |m| tls_str(m.imap_tls)).to_owned());
    let username = RwSignal::new(m.and_then(|m| m.imap_username.clone()).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let folder = RwSignal::new(m.map_or_else(|| "INBOX".to_owned(), |m| m.imap_folder.clone()));
    let poll = RwSignal::new(m.map_or(60, |m| m.poll_interval_secs).to_string());
    let accept_unknown = RwSignal::new(m.is_none_or(|m| m.accept_unknown));
    let reopen_closed = RwSignal::new(m.is_none_or(|m| m.reopen_closed));
    let has_password = m.is_some_and(|m| m.has_password);
    let smtp_host = RwSignal::new(m.and_then(|m| m.smtp_host.clone()).unwrap_or_default());
    let smtp_port = RwSignal::new(m.and_then(|m| m.smtp_port).map(|p| p.to_string()).unwrap_or_default());
    let smtp_tls = RwSignal::new(m.map_or("starttls", |m| tls_str(m.smtp_tls)).to_owned());
    let smtp_username = RwSignal::new(m.and_then(|m| m.smtp_username.clone()).unwrap_or_default());
    let smtp_password = RwSignal::new(String::new());
    let has_smtp_password = m.is_some_and(|m| m.has_smtp_password);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let port = port.get_untracked();
        let Ok(port) = (if port.trim().is_empty() {
            Ok(None)
        } else {
            port.trim().parse::<u16>().map(Some)
        }) else {
            error.set(Some("The server port must be a number from 1 to 65535.".into()));
            return;
        };
        let smtp_port = smtp_port.get_untracked();
        let Ok(smtp_port) = (if smtp_port.trim().is_empty() {
            Ok(None)
        } else {
            smtp_port.trim().parse::<u16>().map(Some)
        }) else {
            error.set(Some("The SMTP port must be a number from 1 to 65535.".into()));
            return;
        };
        let Ok(poll) = poll.get_untracked().trim().parse::<u32>() else {
            error.set(Some("The poll interval must be a whole number of seconds.".into()));
            return;
        };
        let text = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let settings = MailboxSettings {
            name: text(name),
            address: text(address),
            enabled: Some(enabled.get_untracked()),
            fetch_protocol: Some(if fetch_protocol.get_untracked() == "pop3" {
                FetchProtocol::Pop3
            } else {
                FetchProtocol::Imap
            }),
            imap_host: text(host),
            imap_port: port,
            imap_tls: Some(tls_parse(&tls.get_untracked())),
            imap_username: text(username),
            imap_password: Some(password.get_untracked()).filter(|p| !p.is_empty()),
            imap_folder: text(folder),
            poll_interval_secs: Some(poll),
            accept_unknown: Some(accept_unknown.get_untracked()),
            reopen_closed: Some(reopen_closed.get_untracked()),
            // An empty host clears the mailbox's own account (replies use the global one).
            smtp_host: Some(smtp_host.get_untracked().trim().to_owned()),
            smtp_port,
            smtp_tls: Some(tls_parse(&smtp_tls.get_untracked())),
            smtp_username: Some(smtp_username.get_untracked().trim().to_owned()),
            smtp_password: Some(smtp_password.get_untracked()).filter(|p| !p.is_empty()),
            ..Default::default()
        };
        saving.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match id {
                Some(id) => client
                    .update_mailbox(id, &settings)
                    .await
                    .map(|m| format!("{} is saved.", m.name)),
                None => client.create_mailbox(&settings).await.map(|w| {
                    format!(
                        "{} is created. Its webhook secret, shown only now: {}",
                        w.mailbox.name, w.webhook_secret
                    )
                }),
            };
            saving.set(false);
            match result {
                Ok(message) => on_saved.run(message),
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    let title = if id.is_some() { "Edit mailbox" } else { "New mailbox" };
    view! {
        <form class="card admin-form" on:submit=on_submit novalidate data-testid="mailbox-form" aria-label=title>
            <h3>{title}</h3>
            <div class="form-grid">
                <TextField id="mb-name" label="Name" value=name />
                <TextField id="mb-address" label="Support address" value=address kind="email" />
                <div class="field">
                    <label for="mb-protocol">"Fetch with"</label>
                    <select id="mb-protocol" bind:value=fetch_protocol data-testid="mb-protocol">
                        <option value="imap">"IMAP"</option>
                        <option value="pop3">"POP3"</option>
                    </select>
                </div>
                <TextField id="mb-host" label="Server host" value=host />
                <TextField id="mb-port" label="Server port" value=port kind="number" />
                <div class="field">
                    <label for="mb-tls">"Encryption"</label>
                    <select id="mb-tls" bind:value=tls data-testid="mb-tls">
                        <option value="implicit">"TLS (implicit)"</option>
                        <option value="starttls">"STARTTLS"</option>
                        <option value="none">"None (loopback only)"</option>
                    </select>
                </div>
                <TextField id="mb-username" label="User name" value=username />
                <div class="field">
                    <label for="mb-password">"Password"</label>
                    <input
                        id="mb-password"
                        type="password"
                        autocomplete="new-password"
                        data-testid="mb-password"
                        placeholder=if has_password { "Stored — leave empty to keep" } else { "" }
                        bind:value=password
                    />
                </div>
                <TextField id="mb-folder" label="Folder" value=folder />
                <TextField id="mb-poll" label="Poll every (seconds)" value=poll kind="number" />
            </div>
            <h4>"Sending replies (optional: empty host = the server's SMTP settings)"</h4>
            <div class="form-grid">
                <TextField id="mb-smtp-host" label="SMTP host" value=smtp_host />
                <TextField id="mb-smtp-port" label="SMTP port" value=smtp_port kind="number" />
                <div class="field">
                    <label for="mb-smtp-tls">"Encryption"</label>
                    <select id="mb-smtp-tls" bind:value=smtp_tls data-testid="mb-smtp-tls">
                        <option value="starttls">"STARTTLS"</option>
                        <option value="implicit">"TLS (implicit)"</option>
                        <option value="none">"None (loopback only)"</option>
                    </select>
                </div>
                <TextField id="mb-smtp-username" label="SMTP user name" value=smtp_username />
                <div class="field">
                    <label for="mb-smtp-password">"SMTP password"</label>
                    <input
                        id="mb-smtp-password"
                        type="password"
                        autocomplete="new-password"
                        data-testid="mb-smtp-password"
                        placeholder=if has_smtp_password { "Stored — leave empty to keep" } else { "" }
                        bind:value=smtp_password
                    />
                </div>
            </div>
            <CheckField id="mb-enabled" label="Enabled" value=enabled />
            <CheckField id="mb-accept" label="Accept mail from unknown senders (else quarantine)" value=accept_unknown />
            <CheckField id="mb-reopen" label="A reply reopens a closed ticket" value=reopen_closed />
            <FormStatus error />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="mailbox-save" disabled=move || saving.get()>
                    "Save"
                </button>
                <button type="button" class="btn" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

fn tls_str(t: TlsMode) -> &'static str {
    match t {
        TlsMode::Implicit => "implicit",
        TlsMode::Starttls => "starttls",
        TlsMode::None => "none",
    }
}

fn tls_parse(s: &str) -> TlsMode {
    match s {
        "starttls" => TlsMode::Starttls,
        "none" => TlsMode::None,
        _ => TlsMode::Implicit,
    }
}
