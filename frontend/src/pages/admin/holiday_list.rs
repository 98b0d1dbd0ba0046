//! A calendar's days off: a date each, optionally every year on that day, with a name for the
//! list.

use leptos::prelude::*;

use super::calendar_draft::HolidayDraft;
use crate::field_problem::FieldProblem;

#[component]
pub fn HolidayList(holidays: RwSignal<Vec<HolidayDraft>>, problem: FieldProblem) -> impl IntoView {
    let add = move |_| holidays.update(|list| list.push(HolidayDraft::new(String::new(), String::new(), false)));
    view! {
        <fieldset class="holiday-list" data-testid="calendar-holidays">
            <legend>"Holidays"</legend>
            <Show when=move || holidays.with(Vec::is_empty)>
                <p class="muted">"No holidays: every working day counts."</p>
            </Show>
            <ul class="plain-list">
                <For
                    each=move || holidays.get()
                    key=|h| h.key
                    children=move |h| view! { <HolidayRow row=h.key holidays problem /> }
                />
            </ul>
            <button type="button" class="btn btn-small" data-testid="holiday-add" on:click=add>
                "Add a holiday"
            </button>
        </fieldset>
    }
}

#[component]
fn HolidayRow(row: u64, holidays: RwSignal<Vec<HolidayDraft>>, problem: FieldProblem) -> impl IntoView {
    let read = move |f: fn(&HolidayDraft) -> String| {
        holidays.with(|list| list.iter().find(|h| h.key == row).map(f).unwrap_or_default())
    };
    // The server names a holiday by its place in the list.
    let date_invalid = move || {
        let index = holidays.with(|list| list.iter().position(|h| h.key == row));
        index
            .is_some_and(|i| problem.marks(&format!("holidays[{i}].date")))
            .to_string()
    };
    let yearly_id = format!("holiday-{row}-yearly");
    view! {
        <li class="holiday-row" data-testid="holiday-row">
            <input
                type="date"
                data-testid="holiday-date"
                aria-label="Date"
                aria-invalid=date_invalid
                prop:value=move || read(|h| h.date.clone())
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    edit(holidays, row, |h| h.date = value);
                }
            />
            <input
                type="text"
                placeholder="Name (optional)"
                data-testid="holiday-name"
                aria-label="Name"
                prop:value=move || read(|h| h.name.clone())
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    edit(holidays, row, |h| h.name = value);
                }
            />
            <span class="field-check">
                <input
                    id=yearly_id.clone()
                    type="checkbox"
                    data-testid="holiday-yearly"
                    prop:checked=move || holidays.with(|list| list.iter().any(|h| h.key == row && h.yearly))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        edit(holidays, row, |h| h.yearly = on);
                    }
                />
                <label for=yearly_id>"Every year"</label>
            </span>
            <button
                type="button"
                class="chip-remove"
                data-testid="holiday-remove"
                aria-label="Remove this holiday"
                on:click=move |_| holidays.update(|list| list.retain(|h| h.key != row))
            >
                "×"
            </button>
        </li>
    }
}

fn edit(holidays: RwSignal<Vec<HolidayDraft>>, row: u64, f: impl FnOnce(&mut HolidayDraft)) {
    holidays.update(|list| {
        if let Some(h) = list.iter_mut().find(|h| h.key == row) {
            f(h);
        }
    });
}
