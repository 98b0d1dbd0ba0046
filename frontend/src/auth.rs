//! The signed-in session: tokens and user, kept in `localStorage` and shared through context.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use protocol::{TokenResponse, User};
use serde::{Deserialize, Serialize};

const STORAGE_KEY: &str = "maildesk.session";

/// What survives a page reload: the two tokens and who they belong to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub user: User,
}

impl From<TokenResponse> for Session {
    fn from(t: TokenResponse) -> Self {
        Self {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            user: t.user,
        }
    }
}

/// Handle to the session, provided as context by [`crate::app::App`].
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Session>>,
    /// A one-off message for the login page ("your session has expired").
    notice: RwSignal<Option<String>>,
}

impl Auth {
    /// Reads a stored session, if any (a corrupt entry counts as none).
    pub fn load() -> Self {
        let stored = LocalStorage::get::<Session>(STORAGE_KEY).ok();
        Self {
            session: RwSignal::new(stored),
            notice: RwSignal::new(None),
        }
    }

    /// The signed-in user (reactive).
    pub fn user(&self) -> Option<User> {
        self.session.with(|s| s.as_ref().map(|s| s.user.clone()))
    }

    /// Whether someone is signed in (reactive).
    pub fn signed_in(&self) -> bool {
        self.session.with(Option::is_some)
    }

    /// The current session, without subscribing (for use inside requests).
    pub fn session_untracked(&self) -> Option<Session> {
        self.session.try_get_untracked().flatten()
    }

    /// Stores a new or refreshed session.
    pub fn set_session(&self, session: Session) {
        if let Err(e) = LocalStorage::set(STORAGE_KEY, &session) {
            leptos::logging::warn!("could not store the session: {e}");
        }
        self.notice.set(None);
        self.session.set(Some(session));
    }

    /// Updates the user of the current session (after `GET /auth/me`).
    pub fn set_user(&self, user: User) {
        if let Some(mut session) = self.session_untracked()
            && session.user != user
        {
            session.user = user;
            self.set_session(session);
        }
    }

    /// Forgets the session (sign-out).
    pub fn sign_out(&self) {
        LocalStorage::delete(STORAGE_KEY);
        self.session.set(None);
    }

    /// Forgets a session the server no longer accepts; the login page says why.
    pub fn expire(&self) {
        if self.session_untracked().is_some() {
            self.notice
                .set(Some("Your session has expired. Please sign in again.".into()));
        }
        self.sign_out();
    }

    /// The message for the login page, if any (reactive).
    pub fn notice(&self) -> Option<String> {
        self.notice.get()
    }
}

/// The [`Auth`] handle provided by the app.
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
