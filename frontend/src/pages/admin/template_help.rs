//! The placeholders a template may use, in both syntaxes the server knows (mirrors the
//! server's `placeholders.rs`; anything else is refused on save with a message naming it).

use leptos::prelude::*;

/// `#Name#` placeholders (seed 002).
const HASH: &[(&str, &str)] = &[
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
    ("CF_1234", "custom field 1234 (any visibility: the admin chose it)"),
];

/// `%{name}` placeholders (seed 004) and the `#…#` one each means.
const PERCENT: &[(&str, &str)] = &[
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

#[component]
pub fn PlaceholderHelp() -> impl IntoView {
    view! {
        <details class="card placeholder-help" data-testid="placeholder-help">
            <summary>"Placeholders"</summary>
            <dl class="facts">
                {HASH
                    .iter()
                    .map(|(name, what)| view! { <dt><code>{format!("#{name}#")}</code></dt><dd>{*what}</dd> })
                    .collect_view()}
                {PERCENT
                    .iter()
                    .map(|(name, same)| {
                        view! { <dt><code>{format!("%{{{name}}}")}</code></dt><dd>{format!("same as #{same}#")}</dd> }
                    })
                    .collect_view()}
            </dl>
        </details>
    }
}
