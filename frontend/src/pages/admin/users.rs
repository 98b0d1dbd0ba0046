//! Users: everyone with an account, and a form to add one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{CreateUser, Role, User};

use crate::api::use_client;
use crate::components::form_fields::TextField;
use crate::components::loaded::{FormStatus, loaded};

#[component]
pub fn UsersTab() -> impl IntoView {
    let client = use_client();
    let users = LocalResource::new(move || async move { client.users().await });
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("customer".to_owned());
    let password = RwSignal::new(String::new());
    let company = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let company_id = company.get_untracked().trim().parse::<i64>().ok();
        let user = CreateUser {
            email: email.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::Customer),
            password: Some(password.get_untracked()).filter(|p| !p.is_empty()),
            company_id,
        };
        error.set(None);
        spawn_local(async move {
            match client.create_user(&user).await {
                Ok(u) => {
                    done.set(Some(format!("{} is added.", u.name)));
                    email.set(String::new());
                    name.set(String::new());
                    password.set(String::new());
                    users.refetch();
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    view! {
        <section aria-labelledby="users-title">
            <h2 id="users-title">"Users"</h2>
                    {loaded(users, "Loading users…", users_table)}
            <form class="card admin-form" on:submit=on_submit novalidate data-testid="user-form" aria-label="Add a user">
                <h3>"Add a user"</h3>
                <div class="form-grid">
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
                </div>
                <FormStatus error done />
                <button type="submit" class="btn btn-primary" data-testid="user-create">"Add user"</button>
            </form>
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
