//! A ticket's audit events in words: "Kim Lee changed status open → pending". The server
//! stores ids (assignee, category, tickets) and raw values; this turns them into what people
//! read, naming users and categories through [`Names`].

use chrono::DateTime;
use protocol::TicketEvent;

use crate::format::datetime;

/// Who and what the ids in events stand for.
pub trait Names {
    fn user(&self, id: i64) -> Option<String>;
    fn category(&self, id: i64) -> Option<String>;
}

/// A piece of a history line: words, or a ticket to link to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Ticket(i64),
}

/// One event as a sentence of pieces.
pub fn describe(e: &TicketEvent, names: &impl Names) -> Vec<Piece> {
    let who = e.actor.as_ref().map_or("Maildesk", |a| a.name.as_str());
    let old = e.old_value.as_deref().filter(|v| !v.is_empty());
    let new = e.new_value.as_deref().filter(|v| !v.is_empty());
    let text = |s: String| vec![Piece::Text(s)];
    let ticket = |before: String, id: Option<&str>, after: &str| match id.and_then(|v| v.parse::<i64>().ok()) {
        Some(id) => vec![Piece::Text(before), Piece::Ticket(id), Piece::Text(after.to_owned())],
        None => vec![Piece::Text(format!("{before}another ticket{after}"))],
    };
    let user = |v: &str| {
        v.parse()
            .ok()
            .and_then(|id| names.user(id))
            .unwrap_or_else(|| format!("user {v}"))
    };
    let category = |v: &str| {
        v.parse()
            .ok()
            .and_then(|id| names.category(id))
            .unwrap_or_else(|| format!("category {v}"))
    };
    let due = |v: &str| DateTime::parse_from_rfc3339(v).map_or_else(|_| v.to_owned(), |t| datetime(t.to_utc()));
    // A custom-field change names its field by id (`custom_field:7`); its values carry the name.
    let field = if e.field.starts_with("custom_field:") {
        "custom_field"
    } else {
        e.field.as_str()
    };
    match (field, old, new) {
        ("created", _, via) => text(format!("{who} opened the ticket{}", via_words(via))),
        ("status" | "priority", Some(o), Some(n)) => text(format!("{who} changed {} {o} → {n}", e.field)),
        ("assignee", None, Some(n)) => text(format!("{who} assigned the ticket to {}", user(n))),
        ("assignee", Some(o), None) => text(format!("{who} unassigned {}", user(o))),
        ("assignee", Some(o), Some(n)) => text(format!("{who} reassigned the ticket from {} to {}", user(o), user(n))),
        ("taken", _, _) => text(format!("{who} took the ticket")),
        ("category", None, Some(n)) => text(format!("{who} set category {}", category(n))),
        ("category", Some(o), None) => text(format!("{who} removed category {}", category(o))),
        ("category", Some(o), Some(n)) => text(format!("{who} changed category {} → {}", category(o), category(n))),
        ("due_at", None, Some(n)) => text(format!("{who} set the due date to {}", due(n))),
        ("due_at", Some(_), None) => text(format!("{who} removed the due date")),
        ("due_at", Some(o), Some(n)) => text(format!("{who} moved the due date from {} to {}", due(o), due(n))),
        ("tags", o, n) => text(format!("{who} {}", tag_change(o.unwrap_or(""), n.unwrap_or("")))),
        ("subscriber_added", _, Some(n)) => text(format!("{who} added subscriber {n}")),
        ("subscriber_removed", Some(o), _) if e.actor.is_none() => text(format!("{o} unsubscribed")),
        ("subscriber_removed", Some(o), _) => text(format!("{who} removed subscriber {o}")),
        ("time_spent", o, Some(n)) => text(time_logged(who, o, n)),
        ("merged_into", _, n) => ticket(format!("{who} merged this ticket into "), n, ""),
        ("merged_from", _, n) => ticket(format!("{who} merged "), n, " into this ticket"),
        ("split_into", _, n) => ticket(format!("{who} split a message off into "), n, ""),
        ("split_from", _, n) => ticket(format!("{who} split this ticket off from "), n, ""),
        ("follows_up", _, n) => ticket("Follows up on ".to_owned(), n, ""),
        ("rating", _, Some(n)) => text(format!("{who} rated the help: {n}")),
        ("delivery_failed", _, n) => text(format!(
            "A mail could not be delivered: {}",
            n.unwrap_or("no reason given")
        )),
        ("delivery_warning", _, n) => text(format!("Mail warning: {}", n.unwrap_or("no details"))),
        ("attachment_refused", _, n) => text(format!("An attachment was refused: {}", n.unwrap_or("no reason given"))),
        (field, Some(o), Some(n)) => text(format!("{who} changed {} {o} → {n}", field.replace('_', " "))),
        (field, None, Some(n)) => text(format!("{who} set {} to {n}", field.replace('_', " "))),
        (field, Some(o), None) => text(format!("{who} removed {} {o}", field.replace('_', " "))),
        (field, None, None) => text(format!("{who}: {}", field.replace('_', " "))),
    }
}

fn via_words(via: Option<&str>) -> &'static str {
    match via {
        Some("email") => " by e-mail",
        Some("portal") => " in the portal",
        Some("agent") => " for the requester",
        Some("api") => " through the API",
        _ => "",
    }
}

/// "added tag vip", "removed tags a, b", "added tag x and removed tag y" (lists are
/// comma-separated; tags never contain commas).
fn tag_change(old: &str, new: &str) -> String {
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (old, new) = (split(old), split(new));
    let added: Vec<&str> = new.iter().filter(|t| !old.contains(t)).map(String::as_str).collect();
    let removed: Vec<&str> = old.iter().filter(|t| !new.contains(t)).map(String::as_str).collect();
    let list = |verb: &str, tags: &[&str]| {
        let noun = if tags.len() == 1 { "tag" } else { "tags" };
        format!("{verb} {noun} {}", tags.join(", "))
    };
    match (added.is_empty(), removed.is_empty()) {
        (false, true) => list("added", &added),
        (true, false) => list("removed", &removed),
        (false, false) => format!("{} and {}", list("added", &added), list("removed", &removed)),
        (true, true) => "changed the tags".to_owned(),
    }
}

/// Totals in minutes before and after: "Kim logged 25 min (0 h 25 min in all)".
fn time_logged(who: &str, old: Option<&str>, new: &str) -> String {
    let before = old.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    match new.parse::<i64>() {
        Ok(total) => format!(
            "{who} logged {} min ({} h {:02} min in all)",
            total - before,
            total / 60,
            total % 60
        ),
        Err(_) => format!("{who} logged time"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use protocol::UserRef;

    use super::*;

    struct Fixed;
    impl Names for Fixed {
        fn user(&self, id: i64) -> Option<String> {
            (id == 7).then(|| "Ann Carter".to_owned())
        }
        fn category(&self, id: i64) -> Option<String> {
            (id == 3).then(|| "Billing".to_owned())
        }
    }

    fn event(field: &str, old: Option<&str>, new: Option<&str>) -> TicketEvent {
        TicketEvent {
            id: 1,
            actor: Some(UserRef {
                id: 1,
                name: "Kim Lee".into(),
                email: "kim@example.test".into(),
            }),
            field: field.into(),
            old_value: old.map(str::to_owned),
            new_value: new.map(str::to_owned),
            created_at: Utc::now(),
        }
    }

    fn plain(e: &TicketEvent) -> String {
        describe(e, &Fixed)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => t,
                Piece::Ticket(id) => format!("#{id}"),
            })
            .collect()
    }

    #[test]
    fn ids_become_names_and_changes_read_as_sentences() {
        assert_eq!(
            plain(&event("status", Some("open"), Some("pending"))),
            "Kim Lee changed status open → pending"
        );
        assert_eq!(
            plain(&event("assignee", None, Some("7"))),
            "Kim Lee assigned the ticket to Ann Carter"
        );
        assert_eq!(plain(&event("assignee", Some("9"), None)), "Kim Lee unassigned user 9");
        assert_eq!(
            plain(&event("category", None, Some("3"))),
            "Kim Lee set category Billing"
        );
        assert_eq!(plain(&event("tags", Some(""), Some("vip"))), "Kim Lee added tag vip");
        assert_eq!(
            plain(&event("tags", Some("a,vip"), Some("a"))),
            "Kim Lee removed tag vip"
        );
        assert_eq!(
            plain(&event("split_into", None, Some("12"))),
            "Kim Lee split a message off into #12"
        );
        assert_eq!(
            plain(&event("time_spent", Some("5"), Some("30"))),
            "Kim Lee logged 25 min (0 h 30 min in all)"
        );
    }
}
