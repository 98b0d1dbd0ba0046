//! The in-memory twin of `Scope::condition`: whether a user may see a ticket, decided from the
//! facts carried with each event, so fanning one change out to thousands of sockets needs no
//! query per socket.

use crate::realtime::bus::TicketFacts;
use crate::tickets::access::Scope;

pub fn can_see(scope: &Scope, f: &TicketFacts) -> bool {
    match scope {
        Scope::All => true,
        Scope::Agent { user_id, categories } => {
            f.category_id.is_none_or(|c| categories.contains(&c)) || f.assignee_id == Some(*user_id)
        }
        Scope::Customer {
            user_id,
            company_id,
            only_ticket,
        } => {
            only_ticket.is_none_or(|t| t == f.ticket_id)
                && (f.requester_id == *user_id || company_id.is_some_and(|c| f.requester_company_id == Some(c)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(requester: i64, company: Option<i64>, category: Option<i64>, assignee: Option<i64>) -> TicketFacts {
        TicketFacts {
            ticket_id: 1,
            requester_id: requester,
            requester_company_id: company,
            category_id: category,
            assignee_id: assignee,
        }
    }

    #[test]
    fn agents_see_their_categories_the_shared_inbox_and_their_own() {
        let agent = Scope::Agent {
            user_id: 5,
            categories: vec![1],
        };
        assert!(can_see(&agent, &facts(9, None, Some(1), None)));
        assert!(can_see(&agent, &facts(9, None, None, None)));
        assert!(can_see(&agent, &facts(9, None, Some(2), Some(5))));
        assert!(!can_see(&agent, &facts(9, None, Some(2), Some(6))));
    }

    #[test]
    fn customers_see_their_own_and_with_sharing_their_companys() {
        let alone = Scope::Customer {
            user_id: 9,
            company_id: None,
            only_ticket: None,
        };
        let shared = Scope::Customer {
            user_id: 9,
            company_id: Some(3),
            only_ticket: None,
        };
        let one = Scope::Customer {
            user_id: 9,
            company_id: None,
            only_ticket: Some(2),
        };
        assert!(
            !can_see(&one, &facts(9, None, None, None)),
            "an autologin session sees only its ticket"
        );
        assert!(can_see(&alone, &facts(9, Some(3), None, None)));
        assert!(!can_see(&alone, &facts(8, Some(3), None, None)));
        assert!(can_see(&shared, &facts(8, Some(3), None, None)));
        assert!(!can_see(&shared, &facts(8, Some(4), None, None)));
        assert!(!can_see(&shared, &facts(8, None, None, None)));
        assert!(can_see(&Scope::All, &facts(8, None, Some(1), None)));
    }
}
