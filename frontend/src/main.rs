//! Maildesk browser app: mounts [`app::App`] into `<body>`.

mod api;
mod app;
mod auth;
mod business_minutes;
mod components;
mod debounce;
mod downloads;
mod field_problem;
mod filter;
mod format;
mod history;
mod jwt_claims;
mod keys;
mod live;
mod ordering;
mod pages;
mod queue_live;
mod quoted;
mod safe_next;
mod search_filter;
mod seen;
mod staff_directory;
mod theme;
mod time_zones;
mod uri_component;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
