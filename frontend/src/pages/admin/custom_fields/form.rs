//! Creating or replacing a custom field: name, kind, a dropdown's options (one a line) and
//! who sees it. Its place in the list is kept (a new field goes last).

use leptos::prelude::*;
use protocol::{CustomField, CustomFieldKind, FieldVisibility, SaveCustomField};

use super::labels::{kind_label, parse_options, save_problem, visibility_label};
use crate::api::use_client;
use crate::components::form_fields::{EnumSelect, TextField};
use crate::pages::admin::edit_form::{EditForm, FormState};

#[component]
pub fn CustomFieldForm(
    existing: Option<CustomField>,
    /// Called with a confirmation to show.
    on_saved: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let f = existing.as_ref();
    let id = f.map(|f| f.id);
    let position = f.map(|f| f.position);
    let name = RwSignal::new(f.map(|f| f.name.clone()).unwrap_or_default());
    let kind = RwSignal::new(f.map_or(CustomFieldKind::Text, |f| f.kind));
    let options = RwSignal::new(f.map(|f| f.options.join("\n")).unwrap_or_default());
    let visibility = RwSignal::new(f.map_or(FieldVisibility::Agents, |f| f.visibility));
    let form = FormState::default();
    let error = form.error;

    let on_submit = Callback::new(move |()| {
        let kind_now = kind.get_untracked();
        let field = SaveCustomField {
            name: name.get_untracked().trim().to_owned(),
            kind: kind_now,
            options: if kind_now == CustomFieldKind::Dropdown {
                parse_options(&options.get_untracked())
            } else {
                Vec::new()
            },
            visibility: visibility.get_untracked(),
            position,
        };
        if field.name.is_empty() {
            error.set(Some("Give the field a name.".into()));
            return;
        }
        if kind_now == CustomFieldKind::Dropdown && field.options.is_empty() {
            error.set(Some("A dropdown needs at least one option (one a line).".into()));
            return;
        }
        let request = async move { client.save_custom_field(id, &field).await };
        form.send(request, on_saved, |f| f.name, save_problem);
    });

    let title = if id.is_some() { "Edit field" } else { "New field" };
    view! {
        <EditForm testid="custom-field" title save="Save field" form on_submit on_cancel>
            <div class="form-grid">
                <TextField id="cf-name" label="Name" value=name testid="custom-field-name" />
                <EnumSelect id="cf-kind" label="Kind" testid="custom-field-kind" value=kind text=kind_label
                    all=&CustomFieldKind::ALL key=CustomFieldKind::as_str parse=CustomFieldKind::parse />
                <EnumSelect id="cf-visibility" label="Who sees it" testid="custom-field-visibility" value=visibility
                    text=visibility_label all=&FieldVisibility::ALL key=FieldVisibility::as_str parse=FieldVisibility::parse />
            </div>
            <Show when=move || kind.get() == CustomFieldKind::Dropdown>
                <div class="field">
                    <label for="cf-options">"Options (one a line)"</label>
                    <textarea id="cf-options" rows="4" data-testid="custom-field-options" bind:value=options></textarea>
                </div>
            </Show>
        </EditForm>
    }
}
