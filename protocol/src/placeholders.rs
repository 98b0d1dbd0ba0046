//! The placeholders notification templates may use, in both syntaxes: seed 002's `#Subject#`
//! and seed 004's `%{ticket.subject}`. One table for the server, which resolves and fills them
//! (`mail/outbound/templates`), and the browser app's template editor, which lists them.

/// `#Name#` placeholders (seed 002): the canonical name and what it stands for. Besides these,
/// `#CF_<id>#` names a custom field ([`CUSTOM_FIELD_EXAMPLE`]).
pub const HASH: &[(&str, &str)] = &[
    ("What_Happened", "what happened, in a sentence"),
    ("What_Happened_Short", "what happened, in a few words"),
    ("Category", "the ticket's category"),
    ("Subject", "the ticket's subject"),
    ("From", "the requester's name"),
    ("FromEmail", "the requester's address"),
    ("FirstName", "the requester's first name"),
    ("LastName", "the requester's last name"),
    ("Originator", "who wrote the latest message"),
    ("Priority", "the priority"),
    ("Status", "the status"),
    ("Body", "the latest message"),
    ("URL", "the link to the ticket"),
    ("Recipients", "who this mail goes to"),
    ("Recent_messages", "recent messages; #10Recent_messages# for ten"),
    ("Most_recent_message", "the latest message"),
    ("Company", "the requester's company"),
    ("Attachments", "the latest message's attachments"),
    ("Recent_Attachments", "recent attachments"),
    ("TicketID", "the ticket number"),
    ("Technician", "the assignee's name"),
    ("TechnicianEmail", "the assignee's address"),
    ("Date", "when the ticket was opened"),
    ("DueDate", "when it is due"),
    ("Via", "how it came in"),
    ("Subscribers", "everyone subscribed"),
    ("NonTechSubscribers", "subscribers who are not staff"),
    ("Suggested_KB_articles", "knowledge-base articles"),
    (
        "RatingLinks",
        "rating links; #RatingLinks(Please rate us)# sets the prompt",
    ),
    ("Unsubscribe", "the unsubscribe link"),
    ("RecipientName", "the recipient's name"),
    ("TimeSpent", "time logged on the ticket, e.g. 1 h 15 min"),
    ("Custom_Fields", "every public custom field, one per line"),
];

/// How the editor shows the custom-field placeholder, and what it means.
pub const CUSTOM_FIELD_EXAMPLE: (&str, &str) = ("CF_1234", "custom field 1234 (any visibility: the admin chose it)");

/// `%{name}` placeholders (seed 004) and the `#…#` name each one means.
pub const PERCENT: &[(&str, &str)] = &[
    ("ticket.number", "TicketID"),
    ("ticket.subject", "Subject"),
    ("ticket.status", "Status"),
    ("ticket.priority", "Priority"),
    ("ticket.dept", "Category"),
    ("ticket.staff", "Technician"),
    ("ticket.createDate", "Date"),
    ("ticket.lastMessage", "Most_recent_message"),
    ("recipient.name", "RecipientName"),
    ("url", "URL"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_percent_name_means_a_hash_name() {
        for (name, means) in PERCENT {
            assert!(
                HASH.iter().any(|(h, _)| h == means),
                "%{{{name}}} means #{means}#, which is not in HASH"
            );
        }
    }
}
