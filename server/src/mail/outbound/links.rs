//! The signed links our mails carry: autologin (a customer opens that one ticket for 3 days),
//! unsubscribe (a subscriber leaves a ticket) and rating (Good / OK / Bad). Each is a JWT for
//! one purpose only, so a link of one kind never works as another, nor as a session.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use protocol::Rating;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::keys::Keys;

pub const AUTOLOGIN_DAYS: i64 = 3;
const UNSUBSCRIBE_DAYS: i64 = 180;
const RATING_DAYS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Autologin,
    Unsubscribe,
    Rate,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkClaims {
    pub purpose: Purpose,
    /// The user (autologin, rate) — or 0 for an address without an account (unsubscribe).
    pub sub: i64,
    pub tkt: i64,
    /// The subscriber's address (unsubscribe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub exp: i64,
}

fn sign(keys: &Keys, claims: &LinkClaims) -> AppResult<String> {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(keys.jwt.expose_secret()),
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!("signing link: {e}")))
}

fn token(keys: &Keys, purpose: Purpose, user: i64, ticket: i64, email: Option<String>, days: i64) -> AppResult<String> {
    sign(
        keys,
        &LinkClaims {
            purpose,
            sub: user,
            tkt: ticket,
            email,
            exp: (Utc::now() + Duration::days(days)).timestamp(),
        },
    )
}

/// Checks signature, expiry and purpose.
pub fn verify(keys: &Keys, token: &str, purpose: Purpose) -> AppResult<LinkClaims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 5;
    validation.set_required_spec_claims(&["exp"]);
    let data =
        decode::<LinkClaims>(token, &DecodingKey::from_secret(keys.jwt.expose_secret()), &validation).map_err(|e| {
            match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    AppError::validation("this link has expired; sign in with your password or ask for a new mail")
                }
                _ => AppError::validation("this link is not valid"),
            }
        })?;
    if data.claims.purpose != purpose {
        return Err(AppError::validation("this link is not valid"));
    }
    Ok(data.claims)
}

/// Where links point: the configured public URL without a trailing slash.
pub struct LinkBase<'a> {
    pub public_url: &'a str,
    pub keys: &'a Keys,
}

impl LinkBase<'_> {
    pub fn ticket(&self, ticket_id: i64) -> String {
        format!("{}/tickets/{ticket_id}", self.public_url)
    }

    pub fn autologin(&self, user_id: i64, ticket_id: i64) -> AppResult<String> {
        let t = token(self.keys, Purpose::Autologin, user_id, ticket_id, None, AUTOLOGIN_DAYS)?;
        Ok(format!("{}/autologin?token={t}", self.public_url))
    }

    pub fn unsubscribe(&self, ticket_id: i64, email: &str) -> AppResult<String> {
        let t = token(
            self.keys,
            Purpose::Unsubscribe,
            0,
            ticket_id,
            Some(email.to_owned()),
            UNSUBSCRIBE_DAYS,
        )?;
        Ok(format!(
            "{}{}/public/unsubscribe?token={t}",
            self.public_url,
            protocol::API_BASE
        ))
    }

    pub fn ratings(&self, user_id: i64, ticket_id: i64) -> AppResult<[String; 3]> {
        let t = token(self.keys, Purpose::Rate, user_id, ticket_id, None, RATING_DAYS)?;
        let url = |r: Rating| {
            format!(
                "{}{}/public/rate?token={t}&rating={}",
                self.public_url,
                protocol::API_BASE,
                r.as_str()
            )
        };
        Ok([url(Rating::Good), url(Rating::Ok), url(Rating::Bad)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys {
            jwt: vec![7u8; 32].into(),
            encryption: vec![1u8; 32].into(),
        }
    }

    #[test]
    fn a_link_works_only_for_its_purpose() {
        let k = keys();
        let t = token(&k, Purpose::Autologin, 3, 9, None, 1).unwrap();
        let c = verify(&k, &t, Purpose::Autologin).unwrap();
        assert_eq!((c.sub, c.tkt), (3, 9));
        assert!(verify(&k, &t, Purpose::Rate).is_err());
        // A session token is not a link either.
        let session =
            crate::auth::jwt::issue(&k, 3, protocol::Role::Customer, crate::auth::jwt::TokenKind::Access, 60).unwrap();
        assert!(verify(&k, &session, Purpose::Autologin).is_err());
    }

    #[test]
    fn an_expired_link_says_so() {
        let k = keys();
        let t = token(&k, Purpose::Autologin, 3, 9, None, -1).unwrap();
        let err = verify(&k, &t, Purpose::Autologin).unwrap_err().to_string();
        assert!(err.contains("expired"), "{err}");
    }
}
