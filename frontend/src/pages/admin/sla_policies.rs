//! SLA policies in their list order (the order breaks ties between equally specific ones):
//! created, edited, moved up and down, and deleted after a second click — deleting re-chooses
//! the policy of the open tickets it governed.

use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{SaveSlaPolicy, SlaPolicy};

use super::policy_form::{PolicyChoices, PolicyForm};
use super::sla::Editing;
use crate::api::{ApiError, Client, use_client};
use crate::business_minutes::label;
use crate::components::confirm_delete::ConfirmDelete;
use crate::components::feedback::EmptyState;
use crate::components::loaded::{FormStatus, loaded};
use crate::format::priority_label;

#[component]
pub fn PoliciesSection(
    policies: LocalResource<Result<Vec<SlaPolicy>, ApiError>>,
    choices: PolicyChoices,
) -> impl IntoView {
    let client = use_client();
    let editing = RwSignal::new(Editing::<SlaPolicy>::None);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    // One move or delete at a time: each is computed from the list on screen.
    let busy = RwSignal::new(false);
    let on_saved = Callback::new(move |message: String| {
        editing.set(Editing::None);
        error.set(None);
        done.set(Some(message));
        policies.refetch();
    });
    let on_cancel = Callback::new(move |()| editing.set(Editing::None));
    let open = Callback::new(move |next: Editing<SlaPolicy>| {
        done.set(None);
        editing.set(next);
    });
    let run = move |what: &'static str, job: LocalBoxFuture<'static, Result<(), ApiError>>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        done.set(None);
        spawn_local(async move {
            match job.await {
                Ok(()) => done.set(Some(what.to_owned())),
                Err(e) => error.set(Some(e.user_message())),
            }
            busy.set(false);
            policies.refetch();
        });
    };
    let shift = Callback::new(move |(id, up): (i64, bool)| {
        let Some(Ok(list)) = policies.get_untracked() else {
            return;
        };
        run("The order is saved.", reorder(client, list, id, up).boxed_local());
    });
    let remove = Callback::new(move |id: i64| {
        run(
            "The policy is deleted.",
            async move { client.delete_sla_policy(id).await }.boxed_local(),
        );
    });

    view! {
        <section aria-labelledby="policies-title" data-testid="policies">
            <PoliciesHead choices open />
            <FormStatus error done />
            {move || match editing.get() {
                Editing::None => None,
                Editing::New => Some(view! { <PolicyForm existing=None choices on_saved on_cancel /> }),
                Editing::Existing(p) => Some(view! { <PolicyForm existing=Some(*p) choices on_saved on_cancel /> }),
            }}
            {loaded(policies, "Loading SLA policies…", move |list: Vec<SlaPolicy>| {
                if list.is_empty() {
                    return view! {
                        <EmptyState><p>"No SLA policies yet: tickets get no due times from an SLA."</p></EmptyState>
                    }
                        .into_any();
                }
                let last = list.len() - 1;
                view! {
                    <ol class="plain-list admin-list" data-testid="policy-list">
                        {list
                            .into_iter()
                            .enumerate()
                            .map(|(i, p)| {
                                view! { <PolicyRow p first=i == 0 last=i == last choices busy open shift remove /> }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            })}
        </section>
    }
}

#[component]
fn PolicyRow(
    p: SlaPolicy,
    first: bool,
    last: bool,
    choices: PolicyChoices,
    busy: RwSignal<bool>,
    open: Callback<Editing<SlaPolicy>>,
    shift: Callback<(i64, bool)>,
    remove: Callback<i64>,
) -> impl IntoView {
    let id = p.id;
    let scope = {
        let p = p.clone();
        move || {
            let named = |list: Vec<(i64, String)>, id: Option<i64>, any: &str| match id {
                None => any.to_owned(),
                Some(id) => list
                    .into_iter()
                    .find(|(i, _)| *i == id)
                    .map_or_else(|| format!("#{id}"), |(_, name)| name),
            };
            let categories = choices.categories.get().into_iter().map(|c| (c.id, c.name)).collect();
            let companies = choices.companies.get().into_iter().map(|c| (c.id, c.name)).collect();
            [
                p.priority.map_or_else(
                    || "any priority".to_owned(),
                    |x| format!("{} priority", priority_label(x)),
                ),
                named(categories, p.category_id, "any category"),
                named(companies, p.company_id, "any company"),
            ]
            .join(" · ")
        }
    };
    let calendar = {
        let calendar_id = p.calendar_id;
        move || {
            choices
                .calendars
                .get()
                .into_iter()
                .find(|c| c.id == calendar_id)
                .map_or_else(|| format!("calendar #{calendar_id}"), |c| c.name)
        }
    };
    let target = |what: &str, m: Option<i64>| m.map(|m| format!("{what} within {}", label(m)));
    let targets = [
        target("First response", p.first_response_minutes),
        target("Resolution", p.resolution_minutes),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let (name, position) = (p.name.clone(), p.position);
    let edit_with = p.clone();
    view! {
        <li class="card sla-row" data-testid="policy-row" data-policy-id=id data-position=position>
            <div class="sla-row-text">
                <strong data-testid="policy-row-name">{p.name.clone()}</strong>
                <div class="muted">"For " {scope}</div>
                <div data-testid="policy-row-targets">{targets} <span class="muted">" · in " {calendar}</span></div>
            </div>
            <div class="row-actions">
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="policy-up"
                    aria-label=format!("Move {name} up")
                    disabled=move || first || busy.get()
                    on:click=move |_| shift.run((id, true))
                >
                    "↑"
                </button>
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="policy-down"
                    aria-label=format!("Move {name} down")
                    disabled=move || last || busy.get()
                    on:click=move |_| shift.run((id, false))
                >
                    "↓"
                </button>
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="policy-edit"
                    on:click=move |_| open.run(Editing::Existing(Box::new(edit_with.clone())))
                >
                    "Edit"
                </button>
                <ConfirmDelete
                    testid="policy-delete"
                    question="Open tickets get the policy that matches them now."
                    busy=busy
                    on_confirm=Callback::new(move |()| remove.run(id))
                />
            </div>
        </li>
    }
}

/// Moves policy `id` one place and saves the positions that change (see `ordering`).
async fn reorder(client: Client, list: Vec<SlaPolicy>, id: i64, up: bool) -> Result<(), ApiError> {
    for (p, position) in crate::ordering::moved(list, |p| p.id == id, up, |p| p.position) {
        client.replace_sla_policy(p.id, &save_at(&p, position)).await?;
    }
    Ok(())
}

/// The policy as it is, at `position` (a replace needs every field).
fn save_at(p: &SlaPolicy, position: i32) -> SaveSlaPolicy {
    SaveSlaPolicy {
        name: p.name.clone(),
        position: Some(position),
        priority: p.priority,
        category_id: p.category_id,
        company_id: p.company_id,
        calendar_id: p.calendar_id,
        first_response_minutes: p.first_response_minutes,
        resolution_minutes: p.resolution_minutes,
    }
}

/// The heading with "New policy", what policies do, and why none can be made without a calendar.
#[component]
fn PoliciesHead(choices: PolicyChoices, open: Callback<Editing<SlaPolicy>>) -> impl IntoView {
    let no_calendar = move || choices.calendars.with(Vec::is_empty);
    view! {
        <div class="page-head">
            <h2 id="policies-title">"SLA policies"</h2>
            <button
                type="button"
                class="btn btn-primary"
                data-testid="policy-new"
                disabled=no_calendar
                on:click=move |_| open.run(Editing::New)
            >
                "New policy"
            </button>
        </div>
        <p class="muted">
            "Targets for the tickets a policy matches, chosen when a ticket is created and when its priority or category changes."
        </p>
        <Show when=no_calendar>
            <p class="notice notice-info" data-testid="policy-needs-calendar">
                "Create a business calendar first: a policy's targets count in one."
            </p>
        </Show>
    }
}
