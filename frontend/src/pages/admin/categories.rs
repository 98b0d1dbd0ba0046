//! Categories: departments with their agents (who is a member is set here), and a form to add
//! one.

use leptos::prelude::*;
use protocol::{Category, CreateCategory, User};

use super::add_form::{AddForm, Adding};
use super::admin_list::list_of;
use crate::api::{ApiError, use_client};
use crate::components::form_fields::TextField;
use crate::components::loaded::{FormStatus, Outcome, loaded};

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
    let adding = Adding::default();
    let [name, description] = adding.fields;
    let on_submit = Callback::new(move |()| {
        let category = CreateCategory {
            name: name.get_untracked().trim().to_owned(),
            description: description.get_untracked().trim().to_owned(),
        };
        let request = async move { client.create_category(&category).await };
        adding.send(request, |c| c.name, move || data.refetch());
    });

    view! {
        <section aria-labelledby="categories-title">
            <h2 id="categories-title">"Categories"</h2>
            {loaded(data, "Loading categories…", |(categories, staff): (Vec<Category>, Vec<User>)| {
                list_of("category-list", categories, move |c| view! { <CategoryRow c staff=staff.clone() /> })
            })}
            <AddForm testid="category" title="Add a category" button="Add category" outcome=adding.outcome on_submit>
                <TextField id="category-name" label="Name" value=name />
                <TextField id="category-description" label="Description" value=description />
            </AddForm>
        </section>
    }
}

#[component]
fn CategoryRow(c: Category, staff: Vec<User>) -> impl IntoView {
    let client = use_client();
    let id = c.id;
    let members = RwSignal::new(c.agent_ids.clone());
    let outcome = Outcome::default();
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
        outcome.send(async move { client.set_category_agents(id, ids).await }, move |saved| {
            members.set(saved.agent_ids);
            "Saved.".to_owned()
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
            <FormStatus error=outcome.error done=outcome.done />
        </li>
    }
}
