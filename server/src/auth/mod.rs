//! Who is calling: password hashing, JWTs, sessions, the `CurrentUser` extractor and login
//! throttling.

pub mod account;
pub mod current_user;
pub mod jwt;
pub mod login;
pub mod password;
pub mod sessions;
pub mod throttle;
pub mod url_tickets;

pub use current_user::{CurrentUser, MaybeUser, TicketedUser};
