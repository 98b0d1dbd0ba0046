//! `/admin/…`: the admin screens, one tab per concern, for admins; agents get the tabs they
//! may use (the knowledge base, which all staff write).

mod add_form;
mod admin_list;
mod calendar_draft;
mod calendar_form;
mod calendars;
mod canned;
mod categories;
mod companies;
mod custom_fields;
mod edit_form;
mod holiday_list;
mod inbound;
mod kb;
mod kb_draft;
mod kb_editor;
mod mailbox_form;
mod mailbox_oauth;
mod mailbox_screening;
mod mailbox_sending;
mod mailboxes;
mod notifications;
mod outbox;
mod outbox_detail;
mod policy_form;
mod rules;
mod search_status;
mod sla;
mod sla_policies;
mod template_editor;
mod template_help;
mod templates;
mod users;
mod week_grid;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_params_map;
use protocol::Role;

use crate::auth::use_auth;
use crate::components::admin_only::AdminOnlyPage;

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
    ("custom-fields", "Custom fields"),
    ("canned", "Canned responses"),
    ("rules", "Rules"),
    ("sla", "SLA"),
    ("kb", "Knowledge base"),
];

/// The tabs agents may open too.
const AGENT_TABS: &[&str] = &["kb"];

/// `/admin`: the first tab the user may open.
#[component]
pub fn AdminHome() -> impl IntoView {
    let agent = use_auth()
        .session_untracked()
        .is_some_and(|s| s.user.role == Role::Agent);
    let path = if agent { "/admin/kb" } else { "/admin/mailboxes" };
    let options = NavigateOptions {
        replace: true,
        ..Default::default()
    };
    view! { <Redirect path options /> }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let auth = use_auth();
    let role = Memo::new(move |_| auth.user().map(|u| u.role));
    let params = use_params_map();
    let tab = Memo::new(move |_| params.with(|p| p.get("tab").unwrap_or_default()));
    let id = Memo::new(move |_| params.with(|p| p.get("id")));
    let admin = move || role.get() == Some(Role::Admin);
    let allowed =
        move || admin() || (role.get() == Some(Role::Agent) && tab.with(|t| AGENT_TABS.contains(&t.as_str())));
    let tabs = move || {
        TABS.iter()
            .filter(|(path, _)| admin() || AGENT_TABS.contains(path))
            .map(|(path, label)| {
                view! {
                    <A href=format!("/admin/{path}") attr:data-testid=format!("admin-tab-{path}")>
                        {*label}
                    </A>
                }
            })
            .collect_view()
    };

    view! {
        <AdminOnlyPage name="admin" title="Admin" forbidden="These settings are for admins." allowed>
            <nav class="admin-tabs" aria-label="Admin sections" data-testid="admin-tabs">
                {tabs}
            </nav>
            <div class="admin-body">{move || tab_view(&tab.get(), id.get().as_deref())}</div>
        </AdminOnlyPage>
    }
}

/// `id`: the path's last segment (`/admin/outbox/12`, `/admin/kb/new`).
fn tab_view(tab: &str, id: Option<&str>) -> AnyView {
    let numeric = id.and_then(|s| s.parse::<i64>().ok());
    match (tab, numeric) {
        ("mailboxes", _) => view! { <mailboxes::MailboxesTab /> }.into_any(),
        ("notifications", _) => view! { <notifications::NotificationsTab /> }.into_any(),
        ("templates", _) => view! { <templates::TemplatesTab /> }.into_any(),
        ("outbox", Some(id)) => view! { <outbox_detail::OutboxDetail id /> }.into_any(),
        ("outbox", None) => view! { <outbox::OutboxTab /> }.into_any(),
        ("inbound", _) => view! { <inbound::InboundTab /> }.into_any(),
        ("users", _) => view! { <users::UsersTab /> }.into_any(),
        ("companies", _) => view! { <companies::CompaniesTab /> }.into_any(),
        ("categories", _) => view! { <categories::CategoriesTab /> }.into_any(),
        ("custom-fields", _) => view! { <custom_fields::CustomFieldsTab /> }.into_any(),
        ("canned", _) => view! { <canned::CannedTab /> }.into_any(),
        ("rules", _) => view! { <rules::RulesTab /> }.into_any(),
        ("sla", _) => view! { <sla::SlaTab /> }.into_any(),
        ("kb", Some(id)) => view! { <kb_editor::KbEditor id=Some(id) /> }.into_any(),
        ("kb", None) if id == Some("new") => view! { <kb_editor::KbEditor id=None /> }.into_any(),
        ("kb", None) => view! { <kb::KbTab /> }.into_any(),
        _ => view! { <p class="notice notice-info">"There is no such admin page."</p> }.into_any(),
    }
}
