//! Reusable pieces of the interface.

pub mod attachments;
pub mod badges;
pub mod feedback;
pub mod header;
pub mod message;
pub mod pager;
pub mod reply_box;
pub mod require_auth;
pub mod ticket_filters;
pub mod ticket_sidebar;
pub mod ticket_table;
