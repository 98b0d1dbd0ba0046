//! The attack suite: what an outside attacker tried against Maildesk, one module per hole.
//! "Any signed-in user" means anyone on the internet here (whoever e-mails the support
//! address gets a customer account and an autologin link), so every case is played by the
//! least trusted caller that can reach it, and each test asserts the hole stays closed and the
//! server stays up.
//!
//! One test binary of modules: the suite links once.

#![allow(
    clippy::too_many_lines,
    reason = "a test reads top to bottom as one scenario; the 80-line rule is for product code"
)]

mod browser_headers;
mod health_details;
mod keys;
mod live_limits;
mod login_throttle;
mod mail_headers;
mod mail_links;
mod paging;
mod private_networks;
mod rule_secrets;
mod scoped_answers;
mod sessions;
mod staff_mail;
mod uploads;
mod uploads_unauthenticated;
mod url_tickets;
