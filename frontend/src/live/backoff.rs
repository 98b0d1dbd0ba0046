//! How long to wait before the next reconnect attempt.
//!
//! Exponential from 0.5 s, doubling up to 10 s, with jitter so that every tab of a fleet of
//! agents does not hit a restarted server in the same instant.

use std::time::Duration;

const FIRST_MS: f64 = 500.0;
const MAX_MS: f64 = 10_000.0;

/// The delay before attempt number `attempt` (0 = the first retry after a drop).
pub fn delay(attempt: u32) -> Duration {
    delay_with(attempt, js_sys::Math::random())
}

/// `random` in `[0, 1)`: the delay is spread over ±20 % of the nominal one, never above the cap.
fn delay_with(attempt: u32, random: f64) -> Duration {
    let nominal = (FIRST_MS * 2f64.powi(attempt.min(16).cast_signed())).min(MAX_MS);
    let jittered = (nominal * (0.8 + 0.4 * random)).min(MAX_MS);
    // Bounded to [400, 10 000] ms above, so the conversion cannot truncate meaningfully.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Duration::from_millis(jittered as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_half_a_second_and_stops_at_ten() {
        assert_eq!(delay_with(0, 0.5), Duration::from_millis(500));
        assert_eq!(delay_with(1, 0.5), Duration::from_millis(1000));
        assert_eq!(delay_with(4, 0.5), Duration::from_millis(8000));
        assert_eq!(delay_with(5, 0.5), Duration::from_millis(10_000));
        assert_eq!(delay_with(40, 0.99), Duration::from_millis(10_000));
        assert_eq!(delay_with(0, 0.0), Duration::from_millis(400));
    }
}
