//! One module per route.

pub mod dashboard;
pub mod home;
pub mod login;
pub mod not_found;
pub mod ticket;
pub mod ticket_live;
pub mod tickets;
pub mod tickets_live;
