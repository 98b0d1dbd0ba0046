//! `/admin/…`: the admin screens, one tab per concern, for admins only.

mod canned;
mod categories;
mod companies;
mod inbound;
mod mailbox_form;
mod mailboxes;
mod notifications;
mod outbox;
mod outbox_detail;
mod template_editor;
mod template_help;
mod templates;
mod users;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_params_map;
use protocol::Role;

use crate::auth::use_auth;

/// The tabs: path segment and label.
const TABS: &[(&str, &str)] = &[
    ("mailboxes", "Mailboxes"),
    ("notifications", "Notifications"),
    ("templates", "Templates"),
    ("outbox", "Outbox"),
    ("inbound", "Quarantine & dead letters"),
    ("users", "Users"),
    ("companies", "Companies"),
    ("categories", "Categories"),
    ("canned", "Canned responses"),
];

/// `/admin`: the first tab.
#[component]
pub fn AdminHome() -> impl IntoView {
    let options = NavigateOptions {
        replace: true,
        ..Default::default()
    };
    view! { <Redirect path="/admin/mailboxes" options /> }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let auth = use_auth();
    let admin = move || auth.user().is_some_and(|u| u.role == Role::Admin);
    let params = use_params_map();
    let tab = Memo::new(move |_| params.with(|p| p.get("tab").unwrap_or_default()));
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));

    view! {
        <section class="page admin-page" aria-labelledby="admin-title">
            <div class="page-head">
                <h1 id="admin-title">"Admin"</h1>
            </div>
            <Show
                when=admin
                fallback=|| {
                    view! {
                        <div class="notice notice-info" data-testid="admin-forbidden">
                            "These settings are for admins."
                        </div>
                    }
                }
            >
                <nav class="admin-tabs" aria-label="Admin sections" data-testid="admin-tabs">
                    {TABS
                        .iter()
                        .map(|(path, label)| {
                            view! {
                                <A href=format!("/admin/{path}") attr:data-testid=format!("admin-tab-{path}")>
                                    {*label}
                                </A>
                            }
                        })
                        .collect_view()}
                </nav>
                <div class="admin-body">{move || tab_view(&tab.get(), id.get())}</div>
            </Show>
        </section>
    }
}

fn tab_view(tab: &str, id: Option<i64>) -> AnyView {
    match (tab, id) {
        ("mailboxes", _) => view! { <mailboxes::MailboxesTab /> }.into_any(),
        ("notifications", _) => view! { <notifications::NotificationsTab /> }.into_any(),
        ("templates", _) => view! { <templates::TemplatesTab /> }.into_any(),
        ("outbox", Some(id)) => view! { <outbox_detail::OutboxDetail id /> }.into_any(),
        ("outbox", None) => view! { <outbox::OutboxTab /> }.into_any(),
        ("inbound", _) => view! { <inbound::InboundTab /> }.into_any(),
        ("users", _) => view! { <users::UsersTab /> }.into_any(),
        ("companies", _) => view! { <companies::CompaniesTab /> }.into_any(),
        ("categories", _) => view! { <categories::CategoriesTab /> }.into_any(),
        ("canned", _) => view! { <canned::CannedTab /> }.into_any(),
        _ => view! { <p class="notice notice-info">"There is no such admin page."</p> }.into_any(),
    }
}
