//! The queue's filter bar: search, status, priority, assignee, category, tag, overdue only, and
//! order.

use leptos::prelude::*;
use protocol::{Category, Priority, TicketStatus};

use crate::components::choice::{Choice, options_of};
use crate::filter::{Assignee, QueueFilter, SORTS, normalize_tag};
use crate::format::{priority_label, status_label};

#[component]
pub fn TicketFilters(
    #[prop(into)] filter: Signal<QueueFilter>,
    #[prop(into)] categories: Signal<Vec<Category>>,
    #[prop(into)] on_change: Callback<QueueFilter>,
) -> impl IntoView {
    // Any change but paging starts again at page 1.
    let change = move |f: &dyn Fn(&mut QueueFilter)| {
        let mut next = filter.get_untracked();
        f(&mut next);
        next.page = 1;
        on_change.run(next);
    };

    let search = RwSignal::new(filter.get_untracked().q);
    // Back/forward changes the URL: show its search text.
    Effect::new(move |_| search.set(filter.with(|f| f.q.clone())));
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = search.get_untracked().trim().to_owned();
        change(&|f| f.q = q.clone());
    };

    view! {
        <div class="filters">
            <form class="search" role="search" on:submit=on_search>
                <label class="visually-hidden" for="filter-q">"Search subjects"</label>
                <input
                    id="filter-q"
                    type="search"
                    placeholder="Search subjects…"
                    data-testid="filter-q"
                    bind:value=search
                />
                <button type="submit" class="btn" data-testid="filter-search">"Search"</button>
            </form>
            <Choice
                label="Status"
                testid="filter-status"
                any="Any status"
                options=options_of(TicketStatus::ALL, TicketStatus::as_str, status_label)
                selected=Signal::derive(move || filter.with(|f| f.status.map(|s| s.as_str().to_owned())))
                on_pick=Callback::new(move |v: String| change(&|f| f.status = TicketStatus::parse(&v)))
            />
            <Choice
                label="Priority"
                testid="filter-priority"
                any="Any priority"
                options=options_of(Priority::ALL, Priority::as_str, priority_label)
                selected=Signal::derive(move || filter.with(|f| f.priority.map(|p| p.as_str().to_owned())))
                on_pick=Callback::new(move |v: String| change(&|f| f.priority = Priority::parse(&v)))
            />
            <AssigneeSelect filter change />
            <Choice
                label="Category"
                testid="filter-category"
                any="All categories"
                options=Signal::derive(move || categories.with(|l| l.iter().map(|c| (c.id.to_string(), c.name.clone())).collect()))
                selected=Signal::derive(move || filter.with(|f| f.category_id.map(|c| c.to_string())))
                on_pick=Callback::new(move |v: String| change(&|f| f.category_id = v.parse().ok()))
            />
            <TagInput filter change />
            <OverdueToggle filter change />
            <SortSelect filter change />
        </div>
    }
}

/// The assignee filter: anyone, mine, unassigned…
#[component]
fn AssigneeSelect(
    filter: Signal<QueueFilter>,
    change: impl Fn(&dyn Fn(&mut QueueFilter)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <label class="field-inline">
            <span>"Assignee"</span>
            <select
                data-testid="filter-assignee"
                on:change=move |ev| {
                    let a = Assignee::parse(&event_target_value(&ev));
                    change(&|f| f.assignee = a);
                }
            >
                {Assignee::ALL
                    .into_iter()
                    .map(|a| {
                        view! {
                            <option
                                value=a.param()
                                prop:selected=move || filter.with(|f| f.assignee == a)
                            >
                                {a.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// One tag, applied when the input is committed (Enter or leaving it), not on every key: each
/// change is a new URL and a new request.
#[component]
fn TagInput(
    filter: Signal<QueueFilter>,
    change: impl Fn(&dyn Fn(&mut QueueFilter)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let apply = move |value: String| {
        let tag = normalize_tag(&value);
        if filter.with_untracked(|f| f.tag != tag) {
            change(&|f| f.tag = tag.clone());
        }
    };
    view! {
        <label class="field-inline filter-tag">
            <span>"Tag"</span>
            <input
                type="text"
                placeholder="Any tag"
                autocomplete="off"
                data-testid="filter-tag"
                prop:value=move || filter.with(|f| f.tag.clone())
                on:change=move |ev| apply(event_target_value(&ev))
                on:keydown=move |ev| {
                    // Enter applies even a value set by a script or autofill, which `change`
                    // does not report.
                    if ev.key() == "Enter" {
                        apply(event_target_value(&ev));
                    }
                }
            />
        </label>
    }
}

/// "Overdue only": a checkbox.
#[component]
fn OverdueToggle(
    filter: Signal<QueueFilter>,
    change: impl Fn(&dyn Fn(&mut QueueFilter)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <label class="field-inline filter-overdue">
            <input
                type="checkbox"
                data-testid="filter-overdue"
                prop:checked=move || filter.with(|f| f.overdue)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    change(&|f| f.overdue = on);
                }
            />
            <span>"Overdue only"</span>
        </label>
    }
}

/// The order of the queue.
#[component]
fn SortSelect(
    filter: Signal<QueueFilter>,
    change: impl Fn(&dyn Fn(&mut QueueFilter)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <label class="field-inline">
            <span>"Order"</span>
            <select
                data-testid="filter-sort"
                on:change=move |ev| {
                    let key = event_target_value(&ev);
                    if let Some(s) = SORTS.iter().find(|s| s.0 == key) {
                        change(&|f| f.sort = s.0);
                    }
                }
            >
                {SORTS
                    .iter()
                    .map(|&(key, _, _, label)| {
                        view! {
                            <option
                                value=key
                                prop:selected=move || filter.with(|f| f.sort == key)
                            >
                                {label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
