//! "Reconnecting…" while the live link is down, so nobody trusts a screen that stopped
//! updating. The status region stays in the page; only its content comes and goes, so screen
//! readers announce both the drop and the return.

use leptos::prelude::*;

use crate::live::{LinkStatus, use_live};

#[component]
pub fn ReconnectBanner() -> impl IntoView {
    let live = use_live();
    let down = Memo::new(move |_| live.status() == LinkStatus::Down);
    view! {
        <div class="live-status" role="status" aria-live="polite">
            <Show when=move || down.get()>
                <p class="reconnecting" data-testid="reconnecting">
                    <span class="spinner" aria-hidden="true"></span>
                    "Reconnecting… Live updates are paused; what you see may be out of date."
                </p>
            </Show>
        </div>
    }
}
