//! Creating or replacing a custom field: name, kind, a dropdown's options (one a line) and
//! who sees it. Its place in the list is kept (a new field goes last).

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{CustomField, CustomFieldKind, FieldVisibility, SaveCustomField};

use super::labels::{kind_label, parse_options, save_problem, visibility_label};
use crate::api::use_client;
use crate::components::loaded::FormStatus;

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
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
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
        saving.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match id {
                Some(id) => client.replace_custom_field(id, &field).await,
                None => client.create_custom_field(&field).await,
            };
            saving.set(false);
            match result {
                Ok(f) => on_saved.run(format!("{} is saved.", f.name)),
                Err(e) => error.set(Some(save_problem(&e))),
            }
        });
    };

    let title = if id.is_some() { "Edit field" } else { "New field" };
    view! {
        <form class="card admin-form" on:submit=on_submit novalidate data-testid="custom-field-form" aria-label=title>
            <h3>{title}</h3>
            <div class="form-grid">
                <div class="field">
                    <label for="cf-name">"Name"</label>
                    <input id="cf-name" type="text" data-testid="custom-field-name" bind:value=name />
                </div>
                <KindSelect kind />
                <VisibilitySelect visibility />
            </div>
            <Show when=move || kind.get() == CustomFieldKind::Dropdown>
                <div class="field">
                    <label for="cf-options">"Options (one a line)"</label>
                    <textarea id="cf-options" rows="4" data-testid="custom-field-options" bind:value=options></textarea>
                </div>
            </Show>
            <FormStatus error />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="custom-field-save" disabled=move || saving.get()>
                    "Save field"
                </button>
                <button type="button" class="btn" data-testid="custom-field-cancel" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

/// The kind of field: its select (text, number, dropdown…).
#[component]
fn KindSelect(kind: RwSignal<CustomFieldKind>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="cf-kind">"Kind"</label>
            <select
                id="cf-kind"
                data-testid="custom-field-kind"
                on:change=move |ev| {
                    if let Some(k) = CustomFieldKind::parse(&event_target_value(&ev)) {
                        kind.set(k);
                    }
                }
            >
                {CustomFieldKind::ALL
                    .into_iter()
                    .map(|k| {
                        view! {
                            <option value=k.as_str() prop:selected=move || kind.get() == k>
                                {kind_label(k)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// Who sees the field: its visibility select.
#[component]
fn VisibilitySelect(visibility: RwSignal<FieldVisibility>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="cf-visibility">"Who sees it"</label>
            <select
                id="cf-visibility"
                data-testid="custom-field-visibility"
                on:change=move |ev| {
                    if let Some(v) = FieldVisibility::parse(&event_target_value(&ev)) {
                        visibility.set(v);
                    }
                }
            >
                {FieldVisibility::ALL
                    .into_iter()
                    .map(|v| {
                        view! {
                            <option value=v.as_str() prop:selected=move || visibility.get() == v>
                                {visibility_label(v)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
