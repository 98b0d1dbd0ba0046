//! The ticket queue's filters, kept in the URL (`/tickets?status=open&priority=high&tag=vip`)
//! so that Back, reload and shared links show the same list.

use leptos_router::params::ParamsMap;
use protocol::{Priority, SortOrder, Ticket, TicketQuery, TicketSort, TicketStatus};

use crate::components::pager::PagedList;
use crate::uri_component;

pub const PER_PAGE: u64 = 25;

/// Whose tickets to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Assignee {
    #[default]
    All,
    Mine,
    Unassigned,
}

impl Assignee {
    pub const ALL: [Self; 3] = [Self::All, Self::Mine, Self::Unassigned];

    /// The value of the API's `assignee` parameter (`""` for no filter).
    pub fn param(self) -> &'static str {
        match self {
            Self::All => "",
            Self::Mine => "me",
            Self::Unassigned => "none",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "me" => Self::Mine,
            "none" => Self::Unassigned,
            _ => Self::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::All => "Everyone's",
            Self::Mine => "Mine",
            Self::Unassigned => "Unassigned",
        }
    }
}

/// The orderings offered in the queue, as `(key, sort, order, label)`.
pub const SORTS: [(&str, TicketSort, SortOrder, &str); 6] = [
    ("updated", TicketSort::Updated, SortOrder::Desc, "Recently updated"),
    ("newest", TicketSort::Created, SortOrder::Desc, "Newest first"),
    ("oldest", TicketSort::Created, SortOrder::Asc, "Oldest first"),
    ("priority", TicketSort::Priority, SortOrder::Desc, "Highest priority"),
    ("due", TicketSort::Due, SortOrder::Asc, "Due soonest"),
    ("number", TicketSort::Number, SortOrder::Desc, "Ticket number"),
];

#[derive(Debug, Clone, PartialEq)]
pub struct QueueFilter {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub assignee: Assignee,
    pub category_id: Option<i64>,
    /// One tag, lower case (the server stores tags lower-cased); empty for any.
    pub tag: String,
    pub q: String,
    /// Only tickets past their SLA (or manual) due time.
    pub overdue: bool,
    /// A key of [`SORTS`].
    pub sort: &'static str,
    /// 1-based.
    pub page: u64,
}

impl Default for QueueFilter {
    fn default() -> Self {
        Self {
            status: None,
            priority: None,
            assignee: Assignee::All,
            category_id: None,
            tag: String::new(),
            q: String::new(),
            overdue: false,
            sort: SORTS[0].0,
            page: 1,
        }
    }
}

impl QueueFilter {
    pub fn from_params(p: &ParamsMap) -> Self {
        Self::from_query(|k| p.get(k).unwrap_or_default())
    }

    /// From the URL's query values, already decoded (`""` for a missing one).
    fn from_query(get: impl Fn(&str) -> String) -> Self {
        let sort = get("sort");
        Self {
            status: TicketStatus::parse(&get("status")),
            priority: Priority::parse(&get("priority")),
            assignee: Assignee::parse(&get("assignee")),
            category_id: get("category").parse().ok(),
            tag: normalize_tag(&get("tag")),
            q: get("q").trim().to_owned(),
            overdue: get("overdue") == "true",
            sort: SORTS.iter().find(|s| s.0 == sort).map_or(SORTS[0].0, |s| s.0),
            page: get("page").parse().ok().filter(|p| *p >= 1).unwrap_or(1),
        }
    }

    /// The queue's URL for this filter; defaults are left out.
    pub fn href(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut add = |k: &str, v: &str| {
            if !v.is_empty() {
                parts.push(format!("{k}={}", uri_component::encode(v)));
            }
        };
        add("status", self.status.map_or("", |s| s.as_str()));
        add("priority", self.priority.map_or("", |p| p.as_str()));
        add("assignee", self.assignee.param());
        add("category", &self.category_id.map(|c| c.to_string()).unwrap_or_default());
        add("tag", &self.tag);
        add("q", &self.q);
        add("overdue", if self.overdue { "true" } else { "" });
        add("sort", if self.sort == SORTS[0].0 { "" } else { self.sort });
        add(
            "page",
            &if self.page > 1 {
                self.page.to_string()
            } else {
                String::new()
            },
        );
        if parts.is_empty() {
            "/tickets".to_owned()
        } else {
            format!("/tickets?{}", parts.join("&"))
        }
    }

    /// The API query for this filter.
    pub fn to_query(&self) -> TicketQuery {
        let (sort, order) = SORTS
            .iter()
            .find(|s| s.0 == self.sort)
            .map_or((TicketSort::Updated, SortOrder::Desc), |s| (s.1, s.2));
        TicketQuery {
            status: self.status,
            priority: self.priority,
            category_id: self.category_id,
            tag: Some(self.tag.clone()).filter(|t| !t.is_empty()),
            assignee: Some(self.assignee.param().to_owned()).filter(|a| !a.is_empty()),
            q: Some(self.q.clone()).filter(|q| !q.is_empty()),
            overdue: self.overdue.then_some(true),
            sort: Some(sort),
            order: Some(order),
            page: Some(self.page),
            per_page: Some(PER_PAGE),
            ..TicketQuery::default()
        }
    }

    /// Whether `t` belongs in this list, by the same rules as the server's query (`me`: the
    /// user's id, for "Mine"); used to place tickets that change live.
    pub fn matches(&self, t: &Ticket, me: Option<i64>) -> bool {
        let assignee = t.assignee.as_ref().map(|a| a.id);
        self.status.is_none_or(|s| s == t.status)
            && self.priority.is_none_or(|p| p == t.priority)
            && (self.tag.is_empty() || t.tags.iter().any(|x| x.to_lowercase() == self.tag))
            && self.category_id.is_none_or(|c| Some(c) == t.category_id)
            && match self.assignee {
                Assignee::All => true,
                Assignee::Mine => me.is_some() && assignee == me,
                Assignee::Unassigned => assignee.is_none(),
            }
            && (self.q.is_empty() || t.subject.to_lowercase().contains(&self.q.to_lowercase()))
            && (!self.overdue || t.overdue)
    }

    /// Whether the list is ordered by last change, so a changed ticket belongs on top.
    pub fn by_recent_change(&self) -> bool {
        self.sort == "updated"
    }

    /// The same filter on another page (changing any filter goes back to page 1).
    pub fn with_page(&self, page: u64) -> Self {
        Self { page, ..self.clone() }
    }
}

/// A tag as the server compares it: trimmed and lower case.
pub fn normalize_tag(tag: &str) -> String {
    tag.trim().to_lowercase()
}

impl PagedList for QueueFilter {
    fn page(&self) -> u64 {
        self.page
    }

    fn page_href(&self, page: u64) -> String {
        self.with_page(page).href()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `href` back as the router would: the query string's pairs, percent-decoded.
    /// (`ParamsMap` itself decodes through JavaScript, which native tests do not have.)
    fn parse_href(href: &str) -> QueueFilter {
        let mut params = std::collections::HashMap::new();
        if let Some((_, query)) = href.split_once('?') {
            for pair in query.split('&') {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let v = uri_component::decode(v).unwrap_or_else(|| panic!("bad escape in {href}"));
                params.insert(k.to_owned(), v);
            }
        }
        QueueFilter::from_query(|k| params.get(k).cloned().unwrap_or_default())
    }

    #[test]
    fn the_default_filter_is_the_bare_queue() {
        assert_eq!(QueueFilter::default().href(), "/tickets");
        assert_eq!(parse_href("/tickets"), QueueFilter::default());
    }

    #[test]
    fn priority_and_tag_survive_the_url_round_trip() {
        let f = QueueFilter {
            priority: Some(Priority::Urgent),
            tag: "vip customer".into(),
            status: Some(TicketStatus::Open),
            ..QueueFilter::default()
        };
        let href = f.href();
        assert_eq!(href, "/tickets?status=open&priority=urgent&tag=vip%20customer");
        assert_eq!(parse_href(&href), f);
    }

    #[test]
    fn every_filter_survives_the_url_round_trip() {
        for priority in Priority::ALL.iter().copied() {
            let f = QueueFilter {
                status: Some(TicketStatus::Pending),
                priority: Some(priority),
                assignee: Assignee::Mine,
                category_id: Some(7),
                tag: "billing&co=1".into(),
                q: "refund #12".into(),
                overdue: true,
                sort: "due",
                page: 3,
            };
            assert_eq!(parse_href(&f.href()), f, "{}", f.href());
        }
    }

    #[test]
    fn a_tag_in_the_url_is_read_as_the_server_compares_it() {
        let f = parse_href("/tickets?tag=%20VIP%20&priority=loud");
        assert_eq!(f.tag, "vip");
        assert_eq!(f.priority, None, "an unknown priority is no filter");
        assert_eq!(f.href(), "/tickets?tag=vip");
    }

    #[test]
    fn the_query_carries_priority_and_tag() {
        let f = QueueFilter {
            priority: Some(Priority::High),
            tag: "vip".into(),
            ..QueueFilter::default()
        };
        let q = f.to_query();
        assert_eq!(q.priority, Some(Priority::High));
        assert_eq!(q.tag.as_deref(), Some("vip"));
        let none = QueueFilter::default().to_query();
        assert_eq!((none.priority, none.tag), (None, None));
    }
}
