//! Input normalisation before MIME parsing: whatever a mailbox, a file or an HTTP client gave us
//! becomes one RFC 5322 message with CRLF line endings.
//!
//! - a UTF-8 byte-order mark and blank lines before the first header are dropped;
//! - a leading mbox `From ` separator line is dropped, and then the mboxrd escaping of body lines
//!   (`>From `, `>>From `, …) is undone by one level;
//! - every line ending (LF, CR, CRLF, and the `CR CR LF` that Windows text-mode writes produce)
//!   becomes CRLF;
//! - the header block is repaired so that every mail a mail client opens is read as one
//!   ([`repair_header_block`]): banner lines before the first header, NUL bytes, a space before
//!   a header's colon, a missing empty line between headers and body.
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
    // `From :` is a header with a space before its colon, not an mbox separator.
    let input = if input.starts_with(b"From ") && !input[5..].trim_ascii_start().starts_with(b":") {
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
    repair_header_block(out)
}

/// Whether `line` reads as a header field: a name of printable ASCII, then `:` (a space before
/// the colon is tolerated, as clients do).
pub fn is_header_line(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    let name = line[..colon].trim_ascii_end();
    !name.is_empty() && name.len() <= 76 && name.iter().all(|&b| b.is_ascii_graphic() && b != b':')
}

/// The header block as mail-parser needs it, from a CRLF text: lines before the first header
/// (a client's "Microsoft Mail Internet Headers Version 2.0" banner, a stray `>From ` line) are
/// dropped; NUL bytes among the headers are dropped; a space before a header's colon is
/// removed; and when the headers run straight into the body without the empty line, the empty
/// line is put back before the first line that is neither a header nor a continuation and after
/// which no header follows.
fn repair_header_block(text: Vec<u8>) -> Vec<u8> {
    let header_end = |t: &[u8]| find_subslice(t, b"\r\n\r\n").map_or(t.len(), |p| p + 2);
    let end = header_end(&text);
    // NUL bytes (a C program's string terminator written out) would end a header name early.
    let text = if text[..end].contains(&0) {
        let mut cleaned: Vec<u8> = text[..end].iter().copied().filter(|&b| b != 0).collect();
        cleaned.extend_from_slice(&text[end..]);
        cleaned
    } else {
        text
    };
    let end = header_end(&text);
    let lines: Vec<&[u8]> = text[..end]
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect();
    let first = lines.iter().take(20).position(|l| is_header_line(l));
    let Some(first) = first else { return text };
    let needs_repair = first > 0
        || lines
            .iter()
            .any(|l| !l.is_empty() && !is_header_line(l) && !l.starts_with(b" ") && !l.starts_with(b"\t"))
        || lines.iter().any(|l| {
            is_header_line(l)
                && l.iter()
                    .position(|&b| b == b':')
                    .is_some_and(|c| c > 0 && l[c - 1] == b' ')
        });
    if !needs_repair {
        return text;
    }
    let mut out = Vec::with_capacity(text.len() + 2);
    let last_header = lines.iter().rposition(|l| is_header_line(l)).unwrap_or(first);
    let mut in_body = false;
    for (i, line) in lines.iter().enumerate().skip(first) {
        if i + 1 == lines.len() && line.is_empty() {
            break;
        }
        let body_like =
            !in_body && i > last_header && !is_header_line(line) && !line.starts_with(b" ") && !line.starts_with(b"\t");
        if body_like && !line.is_empty() {
            out.extend_from_slice(b"\r\n");
            in_body = true;
        }
        if in_body || line.is_empty() {
            out.extend_from_slice(line);
        } else {
            out.extend(tidy_header_line(line));
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(&text[end.min(text.len())..]);
    out
}

/// A header line without spaces before the colon of its name.
fn tidy_header_line(line: &[u8]) -> Vec<u8> {
    let line = line.to_vec();
    match line.iter().position(|&b| b == b':') {
        Some(colon) if is_header_line(&line) && !line.starts_with(b" ") && !line.starts_with(b"\t") => {
            let mut fixed = line[..colon].trim_ascii_end().to_vec();
            fixed.extend_from_slice(&line[colon..]);
            fixed
        }
        _ => line,
    }
}

fn find_subslice(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
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
    fn repairs_the_header_block() {
        // A banner line before the headers, a NUL, a space before a colon.
        assert_eq!(
            normalize(b"Microsoft Mail Internet Headers Version 2.0\nSubject : x\0y\nFrom: a@x\n\nbody\n"),
            b"Subject: xy\r\nFrom: a@x\r\n\r\nbody\r\n"
        );
        // Headers straight into the body.
        assert_eq!(
            normalize(b"Subject: x\nFrom: a@x\nHello there.\nBye\n"),
            b"Subject: x\r\nFrom: a@x\r\n\r\nHello there.\r\nBye\r\n"
        );
        // A garbage line between headers is left for the MIME parser; continuations stay.
        assert_eq!(
            normalize(b"Subject: x\n y\ngarbage\nFrom: a@x\n\nb\n"),
            b"Subject: x\r\n y\r\ngarbage\r\nFrom: a@x\r\n\r\nb\r\n"
        );
        // `From :` is a header, not an mbox line.
        assert_eq!(normalize(b"From : a@x\n\nb"), b"From: a@x\r\n\r\nb\r\n");
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
