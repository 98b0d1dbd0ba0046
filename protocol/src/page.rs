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
