//! Excluded texts (configured disclaimers) removed from the new text, signature and quote,
//! matching words with any whitespace in between and ignoring case.

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
