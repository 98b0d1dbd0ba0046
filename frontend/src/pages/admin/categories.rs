//! Categories: departments with their agents (who is a member is set here), and a form to add
//! one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{Category, CreateCategory, User};

use crate::api::{ApiError, use_client};
use crate::components::form_fields::TextField;
use crate::components::loaded::{FormStatus, loaded};

#[component]
pub fn CategoriesTab() -> impl IntoView {
    let client = use_client();
    let data = LocalResource::new(move || async move {
        let categories = client.categories().await?;
        let staff: Vec<User> = client
            .users()
            .await?
            .into_iter()
            .filter(|u| u.role.is_staff())
            .collect();
        Ok::<_, ApiError>((categories, staff))
    });
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        error.set(None);
        let category = CreateCategory {
            name: name.get_untracked().trim().to_owned(),
            description: description.get_untracked().trim().to_owned(),
        };
        spawn_local(async move {
            match client.create_category(&category).await {
                Ok(c) => {
                    done.set(Some(format!("{} is added.", c.name)));
                    name.set(String::new());
                    description.set(String::new());
                    data.refetch();
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    view! {
        <section aria-labelledby="categories-title">
            <h2 id="categories-title">"Categories"</h2>
            {loaded(data, "Loading categories…", |(categories, staff): (Vec<Category>, Vec<User>)| {
                view! {
                    <ul class="plain-list admin-list" data-testid="category-list">
                        {categories
                            .into_iter()
                            .map(|c| view! { <CategoryRow c staff=staff.clone() /> })
                            .collect_view()}
                    </ul>
                }
            })}
            <form class="card admin-form" on:submit=on_submit novalidate data-testid="category-form" aria-label="Add a category">
                <h3>"Add a category"</h3>
                <div class="form-grid">
                    <TextField id="category-name" label="Name" value=name />
                    <TextField id="category-description" label="Description" value=description />
                </div>
                <FormStatus error done />
                <button type="submit" class="btn btn-primary" data-testid="category-create">"Add category"</button>
            </form>
        </section>
    }
}

#[component]
fn CategoryRow(c: Category, staff: Vec<User>) -> impl IntoView {
    let client = use_client();
    let id = c.id;
    let members = RwSignal::new(c.agent_ids.clone());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let names = {
        let staff = staff.clone();
        move || {
            let list: Vec<String> = members.with(|m| {
                staff
                    .iter()
                    .filter(|u| m.contains(&u.id))
                    .map(|u| u.name.clone())
                    .collect()
            });
            if list.is_empty() {
                "No agents".to_owned()
            } else {
                list.join(", ")
            }
        }
    };
    let toggle = move |agent: i64, on: bool| {
        let mut ids = members.get_untracked();
        ids.retain(|a| *a != agent);
        if on {
            ids.push(agent);
        }
        error.set(None);
        done.set(None);
        spawn_local(async move {
            match client.set_category_agents(id, ids).await {
                Ok(saved) => {
                    members.set(saved.agent_ids);
                    done.set(Some("Saved.".into()));
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };
    view! {
        <li class="card" data-testid="category-row" data-category-id=id>
            <strong>{c.name}</strong>
            <span class="muted">{format!(" #{id}")}</span>
            {(!c.description.is_empty()).then(|| view! { <p class="muted">{c.description}</p> })}
            <p data-testid="category-agents">"Agents: " {names}</p>
            <details>
                <summary>"Change agents"</summary>
                <fieldset>
                    <legend class="visually-hidden">"Agents of this category"</legend>
                    {staff
                        .into_iter()
                        .map(|u| {
                            let input_id = format!("cat-{id}-agent-{}", u.id);
                            let agent = u.id;
                            view! {
                                <div class="field-check">
                                    <input
                                        id=input_id.clone()
                                        type="checkbox"
                                        data-testid="category-agent"
                                        prop:checked=move || members.with(|m| m.contains(&agent))
                                        on:change=move |ev| toggle(agent, event_target_checked(&ev))
                                    />
                                    <label for=input_id>{u.name}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
            </details>
            <FormStatus error done />
        </li>
    }
}
