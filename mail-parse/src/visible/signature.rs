//! The signature of the new text: a `-- ` delimiter, a mobile footer (`Sent from my iPhone`)
//! near the end, a confidentiality disclaimer or mailing-list footer at the end, or a `-- `
//! signature written below the quoted history.

use super::quote::is_rule_line;
use super::{has_content, norm};

/// A `-- ` signature block after the last `>` line of the quoted history.
pub(super) fn signature_after_quote(quoted: &[&str]) -> Option<usize> {
    let last_quote = quoted.iter().rposition(|l| l.trim_start().starts_with('>'))?;
    let tail = &quoted[last_quote + 1..];
    let s = tail.iter().position(|l| *l == "-- " || l.trim_end() == "--")?;
    let rest = tail[s + 1..].iter().filter(|l| !l.trim().is_empty()).count();
    (rest > 0 && rest <= 20).then_some(last_quote + 1 + s)
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
    "sendt fra min ",
    "sendt fra ",
    "skickat från min ",
    "skickat från ",
    "lähetetty ",
    "odesláno z ",
    "wysłane z ",
    "отправлено из ",
    "надіслано з ",
    "inviato dal mio ",
    "verstuurd vanaf ",
    "gesendet mit ",
    "envoyé avec ",
    "download outlook for ",
    "outlook voor ios downloaden",
    "outlook voor android downloaden",
    "outlook für ios herunterladen",
    "outlook für android herunterladen",
    "télécharger outlook pour ",
    "obtener outlook para ",
    "scarica outlook per ",
    "發自我的",
    "发自我的",
    "從我的",
];

/// Footers that end, rather than start, with the fixed words (`iPhoneから送信`, `iPhone'umdan
/// gönderildi`).
const MOBILE_FOOTER_ENDINGS: &[&str] = &["から送信", "'umdan gönderildi", "’umdan gönderildi", "'dan gönderildi"];

fn is_mobile_footer(line: &str) -> bool {
    let n = norm(line).to_lowercase();
    n.chars().count() <= 80
        && (MOBILE_FOOTERS.iter().any(|p| n.starts_with(p)) || MOBILE_FOOTER_ENDINGS.iter().any(|e| n.ends_with(e)))
}

/// Where the signature of the new text starts.
pub(super) fn find_signature_start(lines: &[&str]) -> Option<usize> {
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
pub(super) fn find_footer_start(lines: &[&str]) -> Option<usize> {
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
