//! A custom field's value between the wire (JSON by kind) and an input's text, and shown in
//! words; plus the read-only list of a ticket's values (the customer portal).

use leptos::prelude::*;
use protocol::{CustomFieldKind, CustomFieldValue};
use serde_json::Value;

/// What an input of `kind` holds for `value` (a checkbox: `true` / `false`).
pub fn input_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The wire value of an input's text; empty clears the field (`null`).
pub fn wire_value(kind: CustomFieldKind, text: &str) -> Result<Value, String> {
    let text = text.trim();
    if kind == CustomFieldKind::Checkbox {
        return Ok(Value::Bool(text == "true"));
    }
    if text.is_empty() {
        return Ok(Value::Null);
    }
    match kind {
        CustomFieldKind::Number => text
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("{text:?} is not a number")),
        _ => Ok(Value::from(text)),
    }
}

/// A value as read: `Yes` / `No` for a checkbox, else its text.
pub fn shown(value: &Value) -> String {
    match value {
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        other => input_text(other),
    }
}

/// The ticket's values, read-only (only those the viewer may see reach the client).
#[component]
pub fn CustomFieldValues(values: Vec<CustomFieldValue>) -> impl IntoView {
    (!values.is_empty()).then(|| {
        view! {
            <dl class="facts custom-field-values" aria-label="Fields" data-testid="custom-field-values">
                {values
                    .into_iter()
                    .map(|v| {
                        view! {
                            <dt>{v.name}</dt>
                            <dd data-testid="custom-field-value" data-field-id=v.field_id>{shown(&v.value)}</dd>
                        }
                    })
                    .collect_view()}
            </dl>
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn inputs_become_values_by_kind() {
        use CustomFieldKind::*;
        assert_eq!(wire_value(Text, "  hi "), Ok(json!("hi")));
        assert_eq!(wire_value(Text, " "), Ok(Value::Null));
        assert_eq!(wire_value(Number, "2.5"), Ok(json!(2.5)));
        assert_eq!(wire_value(Number, ""), Ok(Value::Null));
        assert!(wire_value(Number, "two").is_err());
        assert_eq!(wire_value(Date, "2026-12-01"), Ok(json!("2026-12-01")));
        assert_eq!(wire_value(Dropdown, "Gold"), Ok(json!("Gold")));
        assert_eq!(wire_value(Dropdown, ""), Ok(Value::Null));
        assert_eq!(wire_value(Checkbox, "true"), Ok(json!(true)));
        assert_eq!(wire_value(Checkbox, "false"), Ok(json!(false)));
    }

    #[test]
    fn values_read_back_into_inputs_and_words() {
        assert_eq!(input_text(&json!(3)), "3");
        assert_eq!(input_text(&json!("Gold")), "Gold");
        assert_eq!(input_text(&Value::Null), "");
        assert_eq!(shown(&json!(true)), "Yes");
        assert_eq!(shown(&json!(false)), "No");
        assert_eq!(shown(&json!(2.5)), "2.5");
    }
}
