//! Creating or replacing a business calendar: name, time zone, weekly hours and holidays. The
//! server checks it all and names the field it refuses; that field is marked here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{BusinessCalendar, SaveCalendar};

use super::calendar_draft::{WeekDraft, around_the_clock, holiday_drafts, holidays, week_draft, week_hours, weekdays};
use super::holiday_list::HolidayList;
use super::week_grid::{Week, WeekGrid};
use crate::api::use_client;
use crate::components::loaded::FormStatus;
use crate::field_problem::FieldProblem;
use crate::time_zones::{COMMON, browser_zone};

#[component]
pub fn CalendarForm(
    existing: Option<BusinessCalendar>,
    /// Called with a confirmation to show.
    on_saved: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let id = existing.as_ref().map(|c| c.id);
    let c = existing.as_ref();
    let name = RwSignal::new(c.map(|c| c.name.clone()).unwrap_or_default());
    let zone = RwSignal::new(c.map_or_else(
        || browser_zone().unwrap_or_else(|| "UTC".to_owned()),
        |c| c.time_zone.clone(),
    ));
    let draft = c.map_or_else(|| weekdays("09:00", "17:00"), |c| week_draft(&c.hours));
    let week: Week = draft.map(RwSignal::new);
    let days_off = RwSignal::new(c.map(|c| holiday_drafts(&c.holidays)).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let problem = FieldProblem::default();
    let saving = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let calendar = SaveCalendar {
            name: name.get_untracked().trim().to_owned(),
            time_zone: zone.get_untracked().trim().to_owned(),
            hours: week_hours(week.map(|day| day.get_untracked())),
            holidays: holidays(days_off.get_untracked()),
        };
        saving.set(true);
        error.set(None);
        problem.clear();
        spawn_local(async move {
            let result = match id {
                Some(id) => client.replace_calendar(id, &calendar).await,
                None => client.create_calendar(&calendar).await,
            };
            saving.set(false);
            match result {
                Ok(c) => on_saved.run(format!("{} is saved.", c.name)),
                Err(e) => {
                    problem.show(&e);
                    error.set(Some(e.user_message()));
                }
            }
        });
    };

    let title = if id.is_some() { "Edit calendar" } else { "New calendar" };
    view! {
        <form class="card admin-form" on:submit=on_submit novalidate data-testid="calendar-form" aria-label=title>
            <h3>{title}</h3>
            <CalendarNameZone name zone problem />
            <CalendarPresets week />
            <WeekGrid week problem />
            <HolidayList holidays=days_off problem />
            <FormStatus error />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="calendar-save" disabled=move || saving.get()>
                    "Save calendar"
                </button>
                <button type="button" class="btn" data-testid="calendar-cancel" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

/// The calendar's name and time zone (with common zones to pick from).
#[component]
fn CalendarNameZone(name: RwSignal<String>, zone: RwSignal<String>, problem: FieldProblem) -> impl IntoView {
    view! {
        <div class="form-grid">
            <div class="field">
                <label for="calendar-name">"Name"</label>
                <input
                    id="calendar-name"
                    type="text"
                    data-testid="calendar-name"
                    aria-invalid=move || problem.marks("name").to_string()
                    bind:value=name
                />
            </div>
            <div class="field">
                <label for="calendar-zone">"Time zone"</label>
                <input
                    id="calendar-zone"
                    type="text"
                    list="calendar-zones"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="Europe/Berlin"
                    data-testid="calendar-zone"
                    aria-invalid=move || problem.marks("time_zone").to_string()
                    bind:value=zone
                />
                <datalist id="calendar-zones">
                    {COMMON.iter().map(|z| view! { <option value=*z></option> }).collect_view()}
                </datalist>
            </div>
        </div>
    }
}

/// The "Start from:" buttons that fill the whole week with preset hours.
#[component]
fn CalendarPresets(week: Week) -> impl IntoView {
    let preset = move |hours: fn() -> WeekDraft| {
        for (day, intervals) in week.iter().zip(hours()) {
            day.set(intervals);
        }
    };
    view! {
        <div class="form-actions">
            <span class="muted">"Start from:"</span>
            <button
                type="button"
                class="btn btn-small"
                data-testid="calendar-preset-office"
                on:click=move |_| preset(|| weekdays("09:00", "17:00"))
            >
                "Monday to Friday, 09:00–17:00"
            </button>
            <button
                type="button"
                class="btn btn-small"
                data-testid="calendar-preset-always"
                on:click=move |_| preset(around_the_clock)
            >
                "Around the clock"
            </button>
        </div>
    }
}
