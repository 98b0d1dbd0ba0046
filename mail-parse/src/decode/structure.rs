//! The MIME tree around a part, for the decisions mail-parser's flat part lists cannot make:
//! which parts it took as body text are really files a mail client lists as attachments, and
//! whether an image sits in a `multipart/related` (an inline picture of the HTML).
//!
//! Body parts that are files:
//! - a `text/html` in a top-level `multipart/mixed` after the body (a forwarded page, an HTML
//!   report) — but not inside an alternative, where Apple Mail splits one HTML body around
//!   inline images;
//! - a text part (other than the whole mail) that names a file: `Content-Disposition` with a
//!   `filename`, or an HTML part with a `name` (a `.txt` attached inline by Apple Mail, a saved
//!   web page).

use std::collections::{HashMap, HashSet};

use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

/// Parent part id of every part (`None` for the root and unreachable parts).
pub fn parents(msg: &Message<'_>) -> Vec<Option<u32>> {
    let mut parent = vec![None; msg.parts.len()];
    for (id, part) in msg.parts.iter().enumerate() {
        if let PartType::Multipart(children) = &part.body {
            for &child in children {
                if let Some(slot) = parent.get_mut(child as usize)
                    && child as usize != id
                {
                    *slot = Some(id as u32);
                }
            }
        }
    }
    parent
}

/// The multipart subtype of part `id` (lowercase), if it is a multipart.
pub fn multipart_subtype(msg: &Message<'_>, id: u32) -> Option<String> {
    let part = msg.parts.get(id as usize)?;
    let ct = part.content_type()?;
    ct.ctype()
        .eq_ignore_ascii_case("multipart")
        .then(|| ct.subtype().unwrap_or_default().to_ascii_lowercase())
}

/// Parts listed in mail-parser's text or HTML body that are files (see the module documentation).
pub fn body_parts_that_are_files(msg: &Message<'_>) -> HashSet<u32> {
    let parent = parents(msg);
    // Per multipart: the position of its first child holding HTML, worked out once (a hostile
    // mail with thousands of HTML parts must not rescan their siblings for each of them).
    let mut first_html: HashMap<u32, Option<usize>> = HashMap::new();
    let mut files = HashSet::new();
    for &id in msg.text_body.iter().chain(&msg.html_body) {
        let Some(part) = msg.parts.get(id as usize) else {
            continue;
        };
        if id != 0 && is_file(msg, part, id, &parent, &mut first_html) {
            files.insert(id);
        }
    }
    files
}

fn is_file(
    msg: &Message<'_>,
    part: &MessagePart<'_>,
    id: u32,
    parent: &[Option<u32>],
    first_html: &mut HashMap<u32, Option<usize>>,
) -> bool {
    let is_html = matches!(part.body, PartType::Html(_));
    if !matches!(part.body, PartType::Text(_) | PartType::Html(_)) {
        return false;
    }
    let disposition_names_file = part
        .content_disposition()
        .is_some_and(|d| d.attribute("filename").is_some() || d.is_attachment());
    let html_names_file = is_html && part.content_type().is_some_and(|ct| ct.attribute("name").is_some());
    if disposition_names_file || html_names_file {
        return true;
    }
    let Some(p) = parent.get(id as usize).copied().flatten() else {
        return false;
    };
    if !is_html {
        return false;
    }
    let Some(PartType::Multipart(siblings)) = msg.parts.get(p as usize).map(|pp| &pp.body) else {
        return false;
    };
    // Alternatives are versions of one body (a client shows one of them), and a related part
    // is the body's own resources: neither holds files of this kind.
    if matches!(multipart_subtype(msg, p).as_deref(), Some("alternative" | "related"))
        || inside_alternative(msg, p, parent)
    {
        return false;
    }
    let first = *first_html
        .entry(p)
        .or_insert_with(|| siblings.iter().position(|&s| has_html(msg, s)));
    let position = siblings.iter().position(|&s| s == id);
    matches!((first, position), (Some(f), Some(k)) if f < k)
}

/// Whether part `id` is or contains a `text/html` part.
fn has_html(msg: &Message<'_>, id: u32) -> bool {
    let mut stack = vec![id];
    let mut seen = 0usize;
    while let Some(i) = stack.pop() {
        seen += 1;
        if seen > msg.parts.len() {
            return false;
        }
        match msg.parts.get(i as usize).map(|p| &p.body) {
            Some(PartType::Html(_)) => return true,
            Some(PartType::Multipart(children)) => stack.extend(children.iter().filter(|&&c| c != i)),
            _ => {}
        }
    }
    false
}

fn inside_alternative(msg: &Message<'_>, id: u32, parent: &[Option<u32>]) -> bool {
    let mut current = Some(id);
    let mut steps = 0usize;
    while let Some(i) = current {
        if multipart_subtype(msg, i).as_deref() == Some("alternative") {
            return true;
        }
        steps += 1;
        if steps > parent.len() {
            return false;
        }
        current = parent.get(i as usize).copied().flatten();
    }
    false
}

#[cfg(test)]
mod tests {
    use mail_parser::MessageParser;

    use super::body_parts_that_are_files;

    fn files(raw: &str) -> Vec<u32> {
        let msg = MessageParser::default().parse(raw.as_bytes()).unwrap_or_default();
        let mut v: Vec<u32> = body_parts_that_are_files(&msg).into_iter().collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn html_after_the_body_is_a_file() {
        let raw = "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n\
--a\r\nContent-Type: text/plain\r\n\r\nhi\r\n--a\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--a--\r\n\
--m\r\nContent-Type: text/html\r\n\r\n<p>report</p>\r\n--m--\r\n";
        assert_eq!(files(raw), vec![4]);
    }

    #[test]
    fn split_apple_html_body_stays_body() {
        let raw = "Content-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\nhi\r\n\
--a\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/html\r\n\r\n<p>one</p>\r\n\
--m\r\nContent-Type: image/png\r\n\r\nPNG\r\n--m\r\nContent-Type: text/html\r\n\r\n<p>two</p>\r\n--m--\r\n--a--\r\n";
        assert!(files(raw).is_empty());
    }

    #[test]
    fn text_with_a_file_name_is_a_file() {
        let raw = "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nhi\r\n\
--m\r\nContent-Type: text/plain\r\nContent-Disposition: inline; filename=notes.txt\r\n\r\nnotes\r\n--m--\r\n";
        assert_eq!(files(raw), vec![2]);
    }
}
