//! Creating a mailbox or changing its core settings: how it fetches (IMAP, POP3 or Microsoft
//! Graph) and signs in (a password or the mailbox's OAuth grant); its replies' account is in
//! [`super::mailbox_sending`]. Passwords are write-only: left empty, the stored one is kept.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{FetchProtocol, MailAuth, Mailbox, MailboxSettings, TlsMode};

use super::mailbox_sending::{MailboxSending, Sending};
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
    let fetch_protocol = RwSignal::new(m.map_or(FetchProtocol::Imap, |m| m.fetch_protocol).as_str().to_owned());
    let host = RwSignal::new(m.and_then(|m| m.imap_host.clone()).unwrap_or_default());
    let port = RwSignal::new(m.and_then(|m| m.imap_port).map(|p| p.to_string()).unwrap_or_default());
    let tls = RwSignal::new(m.map_or("implicit", |m| tls_str(m.imap_tls)).to_owned());
    let auth = RwSignal::new(m.map_or(MailAuth::Password, |m| m.imap_auth).as_str().to_owned());
    let username = RwSignal::new(m.and_then(|m| m.imap_username.clone()).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let folder = RwSignal::new(m.map_or_else(|| "INBOX".to_owned(), |m| m.imap_folder.clone()));
    let poll = RwSignal::new(m.map_or(60, |m| m.poll_interval_secs).to_string());
    let accept_unknown = RwSignal::new(m.is_none_or(|m| m.accept_unknown));
    let reopen_closed = RwSignal::new(m.is_none_or(|m| m.reopen_closed));
    let has_password = m.is_some_and(|m| m.has_password);
    let sending = Sending::new(m);
    // Graph fetches with the OAuth grant as the support address: no server, no sign-in fields.
    let server = move || FetchProtocol::parse(&fetch_protocol.get()) != FetchProtocol::Graph;
    let password_sign_in = move || !MailAuth::parse(&auth.get()).is_oauth();
    let folder_help = move || match FetchProtocol::parse(&fetch_protocol.get()) {
        FetchProtocol::Imap => "An IMAP folder, e.g. INBOX.",
        FetchProtocol::Pop3 => "POP3 always reads the inbox.",
        FetchProtocol::Graph => "A well-known folder name such as inbox, or a folder id.",
    };
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let protocol = FetchProtocol::parse(&fetch_protocol.get_untracked());
        let port = match parse_port(&port.get_untracked(), "server port") {
            Ok(port) => port,
            // Hidden for Graph, and unused there.
            Err(_) if protocol == FetchProtocol::Graph => None,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        let Ok(poll) = poll.get_untracked().trim().parse::<u32>() else {
            error.set(Some("The poll interval must be a whole number of seconds.".into()));
            return;
        };
        let text = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let auth = MailAuth::parse(&auth.get_untracked());
        let mut settings = MailboxSettings {
            name: text(name),
            address: text(address),
            enabled: Some(enabled.get_untracked()),
            fetch_protocol: Some(protocol),
            imap_host: text(host),
            imap_port: port,
            imap_tls: Some(tls_parse(&tls.get_untracked())),
            imap_auth: Some(auth),
            imap_username: text(username),
            imap_password: Some(password.get_untracked()).filter(|p| !p.is_empty() && !auth.is_oauth()),
            imap_folder: text(folder),
            poll_interval_secs: Some(poll),
            accept_unknown: Some(accept_unknown.get_untracked()),
            reopen_closed: Some(reopen_closed.get_untracked()),
            ..Default::default()
        };
        if let Err(e) = sending.apply(&mut settings) {
            error.set(Some(e));
            return;
        }
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
                        <option value=FetchProtocol::Imap.as_str()>"IMAP"</option>
                        <option value=FetchProtocol::Pop3.as_str()>"POP3"</option>
                        <option value=FetchProtocol::Graph.as_str()>"Microsoft Graph"</option>
                    </select>
                </div>
                <Show when=server>
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
                    <AuthSelect id="mb-imap-auth" label="Sign in with" value=auth />
                    <TextField id="mb-username" label="User name" value=username />
                    <Show when=password_sign_in>
                        <PasswordField id="mb-password" label="Password" value=password stored=has_password />
                    </Show>
                </Show>
                <div class="field">
                    <label for="mb-folder">"Folder"</label>
                    <input id="mb-folder" type="text" data-testid="mb-folder" bind:value=folder aria-describedby="mb-folder-help" />
                    <small id="mb-folder-help" class="muted">{folder_help}</small>
                </div>
                <TextField id="mb-poll" label="Poll every (seconds)" value=poll kind="number" />
            </div>
            <Show when=move || !server()>
                <p class="muted field-hint" data-testid="mb-graph-hint">
                    "Microsoft Graph reads the support address's mailbox with the mailbox's OAuth connection."
                </p>
            </Show>
            <MailboxSending fields=sending />
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

/// "Sign in with": the stored password, or the mailbox's OAuth grant over a SASL mechanism.
#[component]
pub fn AuthSelect(id: &'static str, label: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id bind:value=value data-testid=id>
                <option value=MailAuth::Password.as_str()>"Password"</option>
                <option value=MailAuth::Xoauth2.as_str()>"OAuth (XOAUTH2)"</option>
                <option value=MailAuth::Oauthbearer.as_str()>"OAuth (OAUTHBEARER)"</option>
            </select>
        </div>
    }
}

/// A write-only password: `stored` says one is kept while the input stays empty.
#[component]
pub fn PasswordField(id: &'static str, label: &'static str, value: RwSignal<String>, stored: bool) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="password"
                autocomplete="new-password"
                data-testid=id
                placeholder=if stored { "Stored — leave empty to keep" } else { "" }
                bind:value=value
            />
        </div>
    }
}

/// An optional port: empty is `None`; `what` names the field in the error.
pub fn parse_port(value: &str, what: &str) -> Result<Option<u16>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<u16>() {
        Ok(port) if port > 0 => Ok(Some(port)),
        _ => Err(format!("The {what} must be a number from 1 to 65535.")),
    }
}

pub fn tls_str(t: TlsMode) -> &'static str {
    match t {
        TlsMode::Implicit => "implicit",
        TlsMode::Starttls => "starttls",
        TlsMode::None => "none",
    }
}

pub fn tls_parse(s: &str) -> TlsMode {
    match s {
        "starttls" => TlsMode::Starttls,
        "none" => TlsMode::None,
        _ => TlsMode::Implicit,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_port;

    #[test]
    fn ports() {
        assert_eq!(parse_port(" ", "SMTP port"), Ok(None));
        assert_eq!(parse_port(" 993 ", "server port"), Ok(Some(993)));
        assert_eq!(
            parse_port("0", "SMTP port"),
            Err("The SMTP port must be a number from 1 to 65535.".to_owned())
        );
        assert!(parse_port("70000", "server port").is_err());
        assert!(parse_port("imap", "server port").is_err());
    }
}
