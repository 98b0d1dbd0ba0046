//! Redaction of personal data in inbound mail, per mailbox: payment card numbers (13 to 19
//! digits, spaces or dashes between them, passing the Luhn check) keep only their last four
//! digits, and text matching the admin's own patterns (national ids, account numbers…) becomes
//! `[redacted]`. It runs on the parsed mail before anything is stored, so the message text and
//! HTML, the search index, notifications and logs never see the original; the raw journal keeps
//! it only as long as `retention.raw_mail_days` allows.

use mail_parse::parsed::ParsedMail;
use regex::Regex;

/// What a redacted pattern match becomes.
pub const REDACTED: &str = "[redacted]";

/// A mailbox's redaction: on or off, and its extra patterns (compiled once per mail batch).
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    patterns: Vec<Regex>,
}

impl Redactor {
    /// Card numbers plus `patterns` (one regex a line; a line that does not compile is refused
    /// when the admin saves it, see [`check_patterns`], and skipped here).
    pub fn new(patterns: &str) -> Self {
        Self {
            patterns: lines(patterns).filter_map(|p| Regex::new(p).ok()).collect(),
        }
    }

    /// Masks in place what the parsed mail shows anyone: subject, text, quoted history, HTML.
    pub fn apply(&self, parsed: &mut ParsedMail) {
        parsed.subject = self.text(&parsed.subject);
        parsed.text = self.text(&parsed.text);
        parsed.text_full = self.text(&parsed.text_full);
        if let Some(q) = parsed.quoted.as_mut() {
            *q = self.text(q);
        }
        if let Some(h) = parsed.html.as_mut() {
            *h = self.html(h);
        }
    }

    /// Plain text, masked.
    pub fn text(&self, s: &str) -> String {
        let mut out = mask_cards(s);
        for p in &self.patterns {
            out = p.replace_all(&out, REDACTED).into_owned();
        }
        out
    }

    /// HTML, masked in its text only: tags and attributes are left as they are.
    pub fn html(&self, html: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            out.push_str(&self.text(&rest[..start]));
            let end = rest[start..].find('>').map_or(rest.len(), |e| start + e + 1);
            out.push_str(&rest[start..end]);
            rest = &rest[end..];
        }
        out.push_str(&self.text(rest));
        out
    }
}

/// The admin's patterns, or the first one that is not a valid regex.
pub fn check_patterns(patterns: &str) -> Result<(), String> {
    for p in lines(patterns) {
        Regex::new(p).map_err(|e| format!("{p:?} is not a valid pattern: {e}"))?;
    }
    Ok(())
}

fn lines(patterns: &str) -> impl Iterator<Item = &str> {
    patterns.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// Every run of 13–19 digits (single spaces or dashes between them allowed) that passes the
/// Luhn check keeps its last four digits; the others become `•`. Separators stay, so the text
/// keeps its shape.
pub fn mask_cards(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric());
        if starts_number && let Some(end) = card_at(&chars, i) {
            let digits = chars[i..end].iter().filter(|c| c.is_ascii_digit()).count();
            let mut seen = 0;
            for &c in &chars[i..end] {
                if c.is_ascii_digit() {
                    seen += 1;
                    out.push(if seen > digits - 4 { c } else { '•' });
                } else {
                    out.push(c);
                }
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The end of a card number starting at `start`, if one does: the longest run of digits and
/// single separators with 13–19 digits that passes Luhn and is not glued to more digits.
fn card_at(chars: &[char], start: usize) -> Option<usize> {
    let mut digits = Vec::new();
    let mut ends = Vec::new();
    let mut i = start;
    while i < chars.len() && digits.len() < 19 {
        let c = chars[i];
        if let Some(d) = c.to_digit(10) {
            digits.push(d);
            ends.push((i + 1, digits.len()));
            i += 1;
        } else if (c == ' ' || c == '-') && i + 1 < chars.len() && chars[i + 1].is_ascii_digit() && !digits.is_empty() {
            i += 1;
        } else {
            break;
        }
    }
    ends.into_iter().rev().find_map(|(end, n)| {
        let glued = chars.get(end).is_some_and(|c| c.is_ascii_alphanumeric());
        ((13..=19).contains(&n) && !glued && luhn(&digits[..n])).then_some(end)
    })
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                (d * 2) % 9 + if d == 9 { 9 } else { 0 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_valid_card_numbers_keep_their_last_four_in_any_spacing() {
        assert_eq!(mask_cards("card 4111111111111111 ok"), "card ••••••••••••1111 ok");
        assert_eq!(mask_cards("4111 1111 1111 1111"), "•••• •••• •••• 1111");
        assert_eq!(mask_cards("4111-1111-1111-1111."), "••••-••••-••••-1111.");
        // Amex, 15 digits, and a 19-digit one.
        assert_eq!(mask_cards("3782 822463 10005"), "•••• •••••• •0005");
        assert!(mask_cards("5555555555554444").ends_with("4444"));
        assert!(mask_cards("5555555555554444").starts_with('•'));
    }

    #[test]
    fn other_numbers_are_left_alone() {
        for s in [
            "order 4111111111111112",        // fails Luhn
            "call 555 0100 now",             // too short
            "id A4111111111111111",          // glued to a letter
            "4111111111111111999999",        // part of a longer number
            "invoice 2024-12-07 total 1234", // dates and amounts
        ] {
            assert_eq!(mask_cards(s), s, "{s}");
        }
    }

    #[test]
    fn admin_patterns_and_html_text_only() {
        let r = Redactor::new("\\b\\d{3}-\\d{2}-\\d{4}\\b\n\n(bad[");
        assert_eq!(
            r.text("SSN 123-45-6789 card 4111111111111111"),
            "SSN [redacted] card ••••••••••••1111"
        );
        let html = r.html("<p title=\"4111111111111111\">pay with 4111 1111 1111 1111</p>");
        assert_eq!(html, "<p title=\"4111111111111111\">pay with •••• •••• •••• 1111</p>");
        assert!(check_patterns("\\d+\n(bad[").is_err());
        assert!(check_patterns("\\d+\n\n[a-z]{3}").is_ok());
    }
}
