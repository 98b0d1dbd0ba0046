//! Meilisearch filter expressions for rights and filters: the engine applies them, so a page
//! of hits never holds a ticket the caller may not see.

use crate::search::query::{Access, TicketFilters};

/// A string value in a filter, quoted and escaped.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

pub fn access_filter(access: &Access) -> Option<String> {
    match access {
        Access::All => None,
        Access::Agent { user_id, categories } => {
            // 0 = uncategorised: the shared inbox every agent sees.
            let mut shared: Vec<String> = categories.iter().map(i64::to_string).collect();
            shared.push("0".into());
            Some(format!(
                "(category_id IN [{}] OR assignee_id = {user_id})",
                shared.join(", ")
            ))
        }
        Access::Customer {
            user_id,
            company_id,
            only_ticket,
        } => {
            let owner = match company_id.filter(|c| *c > 0) {
                Some(c) => format!("(requester_id = {user_id} OR company_id = {c})"),
                None => format!("requester_id = {user_id}"),
            };
            Some(match only_ticket {
                Some(t) => format!("{owner} AND id = {t}"),
                None => owner,
            })
        }
    }
}

pub fn ticket_filter(access: &Access, f: &TicketFilters) -> Option<String> {
    let mut all: Vec<String> = Vec::new();
    if let Some(a) = access_filter(access) {
        all.push(format!("({a})"));
    }
    if let Some(s) = &f.status {
        all.push(format!("status = {}", quote(s)));
    }
    if let Some(c) = f.category_id {
        all.push(format!("category_id = {c}"));
    }
    if let Some(a) = f.assignee_id {
        all.push(format!("assignee_id = {a}"));
    }
    if let Some(r) = f.requester_id {
        all.push(format!("requester_id = {r}"));
    }
    if let Some(t) = &f.tag {
        all.push(format!("tags = {}", quote(&t.to_lowercase())));
    }
    if let Some(from) = f.created_from {
        all.push(format!("created_at >= {}", from.timestamp()));
    }
    if let Some(to) = f.created_to {
        all.push(format!("created_at < {}", to.timestamp()));
    }
    (!all.is_empty()).then(|| all.join(" AND "))
}

pub fn article_filter(public_only: bool, category_id: Option<i64>) -> Option<String> {
    let mut all = Vec::new();
    if public_only {
        all.push("visibility = 'public'".to_owned());
    }
    if let Some(c) = category_id {
        all.push(format!("category_id = {c}"));
    }
    (!all.is_empty()).then(|| all.join(" AND "))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn agents_see_their_categories_the_shared_inbox_and_their_own() {
        let a = Access::Agent {
            user_id: 5,
            categories: vec![1, 2],
        };
        assert_eq!(
            access_filter(&a).unwrap(),
            "(category_id IN [1, 2, 0] OR assignee_id = 5)"
        );
        assert_eq!(access_filter(&Access::All), None);
    }

    #[test]
    fn customers_see_their_own_their_company_and_one_ticket_after_autologin() {
        let own = Access::Customer {
            user_id: 9,
            company_id: None,
            only_ticket: None,
        };
        assert_eq!(access_filter(&own).unwrap(), "requester_id = 9");
        let company = Access::Customer {
            user_id: 9,
            company_id: Some(3),
            only_ticket: Some(44),
        };
        assert_eq!(
            access_filter(&company).unwrap(),
            "(requester_id = 9 OR company_id = 3) AND id = 44"
        );
    }

    #[test]
    fn filters_join_with_and_and_quote_strings() {
        let f = TicketFilters {
            status: Some("open".into()),
            tag: Some("It's".into()),
            created_from: Some(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
            ..Default::default()
        };
        let access = Access::Agent {
            user_id: 1,
            categories: vec![],
        };
        assert_eq!(
            ticket_filter(&access, &f).unwrap(),
            "((category_id IN [0] OR assignee_id = 1)) AND status = 'open' AND tags = 'it\\'s' AND created_at >= 1767225600"
        );
        assert_eq!(ticket_filter(&Access::All, &TicketFilters::default()), None);
        assert_eq!(
            article_filter(true, Some(2)).unwrap(),
            "visibility = 'public' AND category_id = 2"
        );
    }
}
