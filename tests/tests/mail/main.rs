//! Mail in and out end to end: IMAP, POP3, Graph, the SMTP/LMTP receiver, the inbound pipeline and threading, OAuth mailboxes, notifications and the outbound queue over real Dovecot and Postfix.
//!
//! One test binary of modules (one per former test file): the suite links the server once.

#![allow(
    clippy::too_many_lines,
    reason = "a test reads top to bottom as one scenario; the 80-line rule is for product code"
)]

mod graph_mailbox;
mod imap_fetch;
mod imap_resilience;
mod imap_tls;
mod inbound_batches;
mod inbound_recovery;
mod inbound_rules;
mod inbound_threading;
mod inline_images;
mod mail_watch;
mod mailbox_checks;
mod mailbox_oauth;
mod outbound_notifications;
mod outbound_queue;
mod outbound_smtp;
mod pop3_fetch;
mod receiver;
mod receiver_crash;
mod retention;
mod screening;
mod sender_auth;
