//! A mailbox's OAuth connection: the application it signs in with (Microsoft, Google or an
//! OpenID Connect provider), the grant's state, and "Connect", which sends the whole window to
//! the provider's sign-in; the provider sends it back to `/oauth/callback`. The client secret
//! is write-only, like the mailbox's passwords.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{FetchProtocol, Mailbox, OAuthApp, OAuthConnection, OAuthProvider, OAuthStatus};

use super::mailbox_form::PasswordField;
use crate::api::use_client;
use crate::components::confirm_delete::ConfirmDelete;
use crate::components::form_fields::TextField;
use crate::components::loaded::{FormStatus, loaded};
use crate::format::{datetime, relative};

#[component]
pub fn MailboxOAuth(mailbox: Mailbox) -> impl IntoView {
    let client = use_client();
    let id = mailbox.id;
    let connection = LocalResource::new(move || async move { client.mailbox_oauth(id).await });
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let reload = Callback::new(move |message: String| {
        done.set(Some(message));
        connection.refetch();
    });
    let uses_oauth = mailbox.fetch_protocol == FetchProtocol::Graph
        || mailbox.graph_send
        || (mailbox.imap_host.is_some() && mailbox.imap_auth.is_oauth())
        || (mailbox.smtp_host.is_some() && mailbox.smtp_auth.is_oauth());
    view! {
        <section class="card admin-form" data-testid="mailbox-oauth" aria-labelledby="oauth-title">
            <h3 id="oauth-title">{format!("OAuth connection of {}", mailbox.name)}</h3>
            <p class="muted field-hint">
                {if uses_oauth {
                    "This mailbox signs in with the account connected here."
                } else {
                    "Needed when the mailbox signs in with OAuth or uses Microsoft Graph."
                }}
            </p>
            {loaded(
                connection,
                "Loading the OAuth connection…",
                move |connection| view! { <OAuthPanel id connection error done reload /> },
            )}
            <FormStatus error done />
        </section>
    }
}

#[component]
fn OAuthPanel(
    id: i64,
    /// `None`: no application is set up yet.
    connection: Option<OAuthConnection>,
    error: RwSignal<Option<String>>,
    done: RwSignal<Option<String>>,
    /// Called with a confirmation once the connection changed.
    reload: Callback<String>,
) -> impl IntoView {
    let client = use_client();
    let c = connection.as_ref();
    let provider = RwSignal::new(c.map_or(OAuthProvider::Microsoft, |c| c.provider).as_str().to_owned());
    let tenant = RwSignal::new(c.and_then(|c| c.tenant.clone()).unwrap_or_default());
    let issuer = RwSignal::new(c.and_then(|c| c.issuer.clone()).unwrap_or_default());
    let client_id = RwSignal::new(c.map(|c| c.client_id.clone()).unwrap_or_default());
    let secret = RwSignal::new(String::new());
    let public_client = RwSignal::new(false);
    let scopes = RwSignal::new(c.map(|c| c.scopes.clone()).unwrap_or_default());
    let has_secret = c.is_some_and(|c| c.has_client_secret);
    let default_scopes = c.map_or_else(|| "The provider's defaults".to_owned(), |c| c.effective_scopes.clone());
    let busy = RwSignal::new(false);
    let chosen = move || OAuthProvider::parse(&provider.get()).unwrap_or(OAuthProvider::Microsoft);

    let start = move || {
        busy.set(true);
        error.set(None);
        done.set(None);
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let Some(id_of_client) = text(client_id) else {
            error.set(Some(
                "Enter the client id of the application registered at the provider.".into(),
            ));
            return;
        };
        let provider = OAuthProvider::parse(&provider.get_untracked()).unwrap_or(OAuthProvider::Microsoft);
        let app = OAuthApp {
            provider,
            tenant: text(tenant).filter(|_| provider == OAuthProvider::Microsoft),
            client_id: id_of_client,
            // None keeps the stored secret; empty makes it a public client.
            client_secret: if public_client.get_untracked() {
                Some(String::new())
            } else {
                text(secret)
            },
            issuer: text(issuer).filter(|_| provider == OAuthProvider::Oidc),
            // Empty: the provider's defaults for how the mailbox is used.
            scopes: Some(scopes.get_untracked().trim().to_owned()),
        };
        start();
        spawn_local(async move {
            let result = client.set_mailbox_oauth(id, &app).await;
            busy.set(false);
            match result {
                Ok(c) if c.status == OAuthStatus::NotConnected => {
                    reload.run("The OAuth application is saved. Connect an account next.".into());
                }
                Ok(_) => reload.run("The OAuth application is saved.".into()),
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };
    let connect = move |_| {
        start();
        spawn_local(async move {
            let result = client.connect_mailbox_oauth(id).await;
            // Stays busy while the window leaves for the provider.
            let failed = match result {
                Ok(s) => window()
                    .location()
                    .assign(&s.authorize_url)
                    .err()
                    .map(|_| "The browser did not open the provider's sign-in page.".to_owned()),
                Err(e) => Some(e.user_message()),
            };
            if let Some(message) = failed {
                busy.set(false);
                error.set(Some(message));
            }
        });
    };
    let remove = Callback::new(move |()| {
        start();
        spawn_local(async move {
            let result = client.delete_mailbox_oauth(id).await;
            busy.set(false);
            match result {
                Ok(()) => reload.run("The OAuth application and its account are removed.".into()),
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    });

    let connect_label = match c.map(|c| c.status) {
        Some(OAuthStatus::Connected | OAuthStatus::ReconnectNeeded) => "Reconnect",
        _ => "Connect",
    };
    view! {
        {status(c)}
        {c.map(|c| view! { <Facts c=c.clone() /> })}
        <form class="admin-form" on:submit=on_submit novalidate data-testid="oauth-form" aria-label="OAuth application">
            <div class="form-grid">
                <div class="field">
                    <label for="oauth-provider">"Provider"</label>
                    <select id="oauth-provider" bind:value=provider data-testid="oauth-provider">
                        <option value=OAuthProvider::Microsoft.as_str()>"Microsoft"</option>
                        <option value=OAuthProvider::Google.as_str()>"Google"</option>
                        <option value=OAuthProvider::Oidc.as_str()>"OpenID Connect"</option>
                    </select>
                </div>
                <Show when=move || chosen() == OAuthProvider::Microsoft>
                    <TextField id="oauth-tenant" label="Tenant (directory id or domain)" value=tenant placeholder="organizations" />
                </Show>
                <Show when=move || chosen() == OAuthProvider::Oidc>
                    <TextField id="oauth-issuer" label="Issuer URL" value=issuer kind="url" placeholder="https://" />
                </Show>
                <TextField id="oauth-client-id" label="Client id" value=client_id />
                <Show when=move || !public_client.get()>
                    <PasswordField id="oauth-client-secret" label="Client secret" value=secret stored=has_secret />
                </Show>
                <TextField id="oauth-scopes" label="Scopes (space-separated)" value=scopes placeholder=default_scopes />
            </div>
            {has_secret
                .then(|| {
                    view! {
                        <div class="field-check">
                            <input id="oauth-public-client" type="checkbox" data-testid="oauth-public-client" bind:checked=public_client />
                            <label for="oauth-public-client">"Forget the stored secret (a public client)"</label>
                        </div>
                    }
                })}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="oauth-save" disabled=move || busy.get()>
                    "Save"
                </button>
                {connection
                    .is_some()
                    .then(|| {
                        view! {
                            <button type="button" class="btn" data-testid="oauth-connect" disabled=move || busy.get() on:click=connect>
                                {connect_label}
                            </button>
                            <ConfirmDelete
                                testid="oauth-remove"
                                label="Remove"
                                question="Remove the OAuth application and the connected account?"
                                busy
                                on_confirm=remove
                            />
                        }
                    })}
            </div>
        </form>
    }
}

/// The grant's state in one line: connected as whom, a reconnect needed and why, or not yet.
fn status(c: Option<&OAuthConnection>) -> AnyView {
    let Some(c) = c else {
        return view! {
            <p class="muted" data-testid="oauth-status" data-status="none">
                "Not connected: no OAuth application is set up yet. Save one, then connect an account."
            </p>
        }
        .into_any();
    };
    match c.status {
        OAuthStatus::Connected => {
            let who = c.account.clone().unwrap_or_else(|| "an account".to_owned());
            view! {
                <p class="notice notice-info" data-testid="oauth-status" data-status="connected">
                    {format!("Connected as {who}")}
                </p>
            }
            .into_any()
        }
        OAuthStatus::ReconnectNeeded => {
            let why = c.last_error.clone().unwrap_or_else(|| "the provider refused the connection".to_owned());
            view! {
                <p class="notice notice-warning" data-testid="oauth-status" data-status="reconnect_needed">
                    {format!("Reconnect needed: {why}")}
                </p>
            }
            .into_any()
        }
        OAuthStatus::NotConnected => view! {
            <p class="muted" data-testid="oauth-status" data-status="not_connected">"Not connected"</p>
            {c.last_error.clone().map(|e| view! { <div class="mailbox-error" data-testid="oauth-last-error">{e}</div> })}
        }
        .into_any(),
    }
}

/// The redirect URI to register at the provider (selected on focus, to copy), and the token's
/// times.
#[component]
fn Facts(c: OAuthConnection) -> impl IntoView {
    let when = |t: chrono::DateTime<chrono::Utc>| {
        view! { <time datetime=t.to_rfc3339() title=datetime(t)>{relative(t)}</time> }
    };
    view! {
        <div class="field">
            <label for="oauth-redirect-uri">"Redirect URI to register at the provider"</label>
            <input
                id="oauth-redirect-uri"
                class="mono"
                type="text"
                readonly=true
                data-testid="oauth-redirect-uri"
                value=c.redirect_uri
                on:focus=select_all
            />
        </div>
        // One line of times, so the panel stays short.
        <p class="muted">
            {c.connected_at.map(|t| view! { <span data-testid="oauth-connected-at">"Connected " {when(t)}</span> })}
            {c.refreshed_at.map(|t| view! { <span data-testid="oauth-refreshed">" · token last refreshed " {when(t)}</span> })}
            {c.access_expires_at
                .map(|t| view! { <span data-testid="oauth-expires">{format!(" · valid until {}", datetime(t))}</span> })}
        </p>
    }
}

/// Selects the whole read-only field, ready to copy.
fn select_all(ev: leptos::ev::FocusEvent) {
    event_target::<web_sys::HtmlInputElement>(&ev).select();
}
