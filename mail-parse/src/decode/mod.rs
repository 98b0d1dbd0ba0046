//! Decoding: raw bytes to header fields, body text and attachments — everything mail-parser
//! reads, plus the repairs real mail needs (line endings, legacy charsets, broken MIME).

pub mod attachments;
pub mod body;
pub mod charset;
pub mod headers;
pub mod html_text;
pub mod normalize;
