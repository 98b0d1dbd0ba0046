//! Users: everyone with an account, and a form to add one.

use leptos::prelude::*;
use protocol::{CreateUser, Role, User};

use super::add_form::{AddForm, Adding};
use crate::api::use_client;
use crate::components::form_fields::TextField;
use crate::components::loaded::loaded;

#[component]
pub fn UsersTab() -> impl IntoView {
    let client = use_client();
    let users = LocalResource::new(move || async move { client.users().await });
    // The company and the role stay as they are for the next user.
    let adding = Adding::default();
    let [email, name, password] = adding.fields;
    let company = RwSignal::new(String::new());
    let role = RwSignal::new("customer".to_owned());
    let on_submit = Callback::new(move |()| {
        let company_id = company.get_untracked().trim().parse::<i64>().ok();
        let user = CreateUser {
            email: email.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::Customer),
            password: Some(password.get_untracked()).filter(|p| !p.is_empty()),
            company_id,
        };
        let request = async move { client.create_user(&user).await };
        adding.send(request, |u| u.name, move || users.refetch());
    });

    view! {
        <section aria-labelledby="users-title">
            <h2 id="users-title">"Users"</h2>
            {loaded(users, "Loading users…", users_table)}
            <AddForm testid="user" title="Add a user" button="Add user" outcome=adding.outcome on_submit>
                <TextField id="new-user-email" label="E-mail" value=email kind="email" />
                <TextField id="new-user-name" label="Name" value=name />
                <div class="field">
                    <label for="new-user-role">"Role"</label>
                    <select id="new-user-role" data-testid="new-user-role" bind:value=role>
                        <option value="customer">"Customer"</option>
                        <option value="agent">"Agent"</option>
                        <option value="admin">"Admin"</option>
                    </select>
                </div>
                <TextField id="new-user-password" label="Password (optional)" value=password kind="password" />
                <TextField id="new-user-company" label="Company id (optional)" value=company kind="number" />
            </AddForm>
        </section>
    }
}

/// The users table: name, e-mail, role and company of each.
fn users_table(list: Vec<User>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="tickets admin-table" data-testid="users-table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"E-mail"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Company"</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|u| {
                            view! {
                                <tr data-testid="user-row" data-user-id=u.id>
                                    <td>{u.name}</td>
                                    <td>{u.email}</td>
                                    <td>{u.role.as_str()}</td>
                                    <td>{u.company_id.map(|c| c.to_string())}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
