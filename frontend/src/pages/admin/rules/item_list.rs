//! The condition rows or the action rows of the rule form: each a kind select and that kind's
//! fields, with add and remove. Which kinds exist and what fields they have is the `table`.

use leptos::prelude::*;

use super::choices::RuleChoices;
use super::field_input::FieldInput;
use super::fields::{Draft, Kind, UNKNOWN};
use super::problem::capitalized;
use crate::field_problem::FieldProblem;

/// The rows, each with a key that stays with it while rows above are removed.
pub type Rows = RwSignal<Vec<(u64, RwSignal<Draft>)>>;

pub fn rows_of(drafts: Vec<Draft>) -> Rows {
    RwSignal::new((0u64..).zip(drafts).map(|(key, d)| (key, RwSignal::new(d))).collect())
}

/// The drafts as they are now.
pub fn drafts(rows: Rows) -> Vec<Draft> {
    rows.with_untracked(|r| r.iter().map(|(_, d)| d.get_untracked()).collect())
}

#[component]
pub fn ItemList(
    /// `condition` or `action`: the test ids (`condition-row`, `action-add`…) and the words.
    what: &'static str,
    /// The JSON path of the list (`conditions`), as the server names a refused row.
    path: &'static str,
    table: &'static [Kind],
    rows: Rows,
    choices: RuleChoices,
    problem: FieldProblem,
    /// Shown when there are no rows.
    empty: &'static str,
) -> impl IntoView {
    let add = move |_| {
        let Some(first) = table.first() else { return };
        let key = rows.with_untracked(|r| r.iter().map(|(k, _)| k + 1).max().unwrap_or(0));
        rows.update(|r| r.push((key, RwSignal::new(Draft::blank(first)))));
    };
    view! {
        <ol class="plain-list rule-items" data-testid=format!("{what}-list")>
            <For
                each=move || rows.get()
                key=|(key, _)| *key
                children=move |(key, draft)| view! { <ItemRow what path table key draft rows choices problem /> }
            />
        </ol>
        <Show when=move || rows.with(Vec::is_empty)>
            <p class="muted">{empty}</p>
        </Show>
        <button type="button" class="btn btn-small" data-testid=format!("{what}-add") on:click=add>
            {format!("Add {what}")}
        </button>
    }
}

#[component]
fn ItemRow(
    what: &'static str,
    path: &'static str,
    table: &'static [Kind],
    key: u64,
    draft: RwSignal<Draft>,
    rows: Rows,
    choices: RuleChoices,
    problem: FieldProblem,
) -> impl IntoView {
    let index = Memo::new(move |_| rows.with(|r| r.iter().position(|(k, _)| *k == key).unwrap_or(0)));
    let invalid = Signal::derive(move || problem.marks(&format!("{path}[{}]", index.get())));
    let kind = Memo::new(move |_| draft.with(|d| d.kind.key));
    let prefix = format!("{what}-{key}");
    let kind_id = format!("{prefix}-kind");
    let kinds = move || {
        let current = kind.get();
        let unknown =
            (current == UNKNOWN.key).then(|| view! { <option value="" prop:selected=true>{UNKNOWN.label}</option> });
        view! {
            {unknown}
            {table
                .iter()
                .map(|k| view! { <option value=k.key prop:selected=k.key == current>{k.label}</option> })
                .collect_view()}
        }
    };
    let fields = {
        let prefix = prefix.clone();
        move || {
            // Redrawn when the kind changes, not on each keystroke (that would lose the focus).
            let _ = kind.get();
            let fields = draft.with_untracked(|d| d.kind.fields);
            fields
                .iter()
                .map(|field| {
                    let id = format!("{}-{}", prefix, field.name);
                    view! { <FieldInput draft field id choices invalid /> }
                })
                .collect_view()
        }
    };
    let remove = move |_| rows.update(|r| r.retain(|(k, _)| *k != key));
    view! {
        <li class="rule-item" class:invalid=move || invalid.get() data-testid=format!("{what}-row")>
            <div class="field rule-field">
                <label for=kind_id.clone()>{move || format!("{} {}", capitalized(what), index.get() + 1)}</label>
                <select
                    id=kind_id
                    data-testid=format!("{what}-kind")
                    aria-invalid=move || invalid.get().to_string()
                    on:change=move |ev| {
                        if let Some(d) = Draft::of_kind(table, &event_target_value(&ev)) {
                            draft.set(d);
                        }
                    }
                >
                    {kinds}
                </select>
            </div>
            {fields}
            <button
                type="button"
                class="btn btn-small"
                data-testid=format!("{what}-remove")
                aria-label=move || format!("Remove {what} {}", index.get() + 1)
                on:click=remove
            >
                "Remove"
            </button>
        </li>
    }
}
