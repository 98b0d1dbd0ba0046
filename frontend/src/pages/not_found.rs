//! Any path no route matches.

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page narrow" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <p>
                <a class="btn" href="/">"Go to the start page"</a>
            </p>
        </section>
    }
}
