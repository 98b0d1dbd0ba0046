//! A calendar's working hours: one line per weekday with its intervals (several make a lunch
//! break), each added and removed on its own. Times are typed as `HH:MM` text, not picked with
//! a time input: the end of a day is `24:00`, which a time input cannot hold.

use leptos::prelude::*;

use super::calendar_draft::{DAYS, IntervalDraft};
use crate::components::button::Button;
use crate::field_problem::FieldProblem;

pub type Week = [RwSignal<Vec<IntervalDraft>>; 7];

#[component]
pub fn WeekGrid(week: Week, problem: FieldProblem) -> impl IntoView {
    view! {
        <fieldset class="week-grid" data-testid="calendar-hours">
            <legend>"Working hours"</legend>
            <p class="muted field-hint">
                "Local time of the calendar's zone, as HH:MM; 24:00 is the end of the day. A day without hours is not worked."
            </p>
            {DAYS
                .iter()
                .enumerate()
                .map(|(index, &(day, label))| {
                    let intervals = week[index];
                    view! { <DayRow day label intervals problem /> }
                })
                .collect_view()}
        </fieldset>
    }
}

#[component]
fn DayRow(
    day: &'static str,
    label: &'static str,
    intervals: RwSignal<Vec<IntervalDraft>>,
    problem: FieldProblem,
) -> impl IntoView {
    // A first interval gets office hours; a later one starts where the last ended.
    let add = Callback::new(move |()| {
        intervals.update(|list| {
            let next = match list.last() {
                None => IntervalDraft::new("09:00", "17:00"),
                Some(last) => IntervalDraft::new(&last.end, ""),
            };
            list.push(next);
        });
    });
    view! {
        <div class="week-day" data-testid="calendar-day" data-day=day>
            <span class="week-day-name">{label}</span>
            <div class="week-intervals">
                <Show when=move || intervals.with(Vec::is_empty)>
                    <span class="muted">"Not worked"</span>
                </Show>
                <For
                    each=move || intervals.get()
                    key=|iv| iv.key
                    children=move |iv| view! { <IntervalRow day label row=iv.key intervals problem /> }
                />
            </div>
            <Button class="btn btn-small" testid="interval-add" aria_label=format!("Add working hours on {label}") on_click=add>
                "Add hours"
            </Button>
        </div>
    }
}

#[component]
fn IntervalRow(
    day: &'static str,
    label: &'static str,
    row: u64,
    intervals: RwSignal<Vec<IntervalDraft>>,
    problem: FieldProblem,
) -> impl IntoView {
    let read = move |f: fn(&IntervalDraft) -> &String| {
        intervals.with(|list| list.iter().find(|iv| iv.key == row).map(|iv| f(iv).clone()))
    };
    let write = move |f: fn(&mut IntervalDraft) -> &mut String, value: String| {
        intervals.update(|list| {
            if let Some(iv) = list.iter_mut().find(|iv| iv.key == row) {
                *f(iv) = value;
            }
        });
    };
    // The server names an interval by its place in the day's list.
    let field = move |part: &str| {
        let index = intervals.with(|list| list.iter().position(|iv| iv.key == row));
        index.map(|i| format!("hours.{day}[{i}]{part}"))
    };
    let invalid = move |part: &'static str| move || field(part).is_some_and(|f| problem.marks(&f)).to_string();
    let remove = Callback::new(move |()| intervals.update(|list| list.retain(|iv| iv.key != row)));
    // One end of the interval: its start, or its end (`end`), held where `get` and `set` say.
    let time = move |end: bool,
                     placeholder: &'static str,
                     get: fn(&IntervalDraft) -> &String,
                     set: fn(&mut IntervalDraft) -> &mut String| {
        let (part, words) = if end { ("end", "until") } else { ("start", "from") };
        view! {
            <input
                type="text"
                inputmode="numeric"
                class="time-text"
                placeholder=placeholder
                maxlength="5"
                data-testid=format!("interval-{part}")
                aria-label=format!("{label}, {words}")
                aria-invalid=invalid(if end { ".end" } else { ".start" })
                prop:value=move || read(get).unwrap_or_default()
                on:input=move |ev| write(set, event_target_value(&ev))
            />
        }
    };
    view! {
        <div class="week-interval" data-testid="interval">
            {time(false, "09:00", |iv| &iv.start, |iv| &mut iv.start)}
            <span aria-hidden="true">"–"</span>
            {time(true, "17:00", |iv| &iv.end, |iv| &mut iv.end)}
            <Button class="chip-remove" testid="interval-remove" aria_label=format!("Remove these hours on {label}") on_click=remove>
                "×"
            </Button>
        </div>
    }
}
