//! A ticket's audit events in words: "Kim Lee changed status open → pending". The server
//! stores ids (assignee, category, tickets) and raw values; this turns them into what people
//! read, naming users and categories through [`Names`].

use chrono::DateTime;
use protocol::{EventKind, TicketEvent};

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
    use EventKind as K;
    match (&e.field, old, new) {
        (K::Created, _, via) => text(format!("{who} opened the ticket{}", via_words(via))),
        (K::Status | K::Priority, Some(o), Some(n)) => text(format!("{who} changed {} {o} → {n}", e.field)),
        (K::Assignee, None, Some(n)) => text(format!("{who} assigned the ticket to {}", user(n))),
        (K::Assignee, Some(o), None) => text(format!("{who} unassigned {}", user(o))),
        (K::Assignee, Some(o), Some(n)) => text(format!("{who} reassigned the ticket from {} to {}", user(o), user(n))),
        (K::Taken, _, _) => text(format!("{who} took the ticket")),
        (K::Category, None, Some(n)) => text(format!("{who} set category {}", category(n))),
        (K::Category, Some(o), None) => text(format!("{who} removed category {}", category(o))),
        (K::Category, Some(o), Some(n)) => text(format!("{who} changed category {} → {}", category(o), category(n))),
        (K::DueAt, None, Some(n)) => text(format!("{who} set the due date to {}", due(n))),
        (K::DueAt, Some(_), None) => text(format!("{who} removed the due date")),
        (K::DueAt, Some(o), Some(n)) => text(format!("{who} moved the due date from {} to {}", due(o), due(n))),
        (K::Tags, o, n) => text(format!("{who} {}", tag_change(o.unwrap_or(""), n.unwrap_or("")))),
        (K::SubscriberAdded, _, Some(n)) => text(format!("{who} added subscriber {n}")),
        (K::SubscriberRemoved, Some(o), _) if e.actor.is_none() => text(format!("{o} unsubscribed")),
        (K::SubscriberRemoved, Some(o), _) => text(format!("{who} removed subscriber {o}")),
        (K::TimeSpent, o, Some(n)) => text(time_logged(who, o, n)),
        (K::MergedInto, _, n) => ticket(format!("{who} merged this ticket into "), n, ""),
        (K::MergedFrom, _, n) => ticket(format!("{who} merged "), n, " into this ticket"),
        (K::SplitInto, _, n) => ticket(format!("{who} split a message off into "), n, ""),
        (K::SplitFrom, _, n) => ticket(format!("{who} split this ticket off from "), n, ""),
        (K::FollowsUp, _, n) => ticket("Follows up on ".to_owned(), n, ""),
        (K::Rating, _, Some(n)) => text(format!("{who} rated the help: {n}")),
        (K::DeliveryFailed, _, n) => text(format!(
            "A mail could not be delivered: {}",
            n.unwrap_or("no reason given")
        )),
        (K::DeliveryWarning, _, n) => text(format!("Mail warning: {}", n.unwrap_or("no details"))),
        (K::AttachmentRefused, _, n) => text(format!("An attachment was refused: {}", n.unwrap_or("no reason given"))),
        (kind, o, n) => text(generic(who, &noun(kind), o, n)),
    }
}

/// A change the sentences above do not cover, in the words of its kind: "Kim changed custom
/// field Plan: silver → Plan: gold".
fn generic(who: &str, noun: &str, old: Option<&str>, new: Option<&str>) -> String {
    match (old, new) {
        (Some(o), Some(n)) => format!("{who} changed {noun} {o} → {n}"),
        (None, Some(n)) => format!("{who} set {noun} to {n}"),
        (Some(o), None) => format!("{who} removed {noun} {o}"),
        (None, None) => format!("{who}: {noun}"),
    }
}

/// The kind's name in words; custom-field changes by either way of recording read "custom field".
fn noun(kind: &EventKind) -> String {
    if kind.is_custom_field() {
        return "custom field".to_owned();
    }
    kind.to_string().replace('_', " ")
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
