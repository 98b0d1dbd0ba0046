//! Live collaboration over WebSockets: presence, events across nodes, reconnects and resilience.
//!
//! One test binary of modules (one per former test file): the suite links the server once.

#![allow(
    clippy::too_many_lines,
    reason = "a test reads top to bottom as one scenario; the 80-line rule is for product code"
)]

mod live_collaboration;
mod live_resilience;
