//! Untrusted HTML made safe to display.
//!
//! Sanitized with ammonia — no script/style/iframe/object/form, no `on*` handlers, links only
//! `http`/`https`/`mailto` (with `rel="noopener noreferrer"`), images only `cid:`,
//! `data:image/…` or remote. Remote images are not loaded: their `src` is removed and the
//! address kept in `data-remote-src`, so the UI can offer "load remote content". `cid:`
//! references stay as they are; [`rewrite_cid`] turns them into attachment URLs later.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Plain text as HTML (for a text part between HTML parts).
pub(crate) fn text_to_html(text: &str) -> String {
    let escaped = escape_html(text);
    format!("<p>{}</p>", escaped.replace('\n', "<br>\n"))
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn has_scheme(url: &str, schemes: &[&str]) -> bool {
    let url = url.trim().to_ascii_lowercase();
    schemes.iter().any(|s| url.starts_with(&format!("{s}:")))
}

fn is_remote(url: &str) -> bool {
    has_scheme(url, &["http", "https"]) || url.trim().starts_with("//")
}

fn is_allowed_data_image(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    ["png", "jpeg", "jpg", "gif", "webp", "bmp"]
        .iter()
        .any(|t| url.starts_with(&format!("data:image/{t}")))
}

/// The elements mail formatting needs; everything else is dropped (its text kept), and
/// `clean_content_tags` below drops script and style with their content.
const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "b",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = ALLOWED_TAGS.iter().copied().collect();
    let mut tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    tag_attributes.insert("a", ["href"].into_iter().collect());
    tag_attributes.insert("img", ["src", "alt", "width", "height"].into_iter().collect());
    for cell in ["td", "th"] {
        tag_attributes.insert(cell, ["colspan", "rowspan", "align", "valign"].into_iter().collect());
    }
    tag_attributes.insert("ol", ["start"].into_iter().collect());
    tag_attributes.insert("col", ["span"].into_iter().collect());
    tag_attributes.insert("colgroup", ["span"].into_iter().collect());
    tag_attributes.insert("bdo", ["dir"].into_iter().collect());
    tag_attributes.insert("p", ["align"].into_iter().collect());
    tag_attributes.insert("div", ["align"].into_iter().collect());

    let mut builder = ammonia::Builder::default();
    builder
        .tags(tags)
        .clean_content_tags(
            ["script", "style", "title", "template", "noscript"]
                .into_iter()
                .collect(),
        )
        .tag_attributes(tag_attributes)
        .generic_attributes(["title", "lang", "dir"].into_iter().collect())
        .url_schemes(["http", "https", "mailto", "cid", "data"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("a", "href") => has_scheme(value, &["http", "https", "mailto"]).then(|| value.into()),
            ("img", "src") => {
                (is_remote(value) || has_scheme(value, &["cid"]) || is_allowed_data_image(value)).then(|| value.into())
            }
            _ => Some(value.into()),
        });
    builder
});

/// Sanitizes untrusted HTML for display (see the module documentation).
pub fn sanitize_html(html: &str) -> String {
    let cleaned = SANITIZER.clean(html).to_string();
    rewrite_img_srcs(
        &cleaned,
        |src| {
            if is_remote(src) { ImgSrc::Remote } else { ImgSrc::Keep }
        },
    )
    .trim()
    .to_string()
}

/// Replaces `cid:` image sources by the URLs in `map` (keyed by Content-ID without angle
/// brackets; looked up as written, percent-decoded, and case-insensitively). Unknown ids are
/// left as they are.
pub fn rewrite_cid(html: &str, map: &HashMap<String, String>) -> String {
    let lowered: HashMap<String, &String> = map.iter().map(|(k, v)| (k.to_lowercase(), v)).collect();
    rewrite_img_srcs(html, |src| {
        let trimmed = src.trim();
        let Some(id) = trimmed
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("cid:"))
            .map(|_| &trimmed[4..])
        else {
            return ImgSrc::Keep;
        };
        let id = id.trim_start_matches('<').trim_end_matches('>');
        let decoded = crate::decode::percent_decode(id);
        let found = map
            .get(id)
            .or_else(|| map.get(&decoded))
            .or_else(|| lowered.get(&id.to_lowercase()).copied())
            .or_else(|| lowered.get(&decoded.to_lowercase()).copied());
        match found {
            Some(url) => ImgSrc::Replace(url.clone()),
            None => ImgSrc::Keep,
        }
    })
}

enum ImgSrc {
    Keep,
    /// Remove `src`, keep the address in `data-remote-src`.
    Remote,
    Replace(String),
}

/// Calls `decide` with the (unescaped) `src` of every `<img>` tag and rewrites the tag
/// accordingly. Works on serialized HTML whose attribute values are double-quoted (ammonia's
/// output); anything else is copied unchanged.
fn rewrite_img_srcs(html: &str, decide: impl Fn(&str) -> ImgSrc) -> String {
    // ASCII lowercasing keeps byte offsets, so positions in `lower` are positions in `html`.
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() + 64);
    let mut done = 0; // `html[..done]` is in `out`
    let mut search = 0;
    while let Some(found) = lower.get(search..).and_then(|l| l.find("<img")) {
        let pos = search + found;
        let after_name = pos + 4;
        if !html[after_name..].starts_with([' ', '\t', '\n', '/', '>']) {
            search = after_name;
            continue;
        }
        let Some(tag_len) = tag_end(&html[after_name..]) else {
            break;
        };
        out.push_str(&html[done..after_name]);
        out.push_str(&rewrite_tag_attrs(&html[after_name..after_name + tag_len], &decide));
        done = after_name + tag_len;
        search = done;
    }
    out.push_str(&html[done..]);
    out
}

/// Length of a tag's attribute part up to and including the closing `>`, respecting quotes.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

fn rewrite_tag_attrs(tag: &str, decide: &impl Fn(&str) -> ImgSrc) -> String {
    let lower = tag.to_ascii_lowercase();
    let Some(src_pos) = [" src=\"", "\tsrc=\"", "\nsrc=\""]
        .iter()
        .filter_map(|p| lower.find(p))
        .min()
    else {
        return tag.to_string();
    };
    let value_start = src_pos + 6;
    let Some(value_len) = tag[value_start..].find('"') else {
        return tag.to_string();
    };
    let value = unescape_attr(&tag[value_start..value_start + value_len]);
    let attr_end = value_start + value_len + 1;
    match decide(&value) {
        ImgSrc::Keep => tag.to_string(),
        ImgSrc::Replace(url) => {
            format!("{} src=\"{}\"{}", &tag[..src_pos], escape_attr(&url), &tag[attr_end..])
        }
        ImgSrc::Remote => {
            format!(
                "{} data-remote-src=\"{}\"{}",
                &tag[..src_pos],
                escape_attr(&value),
                &tag[attr_end..]
            )
        }
    }
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizer_removes_active_content() {
        let html = r#"<html><head><title>T</title><style>p{color:red}</style></head><body onload="x()">
            <p onclick="evil()" style="background:url(http://t/x)">Hi <b>there</b> <i>you</i></p>
            <script>alert(1)</script><iframe src="http://x"></iframe><object data="x"></object>
            <form action="http://x"><input name="a"></form>
            <a href="javascript:alert(1)">js</a> <a href="https://ok.example/a?b=1&c=2" target="_blank">ok</a>
            <a href="mailto:a@b.c">mail</a> <a href="/relative">rel</a>
            <img src="cid:logo@x" alt="logo"> <img src="https://tracker.example/p.gif?u=1&v=2" width="1">
            <img src="data:image/png;base64,AAAA"> <img src="data:text/html;base64,AAAA"> <img src="file:///etc/passwd">
            <ul><li>one</li></ul><table><tr><td colspan="2">cell</td></tr></table><blockquote>q</blockquote>
            </body></html>"#;
        let out = sanitize_html(html);
        for bad in [
            "script",
            "alert",
            "iframe",
            "object",
            "<form",
            "<input",
            "onclick",
            "onload",
            "style",
            "javascript:",
            "<title",
            "file:",
            "data:text",
            "/relative",
            "target=",
        ] {
            assert!(!out.contains(bad), "{bad} survived in {out}");
        }
        for good in [
            "<b>there</b>",
            "<i>you</i>",
            r#"href="https://ok.example/a?b=1&amp;c=2""#,
            r#"rel="noopener noreferrer""#,
            r#"href="mailto:a@b.c""#,
            r#"<img src="cid:logo@x" alt="logo">"#,
            r#"data-remote-src="https://tracker.example/p.gif?u=1&amp;v=2""#,
            r#"src="data:image/png;base64,AAAA""#,
            "<li>one</li>",
            r#"<td colspan="2">cell</td>"#,
            "<blockquote>q</blockquote>",
        ] {
            assert!(out.contains(good), "{good} missing in {out}");
        }
        assert!(
            !out.contains(" src=\"https://tracker"),
            "remote image would load: {out}"
        );
    }

    #[test]
    fn cid_rewriting() {
        let html = sanitize_html(
            r#"<p><img src="cid:image001.png@01D9" alt="a"><IMG SRC="cid:Other%40x"><img src="cid:unknown"></p>"#,
        );
        let mut map = HashMap::new();
        map.insert(
            "image001.png@01D9".to_string(),
            "/api/attachments/1?x=1&y=2".to_string(),
        );
        map.insert("other@x".to_string(), "/api/attachments/2".to_string());
        let out = rewrite_cid(&html, &map);
        assert!(out.contains(r#"src="/api/attachments/1?x=1&amp;y=2""#), "{out}");
        assert!(out.contains(r#"src="/api/attachments/2""#), "{out}");
        assert!(out.contains(r#"src="cid:unknown""#), "{out}");
        // Garbage in, no panic.
        let _ = rewrite_cid("<img src=\"cid:", &map);
        let _ = rewrite_cid("<img", &map);
        let _ = rewrite_cid("<imgé<img src=\"cid:é\">", &map);
    }
}
