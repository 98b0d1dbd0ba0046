//! Custom field kinds and visibilities in words, and a dropdown's options as the form's text
//! box holds them (one a line).

use protocol::{CustomFieldKind, FieldVisibility};

use crate::api::ApiError;

pub fn kind_label(k: CustomFieldKind) -> &'static str {
    match k {
        CustomFieldKind::Text => "Text",
        CustomFieldKind::Number => "Number",
        CustomFieldKind::Date => "Date",
        CustomFieldKind::Dropdown => "Dropdown",
        CustomFieldKind::Checkbox => "Checkbox",
    }
}

pub fn visibility_label(v: FieldVisibility) -> &'static str {
    match v {
        FieldVisibility::Public => "Public (customers see it)",
        FieldVisibility::Agents => "Agents and admins",
        FieldVisibility::Admins => "Admins only",
    }
}

/// One option a line; blank lines and surrounding spaces dropped.
pub fn parse_options(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A refusal in words: "Name: a field named "Plan" exists." rather than the wire path.
pub fn save_problem(e: &ApiError) -> String {
    let ApiError::Server { body, .. } = e else {
        return e.user_message();
    };
    for (path, word) in [("name", "Name"), ("options", "Options"), ("kind", "Kind")] {
        if let Some(rest) = body.message.strip_prefix(path).and_then(|r| r.strip_prefix(": ")) {
            return format!("{word}: {}.", rest.trim_end_matches('.'));
        }
    }
    e.user_message()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_one_a_line_without_blanks() {
        assert_eq!(
            parse_options(" Gold \n\nSilver\r\n  \nBronze"),
            ["Gold", "Silver", "Bronze"]
        );
        assert!(parse_options("\n \n").is_empty());
    }

    #[test]
    fn a_refusal_names_the_field_in_words() {
        let refused = |message: &str| ApiError::Server {
            status: 409,
            body: protocol::ErrorBody::new(protocol::ErrorCode::Conflict, message),
        };
        assert_eq!(
            save_problem(&refused("name: a field named \"Plan\" exists")),
            "Name: a field named \"Plan\" exists."
        );
        assert_eq!(
            save_problem(&refused("options: \"Gold\" is there twice")),
            "Options: \"Gold\" is there twice."
        );
        assert!(save_problem(&refused("database said no")).contains("database said no"));
    }

    #[test]
    fn every_kind_and_visibility_has_words() {
        for k in CustomFieldKind::ALL {
            assert!(!kind_label(k).is_empty());
        }
        assert_eq!(visibility_label(FieldVisibility::Admins), "Admins only");
    }
}
