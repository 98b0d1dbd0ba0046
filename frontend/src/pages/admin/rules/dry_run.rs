//! "Which rules would match this ticket?": every enabled rule judged against the ticket as it
//! is now, with what the matching ones would do. Nothing is changed (the server only reads).

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{DryRunRequest, DryRunResult, DryRunRule};

use super::action_kinds;
use super::choices::RuleChoices;
use super::event::event_label;
use crate::api::use_client;
use crate::components::loaded::FormStatus;

#[component]
pub fn DryRun(choices: RuleChoices) -> impl IntoView {
    let client = use_client();
    let number = RwSignal::new(String::new());
    let result = RwSignal::new(None::<DryRunResult>);
    let error = RwSignal::new(None::<String>);
    let running = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        result.set(None);
        // People quote tickets as `#123`; the number is the ticket's id.
        let Ok(ticket_id) = number.get_untracked().trim().trim_start_matches('#').parse::<i64>() else {
            error.set(Some("Enter a ticket number, such as 123.".into()));
            return;
        };
        error.set(None);
        running.set(true);
        spawn_local(async move {
            let req = DryRunRequest {
                ticket_id,
                rule_id: None,
                event: None,
            };
            match client.dry_run_rules(&req).await {
                Ok(r) => result.set(Some(r)),
                Err(e) => error.set(Some(e.user_message())),
            }
            running.set(false);
        });
    };
    view! {
        <section class="card rule-dry-run" aria-labelledby="dry-run-title" data-testid="rule-dry-run">
            <h2 id="dry-run-title">"Try the rules on a ticket"</h2>
            <p class="muted">
                "Shows which enabled rules would match the ticket as it is now, and what they would do. Nothing is changed."
            </p>
            <form class="dry-run-form" on:submit=on_submit novalidate>
                <label for="dry-run-ticket">"Ticket number"</label>
                <input
                    id="dry-run-ticket"
                    type="text"
                    inputmode="numeric"
                    placeholder="#123"
                    data-testid="dry-run-ticket"
                    bind:value=number
                />
                <button type="submit" class="btn" data-testid="dry-run-submit" disabled=move || running.get()>
                    "Dry run"
                </button>
            </form>
            <FormStatus error />
            {move || result.get().map(|r| view! { <DryRunResults result=r choices /> })}
        </section>
    }
}

#[component]
fn DryRunResults(result: DryRunResult, choices: RuleChoices) -> impl IntoView {
    let matched = result.rules.iter().filter(|r| r.matched).count();
    let heading = match (result.rules.len(), matched) {
        (0, _) => format!("Ticket #{}: there are no enabled rules.", result.ticket_id),
        (_, 0) => format!("Ticket #{}: no rule would match.", result.ticket_id),
        (_, 1) => format!("Ticket #{}: 1 rule would match.", result.ticket_id),
        (_, n) => format!("Ticket #{}: {n} rules would match.", result.ticket_id),
    };
    view! {
        <div data-testid="dry-run-result" role="status">
            <p><strong>{heading}</strong></p>
            <ol class="plain-list dry-run-rules">
                {result.rules.into_iter().map(|r| view! { <DryRunRow rule=r choices /> }).collect_view()}
            </ol>
        </div>
    }
}

#[component]
fn DryRunRow(rule: DryRunRule, choices: RuleChoices) -> impl IntoView {
    let actions = rule.actions.clone();
    let would = move || {
        actions
            .iter()
            .map(|a| choices.summary(&action_kinds::draft_of(a)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    view! {
        <li
            class="dry-run-rule"
            class:matched=rule.matched
            data-testid="dry-run-rule"
            data-rule-id=rule.rule_id
            data-matched=rule.matched.to_string()
        >
            <strong>{rule.name}</strong>
            <span class="muted">{format!(" · {}", event_label(rule.event))}</span>
            {if rule.matched {
                view! { <div data-testid="dry-run-actions">{"Would: "} {would}</div> }.into_any()
            } else {
                view! { <div class="muted">"Does not match."</div> }.into_any()
            }}
        </li>
    }
}
