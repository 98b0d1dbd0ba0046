//! The placeholders of both template syntaxes — seed 002's `#Subject#` and seed 004's
//! `%{ticket.subject}` — found in a template, each resolved to one canonical name. The names
//! themselves are `protocol::placeholders` (the template editor lists the same table).

use protocol::placeholders::{HASH, PERCENT};

/// The name a `#CF_<id>#` placeholder resolves to (its id in [`Found::count`]).
pub const CUSTOM_FIELD: &str = "CF";

/// One placeholder occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Byte range in the template, delimiters included.
    pub start: usize,
    pub end: usize,
    /// As written, without delimiters (`10Recent_messages`, `ticket.subject`).
    pub written: String,
    /// The canonical name, `None` when unknown.
    pub name: Option<&'static str>,
    /// `#10Recent_messages#` → 10; `#CF_1234#` → the custom field id 1234.
    pub count: Option<usize>,
    /// `#RatingLinks(Please rate us)#` → the prompt.
    pub argument: Option<String>,
}

fn canonical(name: &str) -> Option<&'static str> {
    HASH.iter().map(|(k, _)| *k).find(|k| k.eq_ignore_ascii_case(name))
}

/// Every placeholder in `template`, in order. `#…#` counts only when the inside is an
/// identifier with at least one letter (so `[#123]` or `#1 and #2` are plain text).
pub fn scan(template: &str) -> Vec<Found> {
    let bytes = template.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                if let Some(f) = hash_at(template, i) {
                    i = f.end;
                    out.push(f);
                    continue;
                }
            }
            b'%' if bytes.get(i + 1) == Some(&b'{') => {
                if let Some(close) = template[i + 2..].find('}') {
                    let inner = &template[i + 2..i + 2 + close];
                    if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
                        let name = PERCENT
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(inner))
                            .map(|(_, v)| *v);
                        let end = i + 2 + close + 1;
                        out.push(Found {
                            start: i,
                            end,
                            written: inner.to_owned(),
                            name,
                            count: None,
                            argument: None,
                        });
                        i = end;
                        continue;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn hash_at(t: &str, start: usize) -> Option<Found> {
    let rest = &t[start + 1..];
    let ident_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let ident = &rest[..ident_len];
    if !ident.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut after = &rest[ident_len..];
    let mut argument = None;
    if let Some(arg) = after.strip_prefix('(') {
        let close = arg.find(')')?;
        argument = Some(arg[..close].to_owned());
        after = &arg[close + 1..];
    }
    if !after.starts_with('#') {
        return None;
    }
    let end = t.len() - after.len() + 1;
    let digits: String = ident.chars().take_while(|c| c.is_ascii_digit()).collect();
    let custom_field = ident
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("CF_"))
        .and_then(|_| ident[3..].parse::<usize>().ok());
    let (name, count) = if let Some(id) = custom_field {
        (Some(CUSTOM_FIELD), Some(id))
    } else if digits.is_empty() {
        (canonical(ident), None)
    } else {
        // `#10Recent_messages#`: only Recent_messages takes a count.
        let base = canonical(&ident[digits.len()..]).filter(|n| *n == "Recent_messages");
        (base, digits.parse().ok())
    };
    let name = name.filter(|n| argument.is_none() || *n == "RatingLinks");
    Some(Found {
        start,
        end,
        written: t[start + 1..end - 1].to_owned(),
        name,
        count,
        argument,
    })
}

/// The placeholders of `template` that mean nothing, as written.
pub fn unknown(template: &str) -> Vec<String> {
    scan(template)
        .into_iter()
        .filter(|f| f.name.is_none())
        .map(|f| f.written)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_syntaxes_resolve_to_one_name() {
        let f = scan("Re: #Subject# / %{ticket.subject} [#12] #1 and #2");
        let names: Vec<_> = f.iter().map(|f| f.name).collect();
        assert_eq!(names, vec![Some("Subject"), Some("Subject")]);
    }

    #[test]
    fn counts_and_arguments() {
        let f = scan("#10Recent_messages# #RatingLinks(Rate us!)#");
        assert_eq!(f[0].name, Some("Recent_messages"));
        assert_eq!(f[0].count, Some(10));
        assert_eq!(f[1].name, Some("RatingLinks"));
        assert_eq!(f[1].argument.as_deref(), Some("Rate us!"));
    }

    #[test]
    fn custom_fields_by_id_and_all_public_ones() {
        let f = scan("#CF_1234# #cf_7# #Custom_Fields# #TimeSpent#");
        assert_eq!((f[0].name, f[0].count), (Some(CUSTOM_FIELD), Some(1234)));
        assert_eq!((f[1].name, f[1].count), (Some(CUSTOM_FIELD), Some(7)));
        assert_eq!(f[2].name, Some("Custom_Fields"));
        assert_eq!(f[3].name, Some("TimeSpent"));
        assert_eq!(unknown("#CF_# #CF_x1# #CF#"), vec!["CF_", "CF_x1", "CF"]);
    }

    #[test]
    fn unknown_ones_are_reported() {
        assert_eq!(
            unknown("#Subjekt# %{ticket.owner} #Subject#"),
            vec!["Subjekt", "ticket.owner"]
        );
        assert_eq!(unknown("#10Subject#"), vec!["10Subject"]);
        assert!(unknown("Invoice #123 and [#4] and 100% {x}").is_empty());
    }
}
