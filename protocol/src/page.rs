use serde::{Deserialize, Serialize};

/// One page of a list endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Number of matching items across all pages.
    pub total: u64,
    /// 1-based page number.
    pub page: u64,
    pub per_page: u64,
}

/// The deepest any list pages: `page × per_page` beyond this is refused (422). Deeper results
/// are reached by narrowing the filters, never by paging, so no request makes the server or its
/// search engine hold more than this many results.
pub const MAX_RESULT_WINDOW: u64 = 10_000;
