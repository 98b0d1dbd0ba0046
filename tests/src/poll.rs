//! Waiting for the server to catch up (a browser click's request, a background worker, a
//! process starting): read again until a condition holds, with a deadline, instead of a fixed
//! sleep. Every wait in the tests goes through here:
//!
//! - [`until`]: the usual one (async); fails the test naming what it waited for.
//! - [`try_until`]: the same, but hands the last value back instead of failing, for a caller
//!   that fails its own way (the browser's failure report with a screenshot).
//! - [`until_blocking`]: for code without an async runtime (starting a server process).

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
    read: impl FnMut() -> F,
    ok: impl Fn(&T) -> bool,
) -> T {
    match try_until(within, read, ok).await {
        Ok(now) => now,
        Err(last) => panic!("waited {within:?} for {what}; last read: {last:#?}"),
    }
}

/// Like [`until`], but `Err` with the last value read once `within` has passed, for a caller
/// that reports the failure itself.
pub async fn try_until<T, F: Future<Output = T>>(
    within: Duration,
    mut read: impl FnMut() -> F,
    ok: impl Fn(&T) -> bool,
) -> Result<T, T> {
    let deadline = Instant::now() + within;
    loop {
        let now = read().await;
        if ok(&now) {
            return Ok(now);
        }
        if Instant::now() >= deadline {
            return Err(now);
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// Like [`until`] for blocking code (no async runtime: a process starting up); sleeps the
/// thread between reads. `read` may panic itself to stop early (the process exited).
pub fn until_blocking<T: Debug>(
    what: &str,
    within: Duration,
    mut read: impl FnMut() -> T,
    ok: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        let now = read();
        if ok(&now) {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "waited {within:?} for {what}; last read: {now:#?}"
        );
        std::thread::sleep(EVERY);
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::time::{Duration, Instant};

    const SHORT: Duration = Duration::from_millis(300);

    #[tokio::test]
    async fn until_returns_the_first_value_that_holds() {
        let reads = Cell::new(0);
        let got = super::until(
            "the third read",
            SHORT * 10,
            || {
                reads.set(reads.get() + 1);
                std::future::ready(reads.get())
            },
            |n| *n == 3,
        )
        .await;
        assert_eq!(got, 3);
    }

    #[tokio::test]
    #[should_panic(expected = "for the impossible; last read: 7")]
    async fn until_fails_naming_what_it_awaited_and_the_last_read() {
        super::until("the impossible", SHORT, || std::future::ready(7), |n| *n == 8).await;
    }

    #[tokio::test]
    async fn try_until_gives_the_last_read_back_after_the_deadline() {
        let started = Instant::now();
        let got = super::try_until(SHORT, || std::future::ready("no"), |s| *s == "yes").await;
        assert_eq!(got, Err("no"));
        assert!(started.elapsed() >= SHORT, "gave up early: {:?}", started.elapsed());
    }

    #[test]
    fn until_blocking_polls_without_a_runtime() {
        let started = Instant::now();
        let got = super::until_blocking("a moment", SHORT * 10, || started.elapsed(), |t| *t >= SHORT);
        assert!(got >= SHORT);
    }

    #[test]
    #[should_panic(expected = "waited 300ms for the port")]
    fn until_blocking_fails_naming_what_it_awaited() {
        super::until_blocking("the port", SHORT, || false, |up| *up);
    }
}
