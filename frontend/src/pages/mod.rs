//! One module per route.

pub mod account;
pub mod admin;
pub mod autologin;
pub mod dashboard;
pub mod home;
pub mod kb;
pub mod kb_article;
pub mod login;
pub mod new_ticket;
pub mod not_found;
pub mod portal_ticket;
pub mod portal_tickets;
pub mod reports;
pub mod search;
pub mod ticket;
pub mod ticket_edit;
pub mod ticket_live;
pub mod tickets;
pub mod tickets_live;
