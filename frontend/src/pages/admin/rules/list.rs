//! The rules in evaluation order: each with its trigger and what it does in words, an on/off
//! switch, arrows that move it (saving the positions), Edit, and Delete after a second click.

use leptos::prelude::*;
use protocol::{Rule, SaveRule};

use super::action_kinds;
use super::choices::RuleChoices;
use super::condition_kinds;
use super::event::trigger_label;
use crate::api::{ApiError, use_client};
use crate::components::feedback::EmptyState;
use crate::components::loaded::{FormStatus, loaded};
use crate::pages::admin::admin_list::{ListChanges, Order, RowActions};
use crate::pages::admin::sla::Editing;

#[component]
pub fn RuleList(
    rules: LocalResource<Result<Vec<Rule>, ApiError>>,
    choices: RuleChoices,
    open: Callback<Editing<Rule>>,
    /// The confirmation shown above the list (shared with the form's "saved").
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let client = use_client();
    let changes = ListChanges::new(done, Callback::new(move |()| rules.refetch()));
    let busy = changes.busy;
    let shift = Callback::new(move |(id, up): (i64, bool)| {
        let Some(Ok(list)) = rules.get_untracked() else {
            return;
        };
        changes.shift(
            list,
            |r| r.id == id,
            up,
            |r| r.position,
            move |r, position| async move { client.save_rule(Some(r.id), &save_of(&r, position)).await.map(drop) },
        );
    });
    let toggle = Callback::new(move |(rule, on): (Rule, bool)| {
        let what = format!("{} is {}.", rule.name, if on { "on" } else { "off" });
        let save = SaveRule {
            enabled: on,
            ..save_of(&rule, rule.position)
        };
        changes.run(
            what,
            async move { client.save_rule(Some(rule.id), &save).await.map(drop) },
        );
    });
    let remove = Callback::new(move |(id, name): (i64, String)| {
        changes.run(
            format!("{name} is deleted."),
            async move { client.delete_rule(id).await },
        );
    });

    view! {
        <FormStatus error=changes.error done />
        {loaded(rules, "Loading rules…", move |list: Vec<Rule>| {
            if list.is_empty() {
                return view! {
                    <EmptyState><p>"No rules yet: tickets are left as they come in."</p></EmptyState>
                }
                    .into_any();
            }
            let last = list.len() - 1;
            view! {
                <ol class="plain-list admin-list" data-testid="rule-list">
                    {list
                        .into_iter()
                        .enumerate()
                        .map(|(i, rule)| {
                            view! { <RuleRow rule place=i + 1 last=i == last choices busy open shift toggle remove /> }
                        })
                        .collect_view()}
                </ol>
            }
                .into_any()
        })}
    }
}

#[component]
fn RuleRow(
    rule: Rule,
    /// 1-based place in the list.
    place: usize,
    last: bool,
    choices: RuleChoices,
    busy: RwSignal<bool>,
    open: Callback<Editing<Rule>>,
    shift: Callback<(i64, bool)>,
    toggle: Callback<(Rule, bool)>,
    remove: Callback<(i64, String)>,
) -> impl IntoView {
    let id = rule.id;
    let summary = {
        let rule = rule.clone();
        move || {
            let words = |list: Vec<String>, none: &str| {
                if list.is_empty() {
                    none.to_owned()
                } else {
                    list.join("; ")
                }
            };
            let conditions = rule
                .conditions
                .iter()
                .map(|c| choices.summary(&condition_kinds::draft_of(c)))
                .collect();
            let actions = rule
                .actions
                .iter()
                .map(|a| choices.summary(&action_kinds::draft_of(a)))
                .collect();
            let joiner = if rule.match_mode == protocol::MatchMode::Any {
                "any of: "
            } else {
                ""
            };
            format!(
                "If {joiner}{} → {}",
                words(conditions, "always"),
                words(actions, "nothing")
            )
        }
    };
    let toggle_with = rule.clone();
    let delete_name = StoredValue::new(rule.name.clone());
    let edit_with = rule.clone();
    let order = Order {
        first: place == 1,
        last,
        shift: Callback::new(move |up| shift.run((id, up))),
    };
    let switch_id = format!("rule-enabled-{id}");
    view! {
        <li
            class="card rule-row"
            class:disabled=!rule.enabled
            data-testid="rule-row"
            data-rule-id=id
            data-position=rule.position
            data-enabled=rule.enabled.to_string()
        >
            <span class="rule-place" aria-label=format!("Rule {place}")>{format!("{place}.")}</span>
            <div class="rule-row-text">
                <strong data-testid="rule-row-name">{rule.name.clone()}</strong>
                <div class="muted" data-testid="rule-row-event">{trigger_label(rule.event, rule.idle_hours)}</div>
                <div data-testid="rule-row-summary">{summary}</div>
            </div>
            <RowActions
                testid="rule"
                name=rule.name.clone()
                order
                name_edit=true
                busy
                on_edit=Callback::new(move |()| open.run(Editing::Existing(Box::new(edit_with.clone()))))
                question="Delete this rule?"
                on_delete=Callback::new(move |()| remove.run((id, delete_name.get_value())))
            >
                <span class="field-check">
                    <input
                        id=switch_id.clone()
                        type="checkbox"
                        data-testid="rule-toggle"
                        prop:checked=rule.enabled
                        disabled=move || busy.get()
                        on:change=move |ev| toggle.run((toggle_with.clone(), event_target_checked(&ev)))
                    />
                    <label for=switch_id>"On"</label>
                </span>
            </RowActions>
        </li>
    }
}

/// The rule as it is, at `position` (a replace needs every field).
fn save_of(r: &Rule, position: i32) -> SaveRule {
    SaveRule {
        name: r.name.clone(),
        enabled: r.enabled,
        position: Some(position),
        event: r.event,
        idle_hours: r.idle_hours,
        match_mode: r.match_mode,
        conditions: r.conditions.clone(),
        actions: r.actions.clone(),
    }
}
