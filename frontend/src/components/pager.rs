//! "Showing 26–50 of 120" with previous/next links, for lists whose filters live in the URL.

use leptos::prelude::*;

/// A list whose pages are addresses: the queue's filter, the search page's query.
pub trait PagedList: Clone + Send + Sync + 'static {
    /// 1-based page shown.
    fn page(&self) -> u64;
    /// The address of another page of the same list.
    fn page_href(&self, page: u64) -> String;
}

#[component]
pub fn Pager<F: PagedList>(filter: F, total: u64, per_page: u64) -> impl IntoView {
    let per_page = per_page.max(1);
    let pages = total.div_ceil(per_page).max(1);
    let page = filter.page().clamp(1, pages);
    let first = if total == 0 { 0 } else { (page - 1) * per_page + 1 };
    let last = (page * per_page).min(total);
    let prev = (page > 1).then(|| filter.page_href(page - 1));
    let next = (page < pages).then(|| filter.page_href(page + 1));

    view! {
        <nav class="pager" aria-label="Pages" data-testid="pager">
            <span class="pager-info">{format!("Showing {first}–{last} of {total}")}</span>
            <span class="pager-links">
                <PageLink href=prev label="← Previous" testid="page-prev" />
                <span class="pager-page">{format!("Page {page} of {pages}")}</span>
                <PageLink href=next label="Next →" testid="page-next" />
            </span>
        </nav>
    }
}

#[component]
fn PageLink(href: Option<String>, label: &'static str, testid: &'static str) -> impl IntoView {
    match href {
        Some(href) => view! { <a class="btn" href=href data-testid=testid>{label}</a> }.into_any(),
        None => view! {
            <span class="btn" aria-disabled="true" data-testid=testid>{label}</span>
        }
        .into_any(),
    }
}
