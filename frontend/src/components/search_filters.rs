//! The search page's filters: status, category, assignee, tag, creation dates and order.

use leptos::prelude::*;
use protocol::{Category, TicketStatus, User};

use crate::components::choice::{Choice, options_of};
use crate::format::status_label;
use crate::search_filter::{SEARCH_SORTS, SearchFilter, parse_sort};

#[component]
pub fn SearchFilters(
    #[prop(into)] filter: Signal<SearchFilter>,
    #[prop(into)] categories: Signal<Vec<Category>>,
    /// Staff who may hold tickets (empty for customers, who get no assignee filter).
    #[prop(into)]
    agents: Signal<Vec<User>>,
    #[prop(into)] on_change: Callback<SearchFilter>,
) -> impl IntoView {
    // Any change but paging starts again at page 1.
    let change = move |f: &dyn Fn(&mut SearchFilter)| {
        let mut next = filter.get_untracked();
        f(&mut next);
        next.page = 1;
        on_change.run(next);
    };
    let statuses = options_of(TicketStatus::ALL, TicketStatus::as_str, status_label);
    let category_options =
        Signal::derive(move || categories.with(|l| l.iter().map(|c| (c.id.to_string(), c.name.clone())).collect()));
    let agent_options =
        Signal::derive(move || agents.with(|l| l.iter().map(|u| (u.id.to_string(), u.name.clone())).collect()));

    view! {
        <div class="filters search-filters" data-testid="search-filters">
            <Choice
                label="Status"
                testid="search-status"
                any="Any status"
                options=statuses
                selected=Signal::derive(move || filter.with(|f| f.status.map(|s| s.as_str().to_owned())))
                on_pick=Callback::new(move |v: String| change(&|f| f.status = TicketStatus::parse(&v)))
            />
            <Choice
                label="Category"
                testid="search-category"
                any="All categories"
                options=category_options
                selected=Signal::derive(move || filter.with(|f| f.category_id.map(|c| c.to_string())))
                on_pick=Callback::new(move |v: String| change(&|f| f.category_id = v.parse().ok()))
            />
            <Choice
                label="Assignee"
                testid="search-assignee"
                any="Anyone"
                options=agent_options
                selected=Signal::derive(move || filter.with(|f| f.assignee_id.map(|a| a.to_string())))
                on_pick=Callback::new(move |v: String| change(&|f| f.assignee_id = v.parse().ok()))
            />
            <SearchTag filter change />
            <SearchDates filter change />
            <SearchSort filter change />
            <Show when=move || filter.with(SearchFilter::has_filters)>
                <button
                    type="button"
                    class="btn btn-ghost"
                    data-testid="search-clear-filters"
                    on:click=move |_| on_change.run(filter.get_untracked().without_filters())
                >
                    "Clear filters"
                </button>
            </Show>
        </div>
    }
}

/// The tag filter: one tag, applied when the input changes.
#[component]
fn SearchTag(
    filter: Signal<SearchFilter>,
    change: impl Fn(&dyn Fn(&mut SearchFilter)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <label class="field-inline">
            <span>"Tag"</span>
            <input
                type="text"
                class="search-tag"
                data-testid="search-tag"
                prop:value=move || filter.with(|f| f.tag.clone())
                on:change=move |ev| {
                    let tag = event_target_value(&ev).trim().to_owned();
                    change(&|f| f.tag = tag.clone());
                }
            />
        </label>
    }
}

/// The creation date range: "Created from" and "to".
#[component]
fn SearchDates(
    filter: Signal<SearchFilter>,
    change: impl Fn(&dyn Fn(&mut SearchFilter)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <label class="field-inline">
            <span>"Created from"</span>
            <input
                type="date"
                data-testid="search-from"
                prop:value=move || filter.with(|f| f.from.map(|d| d.to_string()).unwrap_or_default())
                on:change=move |ev| {
                    let day = event_target_value(&ev).parse().ok();
                    change(&|f| f.from = day);
                }
            />
        </label>
        <label class="field-inline">
            <span>"to"</span>
            <input
                type="date"
                data-testid="search-to"
                prop:value=move || filter.with(|f| f.to.map(|d| d.to_string()).unwrap_or_default())
                on:change=move |ev| {
                    let day = event_target_value(&ev).parse().ok();
                    change(&|f| f.to = day);
                }
            />
        </label>
    }
}

/// The order of the results.
#[component]
fn SearchSort(
    filter: Signal<SearchFilter>,
    change: impl Fn(&dyn Fn(&mut SearchFilter)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <label class="field-inline">
            <span>"Order"</span>
            <select
                data-testid="search-sort"
                on:change=move |ev| {
                    let sort = parse_sort(&event_target_value(&ev));
                    change(&|f| f.sort = sort);
                }
            >
                {SEARCH_SORTS
                    .iter()
                    .map(|&(sort, label)| {
                        view! {
                            <option value=sort.as_str() prop:selected=move || filter.with(|f| f.sort == sort)>
                                {label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
