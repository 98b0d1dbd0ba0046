//! Mail in and out: the channels, the inbound and outbound pipelines, and the mailboxes they
//! serve. Parsing itself (raw bytes → `ParsedMail`, pure code with no I/O) is the `mail-parse`
//! crate (`mail_parse`); this module is what moves mail and stores what it says.
//!
//! - Channels: [`imap`], [`pop3`] and [`graph`] fetch from a mailbox, [`receiver`] takes SMTP and
//!   LMTP deliveries, [`oauth`] signs mailboxes in with an OAuth grant. [`mailboxes`] administers
//!   them, [`checks`] are the admin's test buttons, [`watch`] reports a mailbox that stopped
//!   fetching.
//! - Inbound: [`inbound`] runs journal → parse → classify → thread → apply. [`parse_path`] is the
//!   whole parse path of one mail (the parser plus our [`signed_ids`] and display HTML), and
//!   [`sources`] reads mail from files for `maildesk import` and `maildesk mail parse`.
//! - Outbound: [`outbound`] sends replies and notifications through the outbox to SMTP or Graph.

pub mod checks;
pub mod graph;
pub mod imap;
pub mod inbound;
pub mod mailboxes;
pub mod oauth;
pub mod outbound;
pub mod parse_path;
pub mod pop3;
pub mod receiver;
pub mod signed_ids;
pub mod sources;
pub mod watch;
