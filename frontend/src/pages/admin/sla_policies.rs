//! SLA policies in their list order (the order breaks ties between equally specific ones):
//! created, edited, moved up and down, and deleted after a second click — deleting re-chooses
//! the policy of the open tickets it governed.

use leptos::prelude::*;
use protocol::{SaveSlaPolicy, SlaPolicy};

use super::admin_list::{ListChanges, Order, RowActions, SectionHead};
use super::policy_form::{PolicyChoices, PolicyForm};
use super::sla::Editing;
use crate::api::{ApiError, use_client};
use crate::business_minutes::label;
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
    let done = RwSignal::new(None::<String>);
    let changes = ListChanges::new(done, Callback::new(move |()| policies.refetch()));
    let (error, busy) = (changes.error, changes.busy);
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
    let shift = Callback::new(move |(id, up): (i64, bool)| {
        let Some(Ok(list)) = policies.get_untracked() else {
            return;
        };
        changes.shift(
            list,
            |p| p.id == id,
            up,
            |p| p.position,
            move |p, position| async move {
                client
                    .save_sla_policy(Some(p.id), &save_at(&p, position))
                    .await
                    .map(drop)
            },
        );
    });
    let remove = Callback::new(move |id: i64| {
        changes.run("The policy is deleted.".to_owned(), async move {
            client.delete_sla_policy(id).await
        });
    });

    view! {
        <section aria-labelledby="policies-title" data-testid="policies">
            <PoliciesHead choices open />
            <FormStatus error done />
            {move || editing.get().form().map(|existing| view! { <PolicyForm existing choices on_saved on_cancel /> })}
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
            [
                p.priority.map_or_else(
                    || "any priority".to_owned(),
                    |x| format!("{} priority", priority_label(x)),
                ),
                named(choices.category_names(), p.category_id, "any category"),
                named(choices.company_names(), p.company_id, "any company"),
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
    let position = p.position;
    let edit_with = p.clone();
    let order = Order {
        first,
        last,
        shift: Callback::new(move |up| shift.run((id, up))),
    };
    view! {
        <li class="card sla-row" data-testid="policy-row" data-policy-id=id data-position=position>
            <div class="sla-row-text">
                <strong data-testid="policy-row-name">{p.name.clone()}</strong>
                <div class="muted">"For " {scope}</div>
                <div data-testid="policy-row-targets">{targets} <span class="muted">" · in " {calendar}</span></div>
            </div>
            <RowActions
                testid="policy"
                name=p.name.clone()
                order
                busy
                on_edit=Callback::new(move |()| open.run(Editing::Existing(Box::new(edit_with.clone()))))
                question="Open tickets get the policy that matches them now."
                on_delete=Callback::new(move |()| remove.run(id))
            />
        </li>
    }
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
    let on_new = Callback::new(move |()| open.run(Editing::New));
    view! {
        <SectionHead title_id="policies-title" title="SLA policies" testid="policy-new" new="New policy" on_new
            disabled=no_calendar intro="Targets for the tickets a policy matches, chosen when a ticket is created and when its priority or category changes." />
        <Show when=no_calendar>
            <p class="notice notice-info" data-testid="policy-needs-calendar">
                "Create a business calendar first: a policy's targets count in one."
            </p>
        </Show>
    }
}
