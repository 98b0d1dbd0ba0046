//! Waiting for the server to catch up (a browser click's request, a background worker): read
//! again until a condition holds, with a deadline, instead of a fixed sleep.

use std::fmt::Debug;
use std::future::Future;
use std::time::{Duration, Instant};

/// How often a state is read again.
const EVERY: Duration = Duration::from_millis(100);

/// Reads with `read` until `ok` holds for the value, and returns it; after `within`, fails
/// naming `what` and showing the last value read.
pub async fn until<T: Debug, F: Future<Output = T>>(
    what: &str,
    within: Duration,
    mut read: impl FnMut() -> F,
    ok: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        let now = read().await;
        if ok(&now) {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "waited {within:?} for {what}; last read: {now:#?}"
        );
        tokio::time::sleep(EVERY).await;
    }
}
