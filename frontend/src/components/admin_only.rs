//! A top-level page only some may see (admins, mostly): its heading, then the content for
//! those allowed and a notice for anyone else.

use leptos::prelude::*;

/// `name` makes the page's class (`page {name}-page`), its heading's id (`{name}-title`) and
/// the notice's test id (`{name}-forbidden`); `forbidden` is the notice's words.
#[component]
pub fn AdminOnlyPage(
    name: &'static str,
    title: &'static str,
    forbidden: &'static str,
    #[prop(into)] allowed: Signal<bool>,
    children: ChildrenFn,
) -> impl IntoView {
    view! {
        <section class=format!("page {name}-page") aria-labelledby=format!("{name}-title")>
            <div class="page-head">
                <h1 id=format!("{name}-title")>{title}</h1>
            </div>
            <Show
                when=move || allowed.get()
                fallback=move || {
                    view! {
                        <div class="notice notice-info" data-testid=format!("{name}-forbidden")>
                            {forbidden}
                        </div>
                    }
                }
            >
                {children()}
            </Show>
        </section>
    }
}
