//! `/account/password`: change one's own password (the first admin replaces the printed
//! one-time password here). Every other session of the account ends; this one goes on.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::use_client;

#[component]
pub fn PasswordPage() -> impl IntoView {
    let client = use_client();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let pending = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let (c, n) = (current.get_untracked(), new.get_untracked());
        if n != again.get_untracked() {
            error.set(Some("The new passwords do not match.".into()));
            return;
        }
        pending.set(true);
        error.set(None);
        done.set(false);
        spawn_local(async move {
            let result = client.change_password(c, n).await;
            pending.set(false);
            match result {
                Ok(()) => {
                    for field in [current, new, again] {
                        field.set(String::new());
                    }
                    done.set(true);
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    view! {
        <section class="page account-page" aria-labelledby="password-title">
            <form class="card login-card" on:submit=on_submit data-testid="password-form">
                <h1 id="password-title">"Change your password"</h1>
                <p class="muted">"You will be signed out everywhere else."</p>
                <div class="field">
                    <label for="password-current">"Current password"</label>
                    <input id="password-current" type="password" autocomplete="current-password" required
                        data-testid="password-current" bind:value=current />
                </div>
                <div class="field">
                    <label for="password-new">"New password"</label>
                    <input id="password-new" type="password" autocomplete="new-password" required minlength="8"
                        data-testid="password-new" bind:value=new />
                </div>
                <div class="field">
                    <label for="password-again">"New password, again"</label>
                    <input id="password-again" type="password" autocomplete="new-password" required minlength="8"
                        data-testid="password-again" bind:value=again />
                </div>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="password-error">{e}</p> })}
                <Show when=move || done.get()>
                    <p class="notice notice-info" role="status" data-testid="password-done">
                        "Your password was changed. Other sessions have been signed out."
                    </p>
                </Show>
                <button type="submit" class="btn btn-primary btn-block" data-testid="password-submit"
                    disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Change password" }}
                </button>
            </form>
        </section>
    }
}
