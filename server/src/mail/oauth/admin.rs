//! The admin's side of a mailbox's OAuth: setting its application, reading the grant's state,
//! removing both. Secrets are write-only.

use chrono::Utc;
use entity::{mailbox, mailbox_oauth};
use protocol::{OAuthApp, OAuthConnection, OAuthProvider, OAuthStatus};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use super::{providers, tokens};
use crate::context::AppContext;
use crate::egress::{self, Egress};
use crate::error::{AppError, AppResult};

fn to_dto(ctx: &AppContext, m: &mailbox::Model, g: mailbox_oauth::Model) -> OAuthConnection {
    let effective_scopes = providers::scopes(&g, providers::Usage::of(m)).join(" ");
    OAuthConnection {
        provider: OAuthProvider::parse(&g.provider).unwrap_or(OAuthProvider::Oidc),
        tenant: g.tenant,
        client_id: g.client_id,
        has_client_secret: g.client_secret_enc.is_some(),
        issuer: g.issuer,
        scopes: g.scopes,
        effective_scopes,
        status: match g.status.as_str() {
            "connected" => OAuthStatus::Connected,
            "reconnect_needed" => OAuthStatus::ReconnectNeeded,
            _ => OAuthStatus::NotConnected,
        },
        account: g.account,
        last_error: g.last_error,
        connected_at: g.connected_at,
        refreshed_at: g.refreshed_at,
        access_expires_at: g.access_expires_at,
        redirect_uri: tokens::redirect_uri(ctx),
    }
}

async fn mailbox_of(ctx: &AppContext, mailbox_id: i64) -> AppResult<mailbox::Model> {
    mailbox::Entity::find_by_id(mailbox_id)
        .one(ctx.db())
        .await?
        .ok_or(AppError::NotFound("mailbox"))
}

pub async fn get(ctx: &AppContext, mailbox_id: i64) -> AppResult<OAuthConnection> {
    let m = mailbox_of(ctx, mailbox_id).await?;
    let g = mailbox_oauth::Entity::find_by_id(mailbox_id)
        .one(ctx.db())
        .await?
        .ok_or(AppError::NotFound("OAuth application"))?;
    Ok(to_dto(ctx, &m, g))
}

fn clean(v: Option<&str>) -> Option<String> {
    v.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Sets the application. A different provider, tenant, issuer or client makes the grant
/// belong to another application: it is dropped and the account must be connected again.
pub async fn set(ctx: &AppContext, mailbox_id: i64, app: &OAuthApp) -> AppResult<OAuthConnection> {
    let m = mailbox_of(ctx, mailbox_id).await?;
    let client_id = app.client_id.trim();
    if client_id.is_empty() || client_id.len() > 500 {
        return Err(AppError::validation("client_id: required (at most 500 characters)"));
    }
    let tenant = clean(app.tenant.as_deref());
    if let Some(t) = &tenant
        && !t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        return Err(AppError::validation("tenant: a directory id or domain name"));
    }
    let issuer = clean(app.issuer.as_deref()).map(|i| i.trim_end_matches('/').to_owned());
    match (app.provider, &issuer) {
        (OAuthProvider::Oidc, None) => {
            return Err(AppError::validation("issuer: required for an OpenID Connect provider"));
        }
        (OAuthProvider::Oidc, Some(i)) => {
            let parsed = reqwest::Url::parse(i).map_err(|e| AppError::validation(format!("issuer: {e}")))?;
            if parsed.scheme() != "https" && !crate::net::is_loopback(parsed.host_str().unwrap_or("")) {
                return Err(AppError::validation("issuer: must be an https URL"));
            }
            egress::check_url(i, Egress::of(ctx.settings()))
                .map_err(|e| AppError::validation(format!("issuer: {e}")))?;
        }
        _ => {}
    }
    let scopes = app
        .scopes
        .as_deref()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
    let now = Utc::now();
    let existing = mailbox_oauth::Entity::find_by_id(mailbox_id).one(ctx.db()).await?;
    let same_app = existing.as_ref().is_some_and(|g| {
        g.provider == app.provider.as_str() && g.tenant == tenant && g.issuer == issuer && g.client_id == client_id
    });
    let mut row: mailbox_oauth::ActiveModel = match existing.clone() {
        Some(g) => g.into(),
        None => mailbox_oauth::ActiveModel {
            mailbox_id: Set(mailbox_id),
            scopes: Set(String::new()),
            status: Set("not_connected".into()),
            ..Default::default()
        },
    };
    row.provider = Set(app.provider.as_str().into());
    row.tenant = Set(tenant);
    row.issuer = Set(issuer);
    row.client_id = Set(client_id.to_owned());
    if let Some(s) = scopes {
        row.scopes = Set(s);
    }
    match app.client_secret.as_deref() {
        None => {}
        Some("") => row.client_secret_enc = Set(None),
        Some(secret) => row.client_secret_enc = Set(Some(crate::crypto::encrypt(ctx.keys(), secret)?)),
    }
    if !same_app {
        row.account = Set(None);
        row.refresh_token_enc = Set(None);
        row.access_token_enc = Set(None);
        row.access_expires_at = Set(None);
        row.status = Set("not_connected".into());
        row.last_error = Set(None);
        row.connected_at = Set(None);
    }
    row.updated_at = Set(now);
    let saved = if existing.is_some() {
        row.update(ctx.db()).await?
    } else {
        row.insert(ctx.db()).await?
    };
    Ok(to_dto(ctx, &m, saved))
}

/// Forgets the application and its grant (the provider's own consent stays until revoked there).
pub async fn remove(ctx: &AppContext, mailbox_id: i64) -> AppResult<()> {
    mailbox_of(ctx, mailbox_id).await?;
    mailbox_oauth::Entity::delete_by_id(mailbox_id).exec(ctx.db()).await?;
    Ok(())
}
