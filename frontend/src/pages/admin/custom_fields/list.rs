//! The custom fields in display order: name, kind, who sees them, a dropdown's options; edit,
//! and delete after a confirmation.

use leptos::prelude::*;
use protocol::CustomField;

use super::labels::{kind_label, visibility_label};
use crate::api::{ApiError, use_client};
use crate::components::feedback::EmptyState;
use crate::components::loaded::{FormStatus, Outcome, loaded};
use crate::pages::admin::admin_list::{RowActions, list_of};
use crate::pages::admin::sla::Editing;

#[component]
pub fn CustomFieldList(
    fields: LocalResource<Result<Vec<CustomField>, ApiError>>,
    open: Callback<Editing<CustomField>>,
    /// The confirmation shown above the list (shared with the form's "saved").
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let client = use_client();
    let outcome = Outcome {
        error: RwSignal::new(None),
        done,
    };
    let remove = Callback::new(move |f: CustomField| {
        outcome.send(async move { client.delete_custom_field(f.id).await }, move |()| {
            fields.refetch();
            format!("{} is deleted.", f.name)
        });
    });
    view! {
        <FormStatus error=outcome.error done />
        {loaded(fields, "Loading fields…", move |list: Vec<CustomField>| {
            if list.is_empty() {
                return view! { <EmptyState><p>"No custom fields yet."</p></EmptyState> }.into_any();
            }
            list_of("custom-field-list", list, |f| view! { <FieldRow f open remove /> }).into_any()
        })}
    }
}

#[component]
fn FieldRow(f: CustomField, open: Callback<Editing<CustomField>>, remove: Callback<CustomField>) -> impl IntoView {
    let options = (!f.options.is_empty()).then(|| format!("Options: {}", f.options.join(", ")));
    let (edit_with, remove_with) = (StoredValue::new(f.clone()), StoredValue::new(f.clone()));
    view! {
        <li class="card sla-row" data-testid="custom-field-row" data-field-id=f.id>
            <div class="sla-row-text">
                <strong data-testid="custom-field-row-name">{f.name.clone()}</strong>
                <span class="muted" data-testid="custom-field-row-kind">
                    {format!(" · {} · {}", kind_label(f.kind), visibility_label(f.visibility))}
                </span>
                {options.map(|o| view! { <div class="muted" data-testid="custom-field-row-options">{o}</div> })}
            </div>
            <RowActions
                testid="custom-field"
                name=f.name.clone()
                name_edit=true
                busy=Signal::stored(false)
                on_edit=Callback::new(move |()| open.run(Editing::Existing(Box::new(edit_with.get_value()))))
                question="Delete this field and its values on every ticket?"
                on_delete=Callback::new(move |()| remove.run(remove_with.get_value()))
            />
        </li>
    }
}
