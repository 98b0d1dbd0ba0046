//! Input normalisation before MIME parsing: whatever a mailbox, a file or an HTTP client gave us
//! becomes one RFC 5322 message with CRLF line endings.
//!
//! - a UTF-8 byte-order mark and blank lines before the first header are dropped;
//! - a leading mbox `From ` separator line is dropped, and then the mboxrd escaping of body lines
//!   (`>From `, `>>From `, …) is undone by one level;
//! - every line ending (LF, CR, CRLF, and the `CR CR LF` that Windows text-mode writes produce)
//!   becomes CRLF.
//!
//! Binary (`Content-Transfer-Encoding: binary`) parts with bare CR/LF bytes are changed by the
//! line-ending conversion; such parts are vanishingly rare in mail and accepted as a limitation.

/// Normalises raw message bytes (see the module documentation).
pub fn normalize(raw: &[u8]) -> Vec<u8> {
    let input = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);

    // Blank lines and stray whitespace before the headers (leading spaces would make the first
    // header a continuation line).
    let input = input.trim_ascii_start();

    let mut from_stripped = false;
    let input = if input.starts_with(b"From ") {
        from_stripped = true;
        match input.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(pos) => &input[pos + line_ending_len(&input[pos..])..],
            None => &input[input.len()..],
        }
    } else {
        input
    };

    let mut out = Vec::with_capacity(input.len() + input.len() / 32 + 2);
    let mut i = 0;
    // One line per turn, copied whole: mails are mostly long runs between line breaks.
    while i < input.len() {
        if from_stripped && input[i] == b'>' {
            // mboxrd: a line matching `>+From ` lost one `>` when it was written.
            let quotes = input[i..].iter().take_while(|&&c| c == b'>').count();
            if input[i + quotes..].starts_with(b"From ") {
                i += 1;
            }
        }
        let end = memchr::memchr2(b'\r', b'\n', &input[i..]).map_or(input.len(), |p| i + p);
        out.extend_from_slice(&input[i..end]);
        if end == input.len() {
            break;
        }
        out.extend_from_slice(b"\r\n");
        i = end + line_ending_len(&input[end..]);
    }
    // A last header line without its line break would not be read as a header.
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Length of the line ending at the start of `rest` (`\n`, `\r\n`, `\r` or `\r\r\n`); at least 1
/// when `rest` starts with CR or LF.
fn line_ending_len(rest: &[u8]) -> usize {
    if rest.starts_with(b"\r\r\n") {
        3
    } else if rest.starts_with(b"\r\n") {
        2
    } else if rest.starts_with(b"\r") || rest.starts_with(b"\n") {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn converts_all_line_endings_to_crlf() {
        assert_eq!(
            normalize(b"A: 1\nB: 2\r\n\rbody\r\r\nend"),
            b"A: 1\r\nB: 2\r\n\r\nbody\r\nend\r\n"
        );
        assert_eq!(normalize(b"A: 1\r\n\r\nx\n"), b"A: 1\r\n\r\nx\r\n");
    }

    #[test]
    fn strips_mbox_from_line_and_unescapes() {
        let raw = b"From john@example.com Mon Jan  1 00:00:00 2024\nSubject: x\n\n>From here\n>>From there\n> quoted\n";
        assert_eq!(
            normalize(raw),
            b"Subject: x\r\n\r\nFrom here\r\n>From there\r\n> quoted\r\n"
        );
    }

    #[test]
    fn keeps_escaped_from_without_mbox_line() {
        assert_eq!(
            normalize(b"Subject: x\n\n>From here\n"),
            b"Subject: x\r\n\r\n>From here\r\n"
        );
    }

    #[test]
    fn drops_bom_and_leading_blank_lines() {
        assert_eq!(
            normalize(b"\xEF\xBB\xBF\n\r\n  \nSubject: x\n\nhi"),
            b"Subject: x\r\n\r\nhi\r\n"
        );
    }

    #[test]
    fn empty_and_garbage_do_not_panic() {
        assert!(normalize(b"").is_empty());
        assert!(normalize(b"\n\n\r").is_empty());
        assert_eq!(normalize(b"From "), b"");
        assert_eq!(normalize(b"\r"), b"");
        let _ = normalize(&[0xff, 0x0d, 0x0d, 0x0a, 0x3e]);
    }
}
