//! One rule set for attribution lines — "On Mon, 3 Jun 2024, Ann wrote:" and its translations —
//! read by the mail parser (where a reply's quoted history starts) and by the browser app
//! (which folds quoted history behind a toggle), so the two never disagree about a line.
//! Pure string matching: it compiles for the browser as well as the server.

/// One language's attribution: it opens with a prefix and ends with a suffix (or holds an
/// infix and ends with a colon: `Am Montag schrieb Ann Carter <ann@…>:`).
pub struct Family {
    pub prefixes: &'static [&'static str],
    pub suffixes: &'static [&'static str],
    pub infixes: &'static [&'static str],
}

/// English first; then the common European clients; then Russian and Chinese (no prefix).
pub const FAMILIES: &[Family] = &[
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

/// Longer than this, a line ending in "wrote:" is prose, not an attribution (callers check:
/// the parser measures a wrapped attribution before joining its next line).
pub const MAX_ATTRIBUTION_CHARS: usize = 300;

/// Whether `line` (trimmed; joined with spaces when a mail program wrapped it) reads as a whole
/// attribution: a known opening and a known ending.
pub fn is_attribution(line: &str) -> bool {
    if !line.ends_with([':', '：']) {
        return false;
    }
    let lower = line.to_lowercase();
    FAMILIES.iter().any(|f| {
        f.prefixes.iter().any(|p| lower.starts_with(p))
            && (f.suffixes.iter().any(|s| lower.ends_with(s))
                || (lower.ends_with(':') && f.infixes.iter().any(|inf| lower.contains(inf))))
    })
}

/// Whether `line` only *ends* like an attribution (`Ann Carter <ann@…> wrote:`), whatever it
/// opens with: to be trusted only right above quoted lines.
pub fn ends_like_attribution(line: &str) -> bool {
    if !line.ends_with([':', '：']) {
        return false;
    }
    let lower = line.to_lowercase();
    FAMILIES.iter().flat_map(|f| f.suffixes).any(|s| lower.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openings_and_endings_of_each_language() {
        assert!(is_attribution(
            "On Mon, 3 Jun 2024, Ann Carter <ann@example.com> wrote:"
        ));
        assert!(is_attribution(
            "Am 03.06.2024 um 10:00 schrieb Ann Carter <ann@example.com>:"
        ));
        assert!(is_attribution("Le lun. 3 juin 2024 à 10:00, Ann a écrit :"));
        assert!(is_attribution("W dniu 3.06.2024 Ann pisze:"));
        assert!(is_attribution("2024年6月3日 Ann 写道："));
        assert!(!is_attribution("Ann Carter wrote:"), "no known opening");
        assert!(!is_attribution("On Monday we shipped it."), "no ending");
        assert!(ends_like_attribution("Ann Carter <ann@example.com> wrote:"));
        assert!(!ends_like_attribution("Ann Carter wrote this"));
    }
}
