//! Outlook header blocks: `From:` followed by at least two of `Sent:`/`Date:`, `To:`,
//! `Subject:`, with the labels of the languages mail clients write them in (English, German,
//! French, Spanish, Italian, Dutch, Portuguese, Polish, Russian, Ukrainian, Czech, Swedish,
//! Danish/Norwegian, Finnish, Hungarian, Turkish, Chinese, Japanese).

use super::{has_colon, norm};

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
            "差出人：",
            "kimden:",
            "від:",
            "feladó:",
            "lähettäjä :",
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
            "skickat:",
            "sendt:",
            "enviada:",
            "enviada em:",
            "enviado em:",
            "odesláno:",
            "gönderildi:",
            "gönderilme tarihi:",
            "tarih:",
            "надіслано:",
            "lähetetty:",
            "elküldve:",
            "送信日時:",
            "送信日時：",
            "datum :",
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
            "komu:",
            "kime:",
            "кому :",
            "vastaanottaja:",
            "címzett:",
            "宛先:",
            "宛先：",
            "pour :",
            "para :",
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
            "předmět:",
            "konu:",
            "aihe:",
            "tárgy:",
            "件名:",
            "件名：",
            "тема :",
            "assunto :",
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
pub(super) fn is_header_block(lines: &[&str], i: usize) -> bool {
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

pub(super) fn next_nonblank_is_from(lines: &[&str], from: usize) -> bool {
    lines
        .iter()
        .skip(from)
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| field_of(l) == Some(Field::From))
}

/// GMX and Web.de put `Gesendet:` above `Von:`: such a line right above the block belongs to it.
pub(super) fn is_sent_field(line: &str) -> bool {
    field_of(line) == Some(Field::Sent)
}
