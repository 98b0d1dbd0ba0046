//! One field of a condition or action row, drawn by its [`Input`]: a text box, a checkbox or a
//! select, with its label. The test id is `field-{name}`.

use leptos::prelude::*;

use super::choices::RuleChoices;
use super::fields::{Draft, Field, Input};
use crate::components::form_fields::CheckBox;

#[component]
pub fn FieldInput(
    draft: RwSignal<Draft>,
    field: &'static Field,
    /// Unique on the page: the row's id prefix and the field's name.
    id: String,
    choices: RuleChoices,
    #[prop(into)] invalid: Signal<bool>,
) -> impl IntoView {
    let name = field.name;
    let value = move || draft.with(|d| d.get(name));
    let set = move |v: String| draft.update(|d| d.set(name, v));
    let testid = format!("field-{name}");
    let aria_invalid = move || invalid.get().to_string();
    let label = view! { <label for=id.clone()>{field.label}</label> };
    let input = match field.input {
        Input::Flag => {
            let on_change = Callback::new(move |on: bool| set(on.to_string()));
            return view! {
                <CheckBox class="rule-field" id testid label=field.label checked=move || value() == "true" on_change />
            }
            .into_any();
        }
        Input::LongText => view! {
            <textarea
                id=id
                rows="3"
                data-testid=testid
                aria-invalid=aria_invalid
                prop:value=value
                on:input=move |ev| set(event_target_value(&ev))
            ></textarea>
        }
        .into_any(),
        Input::MailTo => {
            let list = format!("{id}-to");
            view! {
                <input
                    id=id
                    type="text"
                    list=list.clone()
                    data-testid=testid
                    aria-invalid=aria_invalid
                    prop:value=value
                    on:input=move |ev| set(event_target_value(&ev))
                />
                <datalist id=list>
                    <option value="requester"></option>
                    <option value="assignee"></option>
                </datalist>
            }
            .into_any()
        }
        Input::Text | Input::Email | Input::Url | Input::Secret => {
            let kind = match field.input {
                Input::Email => "email",
                Input::Url => "url",
                Input::Secret => "password",
                _ => "text",
            };
            view! {
                <input
                    id=id
                    type=kind
                    autocomplete=(field.input == Input::Secret).then_some("new-password")
                    data-testid=testid
                    aria-invalid=aria_invalid
                    prop:value=value
                    on:input=move |ev| set(event_target_value(&ev))
                />
            }
            .into_any()
        }
        select => view! {
            <select id=id data-testid=testid aria-invalid=aria_invalid on:change=move |ev| set(event_target_value(&ev))>
                {move || options(choices, select, &value())}
            </select>
        }
        .into_any(),
    };
    view! { <div class="field rule-field">{label} {input}</div> }.into_any()
}

/// The select's options with `current` selected; "Choose…" while nothing is, and `#id` for an
/// id the lists do not (yet) hold, so that saving keeps it.
fn options(choices: RuleChoices, input: Input, current: &str) -> impl IntoView + use<> {
    let mut list = choices.options(input);
    if !list.iter().any(|(v, _)| v == current) {
        let label = if current.is_empty() {
            "Choose…".to_owned()
        } else {
            format!("#{current}")
        };
        list.insert(0, (current.to_owned(), label));
    }
    list.into_iter()
        .map(|(v, label)| {
            let selected = v == current;
            view! { <option value=v prop:selected=selected>{label}</option> }
        })
        .collect_view()
}
