//! The visible-text split's own tests: whole bodies through `split`, one per client habit.

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
    let body = "Hi,\n\nOn Monday we deployed the new version.\nSince then the export fails.\nBob wrote: it is slow.\n";
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
        Some("---------- Forwarded message ---------\nFrom: X <x@y.com>\nDate: Mon\nSubject: s\nTo: <a@b.com>\n\nbody"),
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
