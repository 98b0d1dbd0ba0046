//! The one-time ticket for opening the socket (a browser cannot put a header on a WebSocket,
//! and the access token must not go into a URL). The server checks it only at the upgrade,
//! and a refused upgrade is invisible to the page (the browser reports a bare close, code
//! 1006), so an expiring access token is refreshed *before* buying the ticket rather than
//! after a failure. The socket lives as long as the access token the ticket was bought with.

use serde::Deserialize;

use crate::api::{ApiError, Client};
use crate::auth::Auth;

/// Tokens this close to their end are refreshed first, so the socket does not close at once.
const MARGIN_SECS: f64 = 30.0;

/// A ticket good for the next connection attempt.
pub async fn for_connect(auth: Auth) -> Result<String, ApiError> {
    let Some(session) = auth.session_untracked() else {
        return Err(ApiError::signed_out());
    };
    let client = Client::new(auth);
    if expires_soon(&session.access_token) {
        client.refresh_session().await?;
    }
    client.url_ticket().await
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
