//! Access and refresh tokens: HS256 JWTs. Only HS256 is accepted, so a token re-signed with
//! another algorithm (or `none`) is refused, and each token says what it is for.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use protocol::Role;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::keys::Keys;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Access,
    Refresh,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    pub role: Role,
    pub kind: TokenKind,
    pub iat: i64,
    pub exp: i64,
    /// Set on sessions opened by an emailed autologin link: the one ticket they may see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tkt: Option<i64>,
    /// The user's session epoch when the token was issued: a token from an older epoch is dead
    /// (the password was changed or reset since).
    #[serde(default)]
    pub ep: i64,
    /// Refresh tokens: the session (refresh-token family) they belong to…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<i64>,
    /// …and their own id within it (only the newest one refreshes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

impl Claims {
    /// Claims for `user_id` valid `ttl_secs` from now; the session fields are set by the caller.
    pub fn new(user_id: i64, role: Role, kind: TokenKind, ttl_secs: i64) -> Self {
        let now = Utc::now().timestamp();
        Self {
            sub: user_id.to_string(),
            role,
            kind,
            iat: now,
            exp: now + ttl_secs,
            tkt: None,
            ep: 0,
            sid: None,
            jti: None,
        }
    }
}

pub fn issue(keys: &Keys, user_id: i64, role: Role, kind: TokenKind, ttl_secs: i64) -> AppResult<String> {
    sign(keys, &Claims::new(user_id, role, kind, ttl_secs))
}

pub fn sign(keys: &Keys, claims: &Claims) -> AppResult<String> {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(keys.jwt.expose_secret()),
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!("signing token: {e}")))
}

/// Verifies signature, algorithm, expiry and purpose; returns the user id.
pub fn verify(keys: &Keys, token: &str, expected: TokenKind) -> AppResult<(i64, Claims)> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 5;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let data = decode::<Claims>(token, &DecodingKey::from_secret(keys.jwt.expose_secret()), &validation).map_err(
        |e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => AppError::TokenExpired,
            _ => AppError::Unauthorized,
        },
    )?;
    if data.claims.kind != expected {
        return Err(AppError::Unauthorized);
    }
    let id = data.claims.sub.parse::<i64>().map_err(|_| AppError::Unauthorized)?;
    Ok((id, data.claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &[u8]) -> Keys {
        Keys {
            jwt: secret.to_vec().into(),
            encryption: vec![0u8; 32].into(),
        }
    }

    #[test]
    fn a_token_verifies_only_with_its_key_and_purpose() {
        let k = keys(b"one");
        let t = issue(&k, 7, Role::Agent, TokenKind::Access, 60).unwrap();
        assert_eq!(verify(&k, &t, TokenKind::Access).unwrap().0, 7);
        assert!(matches!(
            verify(&k, &t, TokenKind::Refresh),
            Err(AppError::Unauthorized)
        ));
        assert!(matches!(
            verify(&keys(b"two"), &t, TokenKind::Access),
            Err(AppError::Unauthorized)
        ));
    }

    #[test]
    fn an_expired_token_says_so() {
        let k = keys(b"one");
        let t = issue(&k, 7, Role::Agent, TokenKind::Access, -60).unwrap();
        assert!(matches!(verify(&k, &t, TokenKind::Access), Err(AppError::TokenExpired)));
    }
}
