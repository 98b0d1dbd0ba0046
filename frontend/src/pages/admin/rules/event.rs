//! A rule's trigger in words.

use protocol::RuleEvent;

pub fn event_label(e: RuleEvent) -> &'static str {
    match e {
        RuleEvent::TicketCreated => "A ticket is created",
        RuleEvent::MessageAdded => "A message is added",
        RuleEvent::StatusChanged => "The status changes",
        RuleEvent::AssignmentChanged => "The assignee changes",
    }
}
