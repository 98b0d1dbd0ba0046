//! `/admin/rules`: automation rules. The ordered list, the form that creates or edits one, and
//! a dry run against a ticket.
//!
//! Conditions and actions are edited from tables (`condition_kinds.rs`, `action_kinds.rs`)
//! that describe each kind's fields; `fields.rs` turns a row into the wire type and back.

mod action_kinds;
mod choices;
mod condition_kinds;
mod dry_run;
mod event;
mod field_input;
mod fields;
mod form;
mod item_list;
mod list;
mod problem;

use leptos::prelude::*;
use protocol::{BusinessCalendar, Company, CustomField, Mailbox, Rule};

use self::choices::RuleChoices;
use self::dry_run::DryRun;
use self::form::RuleForm;
use self::list::RuleList;
use super::admin_list::SectionHead;
use super::sla::Editing;
use crate::api::use_client;
use crate::staff_directory::StaffDirectory;

#[component]
pub fn RulesTab() -> impl IntoView {
    let client = use_client();
    let rules = LocalResource::new(move || async move { client.rules().await });
    let companies = LocalResource::new(move || async move { client.companies().await });
    let mailboxes = LocalResource::new(move || async move { client.mailboxes().await });
    let calendars = LocalResource::new(move || async move { client.calendars().await });
    let custom_fields = LocalResource::new(move || async move { client.custom_fields().await });
    // The selects and summaries work without these (ids stand in for names).
    let choices = RuleChoices {
        directory: StaffDirectory::load(client),
        companies: Signal::derive(move || match companies.get() {
            Some(Ok(list)) => list,
            _ => Vec::<Company>::new(),
        }),
        mailboxes: Signal::derive(move || match mailboxes.get() {
            Some(Ok(list)) => list,
            _ => Vec::<Mailbox>::new(),
        }),
        calendars: Signal::derive(move || match calendars.get() {
            Some(Ok(list)) => list,
            _ => Vec::<BusinessCalendar>::new(),
        }),
        custom_fields: Signal::derive(move || match custom_fields.get() {
            Some(Ok(list)) => list,
            _ => Vec::<CustomField>::new(),
        }),
    };
    let editing = RwSignal::new(Editing::<Rule>::None);
    let done = RwSignal::new(None::<String>);
    let open = Callback::new(move |next: Editing<Rule>| {
        done.set(None);
        editing.set(next);
    });
    let on_saved = Callback::new(move |message: String| {
        editing.set(Editing::None);
        done.set(Some(message));
        rules.refetch();
    });
    let on_cancel = Callback::new(move |()| editing.set(Editing::None));
    let on_new = Callback::new(move |()| open.run(Editing::New));

    view! {
        <div class="rules-admin" data-testid="rules-admin">
            <section aria-labelledby="rules-title">
                <SectionHead title_id="rules-title" title="Automation rules" testid="rule-new" new="New rule" on_new
                    intro="On a ticket event, each enabled rule whose conditions hold runs its actions, from the top of the list down; each rule sees what the ones above it changed." />
                {move || editing.get().form().map(|existing| view! { <RuleForm existing choices on_saved on_cancel /> })}
                <RuleList rules choices open done />
            </section>
            <DryRun choices />
        </div>
    }
}
