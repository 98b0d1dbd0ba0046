//! Refreshing the access token, once for all the calls that found it expired at the same time.

use std::cell::RefCell;

use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use protocol::{RefreshRequest, TokenResponse};

use super::{ApiError, Call, read};
use crate::auth::{Auth, Session};

type Pending = Shared<LocalBoxFuture<'static, Result<Session, ApiError>>>;

thread_local! {
    /// The refresh in flight, if any (the browser runs this app on one thread).
    static IN_FLIGHT: RefCell<Option<Pending>> = const { RefCell::new(None) };
}

/// A session whose access token is newer than the one in `used`.
pub(super) async fn fresh_session(auth: Auth, used: &Session) -> Result<Session, ApiError> {
    match auth.session_untracked() {
        // Another call refreshed (or someone signed in again) meanwhile: use that.
        Some(current) if current.access_token != used.access_token => return Ok(current),
        Some(_) => {}
        None => return Err(ApiError::signed_out()),
    }
    let pending = IN_FLIGHT.with(|slot| {
        let mut slot = slot.borrow_mut();
        match slot.as_ref() {
            Some(pending) => pending.clone(),
            None => {
                let pending = refresh(auth, used.refresh_token.clone()).boxed_local().shared();
                *slot = Some(pending.clone());
                pending
            }
        }
    });
    let result = pending.await;
    IN_FLIGHT.with(|slot| slot.borrow_mut().take());
    result
}

async fn refresh(auth: Auth, refresh_token: String) -> Result<Session, ApiError> {
    let call = Call::post("/auth/refresh", &RefreshRequest { refresh_token })?;
    match read::<TokenResponse>(call.send(None).await?).await {
        Ok(tokens) => {
            let session = Session::from(tokens);
            auth.set_session(session.clone());
            Ok(session)
        }
        Err(e) => {
            // The refresh token was refused: sign in again. (A network or server failure keeps
            // the session, so a flaky connection does not sign anyone out.)
            if e.is_client_error() {
                auth.expire();
            }
            Err(e)
        }
    }
}
