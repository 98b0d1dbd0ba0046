//! Creating or replacing an SLA policy: what it matches (priority, category, the requester's
//! company — each optional), its two targets in business hours and minutes, and the calendar
//! they count in. Its place in the list is kept; the list's arrows move it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{BusinessCalendar, Category, Company, Priority, SaveSlaPolicy, SlaPolicy};

use crate::api::use_client;
use crate::business_minutes::{join, split};
use crate::components::loaded::FormStatus;
use crate::field_problem::FieldProblem;
use crate::format::priority_label;

/// The choices the selects offer, loaded by the tab.
#[derive(Debug, Clone, Copy)]
pub struct PolicyChoices {
    pub calendars: Signal<Vec<BusinessCalendar>>,
    pub categories: Signal<Vec<Category>>,
    pub companies: Signal<Vec<Company>>,
}

#[component]
pub fn PolicyForm(
    existing: Option<SlaPolicy>,
    choices: PolicyChoices,
    /// Called with a confirmation to show.
    on_saved: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let id = existing.as_ref().map(|p| p.id);
    let f = PolicyFields::new(existing.as_ref());
    let error = RwSignal::new(None::<String>);
    let problem = FieldProblem::default();
    let saving = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        let Some(policy) = f.to_save(choices, problem, error) else {
            return;
        };
        saving.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match id {
                Some(id) => client.replace_sla_policy(id, &policy).await,
                None => client.create_sla_policy(&policy).await,
            };
            saving.set(false);
            match result {
                Ok(p) => on_saved.run(format!("{} is saved.", p.name)),
                Err(e) => {
                    problem.show(&e);
                    error.set(Some(e.user_message()));
                }
            }
        });
    };

    let title = if id.is_some() {
        "Edit SLA policy"
    } else {
        "New SLA policy"
    };
    view! {
        <form class="card admin-form" on:submit=on_submit novalidate data-testid="policy-form" aria-label=title>
            <h3>{title}</h3>
            <div class="form-grid">
                <div class="field">
                    <label for="policy-name">"Name"</label>
                    <input id="policy-name" type="text" data-testid="policy-name" aria-invalid=invalid(problem, "name") bind:value=f.name />
                </div>
                <PolicyCalendar f choices problem />
            </div>
            <AppliesTo f choices problem />
            <Targets f problem />
            <FormStatus error />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="policy-save" disabled=move || saving.get()>
                    "Save policy"
                </button>
                <button type="button" class="btn" data-testid="policy-cancel" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

/// The policy as typed in the form; ids and targets as the inputs hold them.
#[derive(Debug, Clone, Copy)]
struct PolicyFields {
    name: RwSignal<String>,
    priority: RwSignal<String>,
    category: RwSignal<String>,
    company: RwSignal<String>,
    calendar: RwSignal<String>,
    first_hours: RwSignal<String>,
    first_minutes: RwSignal<String>,
    resolution_hours: RwSignal<String>,
    resolution_minutes: RwSignal<String>,
}

impl PolicyFields {
    /// The fields of policy `p`, or empty ones for a new policy.
    fn new(p: Option<&SlaPolicy>) -> Self {
        let id_text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let (fh, fm) = split(p.and_then(|p| p.first_response_minutes));
        let (rh, rm) = split(p.and_then(|p| p.resolution_minutes));
        Self {
            name: RwSignal::new(p.map(|p| p.name.clone()).unwrap_or_default()),
            priority: RwSignal::new(p.and_then(|p| p.priority).map_or("", |p| p.as_str()).to_owned()),
            category: RwSignal::new(id_text(p.and_then(|p| p.category_id))),
            company: RwSignal::new(id_text(p.and_then(|p| p.company_id))),
            calendar: RwSignal::new(id_text(p.map(|p| p.calendar_id))),
            first_hours: RwSignal::new(fh),
            first_minutes: RwSignal::new(fm),
            resolution_hours: RwSignal::new(rh),
            resolution_minutes: RwSignal::new(rm),
        }
    }

    /// The policy to save; `None` after marking the field that is wrong and saying why.
    fn to_save(
        self,
        choices: PolicyChoices,
        problem: FieldProblem,
        error: RwSignal<Option<String>>,
    ) -> Option<SaveSlaPolicy> {
        let target = |field: &str, label: &str, h: RwSignal<String>, m: RwSignal<String>| {
            join(&h.get_untracked(), &m.get_untracked()).map_err(|()| {
                problem.set(field);
                error.set(Some(format!("{label}: hours and minutes are whole numbers.")));
            })
        };
        let first = target(
            "first_response_minutes",
            "First response",
            self.first_hours,
            self.first_minutes,
        )
        .ok()?;
        let resolution = target(
            "resolution_minutes",
            "Resolution",
            self.resolution_hours,
            self.resolution_minutes,
        )
        .ok()?;
        // The select shows the first calendar until another is picked.
        let calendar_id = self
            .calendar
            .get_untracked()
            .parse()
            .ok()
            .or_else(|| choices.calendars.get_untracked().first().map(|c| c.id));
        let Some(calendar_id) = calendar_id else {
            problem.set("calendar_id");
            error.set(Some("Create a business calendar first.".into()));
            return None;
        };
        Some(SaveSlaPolicy {
            name: self.name.get_untracked().trim().to_owned(),
            position: None,
            priority: Priority::parse(&self.priority.get_untracked()),
            category_id: self.category.get_untracked().parse().ok(),
            company_id: self.company.get_untracked().parse().ok(),
            calendar_id,
            first_response_minutes: first,
            resolution_minutes: resolution,
        })
    }
}

/// The `aria-invalid` value of `field` (reactive): whether the server refused it.
fn invalid(problem: FieldProblem, field: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || problem.marks(field).to_string()
}

/// The calendar the targets count in.
#[component]
fn PolicyCalendar(f: PolicyFields, choices: PolicyChoices, problem: FieldProblem) -> impl IntoView {
    let calendar = f.calendar;
    view! {
        <div class="field">
            <label for="policy-calendar">"Calendar"</label>
            <select
                id="policy-calendar"
                data-testid="policy-calendar"
                aria-invalid=invalid(problem, "calendar_id")
                on:change=move |ev| calendar.set(event_target_value(&ev))
            >
                {move || {
                    choices
                        .calendars
                        .get()
                        .into_iter()
                        .map(|c| {
                            let value = c.id.to_string();
                            let selected = calendar.with(|v| *v == value);
                            view! { <option value=value prop:selected=selected>{c.name}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// "Applies to": the priority, category and requester's company the policy matches.
#[component]
fn AppliesTo(f: PolicyFields, choices: PolicyChoices, problem: FieldProblem) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Applies to"</legend>
            <p class="muted field-hint">
                "Tickets matching every criterion set. Of several matching policies the most specific wins, then the first in the list."
            </p>
            <div class="form-grid">
                <PolicyPriority priority=f.priority problem />
                <IdSelect
                    id="policy-category"
                    label="Category"
                    any="Any category"
                    value=f.category
                    invalid=Signal::derive(invalid(problem, "category_id"))
                    options=Signal::derive(move || {
                        choices.categories.get().into_iter().map(|c| (c.id, c.name)).collect()
                    })
                />
                <IdSelect
                    id="policy-company"
                    label="Requester's company"
                    any="Any company"
                    value=f.company
                    invalid=Signal::derive(invalid(problem, "company_id"))
                    options=Signal::derive(move || {
                        choices.companies.get().into_iter().map(|c| (c.id, c.name)).collect()
                    })
                />
            </div>
        </fieldset>
    }
}

/// The priority the policy matches, or any.
#[component]
fn PolicyPriority(priority: RwSignal<String>, problem: FieldProblem) -> impl IntoView {
    view! {
        <div class="field">
            <label for="policy-priority">"Priority"</label>
            <select
                id="policy-priority"
                data-testid="policy-priority"
                aria-invalid=invalid(problem, "priority")
                on:change=move |ev| priority.set(event_target_value(&ev))
            >
                <option value="" prop:selected=move || priority.with(String::is_empty)>"Any priority"</option>
                {Priority::ALL
                    .iter()
                    .map(|p| {
                        let value = p.as_str();
                        view! {
                            <option value=value prop:selected=move || priority.with(|v| v == value)>
                                {priority_label(*p)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// "Targets (business time)": first response and resolution, each as hours and minutes.
#[component]
fn Targets(f: PolicyFields, problem: FieldProblem) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Targets (business time)"</legend>
            <p class="muted field-hint">"Leave a target empty for none; at least one is needed."</p>
            <TargetField
                id="policy-first-response"
                label="First response within"
                hours=f.first_hours
                minutes=f.first_minutes
                invalid=Signal::derive(invalid(problem, "first_response_minutes"))
            />
            <TargetField
                id="policy-resolution"
                label="Resolution within"
                hours=f.resolution_hours
                minutes=f.resolution_minutes
                invalid=Signal::derive(invalid(problem, "resolution_minutes"))
            />
        </fieldset>
    }
}

/// An optional reference: "any", or one of `options` (id, name). An id the list lacks (not
/// loaded yet) is still shown, so saving keeps it.
#[component]
fn IdSelect(
    id: &'static str,
    label: &'static str,
    any: &'static str,
    value: RwSignal<String>,
    invalid: Signal<String>,
    options: Signal<Vec<(i64, String)>>,
) -> impl IntoView {
    let items = move || {
        let list = options.get();
        let current = value.get();
        let missing = (!current.is_empty() && !list.iter().any(|(id, _)| id.to_string() == current))
            .then(|| view! { <option value=current.clone() prop:selected=true>{format!("#{current}")}</option> });
        view! {
            <option value="" prop:selected=current.is_empty()>{any}</option>
            {missing}
            {list
                .into_iter()
                .map(|(id, name)| {
                    let v = id.to_string();
                    let selected = v == current;
                    view! { <option value=v prop:selected=selected>{name}</option> }
                })
                .collect_view()}
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id data-testid=id aria-invalid=invalid on:change=move |ev| value.set(event_target_value(&ev))>
                {items}
            </select>
        </div>
    }
}

/// A target as hours and minutes; the test ids are `{id}-hours` and `{id}-minutes`.
#[component]
fn TargetField(
    id: &'static str,
    label: &'static str,
    hours: RwSignal<String>,
    minutes: RwSignal<String>,
    invalid: Signal<String>,
) -> impl IntoView {
    let (hours_id, minutes_id) = (format!("{id}-hours"), format!("{id}-minutes"));
    view! {
        <div class="field target-field" role="group" aria-labelledby=format!("{id}-label")>
            <span id=format!("{id}-label")>{label}</span>
            <div class="target-inputs">
                <input
                    id=hours_id.clone()
                    type="number"
                    min="0"
                    inputmode="numeric"
                    data-testid=hours_id.clone()
                    aria-invalid=invalid
                    bind:value=hours
                />
                <label for=hours_id>"h"</label>
                <input
                    id=minutes_id.clone()
                    type="number"
                    min="0"
                    max="59"
                    inputmode="numeric"
                    data-testid=minutes_id.clone()
                    aria-invalid=invalid
                    bind:value=minutes
                />
                <label for=minutes_id>"min"</label>
            </div>
        </div>
    }
}
