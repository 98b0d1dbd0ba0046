//! Reusable pieces of the interface.

pub mod attachments;
pub mod badges;
pub mod bar_chart;
pub mod canned_picker;
pub mod composer;
pub mod conflict_banner;
pub mod feedback;
pub mod file_picker;
pub mod form_fields;
pub mod header;
pub mod kb_suggestions;
pub mod loaded;
pub mod message;
pub mod page_nav;
pub mod pager;
pub mod portal_reply;
pub mod presence;
pub mod reconnect_banner;
pub mod reply_box;
pub mod require_auth;
pub mod shortcuts_help;
pub mod ticket_actions;
pub mod ticket_filters;
pub mod ticket_sidebar;
pub mod ticket_table;
