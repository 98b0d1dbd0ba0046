//! Creating a mailbox or changing its core settings: how it fetches (IMAP, POP3 or Microsoft
//! Graph) and signs in (a password or the mailbox's OAuth grant); its replies' account is in
//! [`super::mailbox_sending`]. Passwords are write-only: left empty, the stored one is kept.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{FetchProtocol, MailAuth, Mailbox, MailboxSettings, TlsMode};

use super::mailbox_screening::{MailboxScreening, Screening};
use super::mailbox_sending::{MailboxSending, Sending};
use crate::api::{ApiError, Client, use_client};
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
    let f = MailboxFields::new(m);
    let has_password = m.is_some_and(|m| m.has_password);
    let sending = Sending::new(m);
    let screening = Screening::new(m);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut settings = match f.settings() {
            Ok(settings) => settings,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        if let Err(e) = sending.apply(&mut settings) {
            error.set(Some(e));
            return;
        }
        screening.apply(&mut settings);
        saving.set(true);
        error.set(None);
        spawn_local(async move {
            let result = save_mailbox(client, id, &settings).await;
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
                <TextField id="mb-name" label="Name" value=f.name />
                <TextField id="mb-address" label="Support address" value=f.address kind="email" />
                <div class="field">
                    <label for="mb-protocol">"Fetch with"</label>
                    <select id="mb-protocol" bind:value=f.fetch_protocol data-testid="mb-protocol">
                        <option value=FetchProtocol::Imap.as_str()>"IMAP"</option>
                        <option value=FetchProtocol::Pop3.as_str()>"POP3"</option>
                        <option value=FetchProtocol::Graph.as_str()>"Microsoft Graph"</option>
                    </select>
                </div>
                <Show when=move || f.server()>
                    <ServerFields f has_password />
                </Show>
                <FolderField f />
                <TextField id="mb-poll" label="Poll every (seconds)" value=f.poll kind="number" />
            </div>
            <Show when=move || !f.server()>
                <p class="muted field-hint" data-testid="mb-graph-hint">
                    "Microsoft Graph reads the support address's mailbox with the mailbox's OAuth connection."
                </p>
            </Show>
            <MailboxSending fields=sending />
            <MailboxScreening fields=screening />
            <CheckField id="mb-enabled" label="Enabled" value=f.enabled />
            <CheckField id="mb-accept" label="Accept mail from unknown senders (else quarantine)" value=f.accept_unknown />
            <CheckField id="mb-reopen" label="A reply reopens a closed ticket" value=f.reopen_closed />
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

/// The mailbox's core settings as typed in the form (all but its replies' account).
#[derive(Debug, Clone, Copy)]
struct MailboxFields {
    name: RwSignal<String>,
    address: RwSignal<String>,
    enabled: RwSignal<bool>,
    fetch_protocol: RwSignal<String>,
    host: RwSignal<String>,
    port: RwSignal<String>,
    tls: RwSignal<String>,
    auth: RwSignal<String>,
    username: RwSignal<String>,
    password: RwSignal<String>,
    folder: RwSignal<String>,
    poll: RwSignal<String>,
    accept_unknown: RwSignal<bool>,
    reopen_closed: RwSignal<bool>,
}

impl MailboxFields {
    /// The fields of `m`, or of a new mailbox (IMAP over TLS, the inbox, every minute).
    fn new(m: Option<&Mailbox>) -> Self {
        Self {
            name: RwSignal::new(m.map(|m| m.name.clone()).unwrap_or_default()),
            address: RwSignal::new(m.map(|m| m.address.clone()).unwrap_or_default()),
            enabled: RwSignal::new(m.is_none_or(|m| m.enabled)),
            fetch_protocol: RwSignal::new(m.map_or(FetchProtocol::Imap, |m| m.fetch_protocol).as_str().to_owned()),
            host: RwSignal::new(m.and_then(|m| m.imap_host.clone()).unwrap_or_default()),
            port: RwSignal::new(m.and_then(|m| m.imap_port).map(|p| p.to_string()).unwrap_or_default()),
            tls: RwSignal::new(m.map_or("implicit", |m| tls_str(m.imap_tls)).to_owned()),
            auth: RwSignal::new(m.map_or(MailAuth::Password, |m| m.imap_auth).as_str().to_owned()),
            username: RwSignal::new(m.and_then(|m| m.imap_username.clone()).unwrap_or_default()),
            password: RwSignal::new(String::new()),
            folder: RwSignal::new(m.map_or_else(|| "INBOX".to_owned(), |m| m.imap_folder.clone())),
            poll: RwSignal::new(m.map_or(60, |m| m.poll_interval_secs).to_string()),
            accept_unknown: RwSignal::new(m.is_none_or(|m| m.accept_unknown)),
            reopen_closed: RwSignal::new(m.is_none_or(|m| m.reopen_closed)),
        }
    }

    /// Whether it fetches from a server (reactive).
    fn server(self) -> bool {
        // Graph fetches with the OAuth grant as the support address: no server, no sign-in fields.
        FetchProtocol::parse(&self.fetch_protocol.get()) != FetchProtocol::Graph
    }

    /// The settings to save, or what is wrong with the port or poll interval.
    fn settings(self) -> Result<MailboxSettings, String> {
        let protocol = FetchProtocol::parse(&self.fetch_protocol.get_untracked());
        let port = match parse_port(&self.port.get_untracked(), "server port") {
            Ok(port) => port,
            // Hidden for Graph, and unused there.
            Err(_) if protocol == FetchProtocol::Graph => None,
            Err(e) => return Err(e),
        };
        let Ok(poll) = self.poll.get_untracked().trim().parse::<u32>() else {
            return Err("The poll interval must be a whole number of seconds.".into());
        };
        let text = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let auth = MailAuth::parse(&self.auth.get_untracked());
        Ok(MailboxSettings {
            name: text(self.name),
            address: text(self.address),
            enabled: Some(self.enabled.get_untracked()),
            fetch_protocol: Some(protocol),
            imap_host: text(self.host),
            imap_port: port,
            imap_tls: Some(tls_parse(&self.tls.get_untracked())),
            imap_auth: Some(auth),
            imap_username: text(self.username),
            imap_password: Some(self.password.get_untracked()).filter(|p| !p.is_empty() && !auth.is_oauth()),
            imap_folder: text(self.folder),
            poll_interval_secs: Some(poll),
            accept_unknown: Some(self.accept_unknown.get_untracked()),
            reopen_closed: Some(self.reopen_closed.get_untracked()),
            ..Default::default()
        })
    }
}

/// Updates mailbox `id`, or creates one; the confirmation to show (a new one's webhook secret).
async fn save_mailbox(client: Client, id: Option<i64>, settings: &MailboxSettings) -> Result<String, ApiError> {
    match id {
        Some(id) => client
            .update_mailbox(id, settings)
            .await
            .map(|m| format!("{} is saved.", m.name)),
        None => client.create_mailbox(settings).await.map(|w| {
            format!(
                "{} is created. Its webhook secret, shown only now: {}",
                w.mailbox.name, w.webhook_secret
            )
        }),
    }
}

/// The server to fetch from and how to sign in to it (not for Graph).
#[component]
fn ServerFields(f: MailboxFields, has_password: bool) -> impl IntoView {
    let password_sign_in = move || !MailAuth::parse(&f.auth.get()).is_oauth();
    view! {
        <TextField id="mb-host" label="Server host" value=f.host />
        <TextField id="mb-port" label="Server port" value=f.port kind="number" />
        <div class="field">
            <label for="mb-tls">"Encryption"</label>
            <select id="mb-tls" bind:value=f.tls data-testid="mb-tls">
                <option value="implicit">"TLS (implicit)"</option>
                <option value="starttls">"STARTTLS"</option>
                <option value="none">"None (loopback only)"</option>
            </select>
        </div>
        <AuthSelect id="mb-imap-auth" label="Sign in with" value=f.auth />
        <TextField id="mb-username" label="User name" value=f.username />
        <Show when=password_sign_in>
            <PasswordField id="mb-password" label="Password" value=f.password stored=has_password />
        </Show>
    }
}

/// The folder to read, with a hint fitting the protocol.
#[component]
fn FolderField(f: MailboxFields) -> impl IntoView {
    let folder_help = move || match FetchProtocol::parse(&f.fetch_protocol.get()) {
        FetchProtocol::Imap => "An IMAP folder, e.g. INBOX.",
        FetchProtocol::Pop3 => "POP3 always reads the inbox.",
        FetchProtocol::Graph => "A well-known folder name such as inbox, or a folder id.",
    };
    view! {
        <div class="field">
            <label for="mb-folder">"Folder"</label>
            <input id="mb-folder" type="text" data-testid="mb-folder" bind:value=f.folder aria-describedby="mb-folder-help" />
            <small id="mb-folder-help" class="muted">{folder_help}</small>
        </div>
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
