//! A rule's trigger in words.

use protocol::RuleEvent;

pub fn event_label(e: RuleEvent) -> &'static str {
    match e {
        RuleEvent::TicketCreated => "A ticket is created",
        RuleEvent::MessageAdded => "A message is added",
        RuleEvent::StatusChanged => "The status changes",
        RuleEvent::AssignmentChanged => "The assignee changes",
        RuleEvent::TicketIdle => "A ticket has not been updated for a while",
        RuleEvent::DuePassed => "A ticket's due time passes",
    }
}

/// The event with its idle time: "A ticket has not been updated for 48 h".
pub fn trigger_label(e: RuleEvent, idle_hours: Option<u32>) -> String {
    match (e, idle_hours) {
        (RuleEvent::TicketIdle, Some(h)) => format!("A ticket has not been updated for {h} h"),
        _ => event_label(e).to_owned(),
    }
}

/// `idle_hours` as the form's text box holds it: a whole number of hours, 1 to 8784 (a year).
pub fn parse_idle_hours(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(h @ 1..=8784) => Ok(h),
        _ => Err("Idle for: enter a whole number of hours from 1 to 8784.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_rule_says_how_long() {
        assert_eq!(
            trigger_label(RuleEvent::TicketIdle, Some(48)),
            "A ticket has not been updated for 48 h"
        );
        assert_eq!(trigger_label(RuleEvent::DuePassed, None), "A ticket's due time passes");
    }

    #[test]
    fn idle_hours_are_a_whole_number_within_a_year() {
        assert_eq!(parse_idle_hours(" 48 "), Ok(48));
        assert_eq!(parse_idle_hours("8784"), Ok(8784));
        for bad in ["", "0", "8785", "1.5", "-3", "two"] {
            assert!(parse_idle_hours(bad).is_err(), "{bad}");
        }
    }
}
