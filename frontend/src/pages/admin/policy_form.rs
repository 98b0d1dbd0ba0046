//! Creating or replacing an SLA policy: what it matches (priority, category, the requester's
//! company — each optional), its two targets in business hours and minutes, and the calendar
//! they count in. Its place in the list is kept; the list's arrows move it.

use leptos::prelude::*;
use protocol::{BusinessCalendar, Category, Company, Priority, SaveSlaPolicy, SlaPolicy};

use super::edit_form::{EditForm, FormState};
use crate::api::{ApiError, use_client};
use crate::business_minutes::{join, split};
use crate::components::form_fields::{SelectField, TextField};
use crate::field_problem::FieldProblem;
use crate::format::priority_label;

/// The choices the selects offer, loaded by the tab.
#[derive(Debug, Clone, Copy)]
pub struct PolicyChoices {
    pub calendars: Signal<Vec<BusinessCalendar>>,
    pub categories: Signal<Vec<Category>>,
    pub companies: Signal<Vec<Company>>,
}

impl PolicyChoices {
    /// The categories as (id, name) (reactive).
    pub fn category_names(self) -> Vec<(i64, String)> {
        self.categories.get().into_iter().map(|c| (c.id, c.name)).collect()
    }

    /// The companies as (id, name) (reactive).
    pub fn company_names(self) -> Vec<(i64, String)> {
        self.companies.get().into_iter().map(|c| (c.id, c.name)).collect()
    }
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
    let form = FormState::default();
    let problem = form.problem;

    let on_submit = Callback::new(move |()| {
        problem.clear();
        let Some(policy) = f.to_save(choices, problem, form.error) else {
            return;
        };
        let request = async move { client.save_sla_policy(id, &policy).await };
        form.send(request, on_saved, |p| p.name, ApiError::user_message);
    });

    let title = if id.is_some() {
        "Edit SLA policy"
    } else {
        "New SLA policy"
    };
    view! {
        <EditForm testid="policy" title save="Save policy" form on_submit on_cancel>
            <div class="form-grid">
                <TextField id="policy-name" label="Name" value=f.name invalid=problem.aria("name") />
                <PolicyCalendar f choices problem />
            </div>
            <AppliesTo f choices problem />
            <Targets f problem />
        </EditForm>
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

/// The calendar the targets count in.
#[component]
fn PolicyCalendar(f: PolicyFields, choices: PolicyChoices, problem: FieldProblem) -> impl IntoView {
    let calendar = f.calendar;
    let on_change = Callback::new(move |v| calendar.set(v));
    view! {
        <SelectField id="policy-calendar" label="Calendar" invalid=problem.aria("calendar_id") on_change>
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
        </SelectField>
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
                <IdSelect id="policy-category" label="Category" any="Any category" value=f.category
                    invalid=problem.aria("category_id") options=move || choices.category_names() />
                <IdSelect id="policy-company" label="Requester's company" any="Any company" value=f.company
                    invalid=problem.aria("company_id") options=move || choices.company_names() />
            </div>
        </fieldset>
    }
}

/// The priority the policy matches, or any.
#[component]
fn PolicyPriority(priority: RwSignal<String>, problem: FieldProblem) -> impl IntoView {
    let on_change = Callback::new(move |v| priority.set(v));
    view! {
        <SelectField id="policy-priority" label="Priority" invalid=problem.aria("priority") on_change>
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
        </SelectField>
    }
}

/// "Targets (business time)": first response and resolution, each as hours and minutes.
#[component]
fn Targets(f: PolicyFields, problem: FieldProblem) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Targets (business time)"</legend>
            <p class="muted field-hint">"Leave a target empty for none; at least one is needed."</p>
            <TargetField id="policy-first-response" label="First response within" hours=f.first_hours
                minutes=f.first_minutes invalid=problem.aria("first_response_minutes") />
            <TargetField id="policy-resolution" label="Resolution within" hours=f.resolution_hours
                minutes=f.resolution_minutes invalid=problem.aria("resolution_minutes") />
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
    #[prop(into)] invalid: Signal<String>,
    #[prop(into)] options: Signal<Vec<(i64, String)>>,
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
        <SelectField id label invalid on_change=Callback::new(move |v| value.set(v))>
            {items}
        </SelectField>
    }
}

/// A target as hours and minutes; the test ids are `{id}-hours` and `{id}-minutes`.
#[component]
fn TargetField(
    id: &'static str,
    label: &'static str,
    hours: RwSignal<String>,
    minutes: RwSignal<String>,
    #[prop(into)] invalid: Signal<String>,
) -> impl IntoView {
    // The hours or minutes (`unit` the id's end, `max` the most it takes) and their unit's label.
    let input = move |unit: &str, max: Option<&'static str>, value: RwSignal<String>, word: &'static str| {
        let input_id = format!("{id}-{unit}");
        view! {
            <input
                id=input_id.clone()
                type="number"
                min="0"
                max=max
                inputmode="numeric"
                data-testid=input_id.clone()
                aria-invalid=invalid
                bind:value=value
            />
            <label for=input_id>{word}</label>
        }
    };
    view! {
        <div class="field target-field" role="group" aria-labelledby=format!("{id}-label")>
            <span id=format!("{id}-label")>{label}</span>
            <div class="target-inputs">
                {input("hours", None, hours, "h")}
                {input("minutes", Some("59"), minutes, "min")}
            </div>
        </div>
    }
}
