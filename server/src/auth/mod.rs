//! Who is calling: password hashing, JWTs, the `CurrentUser` extractor and login throttling.

pub mod current_user;
pub mod jwt;
pub mod login;
pub mod password;
pub mod throttle;

pub use current_user::{CurrentUser, MaybeUser};
