//! The browser app in headless Chromium: agents, customers, managers and admins at work.
//!
//! One test binary of modules (one per former test file): the suite links the server once.

#![allow(
    clippy::too_many_lines,
    reason = "a test reads top to bottom as one scenario; the 80-line rule is for product code"
)]

mod browser_actions;
mod browser_agent;
mod browser_custom_fields;
mod browser_customer;
mod browser_dashboard;
mod browser_mailbox_oauth;
mod browser_quality;
mod browser_queue_filters;
mod browser_rating;
mod browser_reports;
mod browser_rules;
mod browser_screening;
mod browser_search;
mod browser_sla;
mod browser_ticket_actions;
