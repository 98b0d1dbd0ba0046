//! `/kb/:id`: one help-center article and "Was this helpful?". Open to visitors who are not
//! signed in when the portal's knowledge base is public.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use protocol::KbArticle;

use crate::api::{ApiError, use_client};
use crate::auth::use_auth;
use crate::components::badges::KbVisibilityBadge;
use crate::components::button::Button;
use crate::components::feedback::{ErrorNotice, Loading};
use crate::components::sign_in_notice::ReaderError;
use crate::format::{datetime, relative};

#[component]
pub fn KbArticlePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));
    view! {
        <article class="page narrow kb-article-page" aria-labelledby="kb-article-title">
            <p class="back-link"><a href="/kb" data-testid="kb-back">"← Help center"</a></p>
            {move || match id.get() {
                Some(id) => view! { <ArticleView id /> }.into_any(),
                None => view! { <ErrorNotice error=ApiError::Http { status: 404 } /> }.into_any(),
            }}
        </article>
    }
}

#[component]
fn ArticleView(id: i64) -> impl IntoView {
    let client = use_client();
    let staff = use_auth().session_untracked().is_some_and(|s| s.user.role.is_staff());
    let article = LocalResource::new(move || async move { client.kb_article(id).await });
    move || match article.get() {
        None => view! { <Loading label="Loading the article…" /> }.into_any(),
        Some(Err(error)) => view! { <ReaderError error retry=Callback::new(move |()| article.refetch()) /> }.into_any(),
        Some(Ok(a)) => view! { <Article a staff /> }.into_any(),
    }
}

#[component]
fn Article(a: KbArticle, staff: bool) -> impl IntoView {
    let id = a.id;
    view! {
        <header class="kb-article-head">
            <h1 id="kb-article-title" data-testid="kb-article-title">{a.title}</h1>
            <p class="muted kb-article-meta">
                <time datetime=a.updated_at.to_rfc3339() title=datetime(a.updated_at)>
                    {format!("Updated {}", relative(a.updated_at))}
                </time>
                " "
                <KbVisibilityBadge visibility=a.visibility />
                {staff.then(|| view! { " " <a href=format!("/admin/kb/{id}") data-testid="kb-edit-link">"Edit"</a> })}
            </p>
        </header>
        // Sanitized by the server when the article is saved (no scripts, styles or handlers).
        <div class="card kb-body" data-testid="kb-article-body" inner_html=a.body_html></div>
        <Helpful id />
    }
}

/// "Was this helpful? Yes / No": one answer per visit of the page.
#[component]
fn Helpful(id: i64) -> impl IntoView {
    let client = use_client();
    let sent = RwSignal::new(false);
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let answer = move |helpful: bool| {
        if sending.get_untracked() || sent.get_untracked() {
            return;
        }
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = client.kb_feedback(id, helpful).await;
            sending.set(false);
            match result {
                Ok(_) => sent.set(true),
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };
    view! {
        <section class="kb-helpful" aria-label="Feedback" data-testid="kb-helpful">
            <Show
                when=move || !sent.get()
                fallback=|| view! { <p role="status" data-testid="kb-helpful-thanks">"Thanks for your feedback!"</p> }
            >
                <span>"Was this helpful?"</span>
                <Button testid="kb-helpful-yes" disabled=sending on_click=Callback::new(move |()| answer(true))>
                    "Yes"
                </Button>
                <Button testid="kb-helpful-no" disabled=sending on_click=Callback::new(move |()| answer(false))>
                    "No"
                </Button>
            </Show>
            {move || {
                error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="kb-helpful-error">{e}</p> })
            }}
        </section>
    }
}
