//! Companies: customers grouped by their organisation, and a form to add one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{Company, CreateCompany};

use crate::api::use_client;
use crate::components::form_fields::TextField;
use crate::components::loaded::{FormStatus, loaded};

#[component]
pub fn CompaniesTab() -> impl IntoView {
    let client = use_client();
    let companies = LocalResource::new(move || async move { client.companies().await });
    let name = RwSignal::new(String::new());
    let domain = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        error.set(None);
        let company = CreateCompany {
            name: name.get_untracked().trim().to_owned(),
            domain: Some(domain.get_untracked().trim().to_owned()).filter(|d| !d.is_empty()),
        };
        spawn_local(async move {
            match client.create_company(&company).await {
                Ok(c) => {
                    done.set(Some(format!("{} is added.", c.name)));
                    name.set(String::new());
                    domain.set(String::new());
                    companies.refetch();
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    view! {
        <section aria-labelledby="companies-title">
            <h2 id="companies-title">"Companies"</h2>
            {loaded(companies, "Loading companies…", |list: Vec<Company>| {
                view! {
                    <ul class="plain-list admin-list" data-testid="company-list">
                        {list
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <li data-testid="company-row" data-company-id=c.id>
                                        <strong>{c.name}</strong>
                                        <span class="muted">{format!(" #{}", c.id)}</span>
                                        {c.domain.map(|d| view! { <span class="muted">{format!(" · {d}")}</span> })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
            <form class="card admin-form" on:submit=on_submit novalidate data-testid="company-form" aria-label="Add a company">
                <h3>"Add a company"</h3>
                <div class="form-grid">
                    <TextField id="company-name" label="Name" value=name />
                    <TextField id="company-domain" label="Mail domain (optional)" value=domain />
                </div>
                <FormStatus error done />
                <button type="submit" class="btn btn-primary" data-testid="company-create">"Add company"</button>
            </form>
        </section>
    }
}
