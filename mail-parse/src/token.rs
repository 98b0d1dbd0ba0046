//! The ticket token in a subject line: `[#123]`, `{#123}`, or `#123` right after the word
//! `Ticket` or `Case` (any case, optional colon: `Re: Ticket #123`, `Case: #45`). A bare `#123`
//! elsewhere ("invoice #123") is not a token. The first token wins; `0` and numbers that do not fit
//! an `i64` are not tokens.

/// The ticket number named in `subject`, if any.
pub fn ticket_token(subject: &str) -> Option<i64> {
    let chars: Vec<char> = subject.chars().collect();
    for i in 0..chars.len() {
        if chars[i] != '#' {
            continue;
        }
        let digits: String = chars[i + 1..].iter().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() {
            continue;
        }
        let after = chars.get(i + 1 + digits.len()).copied();
        // Ticket numbers start at 1; `[#0]` and numbers beyond i64 are not tokens.
        let Some(number) = digits.parse::<i64>().ok().filter(|n| *n > 0) else {
            continue;
        };
        let bracketed = matches!(
            (i.checked_sub(1).map(|p| chars[p]), after),
            (Some('['), Some(']')) | (Some('{'), Some('}'))
        );
        let ends_cleanly = after.is_none_or(|c| !c.is_alphanumeric());
        if bracketed || (ends_cleanly && preceded_by_keyword(&chars[..i])) {
            return Some(number);
        }
    }
    None
}

/// True when `before` ends with `Ticket`/`Case` (a whole word), an optional colon and spaces.
fn preceded_by_keyword(before: &[char]) -> bool {
    let mut end = before.len();
    while end > 0 && before[end - 1].is_whitespace() {
        end -= 1;
    }
    if end > 0 && before[end - 1] == ':' {
        end -= 1;
        while end > 0 && before[end - 1].is_whitespace() {
            end -= 1;
        }
    }
    ["ticket", "case"].iter().any(|word| {
        let n = word.chars().count();
        end >= n
            && before[end - n..end].iter().collect::<String>().to_lowercase() == *word
            && (end == n || !before[end - n - 1].is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::ticket_token;

    #[test]
    fn bracketed_tokens() {
        assert_eq!(ticket_token("[#123] Printer broken"), Some(123));
        assert_eq!(ticket_token("Re: Printer broken {#45}"), Some(45));
        assert_eq!(ticket_token("RE: [#108749] Re: Checkout page error"), Some(108749));
    }

    #[test]
    fn keyword_tokens() {
        assert_eq!(ticket_token("Re: Ticket #123"), Some(123));
        assert_eq!(ticket_token("Case: #45 still open"), Some(45));
        assert_eq!(ticket_token("ticket#7"), Some(7));
        assert_eq!(ticket_token("About your TICKET:#8, thanks"), Some(8));
        assert_eq!(ticket_token("[Ticket #9]"), Some(9));
    }

    #[test]
    fn not_tokens() {
        assert_eq!(ticket_token("Invoice #123"), None);
        assert_eq!(ticket_token("#123"), None);
        assert_eq!(ticket_token("Tickets #5"), None);
        assert_eq!(ticket_token("Showcase #5"), None);
        assert_eq!(ticket_token("Ticket #12abc"), None);
        assert_eq!(ticket_token("[#12a]"), None);
        assert_eq!(ticket_token("[#]"), None);
        assert_eq!(ticket_token("[#99999999999999999999999]"), None);
        assert_eq!(ticket_token("Re: [#99999999999999999999] and [#0] and [#-5]"), None);
        assert_eq!(ticket_token("[#0] then [#7]"), Some(7));
        assert_eq!(ticket_token(""), None);
    }
}
