//! The mailbox form's part for replies: the mailbox's own SMTP account (empty host: the
//! server's global one), signing in with a password or the mailbox's OAuth grant, or Microsoft
//! Graph `sendMail` instead of SMTP.

use leptos::prelude::*;
use protocol::{MailAuth, Mailbox, MailboxSettings};

use super::mailbox_form::{AuthSelect, PasswordField, parse_port, tls_parse, tls_str};
use crate::components::form_fields::{CheckField, TextField};

/// The sending fields while they are edited.
#[derive(Debug, Clone, Copy)]
pub struct Sending {
    host: RwSignal<String>,
    port: RwSignal<String>,
    tls: RwSignal<String>,
    username: RwSignal<String>,
    password: RwSignal<String>,
    auth: RwSignal<String>,
    graph: RwSignal<bool>,
    has_password: bool,
}

impl Sending {
    pub fn new(m: Option<&Mailbox>) -> Self {
        Self {
            host: RwSignal::new(m.and_then(|m| m.smtp_host.clone()).unwrap_or_default()),
            port: RwSignal::new(m.and_then(|m| m.smtp_port).map(|p| p.to_string()).unwrap_or_default()),
            tls: RwSignal::new(m.map_or("starttls", |m| tls_str(m.smtp_tls)).to_owned()),
            username: RwSignal::new(m.and_then(|m| m.smtp_username.clone()).unwrap_or_default()),
            password: RwSignal::new(String::new()),
            auth: RwSignal::new(m.map_or(MailAuth::Password, |m| m.smtp_auth).as_str().to_owned()),
            graph: RwSignal::new(m.is_some_and(|m| m.graph_send)),
            has_password: m.is_some_and(|m| m.has_smtp_password),
        }
    }

    /// Writes the fields into `settings`; `Err`: what to correct.
    pub fn apply(self, settings: &mut MailboxSettings) -> Result<(), String> {
        let graph = self.graph.get_untracked();
        let port = match parse_port(&self.port.get_untracked(), "SMTP port") {
            Ok(port) => port,
            // Hidden while replies go through Graph, and unused there.
            Err(_) if graph => None,
            Err(e) => return Err(e),
        };
        let auth = MailAuth::parse(&self.auth.get_untracked());
        // An empty host clears the mailbox's own account (replies use the global one).
        settings.smtp_host = Some(self.host.get_untracked().trim().to_owned());
        settings.smtp_port = port;
        settings.smtp_tls = Some(tls_parse(&self.tls.get_untracked()));
        settings.smtp_username = Some(self.username.get_untracked().trim().to_owned());
        settings.smtp_password = Some(self.password.get_untracked()).filter(|p| !p.is_empty() && !auth.is_oauth());
        settings.smtp_auth = Some(auth);
        settings.graph_send = Some(graph);
        Ok(())
    }
}

#[component]
pub fn MailboxSending(fields: Sending) -> impl IntoView {
    let Sending {
        host,
        port,
        tls,
        username,
        password,
        auth,
        graph,
        has_password,
    } = fields;
    let password_sign_in = move || !MailAuth::parse(&auth.get()).is_oauth();
    view! {
        <h4>"Sending replies (optional: empty host = the server's SMTP settings)"</h4>
        <CheckField id="mb-graph-send" label="Send replies through Microsoft Graph" value=graph />
        <Show
            when=move || !graph.get()
            fallback=|| {
                view! {
                    <p class="muted field-hint" data-testid="mb-graph-send-hint">
                        "Replies are sent as the support address with the mailbox's OAuth connection."
                    </p>
                }
            }
        >
            <div class="form-grid">
                <TextField id="mb-smtp-host" label="SMTP host" value=host />
                <TextField id="mb-smtp-port" label="SMTP port" value=port kind="number" />
                <div class="field">
                    <label for="mb-smtp-tls">"Encryption"</label>
                    <select id="mb-smtp-tls" bind:value=tls data-testid="mb-smtp-tls">
                        <option value="starttls">"STARTTLS"</option>
                        <option value="implicit">"TLS (implicit)"</option>
                        <option value="none">"None (loopback only)"</option>
                    </select>
                </div>
                <AuthSelect id="mb-smtp-auth" label="SMTP sign in with" value=auth />
                <TextField id="mb-smtp-username" label="SMTP user name" value=username />
                <Show when=password_sign_in>
                    <PasswordField id="mb-smtp-password" label="SMTP password" value=password stored=has_password />
                </Show>
            </div>
        </Show>
    }
}
