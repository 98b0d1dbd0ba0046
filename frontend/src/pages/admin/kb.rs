//! Knowledge base (staff): every article with its visibility and "was this helpful?" counts;
//! edit, delete, and a link to write a new one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{Category, KbArticle, Page};

use super::search_status::SearchIndexStatus;
use crate::api::{ApiError, use_client};
use crate::components::badges::KbVisibilityBadge;
use crate::components::feedback::EmptyState;
use crate::components::kb_hit::article_href;
use crate::components::loaded::{FormStatus, loaded};
use crate::components::page_nav::PageNav;
use crate::format::{datetime, relative};

const PER_PAGE: u64 = 50;

#[component]
pub fn KbTab() -> impl IntoView {
    let client = use_client();
    let page = RwSignal::new(1_u64);
    let data = LocalResource::new(move || {
        let n = page.get();
        async move {
            let articles = client.kb_articles(None, n, PER_PAGE).await?;
            // Names only: the list still works when categories cannot be read.
            let categories = client.categories().await.unwrap_or_default();
            Ok::<_, ApiError>((articles, categories))
        }
    });
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let remove = Callback::new(move |(id, title): (i64, String)| {
        error.set(None);
        done.set(None);
        spawn_local(async move {
            match client.delete_kb_article(id).await {
                Ok(()) => {
                    done.set(Some(format!("“{title}” is deleted.")));
                    data.refetch();
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    });

    view! {
        <section aria-labelledby="kb-admin-title">
            <div class="page-head">
                <h2 id="kb-admin-title">"Knowledge base"</h2>
                <a class="btn btn-primary" href="/admin/kb/new" data-testid="kb-new">"New article"</a>
            </div>
            <SearchIndexStatus />
            <FormStatus error done />
            {loaded(data, "Loading articles…", move |(articles, categories): (Page<KbArticle>, Vec<Category>)| {
                view! { <ArticleTable articles categories page remove /> }
            })}
        </section>
    }
}

#[component]
fn ArticleTable(
    articles: Page<KbArticle>,
    categories: Vec<Category>,
    page: RwSignal<u64>,
    remove: Callback<(i64, String)>,
) -> impl IntoView {
    if articles.items.is_empty() {
        return view! {
            <EmptyState>
                <p>"No articles yet. " <a href="/admin/kb/new">"Write the first one"</a></p>
            </EmptyState>
        }
        .into_any();
    }
    // One row at a time asks "Delete?" before deleting.
    let confirming = RwSignal::new(None::<i64>);
    let rows = articles
        .items
        .into_iter()
        .map(|a| {
            let category = a
                .category_id
                .and_then(|id| categories.iter().find(|c| c.id == id).map(|c| c.name.clone()));
            view! { <ArticleRow a category confirming remove /> }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="tickets admin-table" data-testid="kb-admin-list">
                <thead>
                    <tr>
                        <th scope="col">"Title"</th>
                        <th scope="col">"Visibility"</th>
                        <th scope="col">"Category"</th>
                        <th scope="col">"Helpful"</th>
                        <th scope="col">"Updated"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <PageNav current=articles.page total=articles.total per_page=articles.per_page page />
    }
    .into_any()
}

#[component]
fn ArticleRow(
    a: KbArticle,
    category: Option<String>,
    confirming: RwSignal<Option<i64>>,
    remove: Callback<(i64, String)>,
) -> impl IntoView {
    let id = a.id;
    let title = a.title.clone();
    let edit = format!("/admin/kb/{id}");
    let asking = move || confirming.get() == Some(id);
    view! {
        <tr data-testid="kb-admin-row" data-article-id=id data-visibility=a.visibility.as_str()>
            <td><a href=edit.clone() data-testid="kb-admin-title">{a.title}</a></td>
            <td><KbVisibilityBadge visibility=a.visibility always=true /></td>
            <td>{category.unwrap_or_else(|| "—".to_owned())}</td>
            <td class="kb-helpful-counts" data-testid="kb-helpful-counts">
                <span title="Readers who found it helpful">{format!("{} yes", a.helpful_yes)}</span>
                " · "
                <span title="Readers who did not">{format!("{} no", a.helpful_no)}</span>
            </td>
            <td>
                <time datetime=a.updated_at.to_rfc3339() title=datetime(a.updated_at)>{relative(a.updated_at)}</time>
            </td>
            <td class="row-actions">
                <Show
                    when=asking
                    fallback=move || {
                        view! {
                            <a class="btn" href=article_href(id) target="_blank" rel="noopener">"View"</a>
                            <a class="btn" href=edit.clone() data-testid="kb-edit">"Edit"</a>
                            <button type="button" class="btn" data-testid="kb-delete" on:click=move |_| confirming.set(Some(id))>
                                "Delete"
                            </button>
                        }
                    }
                >
                    <span class="muted">"Delete this article? "</span>
                    <button
                        type="button"
                        class="btn btn-danger"
                        data-testid="kb-delete-confirm"
                        on:click={
                            let title = title.clone();
                            move |_| {
                                confirming.set(None);
                                remove.run((id, title.clone()));
                            }
                        }
                    >
                        "Delete"
                    </button>
                    <button type="button" class="btn" data-testid="kb-delete-cancel" on:click=move |_| confirming.set(None)>
                        "Cancel"
                    </button>
                </Show>
            </td>
        </tr>
    }
}
