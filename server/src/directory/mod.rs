//! People and structure: users, companies, categories (with agent membership), canned responses.

pub mod canned;
pub mod categories;
pub mod companies;
pub mod users;
