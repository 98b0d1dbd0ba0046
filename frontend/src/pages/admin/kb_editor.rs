//! Writing or changing one article: title, HTML body, category, tags and who may read it.
//! `/admin/kb/new` writes a new one; `/admin/kb/{id}` changes an existing one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use protocol::{Category, KbArticle};

use super::kb_draft::KbDraft;
use crate::api::{ApiError, use_client};
use crate::components::form_fields::{SelectField, TextField};
use crate::components::kb_hit::article_href;
use crate::components::loaded::{FormStatus, loaded};

/// `id`: the article to change; `None` for a new one.
#[component]
pub fn KbEditor(id: Option<i64>) -> impl IntoView {
    let client = use_client();
    let data = LocalResource::new(move || async move {
        let article = match id {
            Some(id) => Some(client.kb_article(id).await?),
            None => None,
        };
        // Without categories the article can still be written, just not filed.
        let categories = client.categories().await.unwrap_or_default();
        Ok::<_, ApiError>((article, categories))
    });
    view! {
        <section aria-labelledby="kb-editor-title">
            <p class="back-link"><a href="/admin/kb" data-testid="kb-editor-back">"← All articles"</a></p>
            {loaded(data, "Loading the article…", |(article, categories): (Option<KbArticle>, Vec<Category>)| {
                view! { <KbForm article categories /> }
            })}
        </section>
    }
}

#[component]
fn KbForm(article: Option<KbArticle>, categories: Vec<Category>) -> impl IntoView {
    let client = use_client();
    let navigate = use_navigate();
    let id = article.as_ref().map(|a| a.id);
    let draft = KbDraft::new(article.as_ref());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let body = match draft.to_save() {
            Ok(body) => body,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match id {
                Some(id) => client.update_kb_article(id, &body).await,
                None => client.create_kb_article(&body).await,
            };
            busy.set(false);
            match result {
                // A new article: back to the list, where it now appears.
                Ok(_) if id.is_none() => navigate("/admin/kb", Default::default()),
                Ok(saved) => {
                    // The server sanitizes the HTML: show what it kept.
                    draft.body_html.set(saved.body_html);
                    done.set(Some("Saved.".into()));
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    let set_category = Callback::new(move |v| draft.category.set(v));
    let set_visibility = Callback::new(move |v| draft.visibility.set(v));
    view! {
        <form class="card admin-form kb-editor" on:submit=save novalidate data-testid="kb-editor">
            <h3 id="kb-editor-title">{if id.is_some() { "Edit article" } else { "New article" }}</h3>
            <TextField id="kb-title" label="Title" value=draft.title />
            <div class="field">
                <label for="kb-body">"Text (HTML)"</label>
                <textarea id="kb-body" rows="16" class="mono" data-testid="kb-body" bind:value=draft.body_html></textarea>
                <p class="muted field-help">
                    "HTML such as <p>, <ul>, <a> and <img>; scripts, styles and forms are removed on save. Plain text works too."
                </p>
            </div>
            <div class="form-grid">
                // `prop:selected` per option: a value set on the select before its options exist
                // would not stick.
                <SelectField id="kb-category" label="Category" testid="kb-category-select" on_change=set_category>
                    <option value="" prop:selected=move || draft.category.with(String::is_empty)>"None"</option>
                    {categories
                        .into_iter()
                        .map(|c| {
                            let value = c.id.to_string();
                            let is = value.clone();
                            view! {
                                <option value=value prop:selected=move || draft.category.with(|v| *v == is)>
                                    {c.name}
                                </option>
                            }
                        })
                        .collect_view()}
                </SelectField>
                <TextField id="kb-tags" label="Tags (comma-separated)" value=draft.tags />
                <SelectField id="kb-visibility" label="Who may read it" testid="kb-visibility-select" on_change=set_visibility>
                    <option value="public" prop:selected=move || draft.visibility.with(|v| v == "public")>
                        "Public: customers in the help center"
                    </option>
                    <option value="agents" prop:selected=move || draft.visibility.with(|v| v == "agents")>
                        "Agents only"
                    </option>
                </SelectField>
            </div>
            <FormStatus error done />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="kb-save" disabled=move || busy.get()>
                    {move || if busy.get() { "Saving…" } else { "Save article" }}
                </button>
                {id.map(|id| view! {
                    <a class="btn" href=article_href(id) target="_blank" rel="noopener" data-testid="kb-view">
                        "View in the help center"
                    </a>
                })}
            </div>
        </form>
    }
}
