//! The ticket queue's filters, kept in the URL (`/tickets?status=open&assignee=me&page=2`) so
//! that Back, reload and shared links show the same list.

use leptos_router::params::ParamsMap;
use protocol::{SortOrder, Ticket, TicketQuery, TicketSort, TicketStatus};

use crate::components::pager::PagedList;

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
    pub assignee: Assignee,
    pub category_id: Option<i64>,
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
            assignee: Assignee::All,
            category_id: None,
            q: String::new(),
            overdue: false,
            sort: SORTS[0].0,
            page: 1,
        }
    }
}

impl QueueFilter {
    pub fn from_params(p: &ParamsMap) -> Self {
        let get = |k: &str| p.get(k).unwrap_or_default();
        let sort = get("sort");
        Self {
            status: TicketStatus::parse(&get("status")),
            assignee: Assignee::parse(&get("assignee")),
            category_id: get("category").parse().ok(),
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
                parts.push(format!("{k}={}", String::from(js_sys::encode_uri_component(v))));
            }
        };
        add("status", self.status.map_or("", |s| s.as_str()));
        add("assignee", self.assignee.param());
        add("category", &self.category_id.map(|c| c.to_string()).unwrap_or_default());
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
            category_id: self.category_id,
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

impl PagedList for QueueFilter {
    fn page(&self) -> u64 {
        self.page
    }

    fn page_href(&self, page: u64) -> String {
        self.with_page(page).href()
    }
}
