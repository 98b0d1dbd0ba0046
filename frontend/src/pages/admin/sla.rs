//! `/admin/sla`: service levels. Business calendars (when the clock runs) above the SLA
//! policies that count in them.

use leptos::prelude::*;
use protocol::{BusinessCalendar, Category, Company};

use super::calendars::CalendarsSection;
use super::policy_form::PolicyChoices;
use super::sla_policies::PoliciesSection;
use crate::api::use_client;

/// Which editor a section shows: none, a new item's, or an existing one's.
#[derive(Debug, Clone, PartialEq)]
pub enum Editing<T> {
    None,
    New,
    Existing(Box<T>),
}

impl<T> Editing<T> {
    /// Whether a form shows, and what it edits: `Some(None)` for a new item.
    pub fn form(self) -> Option<Option<T>> {
        match self {
            Self::None => None,
            Self::New => Some(None),
            Self::Existing(item) => Some(Some(*item)),
        }
    }
}

#[component]
pub fn SlaTab() -> impl IntoView {
    let client = use_client();
    let calendars = LocalResource::new(move || async move { client.calendars().await });
    let policies = LocalResource::new(move || async move { client.sla_policies().await });
    let categories = LocalResource::new(move || async move { client.categories().await });
    let companies = LocalResource::new(move || async move { client.companies().await });
    // The policies' selects and rows work without these (ids stand in for names).
    let choices = PolicyChoices {
        calendars: Signal::derive(move || match calendars.get() {
            Some(Ok(list)) => list,
            _ => Vec::<BusinessCalendar>::new(),
        }),
        categories: Signal::derive(move || match categories.get() {
            Some(Ok(list)) => list,
            _ => Vec::<Category>::new(),
        }),
        companies: Signal::derive(move || match companies.get() {
            Some(Ok(list)) => list,
            _ => Vec::<Company>::new(),
        }),
    };
    let on_changed = Callback::new(move |()| calendars.refetch());

    view! {
        <div class="sla-admin" data-testid="sla-admin">
            <CalendarsSection calendars on_changed />
            <PoliciesSection policies choices />
        </div>
    }
}
