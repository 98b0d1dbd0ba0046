//! The "Fields" block of the staff ticket page: every custom field the agent may see, with an
//! input by kind, each saved when changed (`PUT /tickets/{id}/custom-fields` against the
//! ticket's version; a conflict is handled like the other sidebar editors).

use std::collections::BTreeMap;

use leptos::prelude::*;
use protocol::{CustomField, CustomFieldKind};

use crate::components::custom_field_value::{input_text, wire_value};
use crate::components::form_fields::CheckBox;
use crate::pages::ticket_live::TicketContext;

#[component]
pub fn CustomFieldEditor(ctx: TicketContext) -> impl IntoView {
    let client = ctx.client;
    let fields = LocalResource::new(move || async move { client.custom_fields().await });
    let list = move || match fields.get() {
        Some(Ok(list)) if !list.is_empty() => Some(list),
        _ => None,
    };
    move || {
        list().map(|list| {
            view! {
                <section class="side-section custom-field-editor" aria-labelledby="custom-fields-title" data-testid="custom-field-editor">
                    <h2 id="custom-fields-title">"Fields"</h2>
                    {list.into_iter().map(|field| view! { <FieldEditor ctx field /> }).collect_view()}
                </section>
            }
        })
    }
}

#[component]
fn FieldEditor(ctx: TicketContext, field: CustomField) -> impl IntoView {
    let id = field.id;
    let kind = field.kind;
    let input_id = format!("custom-field-{id}");
    let current = move || {
        ctx.with_detail(|d| {
            d.custom_fields
                .iter()
                .find(|v| v.field_id == id)
                .map(|v| input_text(&v.value))
                .unwrap_or_default()
        })
        .unwrap_or_default()
    };
    let save = move |text: String| {
        if text == untrack(current) {
            return;
        }
        let value = match wire_value(kind, &text) {
            Ok(v) => v,
            Err(why) => {
                ctx.edit_notice.set(Some(format!("Fields: {why}.")));
                return;
            }
        };
        let Some(version) = ctx.version_untracked() else {
            return;
        };
        let values = BTreeMap::from([(id.to_string(), value)]);
        let request = async move { ctx.client.set_custom_values(ctx.id, version, values).await };
        ctx.change("Fields", request, || {});
    };
    let testid = format!("custom-field-input-{id}");
    let disabled = move || ctx.editing.get();
    let input = match kind {
        CustomFieldKind::Checkbox => {
            let on_change = Callback::new(move |on: bool| save(on.to_string()));
            return view! {
                <CheckBox
                    class="action-field"
                    id=input_id
                    testid
                    label=field.name
                    checked=move || current() == "true"
                    disabled
                    on_change
                />
            }
            .into_any();
        }
        CustomFieldKind::Dropdown => {
            let options = field.options.clone();
            view! {
                <select id=input_id.clone() data-testid=testid disabled=disabled on:change=move |ev| save(event_target_value(&ev))>
                    {move || {
                        let now = current();
                        let mut all = vec![(String::new(), "—".to_owned())];
                        all.extend(options.iter().map(|o| (o.clone(), o.clone())));
                        all.into_iter()
                            .map(|(v, label)| {
                                let selected = v == now;
                                view! { <option value=v prop:selected=selected>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            }
            .into_any()
        }
        other => {
            let kind = match other {
                CustomFieldKind::Number => "number",
                CustomFieldKind::Date => "date",
                _ => "text",
            };
            view! {
                <input
                    id=input_id.clone()
                    type=kind
                    step=(kind == "number").then_some("any")
                    data-testid=testid
                    prop:value=current
                    disabled=disabled
                    on:change=move |ev| save(event_target_value(&ev))
                />
            }
            .into_any()
        }
    };
    view! {
        <div class="action-field">
            <label for=input_id>{field.name}</label>
            {input}
        </div>
    }
    .into_any()
}
