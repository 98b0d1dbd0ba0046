//! Companies: customers grouped by their organisation, and a form to add one.

use leptos::prelude::*;
use protocol::{Company, CreateCompany};

use super::add_form::{AddForm, Adding};
use super::admin_list::list_of;
use crate::api::use_client;
use crate::components::form_fields::TextField;
use crate::components::loaded::loaded;

#[component]
pub fn CompaniesTab() -> impl IntoView {
    let client = use_client();
    let companies = LocalResource::new(move || async move { client.companies().await });
    let adding = Adding::default();
    let [name, domain] = adding.fields;
    let on_submit = Callback::new(move |()| {
        let company = CreateCompany {
            name: name.get_untracked().trim().to_owned(),
            domain: Some(domain.get_untracked().trim().to_owned()).filter(|d| !d.is_empty()),
        };
        let request = async move { client.create_company(&company).await };
        adding.send(request, |c| c.name, move || companies.refetch());
    });

    view! {
        <section aria-labelledby="companies-title">
            <h2 id="companies-title">"Companies"</h2>
            {loaded(companies, "Loading companies…", |list: Vec<Company>| list_of("company-list", list, company_row))}
            <AddForm testid="company" title="Add a company" button="Add company" outcome=adding.outcome on_submit>
                <TextField id="company-name" label="Name" value=name />
                <TextField id="company-domain" label="Mail domain (optional)" value=domain />
            </AddForm>
        </section>
    }
}

/// A company: its name, id and mail domain.
fn company_row(c: Company) -> impl IntoView {
    view! {
        <li data-testid="company-row" data-company-id=c.id>
            <strong>{c.name}</strong>
            <span class="muted">{format!(" #{}", c.id)}</span>
            {c.domain.map(|d| view! { <span class="muted">{format!(" · {d}")}</span> })}
        </li>
    }
}
