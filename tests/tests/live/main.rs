//! Live collaboration over WebSockets: presence, events across nodes, reconnects and resilience.
//!
//! One test binary of modules (one per former test file): the suite links the server once.

mod live_collaboration;
mod live_resilience;
