//! Attribution lines: `On … wrote:` and its translations, also wrapped over up to three lines,
//! and any `… wrote:` line directly followed by `>` lines.

use super::{longer_than, norm};

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
pub(super) fn is_attribution(lines: &[&str], i: usize) -> bool {
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
