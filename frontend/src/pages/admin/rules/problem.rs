//! A refused rule in plain words. The server names the place by its JSON path
//! (`conditions[1]: value: invalid regex: regex parse error: … error: unclosed group`); the
//! form says "Condition 2 (Subject): the text is not a valid regular expression (unclosed
//! group)." — counting from 1, naming the row by what it shows.

use protocol::ErrorCode;

use super::fields::Draft;
use crate::api::ApiError;

/// What to show for a failed save.
pub fn save_problem(error: &ApiError, conditions: &[Draft], actions: &[Draft]) -> String {
    match error {
        ApiError::Server { body, .. } if body.code == ErrorCode::ValidationFailed => {
            plain(&body.message, conditions, actions)
        }
        other => other.user_message(),
    }
}

fn plain(message: &str, conditions: &[Draft], actions: &[Draft]) -> String {
    let Some((head, detail)) = message.split_once(": ") else {
        return sentence(message);
    };
    let place = match row(head) {
        Some(("conditions", i)) => item("Condition", i, conditions),
        Some(("actions", i)) => item("Action", i, actions),
        _ => capitalized(&head.replace('_', " ")),
    };
    format!("{place}: {}", sentence(&detail_words(detail)))
}

/// `conditions[3]` → `("conditions", 3)`.
fn row(head: &str) -> Option<(&str, usize)> {
    let (list, rest) = head.split_once('[')?;
    Some((list, rest.strip_suffix(']')?.parse().ok()?))
}

fn item(word: &str, index: usize, drafts: &[Draft]) -> String {
    match drafts.get(index) {
        Some(d) => format!("{word} {} ({})", index + 1, d.kind.label),
        None => format!("{word} {}", index + 1),
    }
}

/// The detail without the field's own name (the row is named already), a regex error cut to
/// its last line, which says what is wrong.
fn detail_words(detail: &str) -> String {
    let detail = match detail.split_once(": ") {
        Some((field, rest)) if !field.is_empty() && field.chars().all(|c| c.is_ascii_lowercase() || c == '_') => rest,
        _ => detail,
    };
    if let Some(rest) = detail.strip_prefix("invalid regex: ") {
        let why = rest
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default();
        let why = why.strip_prefix("error: ").unwrap_or(why);
        return format!("the text is not a valid regular expression ({why})");
    }
    detail.to_owned()
}

fn sentence(text: &str) -> String {
    let text = text.trim().trim_end_matches('.');
    format!("{text}.")
}

pub fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::condition_kinds::CONDITIONS;
    use super::*;

    #[test]
    fn a_bad_regex_is_named_by_its_row_and_reason() {
        let conditions = vec![
            Draft::of_kind(CONDITIONS, "priority").unwrap(),
            Draft::of_kind(CONDITIONS, "subject").unwrap(),
        ];
        let server =
            "conditions[1]: value: invalid regex: regex parse error:\n    (unclosed\n    ^\nerror: unclosed group";
        assert_eq!(
            plain(server, &conditions, &[]),
            "Condition 2 (Subject): the text is not a valid regular expression (unclosed group)."
        );
    }

    #[test]
    fn other_refusals_keep_the_servers_reason() {
        assert_eq!(
            plain("actions[0]: tag: 1 to 50 characters, no comma", &[], &[]),
            "Action 1: 1 to 50 characters, no comma."
        );
        assert_eq!(
            plain("actions: a rule needs at least one action", &[], &[]),
            "Actions: a rule needs at least one action."
        );
        assert_eq!(
            plain("name: 1 to 100 characters", &[], &[]),
            "Name: 1 to 100 characters."
        );
        assert_eq!(plain("something odd", &[], &[]), "something odd.");
    }
}
