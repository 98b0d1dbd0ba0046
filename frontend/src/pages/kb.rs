//! `/kb`: the help center. Public articles to browse (page by page) and a search box; staff
//! also see the agents-only articles. Open to visitors who are not signed in when the portal's
//! knowledge base is public; otherwise the server asks for a session and the page offers a
//! sign-in link.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use protocol::{Category, KbArticle, KbHit, KbSearchParams, Page};

use crate::api::use_client;
use crate::auth::use_auth;
use crate::components::badges::KbVisibilityBadge;
use crate::components::choice::Choice;
use crate::components::feedback::{EmptyState, Loading};
use crate::components::kb_hit::{KbHitSummary, article_href};
use crate::components::pager::{PagedList, Pager};
use crate::components::search_box::SearchBox;
use crate::components::sign_in_notice::ReaderError;
use crate::format::excerpt;

const PER_PAGE: u64 = 20;
const SEARCH_LIMIT: u64 = 20;

/// What the help center shows, kept in the URL (`/kb?q=password`, `/kb?category=2&page=2`).
#[derive(Debug, Clone, PartialEq)]
struct HelpQuery {
    q: String,
    category_id: Option<i64>,
    page: u64,
}

impl HelpQuery {
    fn from_params(p: &ParamsMap) -> Self {
        Self {
            q: p.get("q").unwrap_or_default().trim().to_owned(),
            category_id: p.get("category").and_then(|c| c.parse().ok()),
            page: p
                .get("page")
                .and_then(|n| n.parse().ok())
                .filter(|n| *n >= 1)
                .unwrap_or(1),
        }
    }

    fn href(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", String::from(js_sys::encode_uri_component(&self.q))));
        }
        if let Some(c) = self.category_id {
            parts.push(format!("category={c}"));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            "/kb".to_owned()
        } else {
            format!("/kb?{}", parts.join("&"))
        }
    }
}

impl PagedList for HelpQuery {
    fn page(&self) -> u64 {
        self.page
    }

    fn page_href(&self, page: u64) -> String {
        Self { page, ..self.clone() }.href()
    }
}

/// Browsing without words, or the hits of a search.
#[derive(Debug, Clone)]
enum Listing {
    Browse(Page<KbArticle>),
    Hits(Vec<KbHit>),
}

#[component]
pub fn KbPage() -> impl IntoView {
    let client = use_client();
    let user = use_auth().session_untracked().map(|s| s.user);
    let signed_in = user.is_some();
    let staff = user.is_some_and(|u| u.role.is_staff());
    let query = use_query_map();
    let shown = Memo::new(move |_| query.with(HelpQuery::from_params));
    let listing = LocalResource::new(move || {
        let h = shown.get();
        async move {
            let result = if h.q.is_empty() {
                client
                    .kb_articles(h.category_id, h.page, PER_PAGE)
                    .await
                    .map(Listing::Browse)
            } else {
                let p = KbSearchParams {
                    q: h.q.clone(),
                    category_id: h.category_id,
                    limit: Some(SEARCH_LIMIT),
                };
                client.kb_search(&p).await.map(Listing::Hits)
            };
            // With the query it answers, for the pager's links.
            (h, result)
        }
    });
    // Category names need a session (`GET /categories`); visitors browse without them.
    let categories = LocalResource::new(move || async move {
        if signed_in {
            client.categories().await
        } else {
            Ok(Vec::new())
        }
    });

    let (on_search, on_category) = kb_navigation(shown);
    let current_q = Signal::derive(move || shown.with(|h| h.q.clone()));

    view! {
        <section class="page kb-page" aria-labelledby="kb-title">
            <div class="page-head">
                <h1 id="kb-title">"Help center"</h1>
            </div>
            <p class="muted">"Search our articles, or browse them below."</p>
            <div class="kb-controls">
                <SearchBox
                    id="kb-q"
                    testid="kb-search-input"
                    label="Search the help center"
                    placeholder="What do you need help with?"
                    current=current_q
                    on_search
                />
                {move || match categories.get() {
                    Some(Ok(list)) if !list.is_empty() => {
                        Some(view! { <CategoryPick list selected=shown on_pick=on_category /> })
                    }
                    _ => None,
                }}
            </div>
            {move || match listing.get() {
                None => view! { <Loading label="Loading articles…" /> }.into_any(),
                Some((_, Err(error))) => {
                    view! { <ReaderError error retry=Callback::new(move |()| listing.refetch()) /> }.into_any()
                }
                Some((_, Ok(Listing::Hits(hits)))) => view! { <HitList hits /> }.into_any(),
                Some((at, Ok(Listing::Browse(page)))) => view! { <ArticleList page at /> }.into_any(),
            }}
            {(!staff).then(|| view! { <AskUs /> })}
        </section>
    }
}

/// The page's moves: a new search (replacing the history entry) or category, from page 1.
fn kb_navigation(shown: Memo<HelpQuery>) -> (Callback<String>, Callback<Option<i64>>) {
    let navigate = use_navigate();
    let go = move |h: HelpQuery, replace: bool| {
        let options = NavigateOptions {
            replace,
            ..Default::default()
        };
        navigate(&h.href(), options);
    };
    let go_search = go.clone();
    // Typing replaces the history entry: Back leaves the search, not one word at a time.
    let on_search = Callback::new(move |q: String| {
        let next = HelpQuery {
            q,
            page: 1,
            ..shown.get_untracked()
        };
        go_search(next, true);
    });
    let on_category = Callback::new(move |category_id: Option<i64>| {
        let next = HelpQuery {
            category_id,
            page: 1,
            ..shown.get_untracked()
        };
        go(next, false);
    });
    (on_search, on_category)
}

/// "Didn't find an answer? Ask us": the way to a new ticket, for customers and visitors.
#[component]
fn AskUs() -> impl IntoView {
    view! {
        <p class="kb-ask muted">
            "Didn't find an answer? " <a href="/tickets/new" data-testid="kb-ask">"Ask us"</a>
        </p>
    }
}

/// The topic filter: all topics, or one category.
#[component]
fn CategoryPick(list: Vec<Category>, selected: Memo<HelpQuery>, on_pick: Callback<Option<i64>>) -> impl IntoView {
    let options: Vec<(String, String)> = list.into_iter().map(|c| (c.id.to_string(), c.name)).collect();
    view! {
        <Choice
            label="Topic"
            testid="kb-category"
            any="All topics"
            options
            selected=Signal::derive(move || selected.with(|h| h.category_id.map(|id| id.to_string())))
            on_pick=Callback::new(move |v: String| on_pick.run(v.parse().ok()))
        />
    }
}

#[component]
fn HitList(hits: Vec<KbHit>) -> impl IntoView {
    if hits.is_empty() {
        return view! {
            <EmptyState>
                <p>"No article matches your search. Try other words."</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <ul class="plain-list kb-list" data-testid="kb-hits">
            {hits
                .into_iter()
                .map(|hit| {
                    let id = hit.id;
                    view! {
                        <li class="card kb-item" data-testid="kb-hit" data-article-id=id>
                            <KbHitSummary hit />
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn ArticleList(page: Page<KbArticle>, at: HelpQuery) -> impl IntoView {
    if page.items.is_empty() {
        return view! {
            <EmptyState>
                <p>"There are no articles here yet."</p>
            </EmptyState>
        }
        .into_any();
    }
    let (total, per_page) = (page.total, page.per_page);
    view! {
        <ul class="plain-list kb-list" data-testid="kb-articles">
            {page
                .items
                .into_iter()
                .map(|a| {
                    view! {
                        <li class="card kb-item" data-testid="kb-article-item" data-article-id=a.id>
                            <a class="kb-hit-title" href=article_href(a.id)>{a.title}</a>
                            " "
                            <KbVisibilityBadge visibility=a.visibility />
                            <p class="kb-excerpt">{excerpt(&a.body_text, 180)}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <Pager filter=at total per_page />
    }
    .into_any()
}
