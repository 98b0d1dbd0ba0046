//! `/autologin?token=…`: the link in a notification mail. The token is traded for a session
//! limited to one ticket, stored like a login, and the customer lands on that ticket.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{ApiError, autologin};
use crate::auth::{Session, use_auth};
use crate::components::feedback::{ErrorNotice, Loading};

#[component]
pub fn AutologinPage() -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let token = use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default();
    let error = RwSignal::new(None::<ApiError>);

    if token.is_empty() {
        error.set(Some(ApiError::Http { status: 400 }));
    } else {
        let target = ticket_of(&token).map_or_else(|| "/tickets".to_owned(), |id| format!("/tickets/{id}"));
        spawn_local(async move {
            match autologin(token).await {
                Ok(tokens) => {
                    auth.set_session(Session::from(tokens));
                    let options = NavigateOptions {
                        replace: true,
                        ..Default::default()
                    };
                    navigate(&target, options);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    }

    view! {
        <section class="page narrow" aria-labelledby="autologin-title" data-testid="autologin">
            <h1 id="autologin-title">"Opening your ticket"</h1>
            {move || match error.get() {
                None => view! { <Loading label="Signing you in…" /> }.into_any(),
                Some(error) => {
                    view! {
                        <ErrorNotice error />
                        <p>"This link may have expired. " <a href="/login">"Sign in"</a> " to see your tickets."</p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// The ticket id in the link's JWT (`tkt` claim). Not verified here: the server checks the
/// token, and limits the session to that ticket.
fn ticket_of(token: &str) -> Option<i64> {
    let claims: serde_json::Value = crate::jwt_claims::claims(token)?;
    claims.get("tkt")?.as_i64().filter(|id| *id > 0)
}
