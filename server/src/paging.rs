//! Paging for every list endpoint: one rule for `page` / `per_page` and for how deep a caller may
//! page. Without a bound on `offset + limit`, one request for page 5,000,000,000,000 made the
//! search engine allocate room for that many results and aborted the process; a database
//! would instead scan and throw away rows up to the offset. Every list checks here first, and
//! the engines clamp again (`clamp_window`) so no caller can get past it.

use protocol::MAX_RESULT_WINDOW;

use crate::error::{AppError, AppResult};

/// A checked page request: `page` ≥ 1, `per_page` within the endpoint's bound, and the last row
/// it asks for within `MAX_RESULT_WINDOW`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
}

impl Paging {
    /// `default` applies when `per_page` is absent; `max_per_page` is the endpoint's own bound.
    pub fn parse(page: Option<u64>, per_page: Option<u64>, default: u64, max_per_page: u64) -> AppResult<Self> {
        let per_page = per_page.unwrap_or(default);
        if per_page == 0 || per_page > max_per_page {
            return Err(AppError::InvalidParameter(format!(
                "per_page: must be between 1 and {max_per_page}"
            )));
        }
        let page = page.unwrap_or(1);
        if page == 0 {
            return Err(AppError::InvalidParameter("page: pages start at 1".into()));
        }
        let end = page.checked_mul(per_page);
        if end.is_none_or(|end| end > MAX_RESULT_WINDOW) {
            return Err(AppError::Validation(format!(
                "page {page} of {per_page} reaches past result {MAX_RESULT_WINDOW}, the deepest any list pages; \
                 narrow the filters instead"
            )));
        }
        Ok(Self { page, per_page })
    }

    /// Rows to skip. Cannot overflow: `parse` bounded `page * per_page`.
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }

    pub fn limit(&self) -> u64 {
        self.per_page
    }
}

/// What an engine may be asked for at most, whatever its caller checked: `(offset, limit)` cut
/// so that `offset + limit` stays within `MAX_RESULT_WINDOW`, with at least one result asked
/// for (engines refuse a limit of 0).
pub fn clamp_window(offset: usize, limit: usize) -> (usize, usize) {
    let window = usize::try_from(MAX_RESULT_WINDOW).unwrap_or(usize::MAX);
    let offset = offset.min(window - 1);
    (offset, limit.clamp(1, window - offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_within_the_window_pass() {
        let p = Paging::parse(Some(3), Some(25), 25, 100).unwrap();
        assert_eq!((p.offset(), p.limit()), (50, 25));
        let last = Paging::parse(Some(MAX_RESULT_WINDOW / 100), Some(100), 25, 100).unwrap();
        assert_eq!(last.offset() + last.limit(), MAX_RESULT_WINDOW);
        let default = Paging::parse(None, None, 25, 100).unwrap();
        assert_eq!((default.page, default.per_page), (1, 25));
    }

    #[test]
    fn pages_past_the_window_are_refused_naming_it() {
        let err = Paging::parse(Some(MAX_RESULT_WINDOW / 100 + 1), Some(100), 25, 100).unwrap_err();
        assert!(
            matches!(&err, AppError::Validation(m) if m.contains("10000")),
            "{err:?}"
        );
        assert!(matches!(
            Paging::parse(Some(5_000_000_000_000), Some(100), 25, 100),
            Err(AppError::Validation(_))
        ));
        // A product that overflows u64 is past the window too, not a panic.
        assert!(matches!(
            Paging::parse(Some(u64::MAX), Some(100), 25, 100),
            Err(AppError::Validation(_))
        ));
    }

    #[test]
    fn bad_page_sizes_are_parameter_errors() {
        assert!(matches!(
            Paging::parse(Some(0), None, 25, 100),
            Err(AppError::InvalidParameter(_))
        ));
        assert!(matches!(
            Paging::parse(None, Some(0), 25, 100),
            Err(AppError::InvalidParameter(_))
        ));
        assert!(matches!(
            Paging::parse(None, Some(101), 25, 100),
            Err(AppError::InvalidParameter(_))
        ));
    }

    #[test]
    fn engines_clamp_whatever_they_are_asked() {
        assert_eq!(clamp_window(usize::MAX, 100), (9_999, 1));
        assert_eq!(clamp_window(5, 0), (5, 1));
        assert_eq!(clamp_window(9_990, 100), (9_990, 10));
        assert_eq!(clamp_window(0, usize::MAX), (0, 10_000));
        assert_eq!(clamp_window(20, 10), (20, 10));
    }
}
