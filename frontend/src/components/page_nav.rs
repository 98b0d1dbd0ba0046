//! "Page x of y" with Previous/Next buttons, for lists paged in component state (not the URL).

use leptos::prelude::*;

#[component]
pub fn PageNav(
    /// 1-based page shown.
    current: u64,
    total: u64,
    per_page: u64,
    page: RwSignal<u64>,
) -> impl IntoView {
    let last = total.div_ceil(per_page.max(1)).max(1);
    view! {
        <nav class="pager" aria-label="Pages" data-testid="page-nav">
            <span class="muted">{format!("{total} in all · page {current} of {last}")}</span>
            <span class="pager-links">
                <button
                    type="button"
                    class="btn"
                    disabled={current <= 1}
                    on:click=move |_| page.set(current.saturating_sub(1).max(1))
                >
                    "Previous"
                </button>
                <button type="button" class="btn" disabled={current >= last} on:click=move |_| page.set(current + 1)>
                    "Next"
                </button>
            </span>
        </nav>
    }
}
