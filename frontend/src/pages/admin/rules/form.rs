//! Creating or replacing a rule: name, on or off, the event it listens to, whether all or any
//! of its conditions must hold, the conditions and the actions. Its place in the list is kept
//! (a new rule goes last); the list's arrows move it.

use leptos::prelude::*;
use protocol::{Action, Condition, MatchMode, Rule, RuleEvent, SaveRule};

use super::action_kinds::{self, ACTIONS};
use super::choices::RuleChoices;
use super::condition_kinds::{self, CONDITIONS};
use super::event::{event_label, parse_idle_hours};
use super::fields::Draft;
use super::item_list::{ItemList, Rows, drafts, rows_of};
use super::problem::save_problem;
use crate::api::{ApiError, use_client};
use crate::components::form_fields::{CheckField, EnumSelect, TextField};
use crate::field_problem::FieldProblem;
use crate::pages::admin::edit_form::{EditForm, FormState};

#[component]
pub fn RuleForm(
    existing: Option<Rule>,
    choices: RuleChoices,
    /// Called with a confirmation to show.
    on_saved: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let id = existing.as_ref().map(|r| r.id);
    let f = RuleFields::new(existing.as_ref());
    let form = FormState::default();
    let problem = form.problem;

    let on_submit = Callback::new(move |()| {
        problem.clear();
        let Some((rule, condition_drafts, action_drafts)) = f.to_save(problem, form.error) else {
            return;
        };
        let request = async move { client.save_rule(id, &rule).await };
        let message = move |e: &ApiError| save_problem(e, &condition_drafts, &action_drafts);
        form.send(request, on_saved, |r| r.name, message);
    });

    let title = if id.is_some() { "Edit rule" } else { "New rule" };
    view! {
        <EditForm testid="rule" class="rule-form" title save="Save rule" form on_submit on_cancel>
            <div class="form-grid">
                <TextField id="rule-name" label="Name" value=f.name invalid=problem.aria("name") />
                <EnumSelect id="rule-event" label="When" value=f.event text=event_label
                    all=RuleEvent::ALL key=RuleEvent::as_str parse=RuleEvent::parse />
                <IdleHours event=f.event idle_hours=f.idle_hours problem />
            </div>
            <CheckField id="rule-enabled" label="Enabled" value=f.enabled />
            <RuleItems f choices problem />
        </EditForm>
    }
}

/// The rule as typed in the form, its conditions and actions as rows of drafts.
#[derive(Clone, Copy)]
struct RuleFields {
    name: RwSignal<String>,
    enabled: RwSignal<bool>,
    event: RwSignal<RuleEvent>,
    idle_hours: RwSignal<String>,
    /// Any one condition must hold (else all).
    any: RwSignal<bool>,
    conditions: Rows,
    actions: Rows,
}

impl RuleFields {
    /// The fields of rule `r`, or those of a new rule (on, for new tickets, nothing in it).
    fn new(r: Option<&Rule>) -> Self {
        Self {
            name: RwSignal::new(r.map(|r| r.name.clone()).unwrap_or_default()),
            enabled: RwSignal::new(r.is_none_or(|r| r.enabled)),
            event: RwSignal::new(r.map_or(RuleEvent::TicketCreated, |r| r.event)),
            idle_hours: RwSignal::new(r.and_then(|r| r.idle_hours).map(|h| h.to_string()).unwrap_or_default()),
            any: RwSignal::new(r.is_some_and(|r| r.match_mode == MatchMode::Any)),
            conditions: rows_of(
                r.map(|r| r.conditions.iter().map(condition_kinds::draft_of).collect())
                    .unwrap_or_default(),
            ),
            actions: rows_of(
                r.map(|r| r.actions.iter().map(action_kinds::draft_of).collect())
                    .unwrap_or_default(),
            ),
        }
    }

    /// The rule to save, with the drafts it was written from; `None` after saying what is wrong.
    fn to_save(
        self,
        problem: FieldProblem,
        error: RwSignal<Option<String>>,
    ) -> Option<(SaveRule, Vec<Draft>, Vec<Draft>)> {
        let fail = |path: &str, message: String| {
            problem.set(path);
            error.set(Some(message));
        };
        let idle = match self.event.get_untracked() {
            RuleEvent::TicketIdle => match parse_idle_hours(&self.idle_hours.get_untracked()) {
                Ok(h) => Some(h),
                Err(message) => {
                    fail("idle_hours", message);
                    return None;
                }
            },
            _ => None,
        };
        let (condition_drafts, action_drafts) = (drafts(self.conditions), drafts(self.actions));
        let written = write_all::<Condition>(&condition_drafts, "conditions", "Condition")
            .and_then(|c| Ok((c, write_all::<Action>(&action_drafts, "actions", "Action")?)));
        let (conditions, actions) = match written {
            Ok(both) => both,
            Err((path, message)) => {
                fail(&path, message);
                return None;
            }
        };
        let rule = SaveRule {
            name: self.name.get_untracked().trim().to_owned(),
            enabled: self.enabled.get_untracked(),
            position: None,
            event: self.event.get_untracked(),
            idle_hours: idle,
            match_mode: if self.any.get_untracked() {
                MatchMode::Any
            } else {
                MatchMode::All
            },
            conditions,
            actions,
        };
        Some((rule, condition_drafts, action_drafts))
    }
}

/// "Idle for (hours)", shown for the ticket-idle event only.
#[component]
fn IdleHours(event: RwSignal<RuleEvent>, idle_hours: RwSignal<String>, problem: FieldProblem) -> impl IntoView {
    view! {
        <Show when=move || event.get() == RuleEvent::TicketIdle>
            <div class="field">
                <label for="rule-idle-hours">"Idle for (hours)"</label>
                <input
                    id="rule-idle-hours"
                    type="number"
                    min="1"
                    max="8784"
                    step="1"
                    required
                    data-testid="rule-idle-hours"
                    aria-describedby="rule-idle-hours-help"
                    aria-invalid=problem.aria("idle_hours")
                    bind:value=idle_hours
                />
                <small id="rule-idle-hours-help" class="muted">
                    "Fires once when an open or pending ticket has not been updated for this long (1 to 8784 hours)."
                </small>
            </div>
        </Show>
    }
}

/// "If" (all or any of the conditions) and "Then" (the actions): the rule's two lists.
#[component]
fn RuleItems(f: RuleFields, choices: RuleChoices, problem: FieldProblem) -> impl IntoView {
    let RuleFields {
        any,
        conditions,
        actions,
        ..
    } = f;
    view! {
        <fieldset data-testid="rule-conditions">
            <legend>"If"</legend>
            <MatchModeChoice any />
            <ItemList
                what="condition"
                path="conditions"
                table=CONDITIONS
                rows=conditions
                choices
                problem
                empty="No conditions: the rule runs on every such event."
            />
        </fieldset>
        <fieldset data-testid="rule-actions">
            <legend>"Then"</legend>
            <ItemList
                what="action"
                path="actions"
                table=ACTIONS
                rows=actions
                choices
                problem
                empty="No actions yet: a rule needs at least one."
            />
        </fieldset>
    }
}

/// All conditions must hold, or any one.
#[component]
fn MatchModeChoice(any: RwSignal<bool>) -> impl IntoView {
    let option = move |value: bool, id: &'static str, label: &'static str| {
        view! {
            <span class="field-check">
                <input
                    id=id
                    type="radio"
                    name="rule-match"
                    data-testid=id
                    prop:checked=move || any.get() == value
                    on:change=move |_| any.set(value)
                />
                <label for=id>{label}</label>
            </span>
        }
    };
    view! {
        <div class="rule-match" role="radiogroup" aria-label="Which conditions must hold">
            {option(false, "rule-match-all", "All of these conditions hold")}
            {option(true, "rule-match-any", "Any of these conditions holds")}
        </div>
    }
}

/// Every row's wire value, or the first row not filled in right: its path (to mark it) and a
/// sentence naming it.
fn write_all<T: serde::de::DeserializeOwned>(
    drafts: &[Draft],
    path: &str,
    word: &str,
) -> Result<Vec<T>, (String, String)> {
    drafts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            d.write().map_err(|why| {
                (
                    format!("{path}[{i}]"),
                    format!("{word} {} ({}): {why}.", i + 1, d.kind.label),
                )
            })
        })
        .collect()
}
