//! Which field of a form the server refused. A `validation_failed` message starts with the
//! field's path (`time_zone: …`, `hours.tue[0].end: …`, `holidays[2].date: …`); the input it
//! names is marked `aria-invalid`, beside the message itself.

use leptos::prelude::*;
use protocol::ErrorCode;

use crate::api::ApiError;

#[derive(Debug, Clone, Copy)]
pub struct FieldProblem(RwSignal<Option<String>>);

impl Default for FieldProblem {
    fn default() -> Self {
        Self(RwSignal::new(None))
    }
}

impl FieldProblem {
    pub fn clear(&self) {
        self.0.set(None);
    }

    /// A problem found before sending (a field that is not a number).
    pub fn set(&self, field: &str) {
        self.0.set(Some(field.to_owned()));
    }

    /// The field a refused request names, if it names one.
    pub fn show(&self, error: &ApiError) {
        let field = match error {
            ApiError::Server { body, .. } if body.code == ErrorCode::ValidationFailed => {
                field_of(&body.message).map(str::to_owned)
            }
            _ => None,
        };
        self.0.set(field);
    }

    /// Whether the input of `field` is (part of) what was refused (reactive).
    pub fn marks(&self, field: &str) -> bool {
        self.0.with(|p| p.as_deref().is_some_and(|p| covers(p, field)))
    }

    /// The `aria-invalid` value of `field`'s input (reactive): whether it was refused.
    pub fn aria(self, field: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
        move || self.marks(field).to_string()
    }
}

/// The path before the first `:`, when it looks like one (no spaces).
fn field_of(message: &str) -> Option<&str> {
    let (head, _) = message.split_once(':')?;
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']');
    (!head.is_empty() && head.chars().all(valid)).then_some(head)
}

/// `hours.tue` covers `hours.tue[0].end`; `hours.tue[1]` does not cover `hours.tue[10].end`.
fn covers(problem: &str, field: &str) -> bool {
    field
        .strip_prefix(problem)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_is_the_path_before_the_colon() {
        assert_eq!(
            field_of("time_zone: \"Mars\" is not an IANA time zone"),
            Some("time_zone")
        );
        assert_eq!(
            field_of("hours.tue[0].end: \"25:00\" is not a time"),
            Some("hours.tue[0].end")
        );
        assert_eq!(
            field_of("hours: at least one working interval is needed"),
            Some("hours")
        );
        assert_eq!(field_of("no field here"), None);
        assert_eq!(field_of("Something went wrong: try again"), None);
    }

    #[test]
    fn a_problem_covers_the_fields_under_its_path() {
        assert!(covers("hours.tue", "hours.tue[0].end"));
        assert!(covers("hours.tue[0]", "hours.tue[0].start"));
        assert!(covers("name", "name"));
        assert!(!covers("hours.tue[1]", "hours.tue[10].end"));
        assert!(!covers("name", "names"));
    }
}
