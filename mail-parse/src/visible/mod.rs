//! The visible part of a mail: the new text of a reply, separated from the quoted history and
//! from the signature.
//!
//! Quoted history starts at the first of these (only when something was written above it —
//! a mail that *is* a forward or an Outlook header block with nothing before keeps its content):
//! - an attribution line: `On … wrote:` (also wrapped over up to three lines), `Am … schrieb …:`,
//!   `Le … a écrit :`, `El … escribió:`, `Il giorno … ha scritto:`, `Op … schreef …:`,
//!   `W dniu … pisze:`, `Em … escreveu:`, `… написал(а):`, `在 … 写道：`, or any `… wrote:` line
//!   directly followed by `>` lines;
//! - `-----Original Message-----` and its translations;
//! - an Outlook header block: `From:` followed by at least two of `Sent:`/`Date:`, `To:`,
//!   `Subject:` (German, French, Spanish, Italian, Dutch, Portuguese, Polish, Russian, Chinese
//!   labels too); a `____` / `----` / `───` rule line right above it belongs to the quote;
//! - forwarded-message headers (`---------- Forwarded message ---------`, `Begin forwarded
//!   message:`, …) and the line after which a bounce returns the original message
//!   (`------ This is a copy of the message …`, `--- Below this line is a copy of the message.`);
//! - a trailing run of `>`-quoted lines.
//!
//! A bottom-posted reply (attribution and `>` block first, the answer below) gives the answer as
//! the text. Interleaved answers between quoted blocks stay in the text, with the questions they
//! answer: cutting them would lose what the customer wrote.
//!
//! The signature is the part of the new text from a `-- ` (or `--`) delimiter line, or from a
//! mobile footer (`Sent from my iPhone`, `Get Outlook for Android`, `Von meinem iPhone gesendet`,
//! `Envoyé de mon iPhone`, `Enviado desde mi iPhone`, …) near the end, or a footer at the end: a
//! confidentiality disclaimer or a mailing-list footer below a rule line (`____`). A `-- `
//! signature written below the quoted history (bottom of a Thunderbird reply) is found too.
//!
//! Excluded text (configured disclaimers) is removed from all three parts, matching words with
//! any whitespace in between and ignoring case.

use std::borrow::Cow;

/// The new text, the signature and the quoted history of a mail body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visible {
    pub text: String,
    pub signature: Option<String>,
    pub quoted: Option<String>,
}

/// Splits `body` (lines separated by `\n`) into new text, signature and quoted history, and
/// removes every `excluded` text from them.
pub fn split(body: &str, excluded: &[String]) -> Visible {
    let lines: Vec<&str> = body.lines().collect();

    let (mut new_lines, mut quoted_lines): (Vec<&str>, Vec<&str>) = match find_quote_start(&lines) {
        Some((k, _)) if has_content(&lines[..k]) => (lines[..k].to_vec(), lines[k..].to_vec()),
        Some((0, MarkerKind::Attribution)) => match bottom_posted_answer(&lines) {
            // Answers interleaved with the quoted questions: all of it is what was written.
            Some(j) if lines[j..].iter().any(|l| l.trim_start().starts_with('>')) => (lines.clone(), Vec::new()),
            Some(j) => (lines[j..].to_vec(), lines[..j].to_vec()),
            None => (Vec::new(), lines.clone()),
        },
        Some(_) | None => (lines.clone(), Vec::new()),
    };

    // A trailing run of `>` lines (quoted history without an attribution line) goes first, so
    // that a footer like "Sent from my iPhone" right above it is at the end of the new text.
    move_trailing_quote(&mut new_lines, &mut quoted_lines);

    let mut signature_lines = match find_signature_start(&new_lines) {
        Some(s) => new_lines.split_off(s),
        None => Vec::new(),
    };
    // A confidentiality disclaimer or mailing-list footer at the end.
    if signature_lines.is_empty()
        && let Some(f) = find_footer_start(&new_lines)
    {
        signature_lines = new_lines.split_off(f);
    }
    // `reply / > quote / -- sig`: the quote was above the signature.
    move_trailing_quote(&mut new_lines, &mut quoted_lines);

    // A signature below the quoted history (`reply / On … wrote: / > … / -- sig`).
    if signature_lines.is_empty()
        && let Some(s) = signature_after_quote(&quoted_lines)
    {
        signature_lines = quoted_lines.split_off(s);
    }

    let text = remove_excluded(&join(&new_lines), excluded);
    let signature = Some(remove_excluded(&join(&signature_lines), excluded)).filter(|s| !s.is_empty());
    let quoted = Some(remove_excluded(&join(&quoted_lines), excluded)).filter(|s| !s.is_empty());
    Visible {
        text,
        signature,
        quoted,
    }
}

fn join(lines: &[&str]) -> String {
    let text = lines.join("\n");
    let trimmed: Vec<&str> = text.lines().map(str::trim_end).collect();
    trimmed.join("\n").trim_matches('\n').to_string()
}

fn has_content(lines: &[&str]) -> bool {
    lines.iter().any(|l| !l.trim().is_empty())
}

const TYPOGRAPHIC_SPACES: [char; 3] = ['\u{a0}', '\u{202f}', '\u{2007}'];

/// The line with typographic spaces made plain, trimmed, with bold markers removed. Every line
/// of every mail passes here several times: the usual line, without typographic spaces, is
/// only sliced.
fn norm(line: &str) -> Cow<'_, str> {
    fn strip(s: &str) -> &str {
        s.trim().trim_start_matches('*').trim_start_matches('_').trim()
    }
    // `is_ascii` reads a word at a time; the char search only for the rest.
    if !line.is_ascii() && line.contains(TYPOGRAPHIC_SPACES) {
        Cow::Owned(strip(&line.replace(TYPOGRAPHIC_SPACES, " ")).to_owned())
    } else {
        Cow::Borrowed(strip(line))
    }
}

/// More than `n` characters (a string of at most `n` bytes never is: no count needed).
fn longer_than(s: &str, n: usize) -> bool {
    s.len() > n && s.chars().count() > n
}

/// Every attribution, separator and header label ends with a colon (or its full-width form):
/// a line without one is none of them, and need not be lowercased to be sure.
fn has_colon(s: &str) -> bool {
    s.contains([':', '：'])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkerKind {
    Attribution,
    Separator,
}

/// The index of the first line of quoted history, and what kind of marker starts it.
fn find_quote_start(lines: &[&str]) -> Option<(usize, MarkerKind)> {
    for i in 0..lines.len() {
        if lines[i].trim_start().starts_with('>') {
            continue;
        }
        if is_attribution(lines, i) {
            return Some((i, MarkerKind::Attribution));
        }
        if is_original_message_line(lines[i]) || is_forward_header(lines[i]) || is_bounce_copy_line(lines[i]) {
            return Some((i, MarkerKind::Separator));
        }
        if is_header_block(lines, i) {
            // Include a rule line (and blank lines) right above the block.
            let mut start = i;
            let mut j = i;
            while j > 0 && lines[j - 1].trim().is_empty() {
                j -= 1;
            }
            if j > 0 && is_rule_line(lines[j - 1]) {
                start = j - 1;
            }
            return Some((start, MarkerKind::Separator));
        }
        if is_rule_line(lines[i]) && is_underscore_line(lines[i]) && next_nonblank_is_from(lines, i + 1) {
            return Some((i, MarkerKind::Separator));
        }
    }
    None
}

struct Family {
    prefixes: &'static [&'static str],
    /// The (joined) line ends with one of these…
    suffixes: &'static [&'static str],
    /// …or contains one of these and ends with `:`.
    infixes: &'static [&'static str],
}

const FAMILIES: &[Family] = &[
    Family {
        prefixes: &["on "],
        suffixes: &["wrote:", "writes:", "wrote :"],
        infixes: &[],
    },
    Family {
        prefixes: &["am "],
        suffixes: &["schrieb:"],
        infixes: &[" schrieb "],
    },
    Family {
        prefixes: &["le "],
        suffixes: &["a écrit :", "a écrit:", "a ecrit :", "a ecrit:"],
        infixes: &[],
    },
    Family {
        prefixes: &["el "],
        suffixes: &["escribió:", "escribio:", "escribió :"],
        infixes: &[],
    },
    Family {
        prefixes: &["il giorno ", "il "],
        suffixes: &["ha scritto:", "ha scritto :"],
        infixes: &[],
    },
    Family {
        prefixes: &["op "],
        suffixes: &["schreef:", "het volgende geschreven:"],
        infixes: &[" schreef "],
    },
    Family {
        prefixes: &["w dniu "],
        suffixes: &["pisze:", "napisał:", "napisała:", "napisał(a):"],
        infixes: &[],
    },
    Family {
        prefixes: &["em "],
        suffixes: &["escreveu:", "escreveu :"],
        infixes: &[],
    },
    Family {
        prefixes: &["den "],
        suffixes: &["skrev:"],
        infixes: &[],
    },
    Family {
        prefixes: &[""],
        suffixes: &[
            "написал(а):",
            "написала:",
            "написал:",
            "写道：",
            "写道:",
            "寫道：",
            "寫道:",
        ],
        infixes: &[],
    },
];

/// Whether an attribution line (`On … wrote:` and its translations) starts at line `i`.
fn is_attribution(lines: &[&str], i: usize) -> bool {
    let first = norm(lines[i]);
    if first.is_empty() || longer_than(&first, 300) {
        return false;
    }
    let mut joined = first.to_string();
    for extra in 0..3 {
        if extra > 0 {
            let Some(next) = lines.get(i + extra) else { break };
            let next = norm(next);
            let prev_ends_sentence = joined.ends_with(['.', '!', '?']);
            if next.is_empty() || next.starts_with('>') || prev_ends_sentence || longer_than(&joined, 300) {
                break;
            }
            joined.push(' ');
            joined.push_str(&next);
            // Wrapped attributions carry a date or an address; plain prose does not.
            if !joined.contains(|c: char| c.is_ascii_digit()) && !joined.contains('@') {
                continue;
            }
        }
        if attribution_matches(&joined) {
            return true;
        }
    }
    // `John Doe <john@example.com> wrote:` directly followed by quoted lines.
    if !first.ends_with(':') {
        return false;
    }
    let lower = first.to_lowercase();
    (lower.ends_with("wrote:") || lower.ends_with("writes:")) && next_nonblank_starts_with_quote(lines, i + 1)
}

fn attribution_matches(joined: &str) -> bool {
    if !joined.ends_with([':', '：']) {
        return false;
    }
    let lower = joined.to_lowercase();
    FAMILIES.iter().any(|f| {
        f.prefixes.iter().any(|p| lower.starts_with(p))
            && (f.suffixes.iter().any(|s| lower.ends_with(s))
                || (lower.ends_with(':') && f.infixes.iter().any(|inf| lower.contains(inf))))
    })
}

fn next_nonblank_starts_with_quote(lines: &[&str], from: usize) -> bool {
    lines
        .iter()
        .skip(from)
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with('>'))
}

fn is_original_message_line(line: &str) -> bool {
    let n = norm(line);
    if !n.starts_with("--") {
        return false;
    }
    let n = n.to_lowercase();
    let inner = n.trim_matches(|c: char| c == '-' || c.is_whitespace());
    [
        "original message",
        "ursprüngliche nachricht",
        "original nachricht",
        "originalnachricht",
        "message d'origine",
        "message d’origine",
        "mensaje original",
        "messaggio originale",
        "oorspronkelijk bericht",
        "mensagem original",
        "wiadomość oryginalna",
        "исходное сообщение",
        "原始邮件",
    ]
    .contains(&inner)
}

fn is_forward_header(line: &str) -> bool {
    let n = norm(line);
    if !(n.starts_with("--") || n.starts_with("==") || has_colon(&n)) {
        return false;
    }
    let n = n.to_lowercase();
    let inner = n.trim_matches(|c: char| c == '-' || c == '=' || c.is_whitespace());
    let dashed = n.starts_with("--") || n.starts_with("==");
    (dashed
        && [
            "forwarded message",
            "forwarded message follows",
            "weitergeleitete nachricht",
            "message transféré",
            "mensaje reenviado",
            "messaggio inoltrato",
            "doorgestuurd bericht",
            "mensagem encaminhada",
            "пересылаемое сообщение",
            "转发的邮件",
        ]
        .contains(&inner))
        || [
            "begin forwarded message:",
            "anfang der weitergeleiteten nachricht:",
            "début du message réexpédié :",
            "début du message réexpédié:",
            "inicio del mensaje reenviado:",
            "inizio messaggio inoltrato:",
            "begin doorgestuurd bericht:",
        ]
        .contains(&n.as_str())
}

/// The line in a bounce after which the returned message follows.
fn is_bounce_copy_line(line: &str) -> bool {
    let n = norm(line);
    if !n.starts_with("--") {
        return false;
    }
    let n = n.to_lowercase();
    n.contains("copy of the message") || n.contains("original message follows") || n.contains("returned message")
}

/// A horizontal rule in text: `____`, `----`, `───`, `===` (at least 8 characters, nothing else).
fn is_rule_line(line: &str) -> bool {
    let t = line.trim();
    t.chars().count() >= 8 && t.chars().all(|c| matches!(c, '_' | '-' | '─' | '━' | '=' | '—'))
}

fn is_underscore_line(line: &str) -> bool {
    line.trim().chars().all(|c| c == '_')
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Field {
    From,
    Sent,
    To,
    Subject,
    Cc,
}

const FIELD_LABELS: &[(Field, &[&str])] = &[
    (
        Field::From,
        &[
            "from:",
            "von:",
            "de:",
            "de :",
            "da:",
            "van:",
            "od:",
            "от:",
            "fra:",
            "från:",
            "lähettäjä:",
            "发件人:",
            "发件人：",
            "寄件者:",
            "寄件者：",
            "差出人:",
        ],
    ),
    (
        Field::Sent,
        &[
            "sent:",
            "date:",
            "gesendet:",
            "datum:",
            "envoyé :",
            "envoyé:",
            "date :",
            "enviado:",
            "enviado el:",
            "fecha:",
            "inviato:",
            "data:",
            "verzonden:",
            "wysłano:",
            "отправлено:",
            "дата:",
            "发送时间:",
            "发送时间：",
            "日期:",
            "日期：",
            "sent at:",
        ],
    ),
    (
        Field::To,
        &[
            "to:",
            "an:",
            "à :",
            "à:",
            "a :",
            "para:",
            "a:",
            "aan:",
            "do:",
            "кому:",
            "收件人:",
            "收件人：",
            "til:",
            "till:",
        ],
    ),
    (
        Field::Subject,
        &[
            "subject:",
            "betreff:",
            "objet :",
            "objet:",
            "asunto:",
            "oggetto:",
            "onderwerp:",
            "temat:",
            "тема:",
            "主题:",
            "主题：",
            "assunto:",
            "emne:",
            "ämne:",
        ],
    ),
    (
        Field::Cc,
        &["cc:", "cc :", "kopie:", "copia:", "dw:", "копия:", "抄送:", "抄送："],
    ),
];

fn field_of(line: &str) -> Option<Field> {
    let n = norm(line);
    if !has_colon(&n) {
        return None;
    }
    let n = n.to_lowercase();
    FIELD_LABELS
        .iter()
        .find(|(_, labels)| labels.iter().any(|l| n.starts_with(l)))
        .map(|(f, _)| *f)
}

/// `From:` at line `i` followed by at least two of Sent/Date, To, Subject (or all of them inline).
fn is_header_block(lines: &[&str], i: usize) -> bool {
    if field_of(lines[i]) != Some(Field::From) {
        return false;
    }
    let lower = norm(lines[i]).to_lowercase();
    let inline = ["sent:", "date:", "to:", "subject:"]
        .iter()
        .filter(|l| lower.contains(&format!(" {l}")))
        .count();
    if inline >= 3 {
        return true;
    }
    let mut seen: Vec<Field> = Vec::new();
    for line in lines.iter().skip(i + 1).take(8) {
        if line.trim().is_empty() {
            if seen.is_empty() {
                continue;
            }
            break;
        }
        match field_of(line) {
            Some(f) if f != Field::From && f != Field::Cc && !seen.contains(&f) => seen.push(f),
            Some(_) => {}
            // Folded long To:/Cc: lists continue on the next line.
            None if !seen.is_empty() => {}
            None => break,
        }
    }
    seen.len() >= 2
}

fn next_nonblank_is_from(lines: &[&str], from: usize) -> bool {
    lines
        .iter()
        .skip(from)
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| field_of(l) == Some(Field::From))
}

/// For a mail that starts with an attribution: the first line after the quoted block, when an
/// answer follows it.
fn bottom_posted_answer(lines: &[&str]) -> Option<usize> {
    let mut j = 1;
    let mut saw_quote = false;
    while j < lines.len() && (lines[j].trim().is_empty() || lines[j].trim_start().starts_with('>')) {
        saw_quote |= lines[j].trim_start().starts_with('>');
        j += 1;
    }
    (saw_quote && has_content(&lines[j..])).then_some(j)
}

/// Moves a trailing run of `>` lines at the end of `new_lines` to the front of `quoted_lines`
/// (unless nothing would be left).
fn move_trailing_quote<'a>(new_lines: &mut Vec<&'a str>, quoted_lines: &mut Vec<&'a str>) {
    if let Some(t) = trailing_quote_start(new_lines)
        && has_content(&new_lines[..t])
    {
        let mut tail = new_lines.split_off(t);
        tail.append(quoted_lines);
        *quoted_lines = tail;
    }
}

/// A `-- ` signature block after the last `>` line of the quoted history.
fn signature_after_quote(quoted: &[&str]) -> Option<usize> {
    let last_quote = quoted.iter().rposition(|l| l.trim_start().starts_with('>'))?;
    let tail = &quoted[last_quote + 1..];
    let s = tail.iter().position(|l| *l == "-- " || l.trim_end() == "--")?;
    let rest = tail[s + 1..].iter().filter(|l| !l.trim().is_empty()).count();
    (rest > 0 && rest <= 20).then_some(last_quote + 1 + s)
}

/// Where a trailing run of `>` lines (with blank lines) starts.
fn trailing_quote_start(lines: &[&str]) -> Option<usize> {
    let mut start = lines.len();
    let mut saw_quote = false;
    while start > 0 {
        let l = lines[start - 1].trim_start();
        if l.starts_with('>') {
            saw_quote = true;
        } else if !l.is_empty() {
            break;
        }
        start -= 1;
    }
    if !saw_quote {
        return None;
    }
    while start < lines.len() && lines[start].trim().is_empty() {
        start += 1;
    }
    Some(start)
}

const MOBILE_FOOTERS: &[&str] = &[
    "sent from my ",
    "sent from mail for windows",
    "sent from outlook",
    "sent from yahoo mail",
    "sent from proton mail",
    "sent from protonmail",
    "sent from samsung",
    "sent from the all new aol app",
    "sent from aol",
    "sent via ",
    "sent with proton mail",
    "get outlook for ",
    "von meinem ",
    "gesendet von meinem ",
    "gesendet von ",
    "envoyé de mon ",
    "envoyé depuis mon ",
    "envoyé à partir de ",
    "enviado desde mi ",
    "enviado desde ",
    "enviado do meu ",
    "enviado de meu ",
    "inviato da ",
    "verzonden vanaf mijn ",
    "verstuurd vanaf mijn ",
    "wysłane z mojego ",
    "отправлено с ",
    "发自我的",
    "從我的",
];

fn is_mobile_footer(line: &str) -> bool {
    let n = norm(line).to_lowercase();
    n.chars().count() <= 80 && MOBILE_FOOTERS.iter().any(|p| n.starts_with(p))
}

/// Where the signature of the new text starts.
fn find_signature_start(lines: &[&str]) -> Option<usize> {
    // Non-empty lines after each line (one pass, so long bodies stay linear).
    let mut rest_after = vec![0usize; lines.len()];
    let mut count = 0;
    for i in (0..lines.len()).rev() {
        rest_after[i] = count;
        count += usize::from(!lines[i].trim().is_empty());
    }
    // The last `-- ` delimiter; a bare `--` only with a short tail.
    let delimiter = (0..lines.len()).rev().find(|&i| {
        let rest = rest_after[i];
        rest > 0 && (lines[i] == "-- " || (lines[i].trim_end() == "--" && rest <= 20))
    });
    let mobile = (0..lines.len()).find(|&i| rest_after[i] <= 3 && is_mobile_footer(lines[i]));
    [delimiter, mobile].into_iter().flatten().min()
}

const DISCLAIMER_WORDS: &[&str] = &[
    "confidential",
    "intended recipient",
    "privileged",
    "if you have received this",
    "if you are not the intended",
    "vertraulich",
    "nicht der richtige adressat",
    "confidentiel",
    "destinataire",
    "confidencial",
    "destinatario",
    "riservat",
];

const LIST_FOOTER_WORDS: &[&str] = &["mailing list", "listinfo", "unsubscribe", "mailman"];

/// Where a footer starts at the end of the new text: a confidentiality disclaimer (after a rule
/// line, or a paragraph with at least two disclaimer phrases) or a mailing-list footer after a
/// rule line. At most 12 lines; the smallest such block at the bottom, extended upwards over
/// further disclaimer paragraphs.
fn find_footer_start(lines: &[&str]) -> Option<usize> {
    let qualifies = |i: usize| -> Option<bool> {
        let is_rule = is_rule_line(lines[i]);
        if !is_rule && !lines[i].trim().is_empty() {
            return Some(false);
        }
        let content: Vec<&str> = lines[i + 1..]
            .iter()
            .copied()
            .filter(|l| !l.trim().is_empty() && !is_rule_line(l))
            .collect();
        if content.is_empty() {
            return Some(false);
        }
        if content.len() > 12 {
            return None;
        }
        let lower = content.join(" ").to_lowercase();
        let disclaimer_hits = DISCLAIMER_WORDS.iter().filter(|w| lower.contains(*w)).count();
        let list_footer = LIST_FOOTER_WORDS.iter().any(|w| lower.contains(w));
        Some((is_rule && (disclaimer_hits >= 1 || list_footer)) || disclaimer_hits >= 2)
    };
    let mut found = None;
    for i in (0..lines.len()).rev() {
        match qualifies(i) {
            Some(true) => {
                found = Some(i);
                break;
            }
            Some(false) => {}
            None => return None,
        }
    }
    let mut start = found?;
    // Blank lines and a rule line directly above belong to the footer too.
    while start > 0 && (lines[start - 1].trim().is_empty() || is_rule_line(lines[start - 1])) {
        start -= 1;
    }
    has_content(&lines[..start]).then_some(start)
}

/// Removes every occurrence of each excluded text, matching words with any whitespace in between
/// and ignoring case, then tidies the blank lines left behind.
pub fn remove_excluded(text: &str, excluded: &[String]) -> String {
    let mut text = text.to_string();
    for needle in excluded {
        let needle_words: Vec<String> = needle.split_whitespace().map(str::to_lowercase).collect();
        if needle_words.is_empty() {
            continue;
        }
        let words = word_spans(&text);
        let mut ranges = Vec::new();
        let mut s = 0;
        while s + needle_words.len() <= words.len() {
            if needle_words.iter().enumerate().all(|(k, w)| words[s + k].2 == *w) {
                ranges.push((words[s].0, words[s + needle_words.len() - 1].1));
                s += needle_words.len();
            } else {
                s += 1;
            }
        }
        if ranges.is_empty() {
            continue;
        }
        let mut kept = String::with_capacity(text.len());
        let mut done = 0;
        for (start, end) in ranges {
            kept.push_str(&text[done..start]);
            done = end;
        }
        kept.push_str(&text[done..]);
        text = kept;
    }
    tidy_blank_lines(&text)
}

fn word_spans(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, i, text[s..i].to_lowercase()));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len(), text[s..].to_lowercase()));
    }
    out
}

fn tidy_blank_lines(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() && out.last().is_some_and(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    out.join("\n").trim_matches('\n').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(body: &str) -> Visible {
        split(body, &[])
    }

    fn check(body: &str, text: &str, signature: Option<&str>, quoted: Option<&str>) {
        let v = s(body);
        assert_eq!(v.text, text, "text of {body:?}");
        assert_eq!(v.signature.as_deref(), signature, "signature of {body:?}");
        assert_eq!(v.quoted.as_deref(), quoted, "quoted of {body:?}");
    }

    #[test]
    fn plain_mail_is_all_text() {
        check(
            "Hello,\n\nmy printer is broken.\n\nThanks\nAnn\n",
            "Hello,\n\nmy printer is broken.\n\nThanks\nAnn",
            None,
            None,
        );
        check("", "", None, None);
    }

    #[test]
    fn english_attribution() {
        check(
            "Thanks, works now.\n\nOn Mon, Jan 1, 2024 at 10:00 AM Support <support@x.com> wrote:\n> Try again.\n",
            "Thanks, works now.",
            None,
            Some("On Mon, Jan 1, 2024 at 10:00 AM Support <support@x.com> wrote:\n> Try again."),
        );
    }

    #[test]
    fn wrapped_attribution() {
        let v = s("Yes.\n\nOn Mon, Jan 1, 2024 at 10:00 AM Support Team <\nsupport@x.com> wrote:\n\n> Try again.");
        assert_eq!(v.text, "Yes.");
        assert!(v.quoted.is_some_and(|q| q.starts_with("On Mon")));
        let v = s("Yes.\n\nOn 01/01/2024 10:00, Support Team\nwrote:\n> old");
        assert_eq!(v.text, "Yes.");
    }

    #[test]
    fn prose_starting_with_on_is_not_a_quote() {
        let body =
            "Hi,\n\nOn Monday we deployed the new version.\nSince then the export fails.\nBob wrote: it is slow.\n";
        check(body, body.trim_end(), None, None);
        let body = "On Monday we deployed.\nThe team wrote:\nnothing.";
        assert_eq!(s(body).text, body);
    }

    #[test]
    fn localized_attributions() {
        for header in [
            "Am 01.02.2024 um 10:00 schrieb Max Mustermann <max@example.de>:",
            "Le lun. 1 janv. 2024 à 10:00, Jean <jean@example.fr> a écrit :",
            "Le 1 janv. 2024 à 10:00, Jean <jean@example.fr> a\u{a0}écrit\u{a0}:",
            "El lun, 1 ene 2024 a las 10:00, Juan (<juan@example.es>) escribió:",
            "Il giorno lun 1 gen 2024 alle ore 10:00 Mario <mario@example.it> ha scritto:",
            "Op ma 1 jan. 2024 om 10:00 schreef Jan <jan@example.nl>:",
            "Op 1 jan. 2024, om 10:00 heeft Jan <jan@example.nl> het volgende geschreven:",
            "W dniu 1.01.2024 o 10:00, Jan <jan@example.pl> pisze:",
            "Em seg., 1 de jan. de 2024 às 10:00, João <joao@example.br> escreveu:",
            "1 янв. 2024 г., в 10:00, Иван <ivan@example.ru> написал(а):",
            "在 2024年1月1日 10:00，张三 <zhang@example.cn> 写道：",
        ] {
            let body = format!("New text.\n\n{header}\n> old text\n");
            let v = s(&body);
            assert_eq!(v.text, "New text.", "for {header}");
            assert_eq!(
                v.quoted.as_deref(),
                Some(format!("{header}\n> old text").as_str()),
                "for {header}"
            );
        }
    }

    #[test]
    fn outlook_original_message() {
        check(
            "Please see below.\n\n-----Original Message-----\nFrom: A\nSent: Monday\nTo: B\nSubject: x\n\nold",
            "Please see below.",
            None,
            Some("-----Original Message-----\nFrom: A\nSent: Monday\nTo: B\nSubject: x\n\nold"),
        );
        assert_eq!(s("Ok\n-----Ursprüngliche Nachricht-----\nVon: A").text, "Ok");
    }

    #[test]
    fn outlook_header_blocks() {
        for block in [
            "From: Support <support@x.com>\nSent: Monday, January 1, 2024 10:00 AM\nTo: Ann <ann@y.com>\nSubject: RE: Printer",
            "Von: Support <support@x.com>\nGesendet: Montag, 1. Januar 2024 10:00\nAn: Ann <ann@y.com>\nBetreff: AW: Drucker",
            "De : Support <support@x.com>\nEnvoyé : lundi 1 janvier 2024 10:00\nÀ : Ann <ann@y.com>\nObjet : RE: Imprimante",
            "De: Support <support@x.com>\nEnviado: lunes, 1 de enero de 2024 10:00\nPara: Ann <ann@y.com>\nAsunto: RE: Impresora",
            "*From:* Support <support@x.com>\n*Sent:* Monday\n*To:* Ann\n*Subject:* RE: Printer",
            "From: Support <support@x.com>\nDate: Monday\nTo: Ann <ann@y.com>,\n  Bob <bob@y.com>\nCc: C <c@y.com>\nSubject: RE: Printer",
        ] {
            let body = format!("Thanks!\n\n{block}\n\nold text");
            let v = s(&body);
            assert_eq!(v.text, "Thanks!", "for {block}");
            assert_eq!(v.quoted.as_deref(), Some(format!("{block}\n\nold text").as_str()));
        }
    }

    #[test]
    fn underscore_separator() {
        check(
            "Done.\n\n________________________________\nFrom: Support <support@x.com>\nSent: Monday\nTo: Ann\nSubject: x\n\nold",
            "Done.",
            None,
            Some(
                "________________________________\nFrom: Support <support@x.com>\nSent: Monday\nTo: Ann\nSubject: x\n\nold",
            ),
        );
        check(
            "Done.\n________________________________\nFrom: Support <support@x.com>\nold",
            "Done.",
            None,
            Some("________________________________\nFrom: Support <support@x.com>\nold"),
        );
        // A rule line in the content is not a quote marker.
        check(
            "Table:\n________________\nrow",
            "Table:\n________________\nrow",
            None,
            None,
        );
    }

    #[test]
    fn forwarded_messages() {
        check(
            "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: X <x@y.com>\nDate: Mon\nSubject: s\nTo: <a@b.com>\n\nbody",
            "FYI, see below.",
            None,
            Some(
                "---------- Forwarded message ---------\nFrom: X <x@y.com>\nDate: Mon\nSubject: s\nTo: <a@b.com>\n\nbody",
            ),
        );
        check(
            "See this\n\nBegin forwarded message:\n\nFrom: X\nold",
            "See this",
            None,
            Some("Begin forwarded message:\n\nFrom: X\nold"),
        );
        // A bare forward keeps its content as the text.
        let body = "---------- Forwarded message ---------\nFrom: X <x@y.com>\n\nThe server is down.";
        check(body, body, None, None);
    }

    #[test]
    fn trailing_quoted_run() {
        check(
            "Sure.\n\n> Can you?\n> Please.\n",
            "Sure.",
            None,
            Some("> Can you?\n> Please."),
        );
        // Interleaved answers stay.
        check("> Q1\nA1\n> Q2\nA2", "> Q1\nA1\n> Q2\nA2", None, None);
    }

    #[test]
    fn bottom_posting() {
        check(
            "On Mon, Jan 1, 2024 at 10:00 AM Support <s@x.com> wrote:\n> Try again.\n\nIt works now.\n",
            "It works now.",
            None,
            Some("On Mon, Jan 1, 2024 at 10:00 AM Support <s@x.com> wrote:\n> Try again."),
        );
    }

    #[test]
    fn signatures() {
        check("Hi\n\n-- \nAnn Smith\nACME", "Hi", Some("--\nAnn Smith\nACME"), None);
        check("Hi\n--\nAnn", "Hi", Some("--\nAnn"), None);
        check("Hi\n\nSent from my iPhone", "Hi", Some("Sent from my iPhone"), None);
        check(
            "Hi\n\nGet Outlook for Android",
            "Hi",
            Some("Get Outlook for Android"),
            None,
        );
        check(
            "Hallo\n\nVon meinem iPhone gesendet",
            "Hallo",
            Some("Von meinem iPhone gesendet"),
            None,
        );
        check(
            "Salut\n\nEnvoyé de mon iPhone",
            "Salut",
            Some("Envoyé de mon iPhone"),
            None,
        );
        check(
            "Hola\n\nEnviado desde mi iPhone",
            "Hola",
            Some("Enviado desde mi iPhone"),
            None,
        );
        check(
            "Works.\n\nSent from my iPhone\n\nOn 1 Jan 2024, at 10:00, S <s@x.com> wrote:\n\n> old",
            "Works.",
            Some("Sent from my iPhone"),
            Some("On 1 Jan 2024, at 10:00, S <s@x.com> wrote:\n\n> old"),
        );
        check("Reply\n\n> old\n\n-- \nsig", "Reply", Some("--\nsig"), Some("> old"));
        // Not signatures.
        check("a -- b\n---\nc", "a -- b\n---\nc", None, None);
        let long = format!("Hi\n--\n{}", "line\n".repeat(30));
        assert_eq!(s(&long).signature, None);
        check(
            "I sent from my phone yesterday.\nMore text.\nMore.\nMore.\nMore.",
            "I sent from my phone yesterday.\nMore text.\nMore.\nMore.\nMore.",
            None,
            None,
        );
    }

    #[test]
    fn footers() {
        check(
            "Please help.\n\nAnn\n\n______________\nThis e-mail is confidential. If you are not the intended recipient, delete it.\n______________",
            "Please help.\n\nAnn",
            Some(
                "______________\nThis e-mail is confidential. If you are not the intended recipient, delete it.\n______________",
            ),
            None,
        );
        check(
            "Tip: use plus addresses.\n\nErik\n_______________________________________________\nusers mailing list\nusers@lists.example.org\nhttps://lists.example.org/mailman/listinfo/users",
            "Tip: use plus addresses.\n\nErik",
            Some(
                "_______________________________________________\nusers mailing list\nusers@lists.example.org\nhttps://lists.example.org/mailman/listinfo/users",
            ),
            None,
        );
        // One mention of "confidential" in prose is not a disclaimer.
        let body = "Hi,\n\nplease keep the attached price list confidential.\n\nThanks";
        check(body, body, None, None);
    }

    #[test]
    fn bounce_copies() {
        let v = s(
            "Delivery failed.\n\n------ This is a copy of the message, including all the headers. ------\nReturn-Path: <a@b>\n",
        );
        assert_eq!(v.text, "Delivery failed.");
        let v = s("Sorry.\n\n--- Below this line is a copy of the message.\n\nReturn-Path: <a@b>");
        assert_eq!(v.text, "Sorry.");
    }

    #[test]
    fn excluded_text_is_removed() {
        let disclaimer = "This e-mail is confidential. If you are not the intended recipient, delete it.".to_string();
        let body = "Please help.\n\nThis e-mail is confidential. If you are not\nthe intended recipient, delete it.\n\nOn Mon, 1 Jan 2024 X <x@y.z> wrote:\n> a";
        let v = split(body, std::slice::from_ref(&disclaimer));
        assert_eq!(v.text, "Please help.");
        let v = split(
            "-- \nAnn\nTHIS E-MAIL IS CONFIDENTIAL. If you are not the intended recipient, delete it.",
            &[disclaimer],
        );
        assert_eq!(v.text, "");
        assert_eq!(v.signature.as_deref(), Some("--\nAnn"));
        assert_eq!(split("abc", &["".to_string(), "  ".to_string()]).text, "abc");
    }
}
