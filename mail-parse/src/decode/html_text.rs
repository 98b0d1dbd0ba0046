//! HTML to readable plain text, for mail with only an HTML body and for knowledge-base articles:
//! html2text with a mail decorator (no wrapping, `> ` quotes, hidden content dropped), and a
//! linear tag stripper for HTML too large for it. Reply separators drawn in HTML (`<hr>`, Outlook's
//! bordered `div`) become a `____` rule line when html2text renders, so the visible-text split
//! sees them.

use html2text::render::TextDecorator;

/// A text decorator for mail: links and emphasis as plain text, images dropped, quotes as `> `,
/// list items as `- ` / `1. `.
#[derive(Clone, Debug, Default)]
struct MailDecorator;

impl TextDecorator for MailDecorator {
    type Annotation = ();

    fn decorate_link_start(&mut self, _url: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_link_end(&mut self) -> String {
        String::new()
    }
    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_em_end(&self) -> String {
        String::new()
    }
    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strong_end(&self) -> String {
        String::new()
    }
    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }
    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_code_end(&self) -> String {
        String::new()
    }
    fn decorate_preformat_first(&self) {}
    fn decorate_preformat_cont(&self) {}
    fn decorate_image(&mut self, _src: &str, _title: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }
    fn quote_prefix(&self) -> String {
        "> ".to_string()
    }
    fn unordered_item_prefix(&self) -> String {
        "- ".to_string()
    }
    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }
    fn make_subblock_decorator(&self) -> Self {
        MailDecorator
    }
    fn decorate_superscript_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_superscript_end(&self) -> String {
        String::new()
    }
}

/// Width html2text wraps at: wide enough that paragraphs stay on one line.
const TEXT_WIDTH: usize = 10_000;

/// html2text builds a DOM and a render tree, at a cost per element that took a 10 MB body of
/// 240,000 elements over the one-second budget of `maildesk bench pathological` (times in
/// `docs/PERFORMANCE.md`). Real mail stays far below
/// (a long HTML thread has a few thousand tags); beyond this the tag stripper takes the text,
/// in linear time, without the quote markers, hidden-content removal and layout html2text gives.
const MAX_RENDERED_TAGS: usize = 50_000;

fn has_more_tags_than(html: &str, max: usize) -> bool {
    let bytes = html.as_bytes();
    memchr::memchr_iter(b'<', bytes)
        .filter(|&i| bytes.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/'))
        .nth(max)
        .is_some()
}

/// Converts HTML to readable plain text (no wrapping; blockquotes become `> ` lines; content
/// hidden with `display:none` is dropped).
pub fn html_to_text(html: &str) -> String {
    if has_more_tags_than(html, MAX_RENDERED_TAGS) {
        return tidy_text(&strip_tags(html));
    }
    let marked = mark_reply_rules(html);
    let html = marked.as_str();
    let with_css = html2text::config::with_decorator(MailDecorator)
        .raw_mode(true)
        .allow_width_overflow()
        .use_doc_css()
        .string_from_read(html.as_bytes(), TEXT_WIDTH);
    let text = match with_css {
        Ok(t) => t,
        Err(_) => html2text::config::with_decorator(MailDecorator)
            .raw_mode(true)
            .allow_width_overflow()
            .string_from_read(html.as_bytes(), TEXT_WIDTH)
            .unwrap_or_else(|_| strip_tags(html)),
    };
    tidy_text(&text)
}

/// A text rule for the HTML rule lines that separate a reply from the message it answers: html2text
/// drops `<hr>`, and Outlook draws its separator as the top border of the `div` holding the
/// quoted `From:` block. The split of the visible text needs to see them. One pass over the HTML.
fn mark_reply_rules(html: &str) -> String {
    const RULE: &str = "<p>________________________________</p>";
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() + 64);
    let mut done = 0;
    for (i, _) in lower.match_indices('<') {
        let rest = &lower[i..];
        let is_hr = rest.starts_with("<hr") && !rest[3..].starts_with(|c: char| c.is_ascii_alphanumeric());
        let is_border = rest.starts_with("<div") && {
            let tag_end = rest.find('>').unwrap_or(rest.len());
            rest[..tag_end].contains("border-top:solid #e1e1e1")
                || rest[..tag_end].contains("border-top: solid #e1e1e1")
        };
        if is_hr || is_border {
            out.push_str(&html[done..i]);
            out.push_str(RULE);
            done = i;
        }
    }
    out.push_str(&html[done..]);
    out
}

/// Trims line ends, turns non-breaking spaces into spaces and keeps at most one empty line in a row.
pub fn tidy_text(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.replace('\u{a0}', " ").replace('\u{200b}', "").lines() {
        let line = line.trim_end();
        let blank = line.trim_start_matches(['>', ' ']).is_empty();
        if blank && out.last().is_some_and(|l| l.trim_start_matches(['>', ' ']).is_empty()) {
            continue;
        }
        out.push(line.to_string());
    }
    while out.first().is_some_and(|l| l.trim().is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// Last-resort HTML to text: drop tags (block-level ones end a line), decode a few entities.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    // Inside a tag: its name so far, and whether the name has ended (attributes follow).
    let mut tag: Option<(String, bool)> = None;
    for c in html.chars() {
        match (c, tag.as_mut()) {
            ('<', None) => tag = Some((String::new(), false)),
            ('>', Some((name, _))) => {
                out.push(if is_block_tag(name) { '\n' } else { ' ' });
                tag = None;
            }
            (_, Some((_, done))) if c.is_whitespace() => *done = true,
            // Only a short name is kept: attributes can be megabytes (data: images).
            (_, Some((name, false))) if name.len() < 12 => name.push(c.to_ascii_lowercase()),
            (_, Some(_)) => {}
            (_, None) => out.push(c),
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn is_block_tag(name: &str) -> bool {
    let name = name.trim_start_matches('/');
    matches!(
        name,
        "br" | "br/" | "p" | "div" | "tr" | "li" | "blockquote" | "table" | "hr" | "pre"
    ) || name
        .strip_prefix('h')
        .is_some_and(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_to_text_is_readable() {
        let text = html_to_text(
            "<div style=\"display:none\">preheader</div><p>Hello <a href=\"https://x\">link</a>,</p><p>line two<br>line three</p>\
             <ul><li>a</li><li>b</li></ul><blockquote>quoted</blockquote><img src=\"cid:x\" alt=\"logo\">",
        );
        assert_eq!(text, "Hello link,\n\nline two\nline three\n- a\n- b\n\n> quoted");
    }

    /// Past the tag limit the linear stripper answers: block tags still end lines.
    #[test]
    fn reply_separators_become_rule_lines() {
        let text = html_to_text("<div>Ok.</div><hr style=\"width:98%\"><div><b>From:</b> S</div><html5>");
        assert_eq!(text, "Ok.\n\n________________________________\n\nFrom: S");
        let text =
            html_to_text("<p>Ok.</p><div style=\"border:none;border-top:solid #E1E1E1 1.0pt\"><p>Von: S</p></div>");
        assert!(text.contains("Ok.\n\n____"), "{text:?}");
        assert_eq!(html_to_text("<p>a</p><hrx>b</hrx>"), "a\n\nb");
    }

    #[test]
    fn huge_html_is_stripped_linearly() {
        let html = format!(
            "<div>{}</div>",
            "<p class=\"x\">line &amp; more</p><span>a</span>".repeat(20_000)
        );
        assert!(has_more_tags_than(&html, MAX_RENDERED_TAGS));
        let text = html_to_text(&html);
        assert!(text.starts_with("line & more\n a\nline & more\n"), "{}", &text[..60]);
        assert_eq!(text.lines().count(), 40_000);
        assert!(!has_more_tags_than("<p>a</p> 1 < 2", MAX_RENDERED_TAGS));
    }
}
