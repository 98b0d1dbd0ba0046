//! The access token for opening the socket. The server checks it only at the upgrade, and a
//! refused upgrade is invisible to the page (the browser reports a bare close, code 1006), so
//! an expired token is refreshed *before* connecting rather than after a failure.

use serde::Deserialize;

use crate::api::{ApiError, Client};
use crate::auth::Auth;

/// Tokens this close to their end are refreshed first, so they do not lapse mid-handshake.
const MARGIN_SECS: f64 = 30.0;

/// A token good for the next connection attempt; refreshed when it is (nearly) expired.
pub async fn for_connect(auth: Auth) -> Result<String, ApiError> {
    let Some(session) = auth.session_untracked() else {
        return Err(ApiError::signed_out());
    };
    if !expires_soon(&session.access_token) {
        return Ok(session.access_token);
    }
    Client::new(auth).refresh_session().await.map(|s| s.access_token)
}

/// Whether the JWT's `exp` is within [`MARGIN_SECS`] (an unreadable token counts as expiring:
/// a refresh is the way to get a good one).
fn expires_soon(token: &str) -> bool {
    let now_secs = js_sys::Date::now() / 1000.0;
    exp_of(token).is_none_or(|exp| exp - now_secs < MARGIN_SECS)
}

#[derive(Deserialize)]
struct Claims {
    exp: f64,
}

/// The `exp` claim (unverified: the server verifies; this only saves a round trip).
fn exp_of(token: &str) -> Option<f64> {
    crate::jwt_claims::claims::<Claims>(token).map(|c| c.exp)
}
