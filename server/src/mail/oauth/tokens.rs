//! Access tokens for the mailboxes' protocols. A token is handed out while it has more than
//! [`REFRESH_AHEAD`] to live; otherwise one caller refreshes it. "One" holds across nodes: the
//! refresh is claimed by a conditional UPDATE of the grant's lease (`refresh_lease_until`), and
//! whoever loses waits for the winner's token instead of refreshing too (providers rotate
//! refresh tokens: two refreshes from one token can end the grant). `invalid_grant` marks the
//! mailbox "reconnect needed" and tells the admins once; other errors are retried by the caller.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{mailbox, mailbox_oauth};
use oauth2::basic::BasicErrorResponseType;
use oauth2::{RefreshToken, RequestTokenError, Scope, TokenResponse as _};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set};

use super::{OAuthError, TokenResponse, providers};
use crate::change::Change;
use crate::context::AppContext;
use crate::egress::{self, Egress};
use crate::keys::Keys;

/// A token is refreshed when it has less than this left (a long IMAP command or Graph page
/// sequence must not outlive it).
pub const REFRESH_AHEAD: Duration = Duration::from_secs(120);
/// How long a node may hold the refresh lease (a refresh that takes longer is abandoned).
const LEASE: Duration = Duration::from_secs(30);
/// How long a caller waits for another node's refresh before giving up for this round.
const WAIT_FOR_OTHER: Duration = Duration::from_secs(25);

/// What a protocol signs in with.
#[derive(Clone)]
pub struct Bearer {
    /// The connected account (the SASL user name; Graph's `/me`).
    pub account: String,
    pub token: String,
}

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bearer")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// A live access token of `mailbox_id`'s grant, refreshed first if it is about to end.
pub async fn bearer(ctx: &AppContext, mailbox_id: i64) -> Result<Bearer, OAuthError> {
    obtain(ctx, mailbox_id, None).await
}

/// A new token after a server refused `rejected` (Graph's 401): refreshed now, unless another
/// caller already replaced it.
pub async fn bearer_after_rejection(ctx: &AppContext, mailbox_id: i64, rejected: &str) -> Result<Bearer, OAuthError> {
    obtain(ctx, mailbox_id, Some(rejected)).await
}

async fn load(ctx: &AppContext, mailbox_id: i64) -> Result<mailbox_oauth::Model, OAuthError> {
    mailbox_oauth::Entity::find_by_id(mailbox_id)
        .one(ctx.db())
        .await?
        .ok_or_else(|| OAuthError::NotConfigured("no OAuth application is set for this mailbox".into()))
}

/// The stored access token, if it is good for [`REFRESH_AHEAD`] more and is not `rejected`.
fn usable(keys: &Keys, row: &mailbox_oauth::Model, rejected: Option<&str>, now: DateTime<Utc>) -> Option<Bearer> {
    let ahead = chrono::Duration::from_std(REFRESH_AHEAD).ok()?;
    let enc = row.access_token_enc.as_ref()?;
    if row.access_expires_at? <= now + ahead {
        return None;
    }
    let token = crate::crypto::decrypt(keys, enc).ok()?;
    if rejected == Some(token.as_str()) {
        return None;
    }
    Some(Bearer {
        account: row.account.clone().unwrap_or_default(),
        token,
    })
}

fn check_connected(row: &mailbox_oauth::Model) -> Result<(), OAuthError> {
    match row.status.as_str() {
        "connected" if row.refresh_token_enc.is_some() => Ok(()),
        "reconnect_needed" => Err(OAuthError::Revoked(
            row.last_error
                .clone()
                .unwrap_or_else(|| "the provider refused the grant".into()),
        )),
        _ => Err(OAuthError::NotConfigured(
            "no account is connected: use Connect in Admin → Mailboxes".into(),
        )),
    }
}

async fn obtain(ctx: &AppContext, mailbox_id: i64, rejected: Option<&str>) -> Result<Bearer, OAuthError> {
    let waited_until = tokio::time::Instant::now() + WAIT_FOR_OTHER;
    loop {
        let row = load(ctx, mailbox_id).await?;
        check_connected(&row)?;
        if let Some(bearer) = usable(ctx.keys(), &row, rejected, Utc::now()) {
            return Ok(bearer);
        }
        let owner = uuid::Uuid::new_v4().to_string();
        if take_lease(ctx, mailbox_id, &owner).await? {
            // Someone may have refreshed between our read and our claim.
            let row = load(ctx, mailbox_id).await?;
            if let Some(bearer) = usable(ctx.keys(), &row, rejected, Utc::now()) {
                release(ctx, mailbox_id, &owner).await?;
                return Ok(bearer);
            }
            return refresh(ctx, row, &owner).await;
        }
        if tokio::time::Instant::now() >= waited_until {
            return Err(OAuthError::Provider(
                "another node is refreshing this mailbox's token and has not finished".into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn take_lease(ctx: &AppContext, mailbox_id: i64, owner: &str) -> Result<bool, OAuthError> {
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(LEASE).unwrap_or_else(|_| chrono::Duration::seconds(30));
    let claimed = mailbox_oauth::Entity::update_many()
        .col_expr(mailbox_oauth::Column::RefreshOwner, Expr::value(owner))
        .col_expr(mailbox_oauth::Column::RefreshLeaseUntil, Expr::value(until))
        .filter(mailbox_oauth::Column::MailboxId.eq(mailbox_id))
        .filter(
            Condition::any()
                .add(mailbox_oauth::Column::RefreshLeaseUntil.is_null())
                .add(mailbox_oauth::Column::RefreshLeaseUntil.lt(now)),
        )
        .exec(ctx.db())
        .await?;
    Ok(claimed.rows_affected == 1)
}

async fn release(ctx: &AppContext, mailbox_id: i64, owner: &str) -> Result<(), OAuthError> {
    mailbox_oauth::Entity::update_many()
        .col_expr(mailbox_oauth::Column::RefreshOwner, Expr::value(Option::<String>::None))
        .col_expr(
            mailbox_oauth::Column::RefreshLeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(mailbox_oauth::Column::MailboxId.eq(mailbox_id))
        .filter(mailbox_oauth::Column::RefreshOwner.eq(owner))
        .exec(ctx.db())
        .await?;
    Ok(())
}

/// The redirect URI registered with providers: `{public_url}/oauth/callback`.
pub fn redirect_uri(ctx: &AppContext) -> String {
    format!(
        "{}/oauth/callback",
        ctx.settings().http.public_url.trim_end_matches('/')
    )
}

/// Writes a token response onto the grant: the access token and its end, and the refresh
/// token when the provider rotated it (Microsoft does; Google keeps the first).
pub fn apply_response(
    keys: &Keys,
    grant: &mut mailbox_oauth::ActiveModel,
    response: &TokenResponse,
    now: DateTime<Utc>,
) -> Result<(), OAuthError> {
    let lives = response.expires_in().unwrap_or(Duration::from_secs(3600));
    let enc =
        |s: &str| crate::crypto::encrypt(keys, s).map_err(|e| OAuthError::Db(crate::error::AppError::Internal(e)));
    grant.access_token_enc = Set(Some(enc(response.access_token().secret())?));
    grant.access_expires_at = Set(Some(
        now + chrono::Duration::from_std(lives).unwrap_or_else(|_| chrono::Duration::seconds(3600)),
    ));
    if let Some(refresh) = response.refresh_token() {
        grant.refresh_token_enc = Set(Some(enc(refresh.secret())?));
    }
    grant.refreshed_at = Set(Some(now));
    grant.updated_at = Set(now);
    Ok(())
}

async fn refresh(ctx: &AppContext, row: mailbox_oauth::Model, owner: &str) -> Result<Bearer, OAuthError> {
    let mailbox_id = row.mailbox_id;
    let outcome = call_provider(ctx, &row).await;
    let now = Utc::now();
    match outcome {
        Ok(response) => {
            let mut grant: mailbox_oauth::ActiveModel = row.clone().into();
            apply_response(ctx.keys(), &mut grant, &response, now)?;
            grant.last_error = Set(None);
            grant.refresh_owner = Set(None);
            grant.refresh_lease_until = Set(None);
            grant.update(ctx.db()).await?;
            tracing::info!(mailbox = mailbox_id, "OAuth access token refreshed");
            Ok(Bearer {
                account: row.account.unwrap_or_default(),
                token: response.access_token().secret().clone(),
            })
        }
        Err(OAuthError::Revoked(why)) => {
            reconnect_needed(ctx, &row, &why).await?;
            Err(OAuthError::Revoked(why))
        }
        Err(other) => {
            mailbox_oauth::Entity::update_many()
                .col_expr(mailbox_oauth::Column::LastError, Expr::value(other.to_string()))
                .col_expr(mailbox_oauth::Column::UpdatedAt, Expr::value(now))
                .filter(mailbox_oauth::Column::MailboxId.eq(mailbox_id))
                .exec(ctx.db())
                .await?;
            release(ctx, mailbox_id, owner).await?;
            Err(other)
        }
    }
}

async fn call_provider(ctx: &AppContext, row: &mailbox_oauth::Model) -> Result<TokenResponse, OAuthError> {
    let Some(enc) = &row.refresh_token_enc else {
        return Err(OAuthError::NotConfigured("no refresh token is stored".into()));
    };
    let refresh_token = crate::crypto::decrypt(ctx.keys(), enc)
        .map_err(|e| OAuthError::NotConfigured(format!("reading the stored refresh token: {e}")))?;
    let endpoints = providers::endpoints(ctx.settings(), row).await?;
    let client = super::client(ctx.keys(), row, &endpoints, &redirect_uri(ctx))?;
    let usage = match mailbox::Entity::find_by_id(row.mailbox_id).one(ctx.db()).await? {
        Some(m) => providers::Usage::of(&m),
        None => providers::Usage::MailProtocols,
    };
    let http = egress::http_client(Egress::of(ctx.settings()));
    let refresh_token = RefreshToken::new(refresh_token);
    let request = client
        .exchange_refresh_token(&refresh_token)
        .add_scopes(providers::scopes(row, usage).into_iter().map(Scope::new));
    match tokio::time::timeout(super::PROVIDER_TIMEOUT, request.request_async(&http)).await {
        Err(_) => Err(OAuthError::Provider(format!(
            "the token endpoint {} did not answer within {:?}",
            endpoints.token,
            super::PROVIDER_TIMEOUT
        ))),
        Ok(Ok(response)) => Ok(response),
        Ok(Err(e)) => Err(describe(&endpoints.token, e)),
    }
}

/// The provider's error as an [`OAuthError`]: `invalid_grant` is the grant's end.
pub fn describe<RE: std::error::Error + 'static>(
    endpoint: &str,
    e: RequestTokenError<RE, oauth2::basic::BasicErrorResponse>,
) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(answer) => {
            let text = match answer.error_description() {
                Some(d) => format!("{}: {d}", answer.error()),
                None => answer.error().to_string(),
            };
            if *answer.error() == BasicErrorResponseType::InvalidGrant {
                OAuthError::Revoked(text)
            } else {
                OAuthError::Provider(text)
            }
        }
        RequestTokenError::Request(e) => OAuthError::Provider(format!("calling {endpoint}: {}", chain(&e))),
        RequestTokenError::Parse(e, _) => {
            OAuthError::Provider(format!("{endpoint} answered something unreadable: {e}"))
        }
        RequestTokenError::Other(e) => OAuthError::Provider(format!("{endpoint}: {e}")),
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// The grant is dead: the mailbox stops with "reconnect needed" and the admins are told, once
/// per loss (claimed by moving the status, so two nodes cannot both send the alert).
async fn reconnect_needed(ctx: &AppContext, row: &mailbox_oauth::Model, why: &str) -> Result<(), OAuthError> {
    let now = Utc::now();
    let change = Change::open(ctx, None).await?;
    let txn = change.db();
    let claimed = mailbox_oauth::Entity::update_many()
        .col_expr(mailbox_oauth::Column::Status, Expr::value("reconnect_needed"))
        .col_expr(mailbox_oauth::Column::LastError, Expr::value(why))
        .col_expr(
            mailbox_oauth::Column::AccessTokenEnc,
            Expr::value(Option::<String>::None),
        )
        .col_expr(mailbox_oauth::Column::AlertedAt, Expr::value(now))
        .col_expr(mailbox_oauth::Column::RefreshOwner, Expr::value(Option::<String>::None))
        .col_expr(
            mailbox_oauth::Column::RefreshLeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(mailbox_oauth::Column::UpdatedAt, Expr::value(now))
        .filter(mailbox_oauth::Column::MailboxId.eq(row.mailbox_id))
        .filter(mailbox_oauth::Column::Status.eq("connected"))
        .exec(txn)
        .await?;
    if claimed.rows_affected == 1
        && let Some(m) = mailbox::Entity::find_by_id(row.mailbox_id).one(txn).await?
    {
        let subject = format!("Mailbox {} must be reconnected", m.address);
        let text = format!(
            "The mailbox {} <{}> can no longer sign in to {}: the provider refused its OAuth grant ({why}).\n\n\
             Nothing is fetched or sent through it until an admin connects the account again:\n\
             {}/admin/mailboxes\n\nEvery other mailbox keeps working.\n",
            m.name,
            m.address,
            row.account.as_deref().unwrap_or("its account"),
            ctx.settings().http.public_url.trim_end_matches('/'),
        );
        crate::mail::watch::tell_admins(&change, "mailbox_reconnect", &subject, &text).await?;
        tracing::warn!(mailbox = m.id, error = why, "OAuth grant refused: reconnect needed");
    }
    change.commit().await?;
    Ok(())
}

/// Refreshes every connected grant whose token ends within five minutes, so an idle mailbox's
/// grant stays alive (Microsoft ends refresh tokens unused for 90 days) and the next fetch or
/// send does not wait on the provider. Each refresh takes the lease like any other.
pub async fn refresh_due(ctx: &AppContext) -> Result<usize, OAuthError> {
    let soon = Utc::now() + chrono::Duration::minutes(5);
    let due = mailbox_oauth::Entity::find()
        .filter(mailbox_oauth::Column::Status.eq("connected"))
        .filter(mailbox_oauth::Column::RefreshTokenEnc.is_not_null())
        .filter(
            Condition::any()
                .add(mailbox_oauth::Column::AccessExpiresAt.is_null())
                .add(mailbox_oauth::Column::AccessExpiresAt.lt(soon)),
        )
        .all(ctx.db())
        .await?;
    let mut refreshed = 0;
    for row in due {
        let owner = uuid::Uuid::new_v4().to_string();
        if take_lease(ctx, row.mailbox_id, &owner).await? {
            match refresh(ctx, row, &owner).await {
                Ok(_) => refreshed += 1,
                Err(OAuthError::Db(e)) => return Err(OAuthError::Db(e)),
                Err(e) => tracing::warn!(error = %e, "refreshing an OAuth token ahead of time failed"),
            }
        }
    }
    Ok(refreshed)
}
