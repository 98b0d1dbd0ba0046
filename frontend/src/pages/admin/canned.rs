//! Canned responses: the texts agents insert into replies; add and remove.

use leptos::prelude::*;
use protocol::{CannedResponse, Category, CreateCannedResponse};

use super::add_form::Adding;
use crate::api::{ApiError, use_client};
use crate::components::form_fields::TextField;
use crate::components::loaded::{FormStatus, Outcome, loaded};

#[component]
pub fn CannedTab() -> impl IntoView {
    let client = use_client();
    let data = LocalResource::new(move || async move {
        Ok::<_, ApiError>((client.canned_responses().await?, client.categories().await?))
    });
    // The category stays as it is for the next response.
    let adding = Adding::default();
    let [title, body] = adding.fields;
    let category = RwSignal::new(String::new());
    let outcome = adding.outcome;
    let Outcome { error, done } = outcome;
    let categories = Signal::derive(move || match data.get() {
        Some(Ok((_, c))) => c,
        _ => Vec::<Category>::new(),
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let canned = CreateCannedResponse {
            title: title.get_untracked().trim().to_owned(),
            body: body.get_untracked(),
            category_id: category.get_untracked().parse().ok(),
        };
        let request = async move { client.create_canned(&canned).await };
        adding.send(request, |c| c.title, move || data.refetch());
    };
    let remove = Callback::new(move |id: i64| {
        outcome.send(async move { client.delete_canned(id).await }, move |()| {
            data.refetch();
            "Removed.".to_owned()
        });
    });

    view! {
        <section aria-labelledby="canned-title">
            <h2 id="canned-title">"Canned responses"</h2>
            <FormStatus error done />
                    {loaded(data, "Loading canned responses…", move |(list, cats): (Vec<CannedResponse>, Vec<Category>)| canned_list(list, cats, remove))}
            <form class="card admin-form" on:submit=on_submit novalidate data-testid="canned-form" aria-label="Add a canned response">
                <h3>"Add a canned response"</h3>
                <TextField id="canned-title" label="Title" value=title />
                <div class="field">
                    <label for="canned-body">"Text"</label>
                    <textarea id="canned-body" rows="5" data-testid="canned-body" bind:value=body></textarea>
                </div>
                <CannedCategory category categories />
                <FormStatus error done />
                <button type="submit" class="btn btn-primary" data-testid="canned-create">"Add canned response"</button>
            </form>
        </section>
    }
}

/// The category a new canned response is for; none means all.
#[component]
fn CannedCategory(category: RwSignal<String>, categories: Signal<Vec<Category>>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="canned-category">"Category"</label>
            <select id="canned-category" data-testid="canned-category" bind:value=category>
                <option value="">"All categories"</option>
                {move || {
                    categories
                        .get()
                        .into_iter()
                        .map(|c| view! { <option value=c.id.to_string()>{c.name}</option> })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// The canned responses, each with its scope, text and a Remove button.
fn canned_list(list: Vec<CannedResponse>, cats: Vec<Category>, remove: Callback<i64>) -> impl IntoView {
    view! {
        <ul class="plain-list admin-list" data-testid="canned-list">
            {list
                .into_iter()
                .map(|c| {
                    let id = c.id;
                    let scope = c
                        .category_id
                        .and_then(|cid| cats.iter().find(|k| k.id == cid).map(|k| k.name.clone()))
                        .unwrap_or_else(|| "All categories".into());
                    view! {
                        <li class="card" data-testid="canned-row" data-canned-id=id>
                            <strong>{c.title}</strong>
                            <span class="muted">{format!(" · {scope}")}</span>
                            <pre class="preview-text">{c.body}</pre>
                            <button type="button" class="btn" data-testid="canned-delete" on:click=move |_| remove.run(id)>
                                "Remove"
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
