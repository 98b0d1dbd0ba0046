//! Business calendars: when the SLA clock runs. Listed with their hours at a glance; created,
//! edited and deleted (the server refuses to delete one a policy uses, and says so).

use leptos::prelude::*;
use protocol::BusinessCalendar;

use super::admin_list::{SectionHead, list_of};
use super::calendar_draft::summary;
use super::calendar_form::CalendarForm;
use super::sla::Editing;
use crate::api::{ApiError, use_client};
use crate::components::button::Button;
use crate::components::feedback::EmptyState;
use crate::components::loaded::{FormStatus, Outcome, loaded};

#[component]
pub fn CalendarsSection(
    calendars: LocalResource<Result<Vec<BusinessCalendar>, ApiError>>,
    /// A calendar was saved or deleted.
    on_changed: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let editing = RwSignal::new(Editing::<BusinessCalendar>::None);
    let outcome = Outcome::default();
    let Outcome { error, done } = outcome;
    let on_saved = Callback::new(move |message: String| {
        editing.set(Editing::None);
        error.set(None);
        done.set(Some(message));
        on_changed.run(());
    });
    let on_cancel = Callback::new(move |()| editing.set(Editing::None));
    let remove = Callback::new(move |c: BusinessCalendar| {
        outcome.send(async move { client.delete_calendar(c.id).await }, move |()| {
            on_changed.run(());
            format!("{} is deleted.", c.name)
        });
    });
    let open = Callback::new(move |next: Editing<BusinessCalendar>| {
        done.set(None);
        editing.set(next);
    });
    let on_new = Callback::new(move |()| open.run(Editing::New));

    view! {
        <section aria-labelledby="calendars-title" data-testid="calendars">
            <SectionHead title_id="calendars-title" title="Business calendars" testid="calendar-new" new="New calendar" on_new
                intro="When the SLA clock runs: working hours in a time zone, and days off. Targets count only these minutes." />
            <FormStatus error done />
            {move || editing.get().form().map(|existing| view! { <CalendarForm existing on_saved on_cancel /> })}
            {loaded(calendars, "Loading calendars…", move |list: Vec<BusinessCalendar>| {
                if list.is_empty() {
                    return view! {
                        <EmptyState><p>"No calendars yet. SLA policies need one."</p></EmptyState>
                    }
                        .into_any();
                }
                list_of("calendar-list", list, |c| view! { <CalendarRow c open remove /> }).into_any()
            })}
        </section>
    }
}

#[component]
fn CalendarRow(
    c: BusinessCalendar,
    open: Callback<Editing<BusinessCalendar>>,
    remove: Callback<BusinessCalendar>,
) -> impl IntoView {
    let holidays = match c.holidays.len() {
        0 => "no holidays".to_owned(),
        1 => "1 holiday".to_owned(),
        n => format!("{n} holidays"),
    };
    let (edit_with, remove_with) = (c.clone(), c.clone());
    view! {
        <li class="card sla-row" data-testid="calendar-row" data-calendar-id=c.id>
            <div class="sla-row-text">
                <strong data-testid="calendar-row-name">{c.name.clone()}</strong>
                <span class="muted">{format!(" · {} · {holidays}", c.time_zone)}</span>
                <div class="muted" data-testid="calendar-row-hours">{summary(&c.hours)}</div>
            </div>
            <div class="row-actions">
                <Button testid="calendar-edit" on_click=Callback::new(move |()| open.run(Editing::Existing(Box::new(edit_with.clone()))))>
                    "Edit"
                </Button>
                <Button testid="calendar-delete" on_click=Callback::new(move |()| remove.run(remove_with.clone()))>
                    "Delete"
                </Button>
            </div>
        </li>
    }
}
