//! The ticket's assignee, category and due date as controls of the actions panel, and the
//! labelled select they share with the status and the priority.
//!
//! Options are drawn from the ticket on screen each time it changes (and after a refused
//! change), each setting its own `selected` property: a select then shows the stored value
//! even when its options arrive after it, or when the agent's pick was not saved (the
//! `selected` attribute would not do: it leaves an option the user picked picked).

use std::time::Duration;

use leptos::prelude::*;
use protocol::{UpdateTicket, UserRef};

use crate::debounce::debounced;
use crate::format::{datetime_local_value, parse_datetime_local};
use crate::pages::ticket_live::TicketContext;
use crate::staff_directory::StaffDirectory;

/// Picking a date and time sends `change` for every part typed; save once typing pauses.
const DUE_PAUSE: Duration = Duration::from_millis(700);

#[component]
pub fn AssigneeField(ctx: TicketContext, directory: StaffDirectory) -> impl IntoView {
    let current = move || ctx.with_detail(|d| d.ticket.assignee.clone()).flatten();
    let set = move |value: String| {
        let next = value.parse::<i64>().ok();
        if next == current().map(|a| a.id) {
            return;
        }
        ctx.edit(
            "Assignee",
            move |version| UpdateTicket {
                version,
                assignee_id: Some(next),
                ..Default::default()
            },
            || {},
        );
    };
    let options = move || {
        let current = current();
        let selected = current.as_ref().map(|a| a.id);
        let category = ctx.with_detail(|d| d.ticket.category_id).flatten();
        let staff = directory.staff();
        // The assignee may be missing from the directory (not loaded yet, or deactivated).
        let missing = current.filter(|a| !staff.iter().any(|u| u.id == a.id));
        // Who works the ticket's category comes first: the likely choice.
        let (members, others): (Vec<_>, Vec<_>) = staff
            .into_iter()
            .map(|u| UserRef {
                id: u.id,
                name: u.name,
                email: u.email,
            })
            .partition(|u| category.is_some_and(|c| directory.in_category(c, u.id)));
        let option = move |u: UserRef| {
            view! { <option value=u.id.to_string() prop:selected=selected == Some(u.id)>{u.name}</option> }
        };
        let groups = match category.and_then(|c| directory.category_name(c)) {
            Some(name) if !members.is_empty() => view! {
                <optgroup label=format!("In {name}")>{members.into_iter().map(option).collect_view()}</optgroup>
                <optgroup label="Other staff">{others.into_iter().map(option).collect_view()}</optgroup>
            }
            .into_any(),
            _ => members.into_iter().chain(others).map(option).collect_view().into_any(),
        };
        view! {
            <option value="" prop:selected=selected.is_none()>"Unassigned"</option>
            {missing.map(option)}
            {groups}
        }
    };
    view! {
        <ActionSelect ctx label="Assignee" testid="action-assignee" on_change=Callback::new(set)>
            {options}
        </ActionSelect>
    }
}

#[component]
pub fn CategoryField(ctx: TicketContext, directory: StaffDirectory) -> impl IntoView {
    let current = move || ctx.with_detail(|d| d.ticket.category_id).flatten();
    let set = move |value: String| {
        let next = value.parse::<i64>().ok();
        if next == current() {
            return;
        }
        ctx.edit(
            "Category",
            move |version| UpdateTicket {
                version,
                category_id: Some(next),
                ..Default::default()
            },
            || {},
        );
    };
    let options = move || {
        let selected = current();
        let categories = directory.categories();
        let missing = selected.filter(|id| !categories.iter().any(|c| c.id == *id));
        view! {
            <option value="" prop:selected=selected.is_none()>"None"</option>
            {missing.map(|id| view! { <option value=id.to_string() prop:selected=true>{format!("Category {id}")}</option> })}
            {categories
                .into_iter()
                .map(|c| view! { <option value=c.id.to_string() prop:selected=selected == Some(c.id)>{c.name}</option> })
                .collect_view()}
        }
    };
    view! {
        <ActionSelect ctx label="Category" testid="action-category" on_change=Callback::new(set)>
            {options}
        </ActionSelect>
    }
}

/// A select of the actions panel with its label, disabled while a change is being saved;
/// `children` are its options, `on_change` gets the value picked.
#[component]
pub fn ActionSelect(
    ctx: TicketContext,
    label: &'static str,
    testid: &'static str,
    on_change: Callback<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <label class="action-field">
            <span>{label}</span>
            <select
                data-testid=testid
                disabled=move || ctx.editing.get()
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                {children()}
            </select>
        </label>
    }
}

#[component]
pub fn DueField(ctx: TicketContext) -> impl IntoView {
    let due = move || ctx.with_detail(|d| d.ticket.due_at).flatten();
    // Only a new due date rewrites the field: other changes to the ticket (arriving live while
    // the agent types) must not wipe what is being typed.
    let shown = Memo::new(move |_| due().map(datetime_local_value).unwrap_or_default());
    // What was picked or typed; saved once it stops changing.
    let picked = RwSignal::new(String::new());
    let settled: Signal<String> = debounced(picked.into(), DUE_PAUSE);
    Effect::new(move |first_run: Option<()>| {
        let value = settled.get();
        // An emptied or half-typed field is not a request to clear: that is the button's job.
        let at = parse_datetime_local(&value);
        // Untracked: a colleague's new due date arriving live must not re-send this pick.
        if first_run.is_none() || at.is_none() || at == untrack(due) {
            return;
        }
        ctx.edit(
            "Due date",
            move |version| UpdateTicket {
                version,
                due_at: Some(at),
                ..Default::default()
            },
            // Forget the pick once stored, so picking the same time again later is a change.
            move || picked.set(String::new()),
        );
    });
    let clear = move |_| {
        picked.set(String::new());
        ctx.edit(
            "Due date",
            |version| UpdateTicket {
                version,
                due_at: Some(None),
                ..Default::default()
            },
            || {},
        );
    };
    view! {
        <div class="action-field action-due">
            <label for="action-due">"Due"</label>
            <div class="action-due-row">
                <input
                    id="action-due"
                    type="datetime-local"
                    data-testid="action-due"
                    prop:value=shown
                    disabled=move || ctx.editing.get()
                    on:change=move |ev| picked.set(event_target_value(&ev))
                />
                <button
                    type="button"
                    class="btn btn-ghost"
                    data-testid="action-due-clear"
                    aria-label="Clear the due date"
                    disabled=move || ctx.editing.get() || due().is_none()
                    on:click=clear
                >
                    "Clear"
                </button>
            </div>
        </div>
    }
}
