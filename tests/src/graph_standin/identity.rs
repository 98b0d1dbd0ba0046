//! Who is asking and for which mailbox: the bearer token, its JWT claims (no signature check),
//! expiry, access to a mailbox (its own account or a grant, else 403), and the profile
//! (`GET /me`, `GET /users/{mailbox}`).

use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::responses::{ACCESS_DENIED, GraphError, json_reply};
use super::state::State;

pub(super) fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn jwt_claims(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

/// Whose mailbox a request is about, as the client named it.
pub(super) enum Who {
    Me,
    User(String),
}

impl State {
    pub(super) fn authenticate(&self, token: Option<&str>) -> Result<String, GraphError> {
        let invalid = |message: &str| GraphError::new(401, "InvalidAuthenticationToken", message);
        let Some(token) = token else {
            return Err(invalid("Access token is empty."));
        };
        let expired = "Lifetime validation failed, the token is expired.";
        if self.expired.contains(token) {
            return Err(invalid(expired));
        }
        let Some(claims) = jwt_claims(token) else {
            return Err(invalid(
                "IDX14100: JWT is not well formed, there are no dots (.) or it is not valid JSON.",
            ));
        };
        let exp = claims
            .get("exp")
            .and_then(|e| e.as_i64().or_else(|| e.as_f64().map(|f| f as i64)));
        if exp.is_some_and(|exp| exp <= Utc::now().timestamp()) {
            return Err(invalid(expired));
        }
        ["email", "upn", "preferred_username"]
            .iter()
            .find_map(|claim| claims.get(*claim).and_then(Value::as_str).filter(|s| !s.is_empty()))
            .map(str::to_owned)
            .ok_or_else(|| invalid("The Graph stand-in needs a user token: no email, upn or preferred_username claim."))
    }

    /// The mailbox a request may use, or the 403.
    pub(super) fn resolve_mailbox(&mut self, who: &Who, account: &str) -> Result<String, GraphError> {
        let named = match who {
            Who::Me => account.to_owned(),
            Who::User(x) => self
                .mailboxes
                .values()
                .find(|mb| mb.user_id.eq_ignore_ascii_case(x))
                .map(|mb| mb.address.clone())
                .unwrap_or_else(|| x.clone()),
        };
        let key = named.to_lowercase();
        let allowed = key == account.to_lowercase() || self.grants.contains(&(key.clone(), account.to_lowercase()));
        if !allowed {
            return Err(GraphError::new(403, "ErrorAccessDenied", ACCESS_DENIED));
        }
        self.mailbox(&named);
        Ok(key)
    }

    pub(super) fn profile(&self, mailbox: &str) -> HttpResponse {
        let mb = &self.mailboxes[mailbox];
        let local = mb.address.split('@').next().unwrap_or(&mb.address);
        json_reply(
            200,
            &json!({
                "@odata.context": format!("{}/$metadata#users/$entity", self.base_url),
                "id": mb.user_id,
                "mail": mb.address,
                "userPrincipalName": mb.address,
                "displayName": local,
            }),
        )
    }
}
