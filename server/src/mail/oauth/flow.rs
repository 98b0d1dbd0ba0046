//! Connecting an account: the authorization-code flow with PKCE (RFC 7636). `start` is called
//! by an admin's browser app; it stores a pending request keyed by the hash of a random
//! `state`, bound to that admin (user and session epoch, so a logout-everywhere or a password
//! change voids it) and to their browser (the hash of a cookie set with the answer), for ten
//! minutes. `finish` takes that row (deleting it: a replayed `state` finds nothing), checks the
//! bindings, trades the code for tokens and stores the grant. Nothing is stored on any failure.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use entity::{mailbox, mailbox_oauth, oauth_state, user};
use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, Scope, TokenResponse as _};
use protocol::{OAuthStart, Role};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use super::{OAuthError, providers, tokens};
use crate::auth::CurrentUser;
use crate::context::AppContext;
use crate::egress::{self, Egress};

/// How long a started connection waits for the provider's redirect.
pub const STATE_TTL_MINUTES: i64 = 10;
/// The cookie that ties a pending request to the browser that started it.
pub const BROWSER_COOKIE: &str = "maildesk_oauth";

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Where to send the browser, and the value of [`BROWSER_COOKIE`] to set on it.
pub async fn start(ctx: &AppContext, admin: &CurrentUser, mailbox_id: i64) -> Result<(OAuthStart, String), OAuthError> {
    let m = mailbox::Entity::find_by_id(mailbox_id)
        .one(ctx.db())
        .await?
        .ok_or(OAuthError::Db(crate::error::AppError::NotFound("mailbox")))?;
    let app = mailbox_oauth::Entity::find_by_id(mailbox_id)
        .one(ctx.db())
        .await?
        .ok_or_else(|| OAuthError::NotConfigured("set the mailbox's OAuth application first".into()))?;
    let endpoints = providers::endpoints(ctx.settings(), &app).await?;
    let redirect = tokens::redirect_uri(ctx);
    let client = super::client(ctx.keys(), &app, &endpoints, &redirect)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = random_token();
    let login_hint = m
        .imap_username
        .clone()
        .filter(|u| !u.is_empty())
        .unwrap_or(m.address.clone());
    let mut request = client
        .authorize_url(|| CsrfToken::new(state.clone()))
        .add_scopes(
            providers::scopes(&app, providers::Usage::of(&m))
                .into_iter()
                .map(Scope::new),
        )
        .set_pkce_challenge(challenge)
        .add_extra_param("login_hint", login_hint);
    for (k, v) in providers::authorize_params(&app) {
        request = request.add_extra_param(k, v);
    }
    let (url, _) = request.url();
    let browser = random_token();
    let now = Utc::now();
    // Pending requests nobody finished are dropped as new ones start.
    oauth_state::Entity::delete_many()
        .filter(oauth_state::Column::ExpiresAt.lt(now))
        .exec(ctx.db())
        .await?;
    oauth_state::ActiveModel {
        state_hash: Set(hash(&state)),
        mailbox_id: Set(mailbox_id),
        user_id: Set(admin.id),
        session_epoch: Set(admin.session_epoch),
        browser_hash: Set(hash(&browser)),
        verifier_enc: Set(crate::crypto::encrypt(ctx.keys(), verifier.secret())
            .map_err(|e| OAuthError::Db(crate::error::AppError::Internal(e)))?),
        redirect_uri: Set(redirect),
        expires_at: Set(now + chrono::Duration::minutes(STATE_TTL_MINUTES)),
        created_at: Set(now),
    }
    .insert(ctx.db())
    .await?;
    tracing::info!(mailbox = mailbox_id, admin = admin.id, "OAuth connection started");
    Ok((
        OAuthStart {
            authorize_url: url.to_string(),
        },
        browser,
    ))
}

/// What the provider's redirect carried.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Redirect {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A connected account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connected {
    pub mailbox_id: i64,
    pub mailbox_address: String,
    pub account: String,
}

/// Why the callback did not connect anything (shown to the admin as it is).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

impl From<OAuthError> for Refused {
    fn from(e: OAuthError) -> Self {
        match e {
            OAuthError::Db(db) => {
                tracing::error!(error = %db, "OAuth callback: database error");
                Self("the connection could not be saved; try again".into())
            }
            other => Self(other.to_string()),
        }
    }
}

/// The provider's redirect back to us: takes the pending request and connects the account.
pub async fn finish(ctx: &AppContext, redirect: &Redirect, browser: Option<&str>) -> Result<Connected, Refused> {
    let pending = take_pending(ctx, redirect, browser).await?;
    let code = redirect_code(redirect)?;
    let app = mailbox_oauth::Entity::find_by_id(pending.mailbox_id)
        .one(ctx.db())
        .await
        .map_err(OAuthError::from)?
        .ok_or_else(|| Refused("the mailbox's OAuth application was removed meanwhile".into()))?;
    let endpoints = providers::endpoints(ctx.settings(), &app).await?;
    let client = super::client(ctx.keys(), &app, &endpoints, &pending.redirect_uri)?;
    let verifier = crate::crypto::decrypt(ctx.keys(), &pending.verifier_enc)
        .map_err(|_| Refused("the pending connection could not be read: start again".into()))?;
    let http = egress::http_client(Egress::of(ctx.settings()));
    let exchange = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier));
    let response = match tokio::time::timeout(super::PROVIDER_TIMEOUT, exchange.request_async(&http)).await {
        Err(_) => {
            return Err(Refused(format!(
                "the token endpoint {} did not answer",
                endpoints.token
            )));
        }
        Ok(Err(e)) => {
            return Err(Refused(format!(
                "the provider refused the code: {}",
                match tokens::describe(&endpoints.token, e) {
                    OAuthError::Revoked(m) | OAuthError::Provider(m) | OAuthError::NotConfigured(m) => m,
                    OAuthError::Db(e) => e.to_string(),
                }
            )));
        }
        Ok(Ok(r)) => r,
    };
    if response.refresh_token().is_none() {
        return Err(Refused(
            "the provider gave no refresh token, so the mailbox could not keep working: allow offline access \
             (scope offline_access) and connect again"
                .into(),
        ));
    }
    let account = match response
        .extra_fields()
        .id_token
        .as_deref()
        .and_then(super::account_of_id_token)
    {
        Some(a) => a,
        None => userinfo_account(ctx, endpoints.userinfo.as_deref(), response.access_token().secret())
            .await
            .ok_or_else(|| Refused("the provider did not say which account signed in (no e-mail claim)".into()))?,
    };
    let now = Utc::now();
    store_grant(ctx, app, &response, &account, now).await?;
    let m = mailbox::Entity::find_by_id(pending.mailbox_id)
        .one(ctx.db())
        .await
        .map_err(OAuthError::from)?
        .ok_or_else(|| Refused("the mailbox was deleted meanwhile".into()))?;
    // A mailbox that was switched off by its failures (the dead grant) starts again.
    if m.disabled_at.is_some() {
        let mut active: mailbox::ActiveModel = m.clone().into();
        active.enabled = Set(true);
        active.disabled_at = Set(None);
        active.consecutive_failures = Set(0);
        active.updated_at = Set(now);
        active.update(ctx.db()).await.map_err(OAuthError::from)?;
    }
    tracing::info!(mailbox = m.id, account = %account, "OAuth account connected");
    Ok(Connected {
        mailbox_id: m.id,
        mailbox_address: m.address,
        account,
    })
}

/// Takes the pending request the redirect's state names (once only), and checks it is fresh,
/// from this browser, and that the admin who started it is still signed in as admin.
async fn take_pending(
    ctx: &AppContext,
    redirect: &Redirect,
    browser: Option<&str>,
) -> Result<oauth_state::Model, Refused> {
    let state = redirect
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Refused("the provider's answer has no state: start again from Admin → Mailboxes".into()))?;
    let key = hash(state);
    let pending = oauth_state::Entity::find_by_id(key.clone())
        .one(ctx.db())
        .await
        .map_err(OAuthError::from)?;
    // Taking the row is the single use: of two arrivals of one state, one deletes it.
    let taken = oauth_state::Entity::delete_many()
        .filter(oauth_state::Column::StateHash.eq(key))
        .exec(ctx.db())
        .await
        .map_err(OAuthError::from)?;
    let pending = match pending {
        Some(p) if taken.rows_affected == 1 => p,
        _ => {
            return Err(Refused(
                "this sign-in answer was already used or is unknown: start again from Admin → Mailboxes".into(),
            ));
        }
    };
    if pending.expires_at < Utc::now() {
        return Err(Refused(format!(
            "the connection was started more than {STATE_TTL_MINUTES} minutes ago: start again"
        )));
    }
    if browser.map(hash).as_deref() != Some(pending.browser_hash.as_str()) {
        return Err(Refused(
            "this answer belongs to a connection started in another browser: start again here".into(),
        ));
    }
    let admin = user::Entity::find_by_id(pending.user_id)
        .one(ctx.db())
        .await
        .map_err(OAuthError::from)?;
    match admin {
        Some(u) if u.is_active && u.role == Role::Admin && u.session_epoch == pending.session_epoch => {}
        _ => {
            return Err(Refused(
                "the admin session that started this connection has ended: sign in and start again".into(),
            ));
        }
    }
    Ok(pending)
}

/// The code the provider granted, or why it did not.
fn redirect_code(redirect: &Redirect) -> Result<&str, Refused> {
    if let Some(error) = &redirect.error {
        let detail = redirect.error_description.as_deref().unwrap_or("");
        return Err(Refused(format!(
            "the provider did not grant access ({error}{}{detail}); nothing was changed",
            if detail.is_empty() { "" } else { ": " }
        )));
    }
    redirect
        .code
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Refused("the provider's answer has no code".into()))
}

/// Stores the granted tokens and the account on the mailbox's OAuth row, marked connected.
async fn store_grant(
    ctx: &AppContext,
    app: mailbox_oauth::Model,
    response: &super::TokenResponse,
    account: &str,
    now: chrono::DateTime<Utc>,
) -> Result<(), Refused> {
    let mut grant: mailbox_oauth::ActiveModel = app.into();
    tokens::apply_response(ctx.keys(), &mut grant, response, now)?;
    grant.account = Set(Some(account.to_owned()));
    grant.status = Set("connected".into());
    grant.last_error = Set(None);
    grant.connected_at = Set(Some(now));
    grant.alerted_at = Set(None);
    grant.refresh_owner = Set(None);
    grant.refresh_lease_until = Set(None);
    grant.update(ctx.db()).await.map_err(OAuthError::from)?;
    Ok(())
}

async fn userinfo_account(ctx: &AppContext, endpoint: Option<&str>, token: &str) -> Option<String> {
    let endpoint = endpoint?;
    let egress = Egress::of(ctx.settings());
    egress::check_url(endpoint, egress).ok()?;
    let answer = egress::http_client(egress)
        .get(endpoint)
        .bearer_auth(token)
        .timeout(super::PROVIDER_TIMEOUT)
        .send()
        .await
        .ok()?;
    let claims: serde_json::Value = answer.error_for_status().ok()?.json().await.ok()?;
    super::account_of_claims(&claims)
}
