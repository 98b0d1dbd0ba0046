//! The rules in evaluation order: each with its trigger and what it does in words, an on/off
//! switch, arrows that move it (saving the positions), Edit, and Delete after a second click.

use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{Rule, SaveRule};

use super::action_kinds;
use super::choices::RuleChoices;
use super::condition_kinds;
use super::event::trigger_label;
use crate::api::{ApiError, Client, use_client};
use crate::components::confirm_delete::ConfirmDelete;
use crate::components::feedback::EmptyState;
use crate::components::loaded::{FormStatus, loaded};
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
    let error = RwSignal::new(None::<String>);
    // One change at a time: each is computed from the list on screen.
    let busy = RwSignal::new(false);
    let run = move |what: String, job: LocalBoxFuture<'static, Result<(), ApiError>>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        done.set(None);
        spawn_local(async move {
            match job.await {
                Ok(()) => done.set(Some(what)),
                Err(e) => error.set(Some(e.user_message())),
            }
            busy.set(false);
            rules.refetch();
        });
    };
    let shift = Callback::new(move |(id, up): (i64, bool)| {
        let Some(Ok(list)) = rules.get_untracked() else {
            return;
        };
        run(
            "The order is saved.".into(),
            reorder(client, list, id, up).boxed_local(),
        );
    });
    let toggle = Callback::new(move |(rule, on): (Rule, bool)| {
        let what = format!("{} is {}.", rule.name, if on { "on" } else { "off" });
        let save = SaveRule {
            enabled: on,
            ..save_of(&rule, rule.position)
        };
        run(
            what,
            async move { client.replace_rule(rule.id, &save).await.map(drop) }.boxed_local(),
        );
    });
    let remove = Callback::new(move |(id, name): (i64, String)| {
        run(
            format!("{name} is deleted."),
            async move { client.delete_rule(id).await }.boxed_local(),
        );
    });

    view! {
        <FormStatus error done />
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
    let name = rule.name.clone();
    let toggle_with = rule.clone();
    let delete_name = StoredValue::new(rule.name.clone());
    let edit_with = rule.clone();
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
            <div class="row-actions">
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
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="rule-up"
                    aria-label=format!("Move {name} up")
                    disabled=move || place == 1 || busy.get()
                    on:click=move |_| shift.run((id, true))
                >
                    "↑"
                </button>
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="rule-down"
                    aria-label=format!("Move {name} down")
                    disabled=move || last || busy.get()
                    on:click=move |_| shift.run((id, false))
                >
                    "↓"
                </button>
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="rule-edit"
                    aria-label=format!("Edit {name}")
                    on:click=move |_| open.run(Editing::Existing(Box::new(edit_with.clone())))
                >
                    "Edit"
                </button>
                <ConfirmDelete
                    testid="rule-delete"
                    question="Delete this rule?"
                    busy=busy
                    on_confirm=Callback::new(move |()| remove.run((id, delete_name.get_value())))
                />
            </div>
        </li>
    }
}

/// Moves rule `id` one place and saves the positions that change (see `ordering`).
async fn reorder(client: Client, list: Vec<Rule>, id: i64, up: bool) -> Result<(), ApiError> {
    for (r, position) in crate::ordering::moved(list, |r| r.id == id, up, |r| r.position) {
        client.replace_rule(r.id, &save_of(&r, position)).await?;
    }
    Ok(())
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
