//! Business calendars: when the SLA clock runs. Listed with their hours at a glance; created,
//! edited and deleted (the server refuses to delete one a policy uses, and says so).

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::BusinessCalendar;

use super::calendar_draft::summary;
use super::calendar_form::CalendarForm;
use super::sla::Editing;
use crate::api::{ApiError, use_client};
use crate::components::feedback::EmptyState;
use crate::components::loaded::{FormStatus, loaded};

#[component]
pub fn CalendarsSection(
    calendars: LocalResource<Result<Vec<BusinessCalendar>, ApiError>>,
    /// A calendar was saved or deleted.
    on_changed: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let editing = RwSignal::new(Editing::<BusinessCalendar>::None);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let on_saved = Callback::new(move |message: String| {
        editing.set(Editing::None);
        error.set(None);
        done.set(Some(message));
        on_changed.run(());
    });
    let on_cancel = Callback::new(move |()| editing.set(Editing::None));
    let remove = Callback::new(move |c: BusinessCalendar| {
        error.set(None);
        done.set(None);
        spawn_local(async move {
            match client.delete_calendar(c.id).await {
                Ok(()) => {
                    done.set(Some(format!("{} is deleted.", c.name)));
                    on_changed.run(());
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    });
    let open = Callback::new(move |next: Editing<BusinessCalendar>| {
        done.set(None);
        editing.set(next);
    });

    view! {
        <section aria-labelledby="calendars-title" data-testid="calendars">
            <div class="page-head">
                <h2 id="calendars-title">"Business calendars"</h2>
                <button type="button" class="btn btn-primary" data-testid="calendar-new" on:click=move |_| open.run(Editing::New)>
                    "New calendar"
                </button>
            </div>
            <p class="muted">
                "When the SLA clock runs: working hours in a time zone, and days off. Targets count only these minutes."
            </p>
            <FormStatus error done />
            {move || match editing.get() {
                Editing::None => None,
                Editing::New => Some(view! { <CalendarForm existing=None on_saved on_cancel /> }),
                Editing::Existing(c) => Some(view! { <CalendarForm existing=Some(*c) on_saved on_cancel /> }),
            }}
            {loaded(calendars, "Loading calendars…", move |list: Vec<BusinessCalendar>| {
                if list.is_empty() {
                    return view! {
                        <EmptyState><p>"No calendars yet. SLA policies need one."</p></EmptyState>
                    }
                        .into_any();
                }
                view! {
                    <ul class="plain-list admin-list" data-testid="calendar-list">
                        {list
                            .into_iter()
                            .map(|c| view! { <CalendarRow c open remove /> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
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
                <button
                    type="button"
                    class="btn"
                    data-testid="calendar-edit"
                    on:click=move |_| open.run(Editing::Existing(Box::new(edit_with.clone())))
                >
                    "Edit"
                </button>
                <button
                    type="button"
                    class="btn"
                    data-testid="calendar-delete"
                    on:click=move |_| remove.run(remove_with.clone())
                >
                    "Delete"
                </button>
            </div>
        </li>
    }
}
