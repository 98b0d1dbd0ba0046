//! `/login`: e-mail and password, then back to where the user was going (default `/tickets`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api;
use crate::auth::{Session, use_auth};
use crate::safe_next::safe_next;

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let query = use_query_map();
    let target = move || safe_next(query.with_untracked(|q| q.get("next")).as_deref());

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    // Already signed in (e.g. Back after login): nothing to do here.
    if auth.session_untracked().is_some() {
        navigate(
            &target(),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    }

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let (e, p) = (email.get_untracked().trim().to_owned(), password.get_untracked());
        if e.is_empty() || p.is_empty() {
            error.set(Some("Enter your e-mail address and password.".into()));
            return;
        }
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        let to = target();
        spawn_local(async move {
            let result = api::login(e, p).await;
            pending.set(false);
            match result {
                Ok(tokens) => {
                    password.set(String::new());
                    auth.set_session(Session::from(tokens));
                    navigate(
                        &to,
                        NavigateOptions {
                            replace: true,
                            ..Default::default()
                        },
                    );
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    view! {
        <section class="page login-page">
            <form class="card login-card" on:submit=on_submit novalidate data-testid="login-form">
                <h1>"Sign in to Maildesk"</h1>
                {move || {
                    auth.notice()
                        .map(|n| {
                            view! {
                                <p class="notice notice-info" data-testid="login-notice">{n}</p>
                            }
                        })
                }}
                <LoginFields email password />
                <LoginError error />
                <button
                    type="submit"
                    class="btn btn-primary btn-block"
                    data-testid="login-submit"
                    disabled=move || pending.get()
                >
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </section>
    }
}

/// The e-mail address and password fields.
#[component]
fn LoginFields(email: RwSignal<String>, password: RwSignal<String>) -> impl IntoView {
    view! {
        {login_field("email", "E-mail address", "username", email)}
        {login_field("password", "Password", "current-password", password)}
    }
}

/// The labelled input `login-{kind}` (its `type` and `name` both `kind`); the e-mail address
/// gets the focus.
fn login_field(
    kind: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let id = format!("login-{kind}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                type=kind
                name=kind
                autocomplete=autocomplete
                required
                autofocus=kind == "email"
                data-testid=id
                bind:value=value
            />
        </div>
    }
}

/// The login error, when there is one.
#[component]
fn LoginError(error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        {move || {
            error
                .get()
                .map(|e| {
                    view! {
                        <p class="form-error" role="alert" data-testid="login-error">
                            {e}
                        </p>
                    }
                })
        }}
    }
}
