//! The built-in templates, used until an admin saves their own. Subjects get the ticket token
//! from the subject format setting, so they do not carry it themselves.

use protocol::TemplateEvent;

pub struct Default {
    pub subject: &'static str,
    pub text: &'static str,
    pub html: &'static str,
}

pub fn of(event: TemplateEvent) -> Default {
    match event {
        TemplateEvent::NewTicketConfirmation => Default {
            subject: "#Subject#",
            text: "Hello #FirstName#,\n\nwe received your request and opened ticket #TicketID#. We will get back to you soon; just reply to this mail to add anything.\n\n#Suggested_KB_articles#\n\n#URL#\n",
            html: "<p>Hello #FirstName#,</p><p>we received your request and opened ticket #TicketID#. We will get back to you soon; just reply to this mail to add anything.</p><p>#Suggested_KB_articles#</p><p>#URL#</p>",
        },
        TemplateEvent::NewTicketAlert => Default {
            subject: "New ticket: #Subject#",
            text: "#From# (#FromEmail#) opened a ticket in #Category# (priority #Priority#):\n\n#Most_recent_message#\n\n#URL#\n",
            html: "<p>#From# (#FromEmail#) opened a ticket in #Category# (priority #Priority#):</p>#Most_recent_message#<p>#URL#</p>",
        },
        TemplateEvent::Reply => Default {
            subject: "Re: #Subject#",
            text: "#What_Happened#\n\n#Attachments#\n\n--\nTicket #TicketID# · status #Status#\n#URL#\n\n#Recent_messages#\n\n#Unsubscribe#\n",
            html: "<div>#What_Happened#</div><p>#Attachments#</p><hr><p style=\"color:#666\">Ticket #TicketID# · status #Status# · #URL#</p><div style=\"color:#666\">#Recent_messages#</div><p style=\"color:#999\">#Unsubscribe#</p>",
        },
        TemplateEvent::CustomerUpdateAlert => Default {
            subject: "Customer update: #Subject#",
            text: "#Originator# wrote on ticket #TicketID# (#Category#, #Status#):\n\n#What_Happened#\n\n#URL#\n",
            html: "<p>#Originator# wrote on ticket #TicketID# (#Category#, #Status#):</p><div>#What_Happened#</div><p>#URL#</p>",
        },
        TemplateEvent::AssignmentAlert => Default {
            subject: "Assigned to you: #Subject#",
            text: "#Originator# assigned ticket #TicketID# to you (#Category#, priority #Priority#, due #DueDate#).\n\n#Most_recent_message#\n\n#URL#\n",
            html: "<p>#Originator# assigned ticket #TicketID# to you (#Category#, priority #Priority#, due #DueDate#).</p>#Most_recent_message#<p>#URL#</p>",
        },
        TemplateEvent::TicketTaken => Default {
            subject: "Taken by #Technician#: #Subject#",
            text: "#Technician# took ticket #TicketID# — no need to answer it.\n\n#URL#\n",
            html: "<p>#Technician# took ticket #TicketID# — no need to answer it.</p><p>#URL#</p>",
        },
        TemplateEvent::TicketClosed => Default {
            subject: "Closed: #Subject#",
            text: "Hello #FirstName#,\n\nyour ticket #TicketID# has been closed. If something is still wrong, just reply to this mail.\n\n#RatingLinks#\n\n#URL#\n",
            html: "<p>Hello #FirstName#,</p><p>your ticket #TicketID# has been closed. If something is still wrong, just reply to this mail.</p>#RatingLinks#<p>#URL#</p>",
        },
        TemplateEvent::OverdueAlert => Default {
            subject: "Overdue: #Subject#",
            text: "Ticket #TicketID# (#Category#, priority #Priority#) was due #DueDate# and is still #Status#.\n\n#URL#\n",
            html: "<p>Ticket #TicketID# (#Category#, priority #Priority#) was due #DueDate# and is still #Status#.</p><p>#URL#</p>",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::outbound::templates::placeholders::unknown;

    #[test]
    fn every_default_uses_only_known_placeholders() {
        for e in TemplateEvent::ALL {
            let d = of(e);
            for part in [d.subject, d.text, d.html] {
                assert!(unknown(part).is_empty(), "{e:?}: {:?}", unknown(part));
            }
        }
    }
}
