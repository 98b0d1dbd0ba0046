//! The search page's words and filters, kept in the URL (`/search?q=refund&status=open&page=2`)
//! so that Back, reload and shared links show the same results.

use chrono::{DateTime, Days, Local, NaiveDate, NaiveTime, TimeZone, Utc};
use leptos_router::params::ParamsMap;
use protocol::{SearchSort, TicketSearchParams, TicketStatus};

use crate::components::pager::PagedList;

pub const SEARCH_PER_PAGE: u64 = 20;

/// The orderings offered, as `(sort, label)`; the first is the default.
pub const SEARCH_SORTS: [(SearchSort, &str); 3] = [
    (SearchSort::Relevance, "Best match"),
    (SearchSort::Newest, "Recently updated"),
    (SearchSort::Oldest, "Least recently updated"),
];

#[derive(Debug, Clone, PartialEq)]
pub struct SearchFilter {
    pub q: String,
    pub status: Option<TicketStatus>,
    pub category_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub tag: String,
    /// Created on or after this day (in the browser's time zone).
    pub from: Option<NaiveDate>,
    /// Created on or before this day (in the browser's time zone).
    pub to: Option<NaiveDate>,
    pub sort: SearchSort,
    /// 1-based.
    pub page: u64,
}

impl Default for SearchFilter {
    fn default() -> Self {
        Self {
            q: String::new(),
            status: None,
            category_id: None,
            assignee_id: None,
            tag: String::new(),
            from: None,
            to: None,
            sort: SearchSort::Relevance,
            page: 1,
        }
    }
}

impl SearchFilter {
    pub fn from_params(p: &ParamsMap) -> Self {
        let get = |k: &str| p.get(k).unwrap_or_default();
        Self {
            q: get("q").trim().to_owned(),
            status: TicketStatus::parse(&get("status")),
            category_id: get("category").parse().ok(),
            assignee_id: get("assignee").parse().ok(),
            tag: get("tag").trim().to_owned(),
            from: get("from").parse().ok(),
            to: get("to").parse().ok(),
            sort: parse_sort(&get("sort")),
            page: get("page").parse().ok().filter(|p| *p >= 1).unwrap_or(1),
        }
    }

    /// The page's URL for this search; defaults are left out.
    pub fn href(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut add = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", String::from(js_sys::encode_uri_component(&v))));
            }
        };
        add("q", Some(self.q.clone()));
        add("status", self.status.map(|s| s.as_str().to_owned()));
        add("category", self.category_id.map(|c| c.to_string()));
        add("assignee", self.assignee_id.map(|a| a.to_string()));
        add("tag", Some(self.tag.clone()));
        add("from", self.from.map(|d| d.to_string()));
        add("to", self.to.map(|d| d.to_string()));
        add(
            "sort",
            (self.sort != SearchSort::Relevance).then(|| self.sort.as_str().to_owned()),
        );
        add("page", (self.page > 1).then(|| self.page.to_string()));
        if parts.is_empty() {
            "/search".to_owned()
        } else {
            format!("/search?{}", parts.join("&"))
        }
    }

    /// Whether any filter besides the words is set.
    pub fn has_filters(&self) -> bool {
        self.status.is_some()
            || self.category_id.is_some()
            || self.assignee_id.is_some()
            || !self.tag.is_empty()
            || self.from.is_some()
            || self.to.is_some()
    }

    /// Nothing to search for yet: no words and no filter.
    pub fn is_blank(&self) -> bool {
        self.q.is_empty() && !self.has_filters()
    }

    /// The same words and order without any filter.
    pub fn without_filters(&self) -> Self {
        Self {
            q: self.q.clone(),
            sort: self.sort,
            ..Self::default()
        }
    }

    /// The API query for this search.
    pub fn to_params(&self) -> TicketSearchParams {
        TicketSearchParams {
            q: self.q.clone(),
            status: self.status.map(|s| s.as_str().to_owned()),
            category_id: self.category_id,
            assignee_id: self.assignee_id,
            requester_id: None,
            tag: Some(self.tag.clone()).filter(|t| !t.is_empty()),
            from: self.from.and_then(start_of_day),
            // The API's `to` is exclusive ("created before"); the form's day is inclusive.
            to: self
                .to
                .and_then(|d| d.checked_add_days(Days::new(1)))
                .and_then(start_of_day),
            sort: (self.sort != SearchSort::Relevance).then_some(self.sort),
            page: Some(self.page),
            per_page: Some(SEARCH_PER_PAGE),
        }
    }
}

impl PagedList for SearchFilter {
    fn page(&self) -> u64 {
        self.page
    }

    fn page_href(&self, page: u64) -> String {
        Self { page, ..self.clone() }.href()
    }
}

pub fn parse_sort(s: &str) -> SearchSort {
    SEARCH_SORTS
        .iter()
        .map(|(sort, _)| *sort)
        .find(|sort| sort.as_str() == s)
        .unwrap_or_default()
}

/// Midnight of `day` where the user is, as the instant the server compares with.
fn start_of_day(day: NaiveDate) -> Option<DateTime<Utc>> {
    Local
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}
