//! The custom fields in display order: name, kind, who sees them, a dropdown's options; edit,
//! and delete after a confirmation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::CustomField;

use super::labels::{kind_label, visibility_label};
use crate::api::{ApiError, use_client};
use crate::components::confirm_delete::ConfirmDelete;
use crate::components::feedback::EmptyState;
use crate::components::loaded::{FormStatus, loaded};
use crate::pages::admin::sla::Editing;

#[component]
pub fn CustomFieldList(
    fields: LocalResource<Result<Vec<CustomField>, ApiError>>,
    open: Callback<Editing<CustomField>>,
    /// The confirmation shown above the list (shared with the form's "saved").
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let client = use_client();
    let error = RwSignal::new(None::<String>);
    let remove = Callback::new(move |f: CustomField| {
        error.set(None);
        done.set(None);
        spawn_local(async move {
            match client.delete_custom_field(f.id).await {
                Ok(()) => {
                    done.set(Some(format!("{} is deleted.", f.name)));
                    fields.refetch();
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    });
    view! {
        <FormStatus error done />
        {loaded(fields, "Loading fields…", move |list: Vec<CustomField>| {
            if list.is_empty() {
                return view! { <EmptyState><p>"No custom fields yet."</p></EmptyState> }.into_any();
            }
            view! {
                <ul class="plain-list admin-list" data-testid="custom-field-list">
                    {list.into_iter().map(|f| view! { <FieldRow f open remove /> }).collect_view()}
                </ul>
            }
                .into_any()
        })}
    }
}

#[component]
fn FieldRow(f: CustomField, open: Callback<Editing<CustomField>>, remove: Callback<CustomField>) -> impl IntoView {
    let options = (!f.options.is_empty()).then(|| format!("Options: {}", f.options.join(", ")));
    let name = f.name.clone();
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
            <div class="row-actions">
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="custom-field-edit"
                    aria-label=format!("Edit {name}")
                    on:click=move |_| open.run(Editing::Existing(Box::new(edit_with.get_value())))
                >
                    "Edit"
                </button>
                <ConfirmDelete
                    testid="custom-field-delete"
                    question="Delete this field and its values on every ticket?"
                    busy=Signal::stored(false)
                    on_confirm=Callback::new(move |()| remove.run(remove_with.get_value()))
                />
            </div>
        </li>
    }
}
