//! A calendar's working hours: one line per weekday with its intervals (several make a lunch
//! break), each added and removed on its own. Times are typed as `HH:MM` text, not picked with
//! a time input: the end of a day is `24:00`, which a time input cannot hold.

use leptos::prelude::*;

use super::calendar_draft::{DAYS, IntervalDraft};
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
    let add = move |_| {
        intervals.update(|list| {
            let next = match list.last() {
                None => IntervalDraft::new("09:00", "17:00"),
                Some(last) => IntervalDraft::new(&last.end, ""),
            };
            list.push(next);
        });
    };
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
            <button
                type="button"
                class="btn btn-small"
                data-testid="interval-add"
                aria-label=format!("Add working hours on {label}")
                on:click=add
            >
                "Add hours"
            </button>
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
    let remove = move |_| intervals.update(|list| list.retain(|iv| iv.key != row));
    view! {
        <div class="week-interval" data-testid="interval">
            <input
                type="text"
                inputmode="numeric"
                class="time-text"
                placeholder="09:00"
                maxlength="5"
                data-testid="interval-start"
                aria-label=format!("{label}, from")
                aria-invalid=invalid(".start")
                prop:value=move || read(|iv| &iv.start).unwrap_or_default()
                on:input=move |ev| write(|iv| &mut iv.start, event_target_value(&ev))
            />
            <span aria-hidden="true">"–"</span>
            <input
                type="text"
                inputmode="numeric"
                class="time-text"
                placeholder="17:00"
                maxlength="5"
                data-testid="interval-end"
                aria-label=format!("{label}, until")
                aria-invalid=invalid(".end")
                prop:value=move || read(|iv| &iv.end).unwrap_or_default()
                on:input=move |ev| write(|iv| &mut iv.end, event_target_value(&ev))
            />
            <button
                type="button"
                class="chip-remove"
                data-testid="interval-remove"
                aria-label=format!("Remove these hours on {label}")
                on:click=remove
            >
                "×"
            </button>
        </div>
    }
}
