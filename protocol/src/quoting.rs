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
        suffixes: &["skrev:", "skrev følgende:", "skrev följande:"],
        infixes: &[" skrev "],
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

/// Verbs that end an attribution in clients writing no fixed opening (Gmail in Scandinavian,
/// Slavic, Finnish and Turkish UIs starts with the date: `tir. 4. jun. 2024 kl. 10:12 skrev
/// Ann <ann@…>:`). Alone they read like prose, so they count only with a date and an address.
const DATED_SUFFIXES: &[&str] = &[
    "skrev:",
    "skrev følgende:",
    "skrev följande:",
    "пише:",
    "пишет:",
    "написав:",
    "написала:",
    "написал:",
    "napsal:",
    "napsala:",
    "napsal(a):",
    "kirjoitti:",
    "yazdı:",
    "wrote:",
    "schrieb:",
    "escribió:",
    "a écrit :",
    "ha scritto:",
    "escreveu:",
    "schreef:",
    "pisze:",
    "a scris:",
    "님이 작성:",
];

/// Words between the writer and the date where the date comes last (Gmail for Android:
/// `Ann <ann@…> schrieb am Di., 4. Juni 2024, 10:30:`).
const DATED_INFIXES: &[&str] = &[
    " wrote on ",
    " schrieb am ",
    " a écrit le ",
    " escribió el ",
    " ha scritto il ",
    " escreveu em ",
    " schreef op ",
    " kirjoitti ",
    " skrev den ",
    " napsal ",
    " pisze ",
    " ezt írta ",
    " έγραψε ",
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
    }) || is_dated_attribution(&lower)
}

/// An attribution without a known opening that carries a date (a time or a four-digit year)
/// and the writer's address: `26.06.2014, 14:41, "Ann" <ann@…>:` (Yandex), `2016-03-03 17:21
/// GMT+01:00 Ann <ann@…>:` (old Gmail), `Понедельник, 3 июня 2024, 10:00 +03:00 от Ann
/// <ann@…>:` (Mail.ru), or one ending in a verb of `DATED_SUFFIXES`. Prose rarely has all three.
fn is_dated_attribution(lower: &str) -> bool {
    let Some(at) = lower.rfind('@') else {
        return false;
    };
    if !has_date(lower) {
        return false;
    }
    let body = lower.trim_end_matches([':', '：', ' ']);
    // `… Ann <ann@…>:`, but not an SMTP transcript's `RCPT TO:<ann@…>:`.
    let address_last = body.ends_with('>')
        && body[..at]
            .rfind('<')
            .is_some_and(|lt| !body[..lt].trim_end().ends_with(':'));
    address_last
        || DATED_SUFFIXES.iter().any(|s| lower.ends_with(s))
        || DATED_INFIXES.iter().any(|i| lower[at..].contains(i))
}

/// A clock time (`14:41`, `10.12`, not part of a longer number such as an IP address) or a
/// four-digit year among the words.
fn has_date(lower: &str) -> bool {
    let b = lower.as_bytes();
    let digit_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let time = (0..b.len().saturating_sub(3)).any(|i| {
        digit_at(i)
            && (b[i + 1] == b':' || b[i + 1] == b'.')
            && digit_at(i + 2)
            && digit_at(i + 3)
            && !digit_at(i + 4)
            && !(b.get(i + 4) == Some(&b'.') && digit_at(i + 5))
    });
    let year = b
        .windows(4)
        .any(|w| w.iter().all(u8::is_ascii_digit) && (w[0] == b'1' || w[0] == b'2'));
    time || year
}

/// Whether `line` only *ends* like an attribution (`Ann Carter <ann@…> wrote:`), whatever it
/// opens with: to be trusted only right above quoted lines.
pub fn ends_like_attribution(line: &str) -> bool {
    if !line.ends_with([':', '：']) {
        return false;
    }
    let lower = line.to_lowercase();
    FAMILIES.iter().flat_map(|f| f.suffixes).any(|s| lower.ends_with(s)) || is_dated_attribution(&lower)
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

    #[test]
    fn attributions_opening_with_the_date() {
        assert!(is_attribution("26.06.2014, 14:41, \"Ann Carter\" <ann@example.ru>:"));
        assert!(is_attribution(
            "2016-03-03 17:21 GMT+01:00 Ann Carter <ann@example.com>:"
        ));
        assert!(is_attribution(
            "Понедельник, 3 июня 2024, 10:00 +03:00 от Анна <anna@example.ru>:"
        ));
        assert!(is_attribution(
            "tir. 4. jun. 2024 kl. 10:12 skrev Ann <ann@example.no>:"
        ));
        assert!(is_attribution("Den 4 juni 2024 kl. 10:12 skrev Ann <ann@example.se>:"));
        assert!(is_attribution(
            "вт, 4 черв. 2024 р. о 10:12 Олена <olena@example.ua> пише:"
        ));
        assert!(is_attribution(
            "Ann <ann@example.de> schrieb am Di., 4. Juni 2024, 10:30:"
        ));
        assert!(is_attribution(
            "Ann <ann@example.hu> ezt írta (időpont: 2024. jún. 4., K, 10:12):"
        ));
        assert!(is_attribution(
            "2024년 6월 4일 (화) 오전 10:12, Ann <ann@example.kr>님이 작성:"
        ));
        assert!(is_attribution("2024年6月4日(火) 10:12 Ann <ann@example.jp>:"));
        assert!(!is_attribution("Please write to Ann <ann@example.com>:"), "no date");
        assert!(!is_attribution("At 10:00 the server wrote:"), "no address");
        assert!(
            !is_attribution("host mx.example.net [203.0.113.9] error after RCPT TO:<ann@example.com>:"),
            "an SMTP transcript"
        );
        assert!(!is_attribution("Call me at 10:30 about <ann@example.com> today."));
    }
}
