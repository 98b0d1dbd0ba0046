//! Creating or replacing a business calendar: name, time zone, weekly hours and holidays. The
//! server checks it all and names the field it refuses; that field is marked here.

use leptos::prelude::*;
use protocol::{BusinessCalendar, SaveCalendar};

use super::calendar_draft::{WeekDraft, around_the_clock, holiday_drafts, holidays, week_draft, week_hours, weekdays};
use super::edit_form::{EditForm, FormState};
use super::holiday_list::HolidayList;
use super::week_grid::{Week, WeekGrid};
use crate::api::{ApiError, use_client};
use crate::components::button::Button;
use crate::components::form_fields::TextField;
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
    let draft = c.map_or_else(office, |c| week_draft(&c.hours));
    let week: Week = draft.map(RwSignal::new);
    let days_off = RwSignal::new(c.map(|c| holiday_drafts(&c.holidays)).unwrap_or_default());
    let form = FormState::default();
    let problem = form.problem;

    let on_submit = Callback::new(move |()| {
        let calendar = SaveCalendar {
            name: name.get_untracked().trim().to_owned(),
            time_zone: zone.get_untracked().trim().to_owned(),
            hours: week_hours(week.map(|day| day.get_untracked())),
            holidays: holidays(days_off.get_untracked()),
        };
        problem.clear();
        let request = async move { client.save_calendar(id, &calendar).await };
        form.send(request, on_saved, |c| c.name, ApiError::user_message);
    });

    let title = if id.is_some() { "Edit calendar" } else { "New calendar" };
    view! {
        <EditForm testid="calendar" title save="Save calendar" form on_submit on_cancel>
            <CalendarNameZone name zone problem />
            <CalendarPresets week />
            <WeekGrid week problem />
            <HolidayList holidays=days_off problem />
        </EditForm>
    }
}

/// The calendar's name and time zone (with common zones to pick from).
#[component]
fn CalendarNameZone(name: RwSignal<String>, zone: RwSignal<String>, problem: FieldProblem) -> impl IntoView {
    view! {
        <div class="form-grid">
            <TextField id="calendar-name" label="Name" value=name invalid=problem.aria("name") />
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
                    aria-invalid=problem.aria("time_zone")
                    bind:value=zone
                />
                <datalist id="calendar-zones">
                    {COMMON.iter().map(|z| view! { <option value=*z></option> }).collect_view()}
                </datalist>
            </div>
        </div>
    }
}

/// Monday to Friday, 09:00–17:00.
fn office() -> WeekDraft {
    weekdays("09:00", "17:00")
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
            <Button class="btn btn-small" testid="calendar-preset-office" on_click=Callback::new(move |()| preset(office))>
                "Monday to Friday, 09:00–17:00"
            </Button>
            <Button class="btn btn-small" testid="calendar-preset-always" on_click=Callback::new(move |()| preset(around_the_clock))>
                "Around the clock"
            </Button>
        </div>
    }
}
